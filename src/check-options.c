/* check-options.c - check points that read back what the hardening and the run options did,
 * against lists and figures of check's own: the expected values are written here again, not
 * taken from the tables that drive the setup, so a slip in those tables shows. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check-internal.h"
#include "error.h"
#include "run.h"
#include "util.h"

/* The hex mask after "key:\t" in a /proc/PID/status text; false when absent. */
static bool status_mask(const char *text, const char *key, uint64_t *ret)
{
	char want[32];
	snprintf(want, sizeof(want), "\n%s:", key);
	const char *at = strstr(text, want);
	if (!at)
		return false;
	char *end;
	*ret = strtoull(at + strlen(want), &end, 16);
	return end != at + strlen(want);
}

/* --cap-add NET_ADMIN --cap-drop CHOWN: read back, and the dropped one tried. */
int sc_check_caps_options(struct suite *s, struct point *p)
{
	struct sc_config c = SC_CONFIG_INIT;
	c.cap_add = SC_CHECK_CAP(CAP_NET_ADMIN);
	c.cap_drop = SC_CHECK_CAP(CAP_CHOWN);
	struct sc_result *res = NULL;
	int r = sc_check_run_in(s, &c, &res, "sh", "-c",
				"cat /proc/self/status; touch /tmp/f; chown 1:1 /tmp/f 2>/dev/null && echo chown=made || "
				"echo chown=denied",
				NULL);
	if (r < 0)
		return r;
	const char *out = sc_result_stdout(res, NULL, NULL);
	/* --privileged starts from every capability this kernel has, the drop still goes */
	_cleanup_free_ char *last = NULL;
	uint64_t all = sc_read_file("/proc/sys/kernel/cap_last_cap", &last, NULL) == 0
			       ? (SC_CHECK_CAP(strtoul(last, NULL, 10)) << 1) - 1
			       : 0;
	uint64_t from = s->options->privileged ? all : SC_CHECK_DOCKER_CAPS | SC_CHECK_CAP(CAP_NET_ADMIN);
	uint64_t want = from & ~SC_CHECK_CAP(CAP_CHOWN), bnd = 0, eff = 0;
	bool read = status_mask(out, "CapBnd", &bnd) && status_mask(out, "CapEff", &eff);
	bool denied = strstr(out, "chown=denied") != NULL;
	sc_check_say(p, read && bnd == want && eff == want && denied ? SC_VERDICT_PASS : SC_VERDICT_FAIL,
		     "--cap-add NET_ADMIN --cap-drop CHOWN: CapBnd %016llx, CapEff %016llx (want %016llx); chown %s",
		     (unsigned long long)bnd, (unsigned long long)eff, (unsigned long long)want,
		     denied ? "denied" : "MADE");
	sc_result_free(res);
	return 0;
}

/* One map line each, as wide as a run asks, from check's own reading of its namespace: run by
 * root of the initial one, a slice of 65536 ids, none 0; by root of a namespace mapping a range
 * (a CI job's container), a slice inside that range, not its own 0; by root of one id, or by a
 * user, that one id. Never host root. */
int sc_check_map_width(struct suite *s, struct point *p)
{
	struct sc_result *res = NULL;
	int r = sc_check_run_in(s, NULL, &res, "cat", "/proc/self/uid_map", "/proc/self/gid_map", NULL);
	if (r < 0)
		return r;
	unsigned long m[7] = { 0 };
	int n = sscanf(sc_result_stdout(res, NULL, NULL), " %lu %lu %lu %lu %lu %lu %lu", &m[0], &m[1], &m[2], &m[3],
		       &m[4], &m[5], &m[6]);
	sc_result_free(res);
	_cleanup_free_ char *own = NULL;
	unsigned long inside = 1, outside = 0, count = 0;
	if (sc_read_file("/proc/self/uid_map", &own, NULL) == 0)
		(void)sscanf(own, "%lu %lu %lu", &inside, &outside, &count);
	bool shape = n == 6 && m[0] == 0 && m[3] == 0, ok;
	const char *rule;
	if (geteuid() == 0 && inside == 0 && outside == 0 && count == 4294967295UL) {
		rule = "root's run maps 65536 ids, none 0";
		ok = shape && m[2] == 65536 && m[5] == 65536 && m[1] != 0 && m[4] != 0;
	} else if (geteuid() == 0 && inside == 0 && count >= 2) {
		rule = "root of a namespace of a range: its run maps a slice of it, not its own 0";
		ok = shape && m[2] >= 1 && m[5] == m[2] && m[1] >= 1 && m[4] >= 1 && m[1] + m[2] <= count &&
		     m[4] + m[5] <= count;
	} else {
		rule = geteuid() == 0 ? "root of one id: its run maps that id" : "a user's run maps 1 id, its own";
		ok = shape && m[2] == 1 && m[5] == 1 && m[1] == (unsigned long)geteuid() && m[4] == (unsigned long)getegid();
	}
	sc_check_say(p, ok ? SC_VERDICT_PASS : SC_VERDICT_FAIL, "uid_map '0 %lu %lu', gid_map '0 %lu %lu'%s; %s", m[1], m[2],
		     m[4], m[5], n == 6 ? "" : " and more lines", rule);
	return 0;
}

/* --init: PID 1 is simpcon-init run from an in-memory copy, not a file of the host's. */
int sc_check_init_exe(struct suite *s, struct point *p)
{
	struct sc_config c = SC_CONFIG_INIT;
	c.init = true;
	struct sc_result *res = NULL;
	int r = sc_check_run_in(s, &c, &res, "readlink", "/proc/1/exe", NULL);
	if (r < 0)
		return r;
	char exe[PATH_MAX];
	sc_check_first_line(res, exe, sizeof(exe));
	sc_result_free(res);
	sc_check_say(p, !strncmp(exe, "/memfd:", 7) ? SC_VERDICT_PASS : SC_VERDICT_FAIL, "--init: /proc/1/exe is '%s'", exe);
	return 0;
}

/* With limits on, the command's cgroups are still its namespace's roots: the namespace is made
 * after the move into the limit cgroups. */
int sc_check_cgroup_limits(struct suite *s, struct point *p)
{
	struct sc_config c = SC_CONFIG_INIT;
	c.pids_max = 64;
	c.memory_max = (uint64_t)256 << 20;
	struct sc_result *res = NULL;
	int r = sc_check_run_in(s, &c, &res, "cat", "/proc/self/cgroup", NULL);
	if (r < 0)
		return r;
	const char *out = sc_result_stdout(res, NULL, NULL);
	char first_bad[128] = "";
	size_t lines = 0;
	for (const char *line = out; *line;) {
		const char *end = strchrnul(line, '\n');
		const char *path = memrchr(line, ':', (size_t)(end - line));
		if (path && !(end - path == 2 && path[1] == '/') && !first_bad[0])
			snprintf(first_bad, sizeof(first_bad), "%.*s", (int)(end - line), line);
		lines += end > line;
		line = *end ? end + 1 : end;
	}
	sc_result_free(res);
	if (lines == 0)
		sc_check_say(p, SC_VERDICT_SKIP, "no cgroup hierarchy is mounted here");
	else
		sc_check_say(p, first_bad[0] ? SC_VERDICT_FAIL : SC_VERDICT_PASS,
			     "--pids 64 --memory 256M: %zu hierarchies, %s", lines, first_bad[0] ? first_bad : "every one at /");
	return 0;
}

static double now(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --time-offset: both clocks a time namespace moves, moved inside (simpcon-probe reads them),
 * and neither on the host. */
int sc_check_time_offsets(struct suite *s, struct point *p)
{
	if (access("/proc/self/ns/time", F_OK) < 0) {
		sc_check_say(p, SC_VERDICT_SKIP, "no time namespaces: Linux 5.6+ with CONFIG_TIME_NS");
		return 0;
	}
	const double offset = 1000000;
	struct sc_config c = SC_CONFIG_INIT;
	c.time_offset_s = (int64_t)offset;
	double mono0 = now(CLOCK_MONOTONIC), boot0 = now(CLOCK_BOOTTIME);
	struct sc_result *res = NULL;
	int r = sc_check_probe(s, &c, &res, "clocks", NULL);
	if (r < 0)
		return r;
	double mono1 = now(CLOCK_MONOTONIC), boot1 = now(CLOCK_BOOTTIME);
	double mono = -1, boot = -1;
	if (sscanf(sc_result_stdout(res, NULL, NULL), "monotonic=%lf boottime=%lf", &mono, &boot) != 2)
		mono = boot = -1;
	sc_result_free(res);
	bool mono_ok = mono >= mono0 + offset && mono <= mono1 + offset;
	bool boot_ok = boot >= boot0 + offset && boot <= boot1 + offset;
	/* the host's clocks went on as ever: the run took less than a minute of both */
	bool host = mono1 - mono0 < 60 && boot1 - boot0 < 60;
	sc_check_say(p, mono_ok && boot_ok && host ? SC_VERDICT_PASS : SC_VERDICT_FAIL,
		     "offset %.0f s: monotonic %.0f inside, %.0f on the host; boottime %.0f inside, %.0f on the host", offset,
		     mono, mono1, boot, boot1);
	return 0;
}

/* /proc entries that leak the host (masked: something mounted over them, nothing readable)
 * and machine-wide knobs (read-only mounts), as docker and runc treat them; checked where the
 * host's kernel has them. */
static const char *const must_mask[] = { "kcore", "keys", "timer_list", "timer_stats", "sched_debug",
					 "latency_stats", "acpi", "scsi", "asound" };
static const char *const must_be_ro[] = { "sys", "sysrq-trigger", "irq", "bus", "fs" };

/* Runs the look at names in a container: one line "NAME OPTIONS READABLE" each, OPTIONS the
 * mount options of /proc/NAME ("none": not a mount point), READABLE the bytes of a file (at
 * most 1) or the entries of a directory. Checks the lines against the rule; 0 or -errno. */
static int proc_entries(struct suite *s, struct point *p, const char *const *names, size_t n, bool masked)
{
	char list[256] = "", script[768];
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		char host[64];
		snprintf(host, sizeof(host), "/proc/%s", names[i]);
		if (access(host, F_OK) == 0 && used < sizeof(list))
			used += (size_t)snprintf(list + used, sizeof(list) - used, " %s", names[i]);
	}
	snprintf(script, sizeof(script),
		 "for f in%s; do o=$(grep \" /proc/$f \" /proc/self/mountinfo | cut -d' ' -f6 | tail -n 1); "
		 "if [ -d /proc/$f ]; then b=$(ls -A /proc/$f 2>/dev/null | wc -l); "
		 "else b=$(head -c 1 /proc/$f 2>/dev/null | wc -c); fi; echo \"$f ${o:-none} $b\"; done",
		 list);
	struct sc_result *res = NULL;
	int r = sc_check_run_in(s, NULL, &res, "sh", "-c", script, NULL);
	if (r < 0)
		return r;
	char bad[200] = "";
	size_t seen = 0, b = 0;
	for (const char *line = sc_result_stdout(res, NULL, NULL); *line;) {
		const char *end = strchrnul(line, '\n');
		char name[64], options[128];
		unsigned long readable = 1;
		char copy[256];
		snprintf(copy, sizeof(copy), "%.*s", (int)(end - line), line);
		line = *end ? end + 1 : end;
		if (sscanf(copy, "%63s %127s %lu", name, options, &readable) != 3)
			continue;
		seen++;
		bool ok = masked ? strcmp(options, "none") && readable == 0 : !strncmp(options, "ro", 2) &&
											 (options[2] == ',' || !options[2]);
		if (!ok && b < sizeof(bad))
			b += (size_t)snprintf(bad + b, sizeof(bad) - b, "%s%s (%s, %lu readable)", b ? ", " : "", name, options,
					      readable);
	}
	size_t expected = 0;
	for (const char *c = list; (c = strchr(c, ' ')); c++)
		expected++;
	sc_result_free(res);
	if (seen != expected)
		sc_check_say(p, SC_VERDICT_FAIL, "%zu of the %zu entries (%s ) looked at inside", seen, expected, list);
	else
		sc_check_say(p, bad[0] ? SC_VERDICT_FAIL : SC_VERDICT_PASS, "%s:%s%s%s", masked ? "masked" : "read-only",
			     list, bad[0] ? "; NOT: " : "", bad);
	return 0;
}

int sc_check_proc_masked(struct suite *s, struct point *p)
{
	return proc_entries(s, p, must_mask, SC_ELEMENTSOF(must_mask), true);
}

int sc_check_proc_readonly(struct suite *s, struct point *p)
{
	return proc_entries(s, p, must_be_ro, SC_ELEMENTSOF(must_be_ro), false);
}

/* --uid 1000 --gid 1000: the command runs as them, with no group of root's. */
int sc_check_uid_switch(struct suite *s, struct point *p)
{
	struct sc_config c = SC_CONFIG_INIT;
	c.uid = 1000;
	c.gid = 1000;
	struct sc_result *res = NULL;
	struct sc_error err = { 0 };
	struct suite quiet = *s;
	quiet.err = &err;
	int r = sc_check_run_in(&quiet, &c, &res, "sh", "-c", "echo $(id -u) $(id -g) $(id -G)", NULL);
	if (r < 0 && geteuid() != 0) {
		sc_check_say(p, SC_VERDICT_SKIP, "run by a user, another uid needs subordinate ids: %s", err.message);
		return 0;
	}
	if (r < 0) {
		*s->err = err;
		return r;
	}
	char ids[64];
	sc_check_first_line(res, ids, sizeof(ids));
	sc_result_free(res);
	sc_check_say(p, !strcmp(ids, "1000 1000 1000") ? SC_VERDICT_PASS : SC_VERDICT_FAIL,
		     "--uid 1000 --gid 1000: uid, gid and groups inside '%s'", ids);
	return 0;
}

/* The command's writes go to tmpfs of the size --storage asks, never to the host's disk:
 * statfs of / (the overlay reports its upper layer's) and of /dev/shm inside. */
int sc_check_storage(struct suite *s, struct point *p)
{
	const unsigned long long size = 64ULL << 20;
	struct sc_config c = SC_CONFIG_INIT;
	c.storage_max = size;
	struct sc_result *res = NULL;
	int r = sc_check_run_in(s, &c, &res, "sh", "-c",
				"for d in / /dev/shm; do echo $(( $(stat -f -c '%b' $d) * $(stat -f -c '%S' $d) )); done", NULL);
	if (r < 0)
		return r;
	unsigned long long root = 0, shm = 0;
	int n = sscanf(sc_result_stdout(res, NULL, NULL), "%llu %llu", &root, &shm);
	sc_result_free(res);
	sc_check_say(p, n == 2 && root == size && shm == size ? SC_VERDICT_PASS : SC_VERDICT_FAIL,
		     "--storage 64M: / holds %llu bytes, /dev/shm %llu", root, shm);
	return 0;
}

/* The root behaves like a directory for what a test's make install or rm -rf does to it: a
 * directory of the fixture (the overlay's lower layer) renamed, removed and made again empty,
 * a hard link to a fixture file. An overlay whose upper layer cannot hold its xattrs fails
 * these with EIO while it reads and writes files fine. */
int sc_check_root_semantics(struct suite *s, struct point *p)
{
	struct sc_result *res = NULL;
	int r = sc_check_run_in(s, NULL, &res, "sh", "-c",
				"d=; for x in /usr /etc /sbin; do [ -d $x ] && [ -n \"$(ls -A $x)\" ] && d=$x && break; done; "
				"[ -n \"$d\" ] || { echo no-dir; exit; }; "
				"mv $d $d.moved 2>&1 && echo renamed; rm -rf $d.moved 2>&1 && echo removed; "
				"mkdir $d 2>&1 && [ -z \"$(ls -A $d)\" ] && echo empty; "
				"ln /bin/sh /sc-link 2>&1 && [ /sc-link -ef /bin/sh ] && echo linked",
				NULL);
	if (r < 0)
		return r;
	char seen[256];
	sc_check_one_line(res, seen, sizeof(seen));
	sc_result_free(res);
	sc_check_say(p, !strcmp(seen, "renamed;removed;empty;linked") ? SC_VERDICT_PASS : SC_VERDICT_FAIL,
		     "a fixture directory renamed, removed, made again; a hard link to /bin/sh: %s", seen);
	return 0;
}

/* --pids, --memory and --cpu-time hold, all three asked at once (where one cgroup per limit would
 * leave all but one unenforced): simpcon-probe forking 40 children, a 48 MiB buffer, a busy
 * loop (which the kernel ends with SIGKILL), each under --pids 16 --memory 32M --cpu-time 1. */
int sc_check_limits(struct suite *s, struct point *p)
{
	struct sc_config c = SC_CONFIG_INIT;
	c.pids_max = 16;
	c.memory_max = 32ULL << 20;
	c.cpu_seconds = 1;
	struct sc_result *res = NULL;
	int r = sc_check_probe(s, &c, &res, "forks", "40", NULL);
	if (r < 0)
		return r;
	unsigned long procs = 0;
	(void)sscanf(sc_result_stdout(res, NULL, NULL), "forks=%lu", &procs);
	procs++; /* and the probe itself */
	sc_result_free(res);
	if ((r = sc_check_run_in(s, &c, &res, "sh", "-c",
				 "dd if=/dev/zero of=/dev/null bs=48M count=1 2>/dev/null && echo allocated", NULL)) < 0)
		return r;
	bool allocated = strstr(sc_result_stdout(res, NULL, NULL), "allocated") != NULL;
	sc_result_free(res);
	if ((r = sc_check_run_in(s, &c, &res, "sh", "-c", "while :; do :; done", NULL)) < 0)
		return r;
	int signal = res->signal;
	bool timed_out = res->timed_out;
	sc_result_free(res);
	bool ok = procs >= 1 && procs <= 16 && !allocated && signal == 9 && !timed_out;
	sc_check_say(p, ok ? SC_VERDICT_PASS : SC_VERDICT_FAIL,
		     "--pids 16 --memory 32M --cpu-time 1 on each run: %lu processes after 40 forks tried; a 48 MiB buffer %s; "
		     "a busy loop ended by %s",
		     procs, allocated ? "ALLOCATED" : "refused", timed_out ? "the TIMEOUT" : signal == 9 ? "SIGKILL" : "something else");
	return 0;
}
