/* idmap.c - user namespace id maps. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "idmap.h"
#include "util.h"

int sc_idmap_parse_subid(const char *text, const char *user_name, unsigned user_id, unsigned *ret_start,
			 unsigned *ret_count)
{
	char id_text[16];
	snprintf(id_text, sizeof(id_text), "%u", user_id);
	for (const char *line = text; line && *line;) {
		const char *end = strchrnul(line, '\n');
		char owner[256];
		unsigned long start, count;
		char entry[512];
		size_t n = (size_t)(end - line);
		if (n < sizeof(entry)) {
			memcpy(entry, line, n);
			entry[n] = '\0';
			/* "owner:start:count"; the owner may be a name or a number */
			/* %lu takes "-1" too: only digits, and ranges inside 32 bits, count */
			if (sscanf(entry, "%255[^:]:%lu:%lu", owner, &start, &count) == 3 && count > 0 &&
			    strspn(entry + strlen(owner) + 1, "0123456789:") == n - strlen(owner) - 1 &&
			    start <= 0xffffffffUL && count <= 0xffffffffUL && start + count <= 0xffffffffUL &&
			    ((user_name && !strcmp(owner, user_name)) || !strcmp(owner, id_text))) {
				*ret_start = (unsigned)start;
				*ret_count = (unsigned)count;
				return 0;
			}
		}
		line = *end ? end + 1 : end;
	}
	return -ENOENT;
}

static void root_subid(const char *path, const char *name, unsigned *start, unsigned *count)
{
	_cleanup_free_ char *text = NULL;
	*start = SC_SUBID_DEFAULT_START;
	*count = SC_SUBID_DEFAULT_COUNT;
	if (sc_read_file(path, &text, NULL) < 0)
		return;
	unsigned s, c;
	/* a range starting at 0 would map container root to host root: ignore it */
	if (sc_idmap_parse_subid(text, name, 0, &s, &c) == 0 && s != 0) {
		*start = s;
		*count = c;
	}
}

int sc_idmap_default(struct sc_idmap *ret_map, struct sc_error *err)
{
	struct sc_idmap map = { 0 };
	uid_t euid = geteuid();
	if (euid == 0) {
		/* "root" or "0": no NSS lookup on every run for the one name uid 0 always has */
		root_subid("/etc/subuid", "root", &map.uid_host, &map.uid_count);
		root_subid("/etc/subgid", "root", &map.gid_host, &map.gid_count);
	} else {
		map.uid_host = euid;
		map.uid_count = 1;
		map.gid_host = getegid();
		map.gid_count = 1;
		map.rootless = true;
	}
	*ret_map = map;
	(void)err;
	return 0;
}

int sc_idmap_check_ids(const struct sc_idmap *map, uid_t uid, gid_t gid, struct sc_error *err)
{
	if (uid >= map->uid_count)
		return sc_error_setf(err, EINVAL,
				     "uid %u is not mapped in the container (ids 0-%u are%s): pick one of those",
				     (unsigned)uid, map->uid_count - 1, map->rootless ? ", rootless mode maps only root" : "");
	if (gid >= map->gid_count)
		return sc_error_setf(err, EINVAL,
				     "gid %u is not mapped in the container (ids 0-%u are%s): pick one of those",
				     (unsigned)gid, map->gid_count - 1, map->rootless ? ", rootless mode maps only root" : "");
	return 0;
}

void sc_idmap_format(const struct sc_idmap *map, bool gid, char *buf, size_t size)
{
	if (gid)
		snprintf(buf, size, "0 %u %u\n", (unsigned)map->gid_host, map->gid_count);
	else
		snprintf(buf, size, "0 %u %u\n", (unsigned)map->uid_host, map->uid_count);
}

int sc_idmap_write(const struct sc_idmap *map, pid_t pid, struct sc_error *err)
{
	char path[64], line[64];
	int r;
	if (map->rootless) {
		snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
		r = sc_write_file(path, "deny");
		if (r < 0 && r != -ENOENT)
			return sc_error_set(err, -r, "write '%s'", path);
	}
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	sc_idmap_format(map, false, line, sizeof(line));
	r = sc_write_file(path, line);
	if (r < 0)
		return sc_error_set(err, -r, "write uid map '%.*s' to '%s'", (int)strlen(line) - 1, line, path);
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	sc_idmap_format(map, true, line, sizeof(line));
	r = sc_write_file(path, line);
	if (r < 0)
		return sc_error_set(err, -r, "write gid map '%.*s' to '%s'", (int)strlen(line) - 1, line, path);
	return 0;
}
