/* check-ids.c - check point for the host ids a root-run container is given: read off a real
 * container's maps and compared with every id and range the host's files give someone, by a
 * parser of its own (not idrange.c's, whose mistakes it is there to catch). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check-internal.h"
#include "error.h"
#include "run.h"
#include "util.h"

/* Whether [first, first + count) holds an id or range a line of text gives someone: in
 * /etc/subuid form ("name:start:count") or /etc/passwd form ("name:x:uid:gid:..."; field is
 * 2 for the uid, 3 for the gid, 2 for group's gid). On a hit, the line goes into hit. */
static bool overlaps(const char *text, bool ranges, int field, unsigned long first, unsigned long count, char *hit,
		     size_t size)
{
	for (const char *line = text; line && *line;) {
		const char *end = strchrnul(line, '\n');
		char copy[512];
		int width = (int)(end - line);
		const char *whole = line;
		snprintf(copy, sizeof(copy), "%.*s", width, line);
		line = *end ? end + 1 : end;
		char *f[4] = { 0 }, *p = copy;
		int n = 0;
		for (char *tok; n < 4 && (tok = strsep(&p, ":"));)
			f[n++] = tok;
		if (n < (ranges ? 3 : field + 1) || copy[0] == '#')
			continue;
		unsigned long start = strtoul(f[ranges ? 1 : field], NULL, 10);
		unsigned long len = ranges ? strtoul(f[2], NULL, 10) : 1;
		if (len && start < first + count && first < start + len) {
			snprintf(hit, size, "%.*s", width, whole);
			return true;
		}
	}
	return false;
}

int sc_check_root_ids(struct suite *s, struct point *p)
{
	if (geteuid() != 0) {
		sc_check_say(p, SC_VERDICT_SKIP, "run by a user, container root is that user's own id");
		return 0;
	}
	struct sc_result *res = NULL;
	int r = sc_check_run_in(s, NULL, &res, "cat", "/proc/self/uid_map", "/proc/self/gid_map", NULL);
	if (r < 0)
		return r;
	unsigned long uid[3] = { 0 }, gid[3] = { 0 };
	bool parsed = sscanf(sc_result_stdout(res, NULL, NULL), " %lu %lu %lu %lu %lu %lu", &uid[0], &uid[1], &uid[2],
			     &gid[0], &gid[1], &gid[2]) == 6;
	sc_result_free(res);
	static const struct {
		const char *path;
		bool ranges;
		int field;
		bool gid;
	} sources[] = {
		{ "/etc/subuid", true, 0, false }, { "/etc/passwd", false, 2, false }, { "/etc/subgid", true, 0, true },
		{ "/etc/passwd", false, 3, true }, { "/etc/group", false, 2, true },
	};
	char hit[512] = "";
	const char *where = NULL;
	for (size_t i = 0; parsed && !where && i < SC_ELEMENTSOF(sources); i++) {
		_cleanup_free_ char *text = NULL;
		const unsigned long *m = sources[i].gid ? gid : uid;
		if (sc_read_file(sources[i].path, &text, NULL) == 0 &&
		    overlaps(text, sources[i].ranges, sources[i].field, m[1], m[2], hit, sizeof(hit)))
			where = sources[i].path;
	}
	if (!parsed)
		sc_check_say(p, SC_VERDICT_FAIL, "could not read the container's uid_map and gid_map");
	else if (where)
		sc_check_say(p, SC_VERDICT_FAIL, "container ids %lu-%lu (uid) / %lu-%lu (gid) hold '%s' of %s", uid[1],
			     uid[1] + uid[2] - 1, gid[1], gid[1] + gid[2] - 1, hit, where);
	else
		sc_check_say(p, uid[1] == 0 || gid[1] == 0 ? SC_VERDICT_FAIL : SC_VERDICT_PASS,
			     "container uids %lu-%lu, gids %lu-%lu: in no range or id of /etc/subuid, /etc/subgid, "
			     "/etc/passwd, /etc/group%s",
			     uid[1], uid[1] + uid[2] - 1, gid[1], gid[1] + gid[2] - 1,
			     uid[1] == 0 || gid[1] == 0 ? ", but host root is among them" : "");
	return 0;
}
