/* probe.c - isolation checks from inside the container and from the host. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "mountinfo.h"
#include "probe.h"
#include "util.h"

static const char *const ns_names[SC_CHECK_COUNT] = {
	[SC_CHECK_PID] = "pid", [SC_CHECK_HOSTNAME] = "uts", [SC_CHECK_MOUNT] = "mnt", [SC_CHECK_NET] = "net",
	[SC_CHECK_IPC] = "ipc", [SC_CHECK_USER] = "user",    [SC_CHECK_CGROUP] = "cgroup",
};

const char *sc_probe_ns_name(enum sc_check check)
{
	return check < SC_CHECK_COUNT ? ns_names[check] : "?";
}

static ino_t ns_inode(const char *name)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	return stat(path, &st) == 0 ? st.st_ino : 0;
}

void sc_probe_host_namespaces(struct sc_probe_expect *expect)
{
	for (int c = 0; c < SC_CHECK_COUNT; c++)
		expect->host_ns[c] = ns_inode(ns_names[c]);
	/* a container root mapped onto the caller's 0 is host root only where that 0 is: not
	 * inside a sandbox whose 0 is an unprivileged id of the namespace above (bwrap --uid 0) */
	static const char *const maps[] = { "/proc/self/uid_map", "/proc/self/gid_map" };
	for (int i = 0; i < 2; i++) {
		_cleanup_free_ char *text = NULL;
		unsigned inside, outside, count;
		int used = 0;
		expect->zero_is_root[i] = true; /* unknown: the strict reading */
		if (sc_read_file(maps[i], &text, NULL) < 0)
			continue;
		for (const char *p = text; sscanf(p, " %u %u %u %n", &inside, &outside, &count, &used) == 3; p += used)
			if (inside == 0)
				expect->zero_is_root[i] = outside == 0;
	}
}

static void verdict(struct sc_report *report, enum sc_check check, enum sc_verdict v, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void verdict(struct sc_report *report, enum sc_check check, enum sc_verdict v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report->verdict[check] = (uint8_t)v;
	vsnprintf(report->detail[check], sizeof(report->detail[check]), fmt, ap);
	va_end(ap);
}

/* A check fails outright when the container shares the host's namespace. */
static bool same_namespace(const struct sc_probe_expect *expect, enum sc_check check, struct sc_report *report)
{
	ino_t inside = ns_inode(ns_names[check]);
	if (inside != 0 && inside != expect->host_ns[check])
		return false;
	verdict(report, check, SC_VERDICT_FAIL, "%s namespace %s the host's (inode %lu)", ns_names[check],
		inside ? "is" : "cannot be compared with", (unsigned long)inside);
	return true;
}

bool sc_probe_check_mounts(const char *mountinfo, const char *const *expected, size_t n_expected, char *detail,
			   size_t size)
{
	struct sc_mount_table table;
	if (sc_mountinfo_parse(mountinfo, &table) < 0) {
		snprintf(detail, size, "mount table unreadable");
		return false;
	}
	bool ok = true;
	size_t used = 0;
	detail[0] = '\0';
#define ADD(...) (used < size ? (used += (size_t)snprintf(detail + used, size - used, __VA_ARGS__)) : used)
	for (size_t i = 0; i < table.count; i++) {
		const struct sc_mount_entry *e = &table.entries[i];
		bool known = false;
		for (size_t j = 0; j < n_expected && !known; j++)
			known = !strcmp(e->mount_point, expected[j]);
		if (!known) {
			ADD("%sunexpected mount '%s' (%s)", ok ? "" : "; ", e->mount_point, e->fstype);
			ok = false;
		} else if (e->shared || e->slave) {
			ADD("%s'%s' propagates to or from the host", ok ? "" : "; ", e->mount_point);
			ok = false;
		}
	}
	for (size_t j = 0; j < n_expected; j++) {
		size_t seen = 0;
		for (size_t i = 0; i < table.count; i++)
			seen += !strcmp(table.entries[i].mount_point, expected[j]);
		if (seen != 1) {
			ADD("%s'%s' mounted %zu times", ok ? "" : "; ", expected[j], seen);
			ok = false;
		}
	}
	if (ok)
		ADD("%zu mounts, all the container's own, none shared", table.count);
#undef ADD
	sc_mount_table_release(&table);
	return ok;
}

bool sc_probe_check_cgroup(const char *proc_cgroup, char *detail, size_t size)
{
	size_t lines = 0;
	for (const char *line = proc_cgroup; *line;) {
		const char *end = strchrnul(line, '\n');
		if (end > line) {
			lines++;
			if (end - line < 2 || end[-1] != '/' || end[-2] != ':') {
				snprintf(detail, size, "cgroup path not at the namespace root: '%.*s'", (int)(end - line), line);
				return false;
			}
		}
		line = *end ? end + 1 : end;
	}
	if (lines == 0) {
		snprintf(detail, size, "/proc/self/cgroup is empty");
		return false;
	}
	snprintf(detail, size, "%zu hierarchies, every one at '/'", lines);
	return true;
}

bool sc_probe_check_netdev(const char *proc_net_dev, char *detail, size_t size)
{
	/* two header lines, then "  name: counters" per interface */
	size_t n = 0;
	bool lo = false;
	const char *line = proc_net_dev;
	for (int skip = 0; skip < 2 && line && *line; skip++)
		line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL;
	for (; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		size_t len = strcspn(line, "\n");
		const char *colon = memchr(line, ':', len);
		if (!colon) {
			/* the kernel writes none: fail closed rather than guess what it lists */
			snprintf(detail, size, "unexpected line '%.*s'", (int)(len > 40 ? 40 : len), line);
			return false;
		}
		while (*line == ' ')
			line++;
		n++;
		if (colon - line == 2 && !strncmp(line, "lo", 2))
			lo = true;
		else {
			snprintf(detail, size, "interface '%.*s' is visible", (int)(colon - line), line);
			return false;
		}
	}
	if (!lo || n != 1) {
		snprintf(detail, size, "expected exactly lo, saw %zu interfaces", n);
		return false;
	}
	snprintf(detail, size, "only lo");
	return true;
}

/* Reads the ranges of a map text ("0 1000 1\n1 100000 65536\n"); returns how many, or -1. */
static int map_ranges(const char *text, unsigned ranges[][3], int max)
{
	int n = 0, used = 0;
	for (const char *p = text; *p; p += used) {
		if (n == max || sscanf(p, " %u %u %u %n", &ranges[n][0], &ranges[n][1], &ranges[n][2], &used) != 3)
			return -1;
		n++;
	}
	return n;
}

bool sc_probe_check_map(const char *map_text, const char *expected, bool zero_is_root, char *detail, size_t size)
{
	unsigned got[8][3], want[8][3];
	int n = map_ranges(map_text, got, 8), m = map_ranges(expected, want, 8);
	if (m <= 0) {
		snprintf(detail, size, "bad expected map '%s'", expected);
		return false;
	}
	if (n != m || memcmp(got, want, sizeof(got[0]) * (size_t)m)) {
		if (n == 1 && m == 1)
			snprintf(detail, size, "map is '%u %u %u', expected '%u %u %u'", got[0][0], got[0][1], got[0][2],
				 want[0][0], want[0][1], want[0][2]);
		else
			snprintf(detail, size, "map is not the %d range%s asked: '%s'", m, m == 1 ? "" : "s", map_text);
		return false;
	}
	for (int i = 0; i < n; i++)
		if (got[i][0] == 0 && got[i][1] == 0 && zero_is_root) {
			snprintf(detail, size, "container root is host root");
			return false;
		}
	if (n == 1)
		snprintf(detail, size, "0 -> host %u (%u ids)", got[0][1], got[0][2]);
	else
		snprintf(detail, size, "0 -> host %u, 1.. -> host %u (%u ids)", got[0][1], got[1][1], got[1][2]);
	return true;
}

static void probe_pid(const struct sc_probe_expect *expect, struct sc_report *report)
{
	if (same_namespace(expect, SC_CHECK_PID, report))
		return;
	pid_t pid = getpid(), ppid = getppid();
	verdict(report, SC_CHECK_PID, pid == 1 && ppid == 0 ? SC_VERDICT_PASS : SC_VERDICT_FAIL,
		"pid %d, parent %d", (int)pid, (int)ppid);
}

static void probe_hostname(const struct sc_probe_expect *expect, struct sc_report *report)
{
	if (same_namespace(expect, SC_CHECK_HOSTNAME, report))
		return;
	struct utsname u;
	if (uname(&u) < 0) {
		verdict(report, SC_CHECK_HOSTNAME, SC_VERDICT_FAIL, "uname: %s", strerror(errno));
		return;
	}
	bool ok = !strcmp(u.nodename, expect->hostname);
	verdict(report, SC_CHECK_HOSTNAME, ok ? SC_VERDICT_PASS : SC_VERDICT_FAIL, "hostname '%s'%s%s%s",
		u.nodename, ok ? "" : ", expected '", ok ? "" : expect->hostname, ok ? "" : "'");
}

/* Runs a pure check on the text of a file; a file that cannot be read fails the check. */
static void probe_file(struct sc_report *report, enum sc_check check, const char *path,
		       bool (*fn)(const char *, char *, size_t))
{
	_cleanup_free_ char *text = NULL;
	int r = sc_read_file(path, &text, NULL);
	if (r < 0) {
		verdict(report, check, SC_VERDICT_FAIL, "read '%s': %s", path, strerror(-r));
		return;
	}
	bool ok = fn(text, report->detail[check], sizeof(report->detail[check]));
	report->verdict[check] = ok ? SC_VERDICT_PASS : SC_VERDICT_FAIL;
}

static void probe_mount(const struct sc_probe_expect *expect, struct sc_report *report)
{
	if (same_namespace(expect, SC_CHECK_MOUNT, report))
		return;
	_cleanup_free_ char *text = NULL;
	int r = sc_read_file("/proc/self/mountinfo", &text, NULL);
	if (r < 0) {
		verdict(report, SC_CHECK_MOUNT, SC_VERDICT_FAIL, "read mountinfo: %s", strerror(-r));
		return;
	}
	bool ok = sc_probe_check_mounts(text, expect->mount_points, expect->n_mount_points,
					report->detail[SC_CHECK_MOUNT], sizeof(report->detail[0]));
	report->verdict[SC_CHECK_MOUNT] = ok ? SC_VERDICT_PASS : SC_VERDICT_FAIL;
}

static bool lo_is_up(char *detail, size_t size)
{
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = { 0 };
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		snprintf(detail, size, "flags of lo: %s", strerror(errno));
		return false;
	}
	if (!(ifr.ifr_flags & IFF_UP)) {
		snprintf(detail, size, "lo is down");
		return false;
	}
	return true;
}

static void probe_net(const struct sc_probe_expect *expect, struct sc_report *report)
{
	if (!expect->new_net) {
		verdict(report, SC_CHECK_NET, SC_VERDICT_SKIP, "the host network is shared (--net host)");
		return;
	}
	if (same_namespace(expect, SC_CHECK_NET, report))
		return;
	probe_file(report, SC_CHECK_NET, "/proc/net/dev", sc_probe_check_netdev);
	if (report->verdict[SC_CHECK_NET] == SC_VERDICT_PASS &&
	    !lo_is_up(report->detail[SC_CHECK_NET], sizeof(report->detail[0])))
		report->verdict[SC_CHECK_NET] = SC_VERDICT_FAIL;
	else if (report->verdict[SC_CHECK_NET] == SC_VERDICT_PASS)
		verdict(report, SC_CHECK_NET, SC_VERDICT_PASS, "only lo, and it is up");
}

static void probe_ipc(const struct sc_probe_expect *expect, struct sc_report *report)
{
	if (same_namespace(expect, SC_CHECK_IPC, report))
		return;
	static const char *const files[] = { "/proc/sysvipc/shm", "/proc/sysvipc/sem", "/proc/sysvipc/msg" };
	for (size_t i = 0; i < SC_ELEMENTSOF(files); i++) {
		_cleanup_free_ char *text = NULL;
		if (sc_read_file(files[i], &text, NULL) < 0)
			continue; /* CONFIG_SYSVIPC off: nothing to leak */
		const char *nl = strchr(text, '\n');
		if (nl && nl[1] != '\0') {
			verdict(report, SC_CHECK_IPC, SC_VERDICT_FAIL, "'%s' lists objects", files[i]);
			return;
		}
	}
	verdict(report, SC_CHECK_IPC, SC_VERDICT_PASS, "own ipc namespace, no System V objects");
}

static void probe_user(const struct sc_probe_expect *expect, struct sc_report *report)
{
	if (same_namespace(expect, SC_CHECK_USER, report))
		return;
	static const char *const files[] = { "/proc/self/uid_map", "/proc/self/gid_map" };
	const char *want[] = { expect->uid_map, expect->gid_map };
	char detail[2][SC_PROBE_DETAIL_MAX / 2];
	for (size_t i = 0; i < 2; i++) {
		_cleanup_free_ char *text = NULL;
		int r = sc_read_file(files[i], &text, NULL);
		if (r < 0) {
			verdict(report, SC_CHECK_USER, SC_VERDICT_FAIL, "read '%s': %s", files[i], strerror(-r));
			return;
		}
		if (!sc_probe_check_map(text, want[i], expect->zero_is_root[i], detail[i], sizeof(detail[i]))) {
			verdict(report, SC_CHECK_USER, SC_VERDICT_FAIL, "%s: %s", i ? "gid" : "uid", detail[i]);
			return;
		}
	}
	verdict(report, SC_CHECK_USER, SC_VERDICT_PASS, "uid %s; gid %s", detail[0], detail[1]);
}

static void probe_cgroup(const struct sc_probe_expect *expect, struct sc_report *report)
{
	if (same_namespace(expect, SC_CHECK_CGROUP, report))
		return;
	probe_file(report, SC_CHECK_CGROUP, "/proc/self/cgroup", sc_probe_check_cgroup);
}

void sc_probe_inside(const struct sc_probe_expect *expect, struct sc_report *report)
{
	report->kind = SC_REPORT_PROBES;
	probe_pid(expect, report);
	probe_hostname(expect, report);
	probe_mount(expect, report);
	probe_net(expect, report);
	probe_ipc(expect, report);
	probe_user(expect, report);
	probe_cgroup(expect, report);
}

int sc_probe_host_before(struct sc_host_snapshot *snap)
{
	*snap = (struct sc_host_snapshot){ 0 };
	if (gethostname(snap->hostname, sizeof(snap->hostname) - 1) < 0)
		return -errno;
	return sc_read_file("/proc/self/mountinfo", &snap->mountinfo, NULL);
}

void sc_host_snapshot_release(struct sc_host_snapshot *snap)
{
	free(snap->mountinfo);
	snap->mountinfo = NULL;
}

/* Counts processes still in the PID namespace with inode pid_ns. Its members all got host
 * pids after its PID 1 (first), unless the host's pids wrapped around during the run, which
 * the host's last pid tells: then every process is looked at. */
static size_t survivors(ino_t pid_ns, pid_t first)
{
	_cleanup_free_ char *last_text = NULL;
	long last = sc_read_file("/proc/sys/kernel/ns_last_pid", &last_text, NULL) == 0 ? strtol(last_text, NULL, 10) : 0;
	bool wrapped = first <= 0 || last < first;
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	size_t n = 0;
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		if (!wrapped && strtol(de->d_name, NULL, 10) < first)
			continue;
		char path[300];
		struct stat st;
		snprintf(path, sizeof(path), "/proc/%s/ns/pid", de->d_name);
		if (stat(path, &st) == 0 && st.st_ino == pid_ns)
			n++;
	}
	closedir(d);
	return n;
}

/* Appends a host-side finding to an inside verdict; a failure on either side fails the point. */
static void host_finding(struct sc_report *report, enum sc_check check, bool ok, const char *what)
{
	char *d = report->detail[check];
	size_t used = strlen(d);
	snprintf(d + used, sizeof(report->detail[check]) - used, "%s%s", used ? "; " : "", what);
	if (!ok)
		report->verdict[check] = SC_VERDICT_FAIL;
}

bool sc_probe_check_host_mounts(const char *mountinfo, const char *const *paths, size_t n_paths, char *detail,
				size_t size)
{
	struct sc_mount_table table;
	if (sc_mountinfo_parse(mountinfo, &table) < 0) {
		snprintf(detail, size, "host mount table unreadable");
		return false;
	}
	bool ok = true;
	for (size_t i = 0; i < table.count && ok; i++)
		for (size_t j = 0; j < n_paths && ok; j++) {
			size_t n = strlen(paths[j]);
			const char *mp = table.entries[i].mount_point;
			if (n > 0 && !strncmp(mp, paths[j], n) && (mp[n] == '\0' || mp[n] == '/')) {
				snprintf(detail, size, "mount '%s' of the run is left on the host", mp);
				ok = false;
			}
		}
	if (ok)
		snprintf(detail, size, "no mount of the run on the host");
	sc_mount_table_release(&table);
	return ok;
}

void sc_probe_host_after(const struct sc_host_snapshot *snap, const char *const *paths, size_t n_paths, ino_t pid_ns,
			 pid_t first, struct sc_report *report)
{
	char host[256] = "";
	(void)gethostname(host, sizeof(host) - 1);
	bool same = !strcmp(host, snap->hostname);
	host_finding(report, SC_CHECK_HOSTNAME, same, same ? "host hostname unchanged" : "host hostname changed");

	/* other processes may mount on the host meanwhile (make -j): what counts is that nothing
	 * of this run's is mounted there */
	_cleanup_free_ char *now = NULL;
	char what[SC_PROBE_DETAIL_MAX];
	bool clean = sc_read_file("/proc/self/mountinfo", &now, NULL) == 0 &&
		     sc_probe_check_host_mounts(now, paths, n_paths, what, sizeof(what));
	if (clean && snap->mountinfo && strcmp(now, snap->mountinfo))
		snprintf(what, sizeof(what), "no mount of the run on the host (its table changed meanwhile, not by this run)");
	host_finding(report, SC_CHECK_MOUNT, clean, clean ? what : now ? what : "host mount table unreadable");

	size_t left = pid_ns ? survivors(pid_ns, first) : 0;
	snprintf(what, sizeof(what), left ? "%zu processes of the container survive" : "no process survives", left);
	host_finding(report, SC_CHECK_PID, left == 0, what);
}
