/* idmap.c - user namespace id maps. */
#include "config.h"

#include <limits.h>
#include <linux/capability.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "error.h"
#include "idmap.h"
#include "idrange.h"
#include "util.h"

bool sc_idmap_subid_line(const char *line, size_t len, char *owner, size_t owner_size, unsigned *ret_start,
			 unsigned *ret_count)
{
	const char *colon = memchr(line, ':', len), *end = line + len;
	if (!colon || colon == line || owner_size == 0)
		return false;
	/* "owner:start:count": strtoul takes "-1" and spaces too, so only digits count */
	for (const char *p = colon + 1; p < end; p++)
		if ((*p < '0' || *p > '9') && *p != ':')
			return false;
	char *after;
	unsigned long start = strtoul(colon + 1, &after, 10), count;
	if (after == colon + 1 || *after != ':' || after + 1 >= end)
		return false;
	count = strtoul(after + 1, &after, 10);
	/* the whole range inside 32 bits; an overlong number reads as ULONG_MAX */
	if (count == 0 || start > 0xffffffffUL || count > 0xffffffffUL || start + count > 0xffffffffUL)
		return false;
	snprintf(owner, owner_size, "%.*s", (int)(colon - line), line);
	*ret_start = (unsigned)start;
	*ret_count = (unsigned)count;
	return true;
}

int sc_idmap_parse_subid(const char *text, const char *user_name, unsigned user_id, unsigned *ret_start,
			 unsigned *ret_count)
{
	char id_text[16];
	snprintf(id_text, sizeof(id_text), "%u", user_id);
	for (const char *line = text; line && *line;) {
		const char *end = strchrnul(line, '\n');
		char owner[256];
		unsigned start, count;
		if (sc_idmap_subid_line(line, (size_t)(end - line), owner, sizeof(owner), &start, &count) &&
		    ((user_name && !strcmp(owner, user_name)) || !strcmp(owner, id_text))) {
			*ret_start = start;
			*ret_count = count;
			return 0;
		}
		line = *end ? end + 1 : end;
	}
	return -ENOENT;
}

/* The extent of a map of this namespace that holds id 0: how many ids from 0 on it gives, and
 * where they start in the namespace above ("0 100000 65536": 65536 from 100000; the initial
 * namespace's is "0 0 4294967295"). Returns the count, or 0 when the map cannot be read. */
static unsigned long ids_from_zero(const char *path, unsigned long *ret_outside)
{
	_cleanup_free_ char *text = NULL;
	if (sc_read_file(path, &text, NULL) < 0)
		return 0;
	for (const char *line = text; *line;) {
		unsigned long inside, outside, count;
		if (sscanf(line, "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0) {
			*ret_outside = outside;
			return count;
		}
		const char *nl = strchr(line, '\n');
		line = nl ? nl + 1 : line + strlen(line);
	}
	return 0;
}

/* Root's slice for this run, of root's own range (ids 0: the initial namespace, idrange.h) or
 * of the ids 0..ids-1 of the user namespace it runs in (a rootless Podman container has 65536,
 * a run --privileged as many; sc_idrange_nested_pool: never its own 0, an account's id or an id
 * outside it), locked as long as the run. The files are read as they are now, since an account
 * or a range added since the last run must be missed too. */
static int root_slice(struct sc_idmap *map, unsigned long ids, struct sc_error *err)
{
	_cleanup_free_ char *subuid = NULL, *subgid = NULL, *passwd = NULL, *group = NULL;
	(void)sc_read_file("/etc/subuid", &subuid, NULL);
	(void)sc_read_file("/etc/subgid", &subgid, NULL);
	(void)sc_read_file("/etc/passwd", &passwd, NULL);
	(void)sc_read_file("/etc/group", &group, NULL);
	const struct sc_idrange_files files = { subuid, subgid, passwd, group };
	struct sc_idrange_pool pool = { 0 };
	int r = ids ? sc_idrange_nested_pool(&files, ids > UINT_MAX ? UINT_MAX : (unsigned)ids, &pool, err)
		    : sc_idrange_pool(&files, &pool, err);
	unsigned k;
	if (r == 0)
		r = sc_idrange_take(SC_IDRANGE_STATE_DIR, &pool, SC_IDRANGE_WAIT_MS, &k, &map->slice_lock, err);
	if (r == 0) {
		map->uid_host = pool.uid_start + k * pool.slice;
		map->gid_host = pool.gid_start + k * pool.slice;
		map->uid_count = map->gid_count = pool.slice;
	}
	sc_idrange_pool_release(&pool);
	return r;
}

int sc_idmap_default(struct sc_idmap *ret_map, struct sc_error *err)
{
	struct sc_idmap map = { .slice_lock = -1 };
	int r = 0;
	/* ids root may map: every one (0 stands for that, as in the initial namespace), or those
	 * from 0 of its namespace; root of one id can only give a container that id */
	unsigned long ids = 1;
	if (geteuid() == 0) {
		unsigned long outside = 0, uids = ids_from_zero("/proc/self/uid_map", &outside);
		if (uids == 0 || (outside == 0 && uids == 4294967295UL)) {
			ids = 0; /* no /proc to read: nothing to tell, and writing the maps says more */
		} else {
			unsigned long gids = ids_from_zero("/proc/self/gid_map", &outside);
			ids = uids < gids ? uids : gids;
			if (ids == 0)
				ids = 1; /* no gid map to read: its own id is all it surely has */
		}
	}
	if (ids != 1) {
		r = root_slice(&map, ids, err);
	} else {
		/* a user, or root of a namespace of one id: container root can only be that id */
		map.uid_host = geteuid();
		map.uid_count = 1;
		map.gid_host = getegid();
		map.gid_count = 1;
		map.rootless = true;
	}
	if (r == 0)
		*ret_map = map;
	return r;
}

void sc_idmap_release(struct sc_idmap *map)
{
	if (map->slice_lock >= 0)
		close(TAKE_FD(map->slice_lock));
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
	/* since Linux 5.12 a map onto uid 0 of this namespace needs CAP_SETFCAP in it (a file
	 * capability written inside would otherwise hold for that root): root of a sandbox that
	 * dropped it, as bwrap --uid 0 does, can map nothing */
	if (r == -EPERM && map->uid_host == 0 && !sc_caps_effective_has(CAP_SETFCAP))
		return sc_error_set(err, -r,
				    "write uid map '%.*s' to '%s': mapping uid 0 of this user namespace needs "
				    "CAP_SETFCAP here, which the sandbox around this process dropped; keep it (bwrap "
				    "--cap-add CAP_SETFCAP, docker run --cap-add SETFCAP) or run as another uid in it "
				    "(bwrap --uid 1000)",
				    (int)strlen(line) - 1, line, path);
	if (r < 0)
		return sc_error_set(err, -r, "write uid map '%.*s' to '%s'", (int)strlen(line) - 1, line, path);
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	sc_idmap_format(map, true, line, sizeof(line));
	r = sc_write_file(path, line);
	if (r < 0)
		return sc_error_set(err, -r, "write gid map '%.*s' to '%s'", (int)strlen(line) - 1, line, path);
	return 0;
}
