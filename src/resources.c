/* resources.c - pids, memory and CPU time limits through cgroups, or rlimits. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "error.h"
#include "resources.h"
#include "mountinfo.h"
#include "util.h"

static const char *const controllers[SC_LIMIT_COUNT] = { "pids", "memory", "cpu" };

/* The caller's cgroup for a v1 controller ("4:memory:/a/b" gives "/a/b"), or for v2 ("0::/x"). */
static bool own_cgroup(const char *proc_cgroup, const char *controller, char *buf, size_t size)
{
	for (const char *line = proc_cgroup; *line;) {
		const char *end = strchrnul(line, '\n');
		const char *c1 = memchr(line, ':', (size_t)(end - line));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
		if (c2) {
			size_t n = (size_t)(c2 - c1 - 1);
			bool match = controller ? n == strlen(controller) && !strncmp(c1 + 1, controller, n) : n == 0;
			/* a v1 line may name several controllers: "cpu,cpuacct" */
			for (const char *p = c1 + 1; controller && !match && p < c2;) {
				const char *comma = memchr(p, ',', (size_t)(c2 - p));
				const char *stop = comma ? comma : c2;
				match = (size_t)(stop - p) == strlen(controller) && !strncmp(p, controller, (size_t)(stop - p));
				p = stop + 1;
			}
			if (match) {
				snprintf(buf, size, "%.*s", (int)(end - c2 - 1), c2 + 1);
				return true;
			}
		}
		line = *end ? end + 1 : end;
	}
	return false;
}

/* Where the hierarchy holding controller is mounted: v1, a "cgroup" mount named for it (or for
 * a group with it, "cpu,cpuacct"); controller NULL, the cgroup2 mount. */
static bool hierarchy_mount(const char *mountinfo, const char *controller, char *buf, size_t size)
{
	struct sc_mount_table t;
	if (sc_mountinfo_parse(mountinfo, &t) < 0)
		return false;
	bool found = false;
	for (size_t i = 0; i < t.count && !found; i++) {
		const struct sc_mount_entry *e = &t.entries[i];
		if (controller ? strcmp(e->fstype, "cgroup") : strcmp(e->fstype, "cgroup2"))
			continue;
		const char *name = strrchr(e->mount_point, '/');
		for (const char *p = name ? name + 1 : ""; controller && *p && !found;) {
			size_t n = strcspn(p, ",");
			found = n == strlen(controller) && !strncmp(p, controller, n);
			p += n + (p[n] == ',');
		}
		if (!controller)
			found = true;
		if (found)
			snprintf(buf, size, "%s", e->mount_point);
	}
	sc_mount_table_release(&t);
	return found;
}

static int write_value(const char *dir, const char *file, const char *value)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return sc_write_file(path, value);
}

/* Makes dir/simpcon-PID under the caller's cgroup of a hierarchy and sets the limit there.
 * Limits that land in one hierarchy share its one cgroup: a process is in a single cgroup of
 * each hierarchy, so on cgroup v2, where every controller is, one cgroup per limit would leave
 * the container in the last one moved to, and every other limit unenforced. Returns 0, or
 * -errno when this hierarchy cannot take it. */
static int cgroup_limit(struct sc_limits *l, enum sc_limit_kind k, bool v2, const char *mount, const char *own)
{
	char dir[sizeof(l->cgroup[k])], value[32];
	if (snprintf(dir, sizeof(dir), "%s%s/simpcon-%d", mount, own, (int)getpid()) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	if (v2) {
		char parent[PATH_MAX], add[32];
		snprintf(parent, sizeof(parent), "%s%s", mount, own);
		snprintf(add, sizeof(add), "+%s", controllers[k]);
		int r = write_value(parent, "cgroup.subtree_control", add);
		if (r < 0)
			return r;
	}
	bool shared = false;
	for (int j = 0; j < SC_LIMIT_COUNT; j++)
		shared |= j != (int)k && !strcmp(l->cgroup[j], dir);
	if (!shared && mkdir(dir, 0755) < 0)
		return -errno;
	snprintf(value, sizeof(value), "%llu", (unsigned long long)l->value[k]);
	int r = write_value(dir, k == SC_LIMIT_PIDS ? "pids.max" : v2 ? "memory.max" : "memory.limit_in_bytes", value);
	if (r == 0 && k == SC_LIMIT_MEMORY && v2)
		(void)write_value(dir, "memory.swap.max", "0");
	if (r < 0) {
		if (!shared)
			(void)rmdir(dir);
		return r;
	}
	snprintf(l->cgroup[k], sizeof(l->cgroup[k]), "%s", dir);
	l->cgroup_path[k] = strlen(mount);
	l->via[k] = v2 ? SC_LIMIT_CGROUP2 : SC_LIMIT_CGROUP1;
	return 0;
}

int sc_limits_prepare(struct sc_limits *l, struct sc_error *err)
{
	_cleanup_free_ char *cg = NULL, *mi = NULL;
	bool need = false;
	for (int k = 0; k < SC_LIMIT_COUNT; k++)
		need |= l->value[k] != 0;
	if (!need)
		return 0;
	if (sc_read_file("/proc/self/cgroup", &cg, NULL) < 0 || sc_read_file("/proc/self/mountinfo", &mi, NULL) < 0)
		cg = NULL;
	for (int k = SC_LIMIT_PIDS; k <= SC_LIMIT_MEMORY; k++) {
		if (!l->value[k])
			continue;
		char own[PATH_MAX], mount[PATH_MAX], controllers_file[PATH_MAX + 32];
		_cleanup_free_ char *available = NULL;
		int r = -ENOENT;
		/* v2 first, where its controllers are enabled on this machine */
		if (cg && own_cgroup(cg, NULL, own, sizeof(own)) && hierarchy_mount(mi, NULL, mount, sizeof(mount))) {
			snprintf(controllers_file, sizeof(controllers_file), "%s%s/cgroup.controllers", mount, own);
			if (sc_read_file(controllers_file, &available, NULL) == 0 && strstr(available, controllers[k]))
				r = cgroup_limit(l, k, true, mount, strcmp(own, "/") ? own : "");
		}
		if (r < 0 && cg && own_cgroup(cg, controllers[k], own, sizeof(own)) &&
		    hierarchy_mount(mi, controllers[k], mount, sizeof(mount)))
			r = cgroup_limit(l, k, false, mount, strcmp(own, "/") ? own : "");
		if (r < 0)
			l->via[k] = SC_LIMIT_RLIMIT; /* no cgroup takes it here (or not for this user) */
	}
	if (l->value[SC_LIMIT_CPU])
		l->via[SC_LIMIT_CPU] = SC_LIMIT_RLIMIT;
	(void)err;
	return 0;
}

int sc_limits_attach(const struct sc_limits *l, pid_t pid, struct sc_error *err)
{
	char value[32], path[64];
	snprintf(value, sizeof(value), "%d", (int)pid);
	for (int k = 0; k < SC_LIMIT_COUNT; k++) {
		if (!l->cgroup[k][0])
			continue;
		int r = write_value(l->cgroup[k], "cgroup.procs", value);
		if (r < 0)
			return sc_error_set(err, -r, "move the container into cgroup '%s'", l->cgroup[k]);
	}
	/* read back: a limit is claimed only where the container really is */
	_cleanup_free_ char *cg = NULL;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	for (int k = 0; k < SC_LIMIT_COUNT; k++) {
		if (!l->cgroup[k][0])
			continue;
		int r = cg ? 0 : sc_read_file(path, &cg, NULL);
		if (r < 0)
			return sc_error_set(err, -r, "read '%s' to confirm the container's cgroups", path);
		char in[PATH_MAX];
		const char *want = l->cgroup[k] + l->cgroup_path[k];
		if (!own_cgroup(cg, l->via[k] == SC_LIMIT_CGROUP2 ? NULL : controllers[k], in, sizeof(in)) || strcmp(in, want))
			return sc_error_setf(err, EIO,
					     "the container is in cgroup '%s', not '%s' where its %s limit is: the limits "
					     "cannot all hold at once here (give fewer, or report this layout)",
					     in, want, controllers[k]);
	}
	return 0;
}

uint64_t sc_storage_size(const struct sc_config *c)
{
	return c->storage_max ? c->storage_max : c->memory_max ? c->memory_max : SC_STORAGE_DEFAULT;
}

uint64_t sc_storage_inodes(uint64_t size)
{
	return size / 4096 > 1024 ? size / 4096 : 1024;
}

bool sc_storage_hit(const int *fds, const char *const *names, size_t n, uint64_t size, char *buf, size_t bufsize)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && used < bufsize; i++) {
		struct statfs st;
		if (fds[i] < 0 || fstatfs(fds[i], &st) < 0 || (st.f_bavail > 0 && st.f_ffree > 0))
			continue;
		used += (size_t)snprintf(buf + used, bufsize - used, "%s'%s'%s", used ? ", " : "", names[i],
					 st.f_bavail > 0 ? " (no inode left)" : "");
	}
	if (used > 0 && used < bufsize) {
		char what[96];
		snprintf(what, sizeof(what), "storage %llu bytes per tmpfs (--storage): ", (unsigned long long)size);
		size_t w = strlen(what);
		if (used + w < bufsize) {
			memmove(buf + w, buf, used + 1);
			memcpy(buf, what, w);
			used += w;
		}
		snprintf(buf + used, bufsize - used, " full");
	}
	return used > 0;
}

void sc_limits_user_ceilings(struct sc_user_ceilings *ret)
{
	/* the kernel's defaults stand in where this namespace sets no value of its own (INT_MAX:
	 * the harness runs in a user namespace whose parent holds the real ceiling) */
	static const struct {
		const char *name;
		long fallback;
	} knobs[SC_USER_CEILINGS] = {
		{ "max_inotify_instances", 128 },
		{ "max_inotify_watches", 1048576 },
		{ "max_fanotify_groups", 128 },
		{ "max_fanotify_marks", 1048576 },
	};
	ret->n = 0;
	for (size_t i = 0; i < SC_ELEMENTSOF(knobs); i++) {
		char path[64];
		_cleanup_free_ char *text = NULL;
		snprintf(path, sizeof(path), "/proc/sys/user/%s", knobs[i].name);
		if (sc_read_file(path, &text, NULL) < 0)
			continue; /* not in this kernel */
		long v = strtol(text, NULL, 10);
		if (v <= 0 || v >= INT_MAX)
			v = knobs[i].fallback;
		ret->name[ret->n] = knobs[i].name;
		snprintf(ret->value[ret->n], sizeof(ret->value[0]), "%ld", v / 4 > 0 ? v / 4 : 1);
		ret->n++;
	}
}

int sc_limits_rlimits(const struct sc_limits *l)
{
	struct rlimit r;
	static const int per_user[] = { RLIMIT_MSGQUEUE, RLIMIT_SIGPENDING, RLIMIT_MEMLOCK };
	for (size_t i = 0; i < SC_ELEMENTSOF(per_user); i++) {
		if (getrlimit(per_user[i], &r) < 0)
			return -errno;
		if (r.rlim_cur == RLIM_INFINITY)
			continue; /* nothing the run could exhaust */
		r.rlim_cur = r.rlim_max = r.rlim_cur / 4;
		if (setrlimit(per_user[i], &r) < 0)
			return -errno;
	}
	if (l->via[SC_LIMIT_PIDS] == SC_LIMIT_RLIMIT) {
		r.rlim_cur = r.rlim_max = l->value[SC_LIMIT_PIDS];
		if (setrlimit(RLIMIT_NPROC, &r) < 0)
			return -errno;
	}
	if (l->via[SC_LIMIT_MEMORY] == SC_LIMIT_RLIMIT) {
		r.rlim_cur = r.rlim_max = l->value[SC_LIMIT_MEMORY];
		if (setrlimit(RLIMIT_AS, &r) < 0)
			return -errno;
	}
	if (l->value[SC_LIMIT_CPU]) {
		/* the hard limit is the one that counts: SIGKILL, which PID 1 cannot ignore */
		r.rlim_cur = r.rlim_max = l->value[SC_LIMIT_CPU];
		if (setrlimit(RLIMIT_CPU, &r) < 0)
			return -errno;
	}
	return 0;
}

static const char *via_name(enum sc_limit_via v)
{
	return v == SC_LIMIT_CGROUP2 ? "cgroup v2" : v == SC_LIMIT_CGROUP1 ? "cgroup v1" : "rlimit";
}

static void describe_one(const struct sc_limits *l, int k, char *buf, size_t size)
{
	if (k == SC_LIMIT_MEMORY)
		snprintf(buf, size, "memory %llu bytes (%s)", (unsigned long long)l->value[k], via_name(l->via[k]));
	else if (k == SC_LIMIT_CPU)
		snprintf(buf, size, "cpu %llu s (%s)", (unsigned long long)l->value[k], via_name(l->via[k]));
	else
		snprintf(buf, size, "pids %llu (%s)", (unsigned long long)l->value[k], via_name(l->via[k]));
}

void sc_limits_describe(const struct sc_limits *l, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int k = 0; k < SC_LIMIT_COUNT && used < size; k++) {
		if (!l->value[k])
			continue;
		char one[128];
		describe_one(l, k, one, sizeof(one));
		used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? ", " : "", one);
	}
}

/* A counter in a cgroup file: "max 3" in pids.events, "oom_kill 1" in memory.events. */
static uint64_t counter(const char *dir, const char *file, const char *key)
{
	char path[PATH_MAX + 64];
	_cleanup_free_ char *text = NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (sc_read_file(path, &text, NULL) < 0)
		return 0;
	if (!key)
		return strtoull(text, NULL, 10);
	for (const char *p = text; (p = strstr(p, key)); p++)
		if ((p == text || p[-1] == '\n') && p[strlen(key)] == ' ')
			return strtoull(p + strlen(key) + 1, NULL, 10);
	return 0;
}

static bool hit_one(const struct sc_limits *l, int k, uint64_t cpu_us, int signal)
{
	const char *dir = l->cgroup[k];
	switch (l->via[k]) {
	case SC_LIMIT_CGROUP2:
		return k == SC_LIMIT_PIDS ? counter(dir, "pids.events", "max") > 0
					  : counter(dir, "memory.events", "oom_kill") > 0 || counter(dir, "memory.events", "max") > 0;
	case SC_LIMIT_CGROUP1:
		return k == SC_LIMIT_PIDS ? counter(dir, "pids.events", "max") > 0 : counter(dir, "memory.failcnt", NULL) > 0;
	case SC_LIMIT_RLIMIT:
		/* CPU: a SIGKILL the harness did not send (no timeout), with the time about used up:
		 * rusage's tick-sampled figure can trail the exact runtime the kernel enforces, so
		 * half the limit is enough. The others cannot be observed from outside. */
		return k == SC_LIMIT_CPU && signal == SIGKILL && cpu_us * 2 >= l->value[k] * 1000000;
	case SC_LIMIT_NONE:
		break;
	}
	return false;
}

bool sc_limits_hit(const struct sc_limits *l, uint64_t cpu_us, int signal, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	if (signal < 0)
		signal = 0; /* the harness killed it (timeout, cancel): not a limit's doing */
	for (int k = 0; k < SC_LIMIT_COUNT && used < size; k++) {
		if (!l->value[k] || !hit_one(l, k, cpu_us, signal))
			continue;
		char one[128];
		describe_one(l, k, one, sizeof(one));
		used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? ", " : "", one);
	}
	return used > 0;
}

void sc_limits_release(struct sc_limits *l)
{
	for (int k = 0; k < SC_LIMIT_COUNT; k++)
		if (l->cgroup[k][0]) {
			(void)rmdir(l->cgroup[k]); /* a cgroup two limits share: gone at the first */
			l->cgroup[k][0] = '\0';
		}
}
