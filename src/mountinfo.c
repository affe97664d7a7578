/* mountinfo.c - a parser for /proc/PID/mountinfo. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mountinfo.h"
#include "util.h"

void sc_mountinfo_unescape(char *s)
{
	char *out = s;
	for (char *in = s; *in;) {
		if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && in[2] >= '0' && in[2] <= '7' && in[3] >= '0' &&
		    in[3] <= '7') {
			*out++ = (char)(((in[1] - '0') << 6) | ((in[2] - '0') << 3) | (in[3] - '0'));
			in += 4;
		} else {
			*out++ = *in++;
		}
	}
	*out = '\0';
}

/* Splits the line in place on spaces; returns the number of fields. */
static size_t split_fields(char *line, char **fields, size_t max)
{
	size_t n = 0;
	for (char *save = NULL, *f = strtok_r(line, " ", &save); f && n < max; f = strtok_r(NULL, " ", &save))
		fields[n++] = f;
	return n;
}

static int parse_line(char *line, struct sc_mount_entry *e)
{
	char *f[64];
	size_t n = split_fields(line, f, SC_ELEMENTSOF(f));
	/* id parent major:minor root mount-point options [optional...] - fstype source super-options */
	size_t dash = 6;
	while (dash < n && strcmp(f[dash], "-") != 0)
		dash++;
	if (n < 6 || dash + 2 >= n)
		return -EINVAL;
	char *end;
	e->id = (int)strtol(f[0], &end, 10);
	if (*end)
		return -EINVAL;
	e->parent_id = (int)strtol(f[1], &end, 10);
	if (*end)
		return -EINVAL;
	for (size_t i = 6; i < dash; i++) {
		if (!strncmp(f[i], "shared:", 7))
			e->shared = true;
		else if (!strncmp(f[i], "master:", 7))
			e->slave = true;
	}
	e->root = strdup(f[3]);
	e->mount_point = strdup(f[4]);
	e->fstype = strdup(f[dash + 1]);
	e->source = strdup(f[dash + 2]);
	if (!e->root || !e->mount_point || !e->fstype || !e->source)
		return -ENOMEM;
	sc_mountinfo_unescape(e->root);
	sc_mountinfo_unescape(e->mount_point);
	sc_mountinfo_unescape(e->source);
	return 0;
}

int sc_mountinfo_parse(const char *text, struct sc_mount_table *ret_table)
{
	struct sc_mount_table table = { 0 };
	_cleanup_free_ char *copy = strdup(text);
	if (!copy)
		return -ENOMEM;
	size_t lines = 0;
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	table.entries = calloc(lines + 1, sizeof(*table.entries));
	if (!table.entries)
		return -ENOMEM;
	for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int r = parse_line(line, &table.entries[table.count]);
		table.count++;
		if (r < 0) {
			sc_mount_table_release(&table);
			return r;
		}
	}
	*ret_table = table;
	return 0;
}

void sc_mount_table_release(struct sc_mount_table *table)
{
	for (size_t i = 0; i < table->count; i++) {
		free(table->entries[i].root);
		free(table->entries[i].mount_point);
		free(table->entries[i].fstype);
		free(table->entries[i].source);
	}
	free(table->entries);
	table->entries = NULL;
	table->count = 0;
}
