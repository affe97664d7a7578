/* fuzz-mountinfo.c - libFuzzer target for the mountinfo parser and the pure isolation checks
 * of probe.h, which read /proc text that a command inside the container may shape (mount
 * points with spaces and escapes, interface names, a cgroup path).
 *
 * The input is the text, cut at its first NUL byte as read from /proc. Every check writes its
 * detail into a heap buffer of exactly the size it is given, once of the real size and once
 * of a small one, so that ASan reports a write past it. Beyond crashes, leaks and undefined
 * behaviour: a parsed table has one entry per non-empty line, and unescaping never grows a
 * string. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mountinfo.h"
#include "probe.h"

#define CHECK(cond, what)                                              \
	do {                                                           \
		if (!(cond)) {                                         \
			fprintf(stderr, "fuzz-mountinfo: %s\n", what); \
			abort();                                       \
		}                                                      \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The mount points a default container expects (see mounts.c), and a run's host paths. */
static const char *const expected[] = { "/", "/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/tmp", "/sys" };
static const char *const run_paths[] = { "/tmp/simpcon-x", "/var/cache/simpcon/busybox-1" };

/* Runs every pure check with a detail buffer of exactly size bytes. */
static void run_checks(const char *text, size_t size)
{
	char *detail = malloc(size);
	CHECK(detail, "malloc");
	(void)sc_probe_check_mounts(text, expected, sizeof(expected) / sizeof(*expected), detail, size);
	CHECK(memchr(detail, '\0', size), "check_mounts left its detail unterminated");
	(void)sc_probe_check_host_mounts(text, run_paths, 2, detail, size);
	CHECK(memchr(detail, '\0', size), "check_host_mounts left its detail unterminated");
	(void)sc_probe_check_cgroup(text, detail, size);
	CHECK(memchr(detail, '\0', size), "check_cgroup left its detail unterminated");
	(void)sc_probe_check_netdev(text, detail, size);
	CHECK(memchr(detail, '\0', size), "check_netdev left its detail unterminated");
	(void)sc_probe_check_map(text, "0 100000 65536", true, detail, size);
	CHECK(memchr(detail, '\0', size), "check_map left its detail unterminated");
	/* the expected map is the parent's, but its parsing is the same code: feed it too */
	(void)sc_probe_check_map("0 100000 65536\n", text, true, detail, size);
	CHECK(memchr(detail, '\0', size), "check_map left its detail unterminated");
	free(detail);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	CHECK(text, "malloc");
	memcpy(text, data, size);
	text[size] = '\0';

	struct sc_mount_table table;
	if (sc_mountinfo_parse(text, &table) == 0) {
		size_t lines = 0;
		for (const char *p = text; *p;) {
			size_t n = strcspn(p, "\n");
			lines += n > 0;
			p += n + (p[n] == '\n');
		}
		CHECK(table.count == lines, "a parsed table without one entry per line");
		for (size_t i = 0; i < table.count; i++) {
			const struct sc_mount_entry *e = &table.entries[i];
			CHECK(e->root && e->mount_point && e->fstype && e->source, "an entry with a missing field");
		}
		sc_mount_table_release(&table);
	}

	char *copy = strdup(text);
	CHECK(copy, "strdup");
	sc_mountinfo_unescape(copy);
	CHECK(strlen(copy) <= strlen(text), "unescaping grew a string");
	free(copy);

	run_checks(text, SC_PROBE_DETAIL_MAX);
	run_checks(text, 7);
	free(text);
	return 0;
}
