/* container.c - the container's PID 1, from clone to exec. */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <grp.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/keyctl.h>

#include "caps.h"
#include "container.h"
#include "error.h"
#include "syscalls.h"
#include "terminal.h"
#include "util.h"

#define SC_MAX_TREES 64

extern char **environ;

/* Tells the parent which step failed and why, then exits: the parent turns the report into
 * "mount proc on '/proc': permission denied" instead of a bare exit code. */
static _Noreturn void child_fail(const struct sc_child_plan *plan, const struct sc_error *err)
{
	struct sc_report report = { .kind = SC_REPORT_SETUP_ERROR, .code = err->code };
	snprintf(report.text, sizeof(report.text), "%s", err->message);
	(void)sc_write_all(plan->report_fd, &report, sizeof(report));
	_exit(125);
}

static _Noreturn void child_failf(const struct sc_child_plan *plan, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static _Noreturn void child_failf(const struct sc_child_plan *plan, int code, const char *fmt, ...)
{
	struct sc_error err = { 0 };
	char what[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	sc_error_set(&err, code, "%s", what);
	child_fail(plan, &err);
}

/* Blocks until the parent has written the id maps. The message's first byte says whether a
 * detached mount of the fixture root comes first in SCM_RIGHTS, then one byte per user mount
 * (1: its detached tree follows); *root_tree and trees[i] are -1 for none. */
static void child_wait(const struct sc_child_plan *plan, int *root_tree, int *trees)
{
	uint8_t has_tree[SC_MAX_TREES + 1];
	char control[CMSG_SPACE((SC_MAX_TREES + 1) * sizeof(int))];
	struct iovec iov = { .iov_base = has_tree, .iov_len = sizeof(has_tree) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			      .msg_controllen = sizeof(control) };
	ssize_t n;
	do
		n = recvmsg(plan->sync_fd, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		_exit(125); /* the parent is gone: nobody to run for */
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	size_t received = c && c->cmsg_type == SCM_RIGHTS ? (c->cmsg_len - CMSG_LEN(0)) / sizeof(int) : 0;
	size_t next = 0;
	*root_tree = -1;
	if (has_tree[0] && next < received)
		memcpy(root_tree, CMSG_DATA(c) + next++ * sizeof(int), sizeof(int));
	for (size_t i = 0; i < plan->mounts.n_mounts && i < SC_MAX_TREES; i++) {
		trees[i] = -1;
		if (i + 1 < (size_t)n && has_tree[i + 1] && next < received)
			memcpy(&trees[i], CMSG_DATA(c) + next++ * sizeof(int), sizeof(int));
	}
}

static int bring_lo_up(void)
{
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = { 0 };
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return -errno;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	return ioctl(fd, SIOCSIFFLAGS, &ifr) < 0 ? -errno : 0;
}

/* The command gets a clean signal state: nothing blocked, nothing ignored. */
static void reset_signals(void)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			(void)signal(s, SIG_DFL);
}

static void child_stdio(const struct sc_child_plan *plan)
{
	if (plan->terminal_fd >= 0) {
		int r = sc_terminal_open_inside(plan->terminal_fd);
		if (r < 0)
			child_failf(plan, -r, "open a terminal on the container's /dev/ptmx");
		return;
	}
	int in = plan->stdin_fd;
	if (in < 0 && plan->stdin_empty_pipe) {
		/* the write end closed here: a read sees end of file, a test for a pipe sees one */
		int ends[2];
		if (pipe2(ends, O_CLOEXEC) < 0)
			child_failf(plan, errno, "make the command's stdin pipe");
		close(ends[1]);
		in = ends[0];
	} else if (in < 0 && (in = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
		child_failf(plan, errno, "open '/dev/null' in the container");
	}
	if (dup2(in, 0) < 0 || dup2(plan->stdout_fd, 1) < 0 || dup2(plan->stderr_fd, 2) < 0)
		child_failf(plan, errno, "set up the command's stdin, stdout and stderr");
}

static void child_ids(const struct sc_child_plan *plan)
{
	if (plan->gid != 0 || plan->uid != 0) {
		if (setgroups(0, NULL) < 0 && errno != EPERM)
			child_failf(plan, errno, "drop supplementary groups");
		if (setresgid(plan->gid, plan->gid, plan->gid) < 0)
			child_failf(plan, errno, "switch to gid %u", (unsigned)plan->gid);
		if (setresuid(plan->uid, plan->uid, plan->uid) < 0)
			child_failf(plan, errno, "switch to uid %u", (unsigned)plan->uid);
	}
}

/* CLONE_NEWTIME cannot be a clone flag here: offsets may only be written while no process is in
 * the namespace. So: unshare (only future children enter it), write the offsets, then move
 * this process in with setns before anything runs in it. */
static int enter_time_namespace(int64_t offset_s)
{
	if (unshare(CLONE_NEWTIME) < 0)
		return -errno;
	char text[96];
	snprintf(text, sizeof(text), "monotonic %lld 0\nboottime %lld 0\n", (long long)offset_s, (long long)offset_s);
	int r = sc_write_file("/proc/self/timens_offsets", text);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWTIME) < 0)
		return -errno;
	return 0;
}

/* --init: simpcon-init from its memfd, with the command after it; the file executed is no
 * file of the host's, so /proc/1/exe leads nowhere outside. */
static void exec_init(const struct sc_child_plan *plan)
{
	size_t n = 0;
	while (plan->argv[n])
		n++;
	const char *argv[n + 2];
	argv[0] = "simpcon-init";
	memcpy(argv + 1, plan->argv, (n + 1) * sizeof(*argv));
	(void)syscall(SYS_execveat, plan->init_fd, "", argv, plan->envp, AT_EMPTY_PATH);
}

static _Noreturn void child_exec(const struct sc_child_plan *plan)
{
	environ = (char **)plan->envp;
	if (plan->init_fd >= 0)
		exec_init(plan);
	else
		execvp(plan->argv[0], plan->argv);
	int code = errno;
	struct sc_report report = { .kind = SC_REPORT_EXEC_ERROR, .code = code };
	if (plan->init_fd >= 0)
		snprintf(report.text, sizeof(report.text), "cannot execute simpcon-init (--init): %s", strerror(code));
	else if (code == ENOENT)
		snprintf(report.text, sizeof(report.text), "'%s' not found in the fixture", plan->argv[0]);
	else
		snprintf(report.text, sizeof(report.text), "cannot execute '%s': %s", plan->argv[0], strerror(code));
	(void)sc_write_all(plan->report_fd, &report, sizeof(report));
	_exit(code == ENOENT ? 127 : 126);
}

/* Hands the parent an O_PATH fd of every tmpfs the command writes to, in the order of
 * sc_container_storage_paths, so that after the run it can tell which one was full ("/" is the
 * overlay, whose statfs is its upper layer's). */
static void child_send_storage(const struct sc_child_plan *plan)
{
	const char *paths[SC_STORAGE_MAX];
	size_t n = sc_container_storage_paths(&plan->mounts, paths, SC_ELEMENTSOF(paths));
	int fds[SC_STORAGE_MAX];
	char control[CMSG_SPACE(sizeof(fds))] = { 0 };
	for (size_t i = 0; i < n; i++)
		if ((fds[i] = open(paths[i], O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
			child_failf(plan, errno, "open '%s' in the container", paths[i]);
	char byte = 's';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			      .msg_controllen = CMSG_SPACE(n * sizeof(int)) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	ssize_t w;
	do
		w = n ? sendmsg(plan->sync_fd, &msg, MSG_NOSIGNAL) : 0;
	while (w < 0 && errno == EINTR);
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
	if (w < 0)
		child_failf(plan, errno, "hand the container's tmpfs to the harness");
}

/* The filter the parent compiled while this process built its mounts: one message on the
 * sync socket, the program itself (one byte for none). Taken before the check that the parent
 * still lives, which reads the socket's end. */
static struct sc_seccomp_bpf child_receive_filter(const struct sc_child_plan *plan)
{
	static struct sock_filter code[BPF_MAXINSNS];
	ssize_t n;
	do
		n = recv(plan->sync_fd, code, sizeof(code), 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		_exit(125); /* the parent is gone */
	return (struct sc_seccomp_bpf){ .code = code, .len = (unsigned short)((size_t)n / sizeof(code[0])) };
}

static _Noreturn void child_main(struct sc_child_plan plan)
{
	int trees[SC_MAX_TREES];
	struct sc_error err = { 0 };

	/* the clone copied the parent's ends too: while the child held the other end of the sync
	 * socket, a dead parent would never read as EOF and the child would wait forever */
	for (size_t i = 0; i < SC_ELEMENTSOF(plan.parent_fds); i++)
		if (plan.parent_fds[i] >= 0)
			close(plan.parent_fds[i]);
	/* the kernel forces SIGKILL on a PID 1 whose parent dies, from outside its namespace */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		child_failf(&plan, errno, "set the parent-death signal");
	child_wait(&plan, &plan.mounts.rootfs_fd, trees);
	plan.mounts.rootfs_idmapped = plan.mounts.rootfs_fd >= 0;
	plan.mounts.prepared = trees;
	int source_fds[SC_MAX_TREES];
	if (sc_mounts_open(&plan.mounts, source_fds, &err) < 0)
		child_fail(&plan, &err);
	/* with the caller's credentials and view of the host, like the bind sources; a fifo's
	 * open waits here for a writer, inside the run's timeout */
	if (plan.stdin_path && (plan.stdin_fd = open(plan.stdin_path, O_RDONLY | O_CLOEXEC)) < 0)
		child_failf(&plan, errno, "stdin file '%s' (--stdin)", plan.stdin_path);
	/* run by root, the child still carries host uid 0, which the map leaves unmapped: become
	 * the namespace's root, or every file it creates fails with EOVERFLOW */
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		child_failf(&plan, errno, "become root of the user namespace");
	/* the id change made the process non-dumpable, which hands its /proc/self files to host
	 * root; exec would make it dumpable again anyway */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		child_failf(&plan, errno, "make the process dumpable");
	if (unshare(CLONE_NEWCGROUP) < 0)
		child_failf(&plan, errno, "create a cgroup namespace");
	int r = plan.time_offset_s ? enter_time_namespace(plan.time_offset_s) : 0;
	if (r < 0)
		child_failf(&plan, -r, "create a time namespace (Linux 5.6+, CONFIG_TIME_NS)");
	if (sc_mounts_setup(&plan.mounts, &err) < 0)
		child_fail(&plan, &err);
	child_send_storage(&plan);
	if (sethostname(plan.hostname, strlen(plan.hostname)) < 0)
		child_failf(&plan, errno, "set hostname '%s'", plan.hostname);
	if (plan.domainname && setdomainname(plan.domainname, strlen(plan.domainname)) < 0)
		child_failf(&plan, errno, "set domainname '%s'", plan.domainname);
	r = plan.new_net ? bring_lo_up() : 0;
	if (r < 0)
		child_failf(&plan, -r, "bring lo up");
	/* a session keyring of its own: the caller's keys stay out of reach */
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 && errno != ENOSYS)
		child_failf(&plan, errno, "join a new session keyring");
	/* a new session: the command cannot reach the caller's terminal (TIOCSTI) */
	if (setsid() < 0)
		child_failf(&plan, errno, "start a new session");
	if (plan.chdir && chdir(plan.chdir) < 0)
		child_failf(&plan, errno, "chdir '%s' in the container", plan.chdir);
	child_stdio(&plan);
	if (plan.limits && (r = sc_limits_rlimits(plan.limits)) < 0)
		child_failf(&plan, -r, "set the resource limits");
	struct sc_seccomp_bpf filter = child_receive_filter(&plan);
	uint64_t keep = sc_caps_kept(plan.privileged, plan.cap_add, plan.cap_drop);
	if ((r = sc_caps_limit(keep)) < 0)
		child_failf(&plan, -r, "limit the capabilities");
	child_ids(&plan);
	/* every credential change clears the parent-death signal: arm it again, then make sure
	 * the parent did not die before it was armed (its end of the sync socket would be closed) */
	char byte;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		child_failf(&plan, errno, "set the parent-death signal");
	if (recv(plan.sync_fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0)
		_exit(125);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		child_failf(&plan, errno, "set no_new_privs");
	/* no inherited fd (tap-driver's log is fd 3) may reach the command */
	if (sc_close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		child_failf(&plan, errno, "mark inherited fds close-on-exec");
	reset_signals();

	struct sc_report report = { 0 };
	sc_probe_inside(plan.expect, &report);
	if (sc_write_all(plan.report_fd, &report, sizeof(report)) < 0)
		_exit(125);
	/* last: the filter holds for simpcon-init and the command, not for the setup */
	if ((r = sc_seccomp_install(&filter)) < 0)
		child_failf(&plan, -r, "install the seccomp filter");
	child_exec(&plan);
}

/* A knob under /proc/sys (SIMPCON_PROC_SYS stands in for it in the tests), as a number; -1
 * when this kernel has no such knob. */
static long sysctl_value(const char *name)
{
	const char *root = getenv("SIMPCON_PROC_SYS");
	char path[PATH_MAX];
	_cleanup_free_ char *text = NULL;
	snprintf(path, sizeof(path), "%s/%s", root && *root ? root : "/proc/sys", name);
	if (sc_read_file(path, &text, NULL) < 0)
		return -1;
	char *end;
	long v = strtol(text, &end, 10);
	return end == text ? -1 : v;
}

/* Whether a seccomp filter is on this process: Docker's default profile, for one. */
static bool filtered(void)
{
	_cleanup_free_ char *status = NULL;
	if (sc_read_file("/proc/self/status", &status, NULL) < 0)
		return false;
	const char *line = strstr(status, "\nSeccomp:");
	return line && strtol(line + strlen("\nSeccomp:"), NULL, 10) == 2;
}

const char *sc_container_apparmor_cause(char *buf, size_t size)
{
	/* the namespace is made, but with no capability in it: its first mount fails */
	if (geteuid() == 0 || sysctl_value("kernel/apparmor_restrict_unprivileged_userns") != 1)
		return NULL;
	snprintf(buf, size, "AppArmor restricts unprivileged user namespaces here "
			    "(kernel.apparmor_restrict_unprivileged_userns=1): load simpcon-test's profile "
			    "(apparmor_parser -r /etc/apparmor.d/simpcon-test, installed by make install), or "
			    "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0");
	return buf;
}

const char *sc_container_userns_cause(int code, char *buf, size_t size)
{
	bool user = geteuid() != 0;
	if (sysctl_value("user/max_user_namespaces") == 0)
		snprintf(buf, size, "user.max_user_namespaces is 0 here: allow some (sysctl -w user.max_user_namespaces=15000)");
	else if (user && sysctl_value("kernel/unprivileged_userns_clone") == 0)
		snprintf(buf, size, "kernel.unprivileged_userns_clone is 0 here: allow them (sysctl -w "
				    "kernel.unprivileged_userns_clone=1), or run as root");
	else if (code == EPERM && filtered())
		snprintf(buf, size, "a seccomp filter on this process refuses new user namespaces, as Docker's default "
				    "profile does for a container without CAP_SYS_ADMIN: run the job's container with "
				    "--security-opt seccomp=unconfined (or a profile that allows clone and unshare with "
				    "CLONE_NEWUSER), or privileged");
	else if (sc_container_apparmor_cause(buf, size))
		;
	else if (code == ENOSPC || code == EUSERS)
		snprintf(buf, size, "the limit of user namespaces is reached (user.max_user_namespaces, or 32 levels of "
				    "nesting)");
	else
		snprintf(buf, size, "is user.max_user_namespaces 0, kernel.unprivileged_userns_clone 0, or a seccomp "
				    "filter or an LSM refusing them?");
	return buf;
}

int sc_container_userns_possible(char *why, size_t size)
{
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER) < 0 ? errno : 0);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : EIO;
	if (code == 0)
		return 1;
	char cause[512];
	struct sc_error err;
	sc_error_set(&err, code, "no user namespace can be made here (%s)", sc_container_userns_cause(code, cause, sizeof(cause)));
	snprintf(why, size, "%s", err.message);
	return 0;
}

int sc_container_clone(const struct sc_child_plan *plan, pid_t *ret_pid, int *ret_pidfd, struct sc_error *err)
{
	int pidfd = -1;
	struct clone_args args = {
		/* no CLONE_NEWCGROUP: the child unshares it once the parent has moved it into its
		 * limit cgroups, so that they are its namespace's root */
		.flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
			 (plan->new_net ? CLONE_NEWNET : 0) | CLONE_PIDFD,
		.pidfd = (uint64_t)(uintptr_t)&pidfd,
		.exit_signal = SIGCHLD,
	};
	pid_t pid = sc_clone3(&args);
	if (pid < 0) {
		int code = errno;
		char why[512];
		if (code == EPERM || code == ENOSPC || code == EUSERS)
			return sc_error_set(err, code, "create a user namespace (%s)",
					    sc_container_userns_cause(code, why, sizeof(why)));
		return sc_error_set(err, code, "clone the container with new namespaces");
	}
	if (pid == 0)
		child_main(*plan);
	*ret_pid = pid;
	*ret_pidfd = pidfd;
	return 0;
}

size_t sc_container_storage_paths(const struct sc_mount_plan *plan, const char **paths, size_t max)
{
	size_t n = 0;
	if (!plan->keep && n < max)
		paths[n++] = "/";
	if (n < max)
		paths[n++] = "/dev/shm";
	for (size_t i = 0; i < plan->n_mounts && n < max; i++)
		if (!plan->mounts[i].source && !plan->mounts[i].copy && !plan->mounts[i].readonly)
			paths[n++] = plan->mounts[i].dest;
	return n;
}

int sc_container_storage_fds(int sync_fd, int *fds, size_t max)
{
	char byte;
	char control[CMSG_SPACE((SC_STORAGE_MAX) * sizeof(int))];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			      .msg_controllen = sizeof(control) };
	if (recvmsg(sync_fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) <= 0)
		return 0;
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	size_t received = c && c->cmsg_type == SCM_RIGHTS ? (c->cmsg_len - CMSG_LEN(0)) / sizeof(int) : 0;
	size_t n = 0;
	for (size_t i = 0; i < received; i++) {
		int fd;
		memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
		if (n < max)
			fds[n++] = fd;
		else
			close(fd);
	}
	return (int)n;
}

int sc_container_send_filter(int sync_fd, const struct sc_seccomp_bpf *bpf, struct sc_error *err)
{
	static const char none = 0;
	const void *what = bpf->len ? (const void *)bpf->code : &none;
	size_t size = bpf->len ? bpf->len * sizeof(bpf->code[0]) : 1;
	ssize_t w;
	do
		w = send(sync_fd, what, size, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	/* a child that failed its setup is gone already: its own report says why */
	if (w < 0 && (errno == EPIPE || errno == ECONNRESET))
		return 0;
	return w < 0 ? sc_error_set(err, errno, "hand the seccomp filter to the container") : 0;
}

int sc_container_release(int sync_fd, int root_tree, const int *trees, size_t n, struct sc_error *err)
{
	uint8_t has_tree[SC_MAX_TREES + 1] = { root_tree >= 0 };
	int fds[SC_MAX_TREES + 1];
	size_t nfds = 0;
	char control[CMSG_SPACE((SC_MAX_TREES + 1) * sizeof(int))] = { 0 };
	if (n > SC_MAX_TREES)
		return sc_error_setf(err, E2BIG, "too many mounts (%zu, at most %d)", n, SC_MAX_TREES);
	if (root_tree >= 0)
		fds[nfds++] = root_tree;
	for (size_t i = 0; i < n; i++)
		if (trees && trees[i] >= 0) {
			has_tree[i + 1] = 1;
			fds[nfds++] = trees[i];
		}
	struct iovec iov = { .iov_base = has_tree, .iov_len = n + 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (nfds > 0) {
		msg.msg_control = control;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	ssize_t w;
	do
		w = sendmsg(sync_fd, &msg, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return sc_error_set(err, errno, "release the container");
	return 0;
}
