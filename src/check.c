/* check.c - the kernel check suite: isolation and hardening, each property observed, never
 * assumed. Most properties come from one survey container printing "key=value" lines; the
 * ones that need the host to act (a mount, a listener, IPC objects) get a container each. */
#include "config.h"

#include <fcntl.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "bind-idmap.h"
#include "caps.h"
#include "check.h"
#include "check-internal.h"
#include "error.h"
#include "run.h"
#include "syscalls.h"
#include "tmpdir.h"
#include "util.h"

const char *sc_check_first_line(const struct sc_result *res, char *buf, size_t size)
{
	snprintf(buf, size, "%s", sc_result_stdout(res, NULL, NULL));
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

const char *sc_check_one_line(const struct sc_result *res, char *buf, size_t size)
{
	snprintf(buf, size, "%s", sc_result_stdout(res, NULL, NULL));
	for (char *nl; (nl = strchr(buf, '\n'));)
		*nl = nl[1] ? ';' : '\0';
	return buf;
}

void sc_check_say(struct point *p, enum sc_verdict v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	p->verdict = v;
	vsnprintf(p->detail, sizeof(p->detail), fmt, ap);
	va_end(ap);
}

/* Runs argv (NULL-terminated) in a container shaped by the suite's options plus extra. */
int sc_check_run_in(struct suite *s, const struct sc_config *extra, struct sc_result **ret, const char *arg0, ...)
{
	const char *argv[16];
	va_list ap;
	size_t n = 0;
	va_start(ap, arg0);
	for (const char *a = arg0; a && n < SC_ELEMENTSOF(argv) - 1; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	struct sc_config c = extra ? *extra : (struct sc_config)SC_CONFIG_INIT;
	c.rootfs = s->options->rootfs;
	c.argv = argv;
	c.timeout_ms = 10000;
	c.privileged = c.privileged || s->options->privileged;
	return sc_run(&c, ret, s->err);
}

/* A run's own isolation verdict from the survey container (which ran, or check ended). */
static enum sc_verdict survey_check(struct suite *s, enum sc_check check, const char **detail)
{
	return sc_result_check(s->survey, check, detail);
}

/* The value of "key=" in the survey's output, or "" (copied into buf). */
static const char *value(struct suite *s, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);
	const char *out = s->survey ? sc_result_stdout(s->survey, NULL, NULL) : "";
	buf[0] = '\0';
	for (const char *line = out; *line;) {
		const char *end = strchrnul(line, '\n');
		if ((size_t)(end - line) > klen && !strncmp(line, key, klen) && line[klen] == '=') {
			snprintf(buf, size, "%.*s", (int)(end - line - klen - 1), line + klen + 1);
			break;
		}
		line = *end ? end + 1 : end;
	}
	return buf;
}

/* A point that passes when the survey's key has exactly the wanted value. */
static void expect_value(struct suite *s, struct point *p, const char *key, const char *want, const char *what)
{
	char got[200];
	value(s, key, got, sizeof(got));
	if (!strcmp(got, want))
		sc_check_say(p, SC_VERDICT_PASS, "%s: %s", what, got);
	else
		sc_check_say(p, SC_VERDICT_FAIL, "%s: expected '%s', got '%s'", what, want, got);
}

static const char survey_script[] =
	"set -- /proc/[0-9]*; echo \"procs=$*\"\n"
	"echo up=$(cd /.. && pwd)\n"
	"if [ \"$(ls -a /proc/1/root/)\" = \"$(ls -a /)\" ]; then echo proc1root=same; else echo proc1root=differs; fi\n"
	"echo setgroups=$(cat /proc/self/setgroups)\n"
	"echo sockets=$(( $(grep -vc '^Num' /proc/net/unix) + $(cat /proc/net/tcp /proc/net/tcp6 /proc/net/udp "
	"/proc/net/udp6 2>/dev/null | grep -vc local_address) ))\n"
	"(echo '|/bin/false' >/proc/sys/kernel/core_pattern) 2>/dev/null && echo core_pattern=written || echo "
	"core_pattern=denied\n"
	"echo session=$(cut -d' ' -f6,7 /proc/1/stat)\n"
	"echo nnp=$(grep NoNewPrivs /proc/1/status | cut -f2)\n"
	"echo sys=$(ls -A /sys | wc -l)\n"
	"echo dev=$(ls /dev | tr '\\n' ' ')\n"
	"mknod /tmp/node c 1 3 2>/dev/null && echo mknod=made || echo mknod=denied\n"
	"echo capbnd=$(grep CapBnd /proc/1/status | cut -f2)\n"
	"mount -t tmpfs none /mnt 2>/dev/null && echo mount=made || echo mount=denied\n"
	"unshare -U true 2>/dev/null && echo userns=made || echo userns=denied\n"
	"echo exe=$(readlink /proc/1/exe)\n"
	"echo seccomp=$(grep '^Seccomp:' /proc/self/status | cut -f2)\n"
	"echo uts=$(hostname)\n";

static int survey(struct suite *s)
{
	return sc_check_run_in(s, NULL, &s->survey, "sh", "-c", survey_script, NULL);
}

static int check_pid1(struct suite *s, struct point *p)
{
	const char *detail;
	enum sc_verdict v = survey_check(s, SC_CHECK_PID, &detail);
	sc_check_say(p, v, "%s", detail);
	return 0;
}

static int check_pid_procs(struct suite *s, struct point *p)
{
	expect_value(s, p, "procs", "/proc/1", "processes in /proc");
	return 0;
}

static int check_pid_sigkill(struct suite *s, struct point *p)
{
	struct sc_result *res = NULL;
	int r = sc_check_run_in(s, NULL, &res, "sh", "-c", "kill -KILL 1; echo alive", NULL);
	if (r < 0)
		return r;
	bool alive = sc_expect_text_matches("alive", sc_result_stdout(res, NULL, NULL), res->out.len);
	sc_check_say(p, alive ? SC_VERDICT_PASS : SC_VERDICT_FAIL, alive ? "PID 1 ignored SIGKILL from inside" : "PID 1 died of its own SIGKILL");
	sc_result_free(res);
	return 0;
}

static int check_pid_survivors(struct suite *s, struct point *p)
{
	struct sc_result *res = NULL;
	int r = sc_check_run_in(s, NULL, &res, "sh", "-c", "sleep 1000 & sleep 1000 & sleep 1000 & echo started", NULL);
	if (r < 0)
		return r;
	const char *detail;
	enum sc_verdict v = sc_result_check(res, SC_CHECK_PID, &detail);
	/* the host's scan of /proc after PID 1 ended is the observation that counts */
	sc_check_say(p, v == SC_VERDICT_PASS && strstr(detail, "no process survives") ? SC_VERDICT_PASS : SC_VERDICT_FAIL,
	    "3 background sleeps, then PID 1 exits: %s", detail);
	sc_result_free(res);
	return 0;
}

static int check_uts(struct suite *s, struct point *p)
{
	char host_before[256] = "", host_after[256] = "";
	_cleanup_free_ char *dom_before = NULL, *dom_after = NULL;
	(void)gethostname(host_before, sizeof(host_before) - 1);
	(void)sc_read_file("/proc/sys/kernel/domainname", &dom_before, NULL);
	/* the domain name is set by PID 1 before exec, the hostname again by the command */
	struct sc_config c = SC_CONFIG_INIT;
	c.domainname = "sc-domain";
	c.cap_add = SC_CAP_BIT(21); /* CAP_SYS_ADMIN, for sethostname */
	struct sc_result *res = NULL;
	int r = sc_check_run_in(s, &c, &res, "sh", "-c",
		       "hostname sc-changed && echo \"$(uname -n) $(cat /proc/sys/kernel/domainname)\"", NULL);
	if (r < 0)
		return r;
	(void)gethostname(host_after, sizeof(host_after) - 1);
	(void)sc_read_file("/proc/sys/kernel/domainname", &dom_after, NULL);
	/* the survey's container was given no --hostname: it must carry the documented default */
	char first[80];
	value(s, "uts", first, sizeof(first));
	bool inside = sc_expect_text_matches("sc-changed sc-domain", sc_result_stdout(res, NULL, NULL), res->out.len) &&
		      !strcmp(first, "simpcon");
	bool host = !strcmp(host_before, host_after) && dom_before && dom_after && !strcmp(dom_before, dom_after);
	if (inside && host)
		sc_check_say(p, SC_VERDICT_PASS, "'simpcon' by default, set inside to sc-changed/sc-domain; host still '%s'",
			     host_after);
	else
		sc_check_say(p, SC_VERDICT_FAIL, "default '%s'; inside set: %s; host unchanged: %s", first, inside ? "yes" : "no",
			     host ? "yes" : "no");
	sc_result_free(res);
	return 0;
}

static int check_mount_table(struct suite *s, struct point *p)
{
	const char *detail;
	enum sc_verdict v = survey_check(s, SC_CHECK_MOUNT, &detail);
	sc_check_say(p, v, "%s", detail);
	return 0;
}

/* A mount made on the host after the container started, under a directory bound into it,
 * must not appear inside: the container's mounts are private, not slaves of the host's. */
static int check_mount_propagation(struct suite *s, struct point *p)
{
	if (geteuid() != 0) {
		sc_check_say(p, SC_VERDICT_SKIP, "mounting on the host needs root");
		return 0;
	}
	if (sc_check_binds_skip(s, p))
		return 0;
	char dir[128], sub[160], ready[160], started[160];
	snprintf(dir, sizeof(dir), "%s/prop", s->tmp);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	snprintf(ready, sizeof(ready), "%s/ready", dir);
	snprintf(started, sizeof(started), "%s/started", dir);
	if (mkdir(dir, 0755) < 0 || mkdir(sub, 0755) < 0)
		return sc_error_set(s->err, errno, "create '%s'", sub);
	pid_t helper = fork();
	if (helper < 0)
		return sc_error_set(s->err, errno, "fork");
	if (helper == 0) {
		/* after the container's command has started, however loaded the machine: a mount
		 * made before would be in the bind's copy, rightly */
		for (int i = 0; i < 1000 && access(started, F_OK) < 0; i++)
			usleep(10000);
		int ok = mount("tmpfs", sub, "tmpfs", 0, "size=4k") == 0;
		close(open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
		_exit(ok ? 0 : 1);
	}
	struct sc_mount m = { .source = dir, .dest = "/x" };
	struct sc_config c = SC_CONFIG_INIT;
	c.mounts = &m;
	c.n_mounts = 1;
	struct sc_result *res = NULL;
	int r = sc_check_run_in(s, &c, &res, "sh", "-c",
		       "touch /x/started; n=0; while [ ! -e /x/ready ] && [ $n -lt 150 ]; do sleep 0.05; n=$((n+1)); done; "
		       "echo seen=$(grep -c ' /x/sub ' /proc/self/mountinfo)",
		       NULL);
	int status = 0;
	(void)waitpid(helper, &status, 0);
	(void)umount2(sub, MNT_DETACH);
	if (r < 0)
		return r;
	bool mounted = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	bool unseen = sc_expect_text_matches("seen=0", sc_result_stdout(res, NULL, NULL), res->out.len);
	if (!mounted)
		sc_check_say(p, SC_VERDICT_FAIL, "could not mount on the host to test propagation");
	else
		sc_check_say(p, unseen ? SC_VERDICT_PASS : SC_VERDICT_FAIL, "host mount on the bound directory %s inside",
		    unseen ? "not visible" : "VISIBLE");
	sc_result_free(res);
	return 0;
}

static int check_mount_escape(struct suite *s, struct point *p)
{
	char up[64], root[64];
	value(s, "up", up, sizeof(up));
	value(s, "proc1root", root, sizeof(root));
	bool ok = !strcmp(up, "/") && !strcmp(root, "same");
	sc_check_say(p, ok ? SC_VERDICT_PASS : SC_VERDICT_FAIL, "cd /.. gives '%s'; /proc/1/root is %s /", up,
	    !strcmp(root, "same") ? "the container's" : "not the container's");
	return 0;
}

static int check_user_map(struct suite *s, struct point *p)
{
	const char *detail;
	enum sc_verdict v = survey_check(s, SC_CHECK_USER, &detail);
	sc_check_say(p, v, "%s", detail);
	return 0;
}

static int check_setgroups(struct suite *s, struct point *p)
{
	/* run by a user the kernel requires "deny" before an unprivileged gid_map */
	expect_value(s, p, "setgroups", geteuid() == 0 ? "allow" : "deny", "setgroups");
	return 0;
}

static int check_net_lo(struct suite *s, struct point *p)
{
	const char *detail;
	enum sc_verdict v = survey_check(s, SC_CHECK_NET, &detail);
	sc_check_say(p, v, "%s", detail);
	return 0;
}

static int check_net_sockets(struct suite *s, struct point *p)
{
	expect_value(s, p, "sockets", "0", "unix, tcp and udp sockets listed");
	return 0;
}

static int check_net_listener(struct suite *s, struct point *p)
{
	_cleanup_close_ int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return sc_error_set(s->err, errno, "listen on 127.0.0.1");
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "echo probe | nc -w 1 127.0.0.1 %u && echo connected || echo refused",
		 (unsigned)ntohs(a.sin_port));
	struct sc_result *res = NULL;
	int r = sc_check_run_in(s, NULL, &res, "sh", "-c", cmd, NULL);
	if (r < 0)
		return r;
	int conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	bool refused = conn < 0 && sc_expect_text_matches("refused", sc_result_stdout(res, NULL, NULL), res->out.len);
	if (conn >= 0)
		close(conn);
	sc_check_say(p, refused ? SC_VERDICT_PASS : SC_VERDICT_FAIL, "host listener on 127.0.0.1:%u %s", (unsigned)ntohs(a.sin_port),
	    refused ? "unreachable" : "REACHED");
	sc_result_free(res);
	return 0;
}

static int check_ipc(struct suite *s, struct point *p)
{
	char qname[64];
	snprintf(qname, sizeof(qname), "/simpcon-check-%d", (int)getpid());
	int shm = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	int sem = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	int msg = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	struct mq_attr attr = { .mq_maxmsg = 1, .mq_msgsize = 16 };
	mqd_t mq = mq_open(qname, O_CREAT | O_RDWR | O_CLOEXEC, 0600, &attr);
	struct sc_config c = SC_CONFIG_INIT;
	c.cap_add = SC_CAP_BIT(21); /* CAP_SYS_ADMIN, to mount the container's own mqueue fs */
	struct sc_result *res = NULL;
	int r = sc_check_run_in(s, &c, &res, "sh", "-c",
		       "echo sysv=$(cat /proc/sysvipc/shm /proc/sysvipc/sem /proc/sysvipc/msg | grep -vc '^ *key'); "
		       "mkdir -p /tmp/mq && mount -t mqueue none /tmp/mq && echo mq=$(ls -A /tmp/mq | wc -l)",
		       NULL);
	bool made = shm >= 0 && sem >= 0 && msg >= 0 && mq != (mqd_t)-1;
	if (shm >= 0)
		(void)shmctl(shm, IPC_RMID, NULL);
	if (sem >= 0)
		(void)semctl(sem, 0, IPC_RMID);
	if (msg >= 0)
		(void)msgctl(msg, IPC_RMID, NULL);
	if (mq != (mqd_t)-1) {
		mq_close(mq);
		mq_unlink(qname);
	}
	if (r < 0)
		return r;
	bool unseen = sc_expect_text_matches("sysv=0\nmq=0", sc_result_stdout(res, NULL, NULL), res->out.len);
	if (!made)
		sc_check_say(p, SC_VERDICT_FAIL, "could not create IPC objects on the host to compare");
	else
		sc_check_say(p, unseen ? SC_VERDICT_PASS : SC_VERDICT_FAIL,
		    "host shm, sem, msg and mqueue '%s' %s inside", qname, unseen ? "not visible" : "VISIBLE");
	sc_result_free(res);
	return 0;
}

static int check_cgroup(struct suite *s, struct point *p)
{
	/* the kernel lists the unified hierarchy only once it is mounted somewhere */
	_cleanup_free_ char *host = NULL;
	if (sc_read_file("/proc/self/cgroup", &host, NULL) == 0 && !host[0]) {
		sc_check_say(p, SC_VERDICT_SKIP, "no cgroup file system is mounted here: the harness's /proc/self/cgroup is empty");
		return 0;
	}
	const char *detail;
	enum sc_verdict v = survey_check(s, SC_CHECK_CGROUP, &detail);
	sc_check_say(p, v, "%s", detail);
	return 0;
}

static int check_core_pattern(struct suite *s, struct point *p)
{
	expect_value(s, p, "core_pattern", "denied", "writing the host's /proc/sys/kernel/core_pattern");
	return 0;
}

static int check_session(struct suite *s, struct point *p)
{
	/* session id 1 (a session of its own) and tty_nr 0: TIOCSTI has no terminal to inject into */
	expect_value(s, p, "session", "1 0", "session id and controlling tty of PID 1");
	return 0;
}

static int check_nnp(struct suite *s, struct point *p)
{
	expect_value(s, p, "nnp", "1", "NoNewPrivs");
	return 0;
}

static int check_sys(struct suite *s, struct point *p)
{
	expect_value(s, p, "sys", "0", "entries in /sys");
	return 0;
}

static int check_dev(struct suite *s, struct point *p)
{
	char dev[256], mknod_result[32];
	value(s, "dev", dev, sizeof(dev));
	value(s, "mknod", mknod_result, sizeof(mknod_result));
	bool ok = !strcmp(dev, "fd full null ptmx pts random shm stderr stdin stdout tty urandom zero") &&
		  !strcmp(mknod_result, "denied");
	sc_check_say(p, ok ? SC_VERDICT_PASS : SC_VERDICT_FAIL, "/dev: %s; mknod %s", dev, mknod_result);
	return 0;
}

static int check_caps(struct suite *s, struct point *p)
{
	char bnd[32], mnt[32], want[32];
	value(s, "capbnd", bnd, sizeof(bnd));
	value(s, "mount", mnt, sizeof(mnt));
	snprintf(want, sizeof(want), "%016llx", (unsigned long long)SC_CHECK_DOCKER_CAPS);
	bool ok = !strcmp(bnd, want) && !strcmp(mnt, "denied");
	sc_check_say(p, ok ? SC_VERDICT_PASS : SC_VERDICT_FAIL, "bounding set %s (default %s); mount without CAP_SYS_ADMIN %s",
	    bnd, want, mnt);
	return 0;
}

/* The seccomp profile denies new user namespaces too; with it off, the namespace's own limit
 * (max_user_namespaces 0) is what this point sees. */
static int check_nested_userns(struct suite *s, struct point *p)
{
	struct sc_config c = SC_CONFIG_INIT;
	c.seccomp = "unconfined";
	struct sc_result *res = NULL;
	int r = sc_check_run_in(s, &c, &res, "sh", "-c", "unshare -U true 2>/dev/null && echo made || echo denied", NULL);
	if (r < 0)
		return r;
	char seen[32];
	sc_check_first_line(res, seen, sizeof(seen));
	sc_result_free(res);
	char survey[32];
	value(s, "userns", survey, sizeof(survey));
	bool ok = !strcmp(seen, "denied") && !strcmp(survey, "denied");
	sc_check_say(p, ok ? SC_VERDICT_PASS : SC_VERDICT_FAIL, "unshare -U inside: %s; with no seccomp profile: %s", survey,
		     seen);
	return 0;
}

static int check_exe(struct suite *s, struct point *p)
{
	/* CVE-2019-5736: a runtime that stays as PID 1 lets the container overwrite it through
	 * /proc/1/exe; here PID 1 is the command itself */
	expect_value(s, p, "exe", "/bin/busybox", "/proc/1/exe");
	return 0;
}

static int check_seccomp(struct suite *s, struct point *p)
{
	expect_value(s, p, "seccomp", "2", "Seccomp mode in the command's /proc/self/status");
	return 0;
}

static const struct {
	const char *name;
	check_fn fn;
} points[] = {
	{ "pid: the command is PID 1 with parent 0", check_pid1 },
	{ "pid: only the container's processes in /proc", check_pid_procs },
	{ "pid: PID 1 survives SIGKILL sent from inside", check_pid_sigkill },
	{ "pid: no process survives when PID 1 exits", check_pid_survivors },
	{ "pid: the container dies with a SIGKILLed harness", sc_check_harness_death },
	{ "uts: hostname and domainname set inside stay inside", check_uts },
	{ "mount: only the container's mounts, none shared with the host", check_mount_table },
	{ "mount: a host mount made after start is invisible inside", check_mount_propagation },
	{ "mount: .. from / and /proc/1/root lead nowhere outside", check_mount_escape },
	{ "mount: a chroot escape ends at the container's root", sc_check_chroot_escape },
	{ "mount: writes go to tmpfs of the --storage size, not the host's disk", sc_check_storage },
	{ "user: uid and gid maps as configured, root never host root", check_user_map },
	{ "user: one id mapped run by a user, 65536 run by root", sc_check_map_width },
	{ "user: setgroups as expected", check_setgroups },
	{ "user: --uid and --gid as asked, no group of root's", sc_check_uid_switch },
	{ "user: root's container ids are no one else's (subuid, subgid, passwd, group)", sc_check_root_ids },
	{ "net: only lo, and it is up", check_net_lo },
	{ "net: no host sockets visible", check_net_sockets },
	{ "net: a host listener on 127.0.0.1 is unreachable", check_net_listener },
	{ "ipc: host System V objects and POSIX queues invisible", check_ipc },
	{ "cgroup: every hierarchy at the namespace root", check_cgroup },
	{ "cgroup: still at the root with --pids and --memory on", sc_check_cgroup_limits },
	{ "time: monotonic and boottime moved inside, not on the host", sc_check_time_offsets },
	{ "limits: --pids, --memory and --cpu-time hold", sc_check_limits },
	{ "limits: a container taking all the inotify instances and message queues it can leaves the caller some",
	  sc_check_user_resources },
	{ "hardening: host /proc/sys/kernel/core_pattern not writable", check_core_pattern },
	{ "hardening: no inherited fd beyond 0-2", sc_check_fds },
	{ "hardening: stdin is /dev/null and the environment the fixed one", sc_check_stdin_env },
	{ "hardening: a session of its own, no controlling terminal", check_session },
	{ "hardening: a key in the harness's session keyring is out of reach", sc_check_keyring },
	{ "hardening: no_new_privs is set", check_nnp },
	{ "hardening: /proc/sys and the machine-wide /proc knobs are read-only", sc_check_proc_readonly },
	{ "hardening: /proc entries that show the host are masked", sc_check_proc_masked },
	{ "hardening: /sys is not mounted", check_sys },
	{ "hardening: /dev holds only the minimal nodes, mknod fails", check_dev },
	{ "hardening: /dev/shm is the container's own", sc_check_shm },
	{ "hardening: capabilities limited to the default set", check_caps },
	{ "hardening: --cap-add and --cap-drop hold as asked", sc_check_caps_options },
	{ "hardening: nested user namespaces are denied", check_nested_userns },
	{ "hardening: a seccomp filter is installed", check_seccomp },
	{ "hardening: io_uring, userfaultfd, keys, AF_PACKET, user namespaces denied by it", sc_check_seccomp_denied },
	{ "hardening: PID 1 is the command, not a host binary", check_exe },
	{ "hardening: --init's PID 1 runs from memory, not a host file", sc_check_init_exe },
	{ "bind: no file in a bind gets a host owner other than the caller", sc_check_bind_owner },
	{ "bind: no set-id file can be made in a bind, and it is nosuid,nodev", sc_check_bind_setid },
	{ "bind: no file capability that holds on the host can be written through it", sc_check_bind_filecap },
	{ "bind: a read-only bind stays read-only, even with CAP_SYS_ADMIN", sc_check_bind_readonly },
	{ "bind: --host-libs's host directories stay read-only, nosuid, nodev", sc_check_host_libs },
	{ "root: fixture directories can be renamed and removed, fixture files hard-linked", sc_check_root_semantics },
};

unsigned sc_check_count(void)
{
	return SC_ELEMENTSOF(points);
}

static void write_point(struct sc_tap *tap, const char *name, const struct point *p, enum sc_verbosity v)
{
	if (p->verdict == SC_VERDICT_SKIP) {
		sc_tap_point(tap, true, name, SC_TAP_SKIP, p->detail);
		return;
	}
	sc_tap_point(tap, p->verdict == SC_VERDICT_PASS, name, SC_TAP_NONE, NULL);
	if (p->verdict != SC_VERDICT_PASS || v != SC_VERBOSITY_QUIET) {
		sc_tap_yaml_begin(tap);
		sc_tap_yaml_string(tap, "observed", p->detail);
		sc_tap_yaml_end(tap);
	}
}

/* Whether a root run's writable bind of dir would be refused: its file system cannot be
 * idmapped on this kernel (tmpfs before Linux 6.3), which run.c requires for one. */
static bool binds_refused(const char *dir)
{
	if (geteuid() != 0)
		return false; /* a user's binds need no idmapping */
	_cleanup_close_ int userns = -1;
	struct sc_error ignored = { 0 };
	if (sc_bind_userns(0, 0, 65534, 65534, &userns, &ignored) < 0)
		return false; /* then the run itself says why */
	_cleanup_close_ int tree = sc_open_tree(AT_FDCWD, dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns };
	return tree >= 0 && sc_mount_setattr(tree, "", AT_EMPTY_PATH, &attr) < 0 && errno == EINVAL;
}

bool sc_check_binds_skip(struct suite *s, struct point *p)
{
	if (s->binds_refused)
		sc_check_say(p, SC_VERDICT_SKIP,
			     "a writable bind of '%s' is refused here (its file system cannot be idmapped on this kernel, "
			     "as tmpfs before Linux 6.3): set TMPDIR to a directory on ext4, xfs or btrfs to check binds",
			     s->tmp);
	return s->binds_refused;
}

int sc_check_suite(struct sc_tap *tap, const struct sc_check_options *options, unsigned *ret_failed,
		   struct sc_error *err)
{
	struct suite s = { .options = options, .err = err };
	const char *tmpdir = sc_tmpdir_default();
	if (strlen(tmpdir) >= 32)
		tmpdir = "/tmp";
	/* locked while this process lives: a killed check's directory is swept by the next one */
	_cleanup_close_ int lock = sc_tmpdir_make(tmpdir, SC_TMPDIR_CHECK, s.tmp, sizeof(s.tmp));
	if (lock < 0)
		return sc_error_set(err, -lock, "create a directory in '%s'", tmpdir);
	unsigned failed = 0;
	s.binds_refused = binds_refused(s.tmp);
	/* the survey is the plainest container: where it cannot be made, no point can be observed,
	 * and the setup error (no overlayfs, a / the container cannot search...) is the answer */
	int r = survey(&s);
	if (r < 0) {
		char why[sizeof(err->message)];
		snprintf(why, sizeof(why), "%s", err->message);
		(void)sc_rm_rf(s.tmp);
		return sc_error_setf(err, -r, "no container can be made here, so nothing can be checked: %s", why);
	}
	/* past it, a container that cannot be made is that point's failure, not the end of the
	 * check: a break that stops one kind of container must not hide what the others show */
	for (size_t i = 0; i < SC_ELEMENTSOF(points); i++) {
		struct point p = { .verdict = SC_VERDICT_FAIL };
		if (points[i].fn(&s, &p) < 0) {
			sc_check_say(&p, SC_VERDICT_FAIL, "its container did not run: %s", err->message);
			*err = (struct sc_error){ 0 };
		}
		failed += p.verdict == SC_VERDICT_FAIL;
		write_point(tap, points[i].name, &p, options->verbosity);
	}
	r = 0;
	sc_result_free(s.survey);
	(void)sc_rm_rf(s.tmp);
	*ret_failed = failed;
	return r;
}
