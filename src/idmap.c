/* idmap.c - user namespace id maps. */
#include "config.h"

#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
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

/* The name of uid in /etc/passwd (no NSS: the program is static), or "" when not there. */
static void user_name(uid_t uid, char *buf, size_t size)
{
	_cleanup_free_ char *text = NULL;
	buf[0] = '\0';
	if (sc_read_file("/etc/passwd", &text, NULL) < 0)
		return;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *colon1 = strchr(line, ':'), *colon2 = colon1 ? strchr(colon1 + 1, ':') : NULL;
		if (colon2 && strtoul(colon2 + 1, NULL, 10) == uid && colon2[1] >= '0' && colon2[1] <= '9') {
			snprintf(buf, size, "%.*s", (int)(colon1 - line), line);
			return;
		}
	}
}

static bool on_path(const char *name)
{
	char path[64];
	static const char *const dirs[] = { "/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin" };
	for (size_t i = 0; i < SC_ELEMENTSOF(dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
		if (access(path, X_OK) == 0)
			return true;
	}
	return false;
}

int sc_idmap_extend(struct sc_idmap *map, struct sc_error *err)
{
	char name[256];
	_cleanup_free_ char *subuid = NULL, *subgid = NULL;
	unsigned us = 0, uc = 0, gs = 0, gc = 0;
	if (!map->rootless || map->sub_count)
		return 0;
	user_name(map->uid_host, name, sizeof(name));
	bool found = sc_read_file("/etc/subuid", &subuid, NULL) == 0 && sc_read_file("/etc/subgid", &subgid, NULL) == 0 &&
		     sc_idmap_parse_subid(subuid, name[0] ? name : NULL, map->uid_host, &us, &uc) == 0 &&
		     sc_idmap_parse_subid(subgid, name[0] ? name : NULL, map->uid_host, &gs, &gc) == 0;
	if (!found)
		return sc_error_setf(err, ENOENT,
				     "ids other than 0 need subordinate ids: add '%s:100000:65536' to /etc/subuid and "
				     "/etc/subgid (usermod --add-subuids 100000-165535 --add-subgids 100000-165535 %s)",
				     name[0] ? name : "USER", name[0] ? name : "USER");
	if (!on_path("newuidmap") || !on_path("newgidmap"))
		return sc_error_setf(err, ENOENT, "ids other than 0 need newuidmap and newgidmap: apt-get install uidmap");
	map->uid_sub_start = us;
	map->gid_sub_start = gs;
	map->sub_count = uc < gc ? uc : gc;
	map->uid_count = map->gid_count = 1 + map->sub_count;
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
	unsigned host = gid ? (unsigned)map->gid_host : (unsigned)map->uid_host;
	if (map->sub_count)
		snprintf(buf, size, "0 %u 1\n1 %u %u\n", host, gid ? map->gid_sub_start : map->uid_sub_start, map->sub_count);
	else
		snprintf(buf, size, "0 %u %u\n", host, gid ? map->gid_count : map->uid_count);
}

/* newuidmap PID 0 UID 1 1 START COUNT: the setuid helpers write ranges a user may not. */
static int run_map_helper(const char *helper, pid_t pid, unsigned host, unsigned start, unsigned count,
			  struct sc_error *err)
{
	char spid[16], shost[16], sstart[16], scount[16];
	snprintf(spid, sizeof(spid), "%d", (int)pid);
	snprintf(shost, sizeof(shost), "%u", host);
	snprintf(sstart, sizeof(sstart), "%u", start);
	snprintf(scount, sizeof(scount), "%u", count);
	char *const argv[] = { (char *)helper, spid, "0", shost, "1", "1", sstart, scount, NULL };
	char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	pid_t child;
	int r = posix_spawnp(&child, helper, NULL, NULL, argv, envp);
	if (r != 0)
		return sc_error_set(err, r, "run %s (apt-get install uidmap)", helper);
	int status;
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return sc_error_set(err, errno, "wait for %s", helper);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return sc_error_setf(err, EPERM, "%s %s 0 %s 1 1 %s %s failed (check /etc/subuid and /etc/subgid)", helper,
				     spid, shost, sstart, scount);
	return 0;
}

int sc_idmap_write(const struct sc_idmap *map, pid_t pid, struct sc_error *err)
{
	char path[64], line[64];
	int r;
	if (map->sub_count) {
		r = run_map_helper("newuidmap", pid, (unsigned)map->uid_host, map->uid_sub_start, map->sub_count, err);
		if (r == 0)
			r = run_map_helper("newgidmap", pid, (unsigned)map->gid_host, map->gid_sub_start, map->sub_count, err);
		return r;
	}
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
