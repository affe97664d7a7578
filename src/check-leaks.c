/* check-leaks.c - check points that plant a marker on the host (open fds, a file in /dev/shm,
 * a harness that dies) and look for it from inside or afterwards: what reaches the container
 * is observed, not inferred from the setup's own tables. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check-internal.h"
#include "error.h"
#include "run.h"
#include "util.h"

#define LEAK_MARKER "simpcon-check-leak-marker"

/* An fd on path at exactly want, without O_CLOEXEC; what the harness itself had there is
 * moved aside into *saved (-1: nothing), for put_back. Returns want or -1. */
static int leak_fd(const char *path, int want, int *saved)
{
	/* above every number tried, so that no later one lands on it */
	*saved = fcntl(want, F_GETFD) < 0 ? -1 : fcntl(want, F_DUPFD_CLOEXEC, 1001);
	if (*saved < 0 && fcntl(want, F_GETFD) >= 0)
		return -1; /* in use, and nowhere to keep it: this number is not tried */
	int fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	int at = fd == want ? fd : dup2(fd, want);
	if (at != fd)
		close(fd);
	if (at >= 0)
		(void)fcntl(at, F_SETFD, 0);
	return at;
}

/* Closes the marker at want and gives the harness back what it had there. */
static void put_back(int want, int at, int saved)
{
	if (at < 0)
		return;
	if (saved >= 0) {
		(void)dup2(saved, want); /* as it was: the harness's fds here are its caller's */
		close(saved);
	} else {
		close(want);
	}
}

/* fds 3 and 4 (tap-driver's log is fd 3), two far above (200, and 1000 past any small
 * range a close could stop at), and a pidfd, all without O_CLOEXEC: the command's own fd
 * table must hold none of them. */
int sc_check_fds(struct suite *s, struct point *p)
{
	char marker[128];
	snprintf(marker, sizeof(marker), "%s/" LEAK_MARKER, s->tmp);
	/* exactly these numbers, whatever the harness holds there (moved aside meanwhile) */
	static const int want[4] = { 3, 4, 200, 1000 };
	int saved[4], fds[5];
	for (size_t i = 0; i < 4; i++)
		fds[i] = leak_fd(marker, want[i], &saved[i]);
	fds[4] = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (fds[4] >= 0)
		(void)fcntl(fds[4], F_SETFD, 0);
	struct sc_result *res = NULL;
	int r = sc_check_run_in(s, NULL, &res, "ls", "-l", "/proc/self/fd/", NULL);
	for (size_t i = 4; i-- > 0;)
		put_back(want[i], fds[i], saved[i]);
	if (fds[4] >= 0)
		close(fds[4]);
	if (r < 0)
		return r;
	const char *out = sc_result_stdout(res, NULL, NULL);
	bool leaked = strstr(out, LEAK_MARKER) || strstr(out, "pidfd");
	sc_check_say(p, leaked ? SC_VERDICT_FAIL : SC_VERDICT_PASS,
		     "fds %d, %d, %d, %d (a file) and %d (a pidfd) left open without O_CLOEXEC: %s inside", fds[0],
		     fds[1], fds[2], fds[3], fds[4], leaked ? "SEEN" : "none");
	sc_result_free(res);
	return 0;
}

/* The harness's stdin holds a marker, its environment a variable: the command reads
 * /dev/null and gets the fixed environment (and --env), neither of the harness's. */
int sc_check_stdin_env(struct suite *s, struct point *p)
{
	char marker[128];
	snprintf(marker, sizeof(marker), "%s/stdin", s->tmp);
	_cleanup_close_ int file = open(marker, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	_cleanup_close_ int saved = fcntl(0, F_DUPFD_CLOEXEC, 3);
	if (file < 0 || sc_write_all(file, LEAK_MARKER "-stdin\n", sizeof(LEAK_MARKER "-stdin")) < 0 ||
	    lseek(file, 0, SEEK_SET) < 0)
		return sc_error_set(s->err, errno, "create '%s'", marker);
	if (dup2(file, 0) < 0)
		return sc_error_set(s->err, errno, "put '%s' on the harness's stdin", marker);
	(void)setenv("SIMPCON_CHECK_LEAK", LEAK_MARKER "-env", 1);
	struct sc_result *res = NULL;
	int r = sc_check_run_in(s, NULL, &res, "sh", "-c", "cat; env; readlink /proc/self/fd/0", NULL);
	(void)unsetenv("SIMPCON_CHECK_LEAK");
	if (saved >= 0)
		(void)dup2(saved, 0);
	else
		close(0);
	if (r < 0)
		return r;
	const char *out = sc_result_stdout(res, NULL, NULL);
	bool stdin_seen = strstr(out, LEAK_MARKER "-stdin") != NULL;
	bool env_seen = strstr(out, LEAK_MARKER "-env") != NULL;
	bool null = strstr(out, "/dev/null\n") != NULL;
	sc_check_say(p, stdin_seen || env_seen || !null ? SC_VERDICT_FAIL : SC_VERDICT_PASS,
		     "a marker on the harness's stdin %s inside, its environment variable %s; the command's stdin %s "
		     "/dev/null",
		     stdin_seen ? "READ" : "not read", env_seen ? "SEEN" : "not seen", null ? "is" : "is NOT");
	sc_result_free(res);
	return 0;
}

/* A file the host puts in its /dev/shm must not be seen inside, and one made inside must not
 * reach the host's. */
int sc_check_shm(struct suite *s, struct point *p)
{
	char host[96], inside[96], script[256];
	snprintf(host, sizeof(host), "/dev/shm/%s-%d", LEAK_MARKER, (int)getpid());
	snprintf(inside, sizeof(inside), "%s-inside-%d", LEAK_MARKER, (int)getpid());
	_cleanup_close_ int fd = open(host, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		sc_check_say(p, SC_VERDICT_SKIP, "the host has no writable /dev/shm");
		return 0;
	}
	snprintf(script, sizeof(script), "ls -a /dev/shm; echo x >/dev/shm/%s", inside);
	struct sc_result *res = NULL;
	int r = sc_check_run_in(s, NULL, &res, "sh", "-c", script, NULL);
	(void)unlink(host);
	char back[128];
	snprintf(back, sizeof(back), "/dev/shm/%s", inside);
	bool came_back = unlink(back) == 0;
	if (r < 0)
		return r;
	bool seen = strstr(sc_result_stdout(res, NULL, NULL), LEAK_MARKER) != NULL;
	sc_check_say(p, seen || came_back ? SC_VERDICT_FAIL : SC_VERDICT_PASS,
		     "a host file in /dev/shm %s inside; a file made in the container's /dev/shm %s on the host",
		     seen ? "SEEN" : "not seen", came_back ? "APPEARED" : "did not appear");
	sc_result_free(res);
	return 0;
}

/* The host pid of a process whose command line is exactly arg0 and arg1, or 0. */
static pid_t find_process(const char *arg0, const char *arg1)
{
	char want[64], path[64], got[64];
	int n = snprintf(want, sizeof(want), "%s%c%s", arg0, '\0', arg1) + 1;
	DIR *d = opendir("/proc");
	pid_t found = 0;
	for (struct dirent *de; d && !found && (de = readdir(d));) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
		_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && read(fd, got, sizeof(got)) == n && !memcmp(got, want, (size_t)n))
			found = (pid_t)atoi(de->d_name);
	}
	if (d)
		closedir(d);
	return found;
}

/* The harness is SIGKILLed mid-run: the kernel must take its container with it (the
 * parent-death signal, armed again after every credential change). */
int sc_check_harness_death(struct suite *s, struct point *p)
{
	char seconds[32];
	snprintf(seconds, sizeof(seconds), "%d.%d", 3000 + (int)(getpid() % 1000), 7);
	pid_t harness = fork();
	if (harness < 0)
		return sc_error_set(s->err, errno, "fork");
	if (harness == 0) {
		struct sc_result *res = NULL;
		struct sc_error err;
		struct suite child = *s;
		child.err = &err;
		(void)sc_check_run_in(&child, NULL, &res, "sleep", seconds, NULL);
		_exit(0);
	}
	pid_t command = 0;
	for (int i = 0; i < 200 && !(command = find_process("sleep", seconds)); i++)
		usleep(10000);
	(void)kill(harness, SIGKILL);
	(void)waitpid(harness, NULL, 0);
	pid_t left = command;
	for (int i = 0; i < 200 && (left = find_process("sleep", seconds)); i++)
		usleep(10000);
	if (left > 0)
		(void)kill(left, SIGKILL); /* the check leaves nothing running, whatever it found */
	if (!command)
		sc_check_say(p, SC_VERDICT_FAIL, "the container's command never started");
	else
		sc_check_say(p, left ? SC_VERDICT_FAIL : SC_VERDICT_PASS, "after SIGKILL of the harness its container %s",
			     left ? "STILL RAN (killed now)" : "was gone within 2 s");
	return 0;
}

/* One kind of per-user resource: a container makes them until refused and holds them, and
 * the harness's user makes one meanwhile. Appends what was seen to detail; false when the
 * harness's user was refused. */
static int starve(struct suite *s, const char *kind, char *detail, size_t size, bool *ret_left)
{
	char dir[128], made[160];
	snprintf(dir, sizeof(dir), "%s/%s", s->tmp, kind);
	snprintf(made, sizeof(made), "%s/made", dir);
	if (mkdir(dir, 0755) < 0)
		return sc_error_set(s->err, errno, "create '%s'", dir);
	pid_t harness = fork();
	if (harness < 0)
		return sc_error_set(s->err, errno, "fork");
	if (harness == 0) {
		struct sc_mount m = { .source = dir, .dest = "/b" };
		struct sc_config c = SC_CONFIG_INIT;
		c.mounts = &m;
		c.n_mounts = 1;
		struct sc_result *res = NULL;
		struct sc_error err;
		struct suite child = *s;
		child.err = &err;
		(void)sc_check_probe(&child, &c, &res, "fill", kind, "/b/made", NULL);
		_exit(0);
	}
	_cleanup_free_ char *text = NULL;
	for (int i = 0; i < 500 && (sc_read_file(made, &text, NULL) < 0 || !strchr(text, '\n')); i++) {
		free(text);
		text = NULL;
		usleep(10000);
	}
	int mine = -1, why = 0;
	if (!strcmp(kind, "inotify")) {
		mine = inotify_init1(IN_CLOEXEC);
	} else {
		char name[64];
		snprintf(name, sizeof(name), "/simpcon-check-%d", (int)getpid());
		mqd_t q = mq_open(name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600, NULL);
		mine = (int)q;
		if (q != (mqd_t)-1)
			(void)mq_unlink(name);
	}
	why = errno;
	if (mine >= 0)
		close(mine);
	(void)kill(harness, SIGKILL); /* its container goes with it */
	(void)waitpid(harness, NULL, 0);
	if (text)
		text[strcspn(text, "\n")] = '\0';
	size_t used = strlen(detail);
	snprintf(detail + used, size - used, "%s%s: the container %s, the caller then %s", used ? "; " : "", kind,
		 text && *text ? text : "reported nothing", mine >= 0 ? "made one" : strerror(why));
	*ret_left = mine >= 0 && text && *text;
	return 0;
}

/* Per-user kernel resources are charged to the caller: a container taking all the inotify
 * instances and message queues it can must leave the caller some. */
int sc_check_user_resources(struct suite *s, struct point *p)
{
	if (sc_check_binds_skip(s, p))
		return 0; /* the container tells what it holds through a bind */
	char detail[sizeof(p->detail)] = "";
	bool inotify = false, mqueue = false;
	int r = starve(s, "inotify", detail, sizeof(detail), &inotify);
	if (r == 0)
		r = starve(s, "mqueue", detail, sizeof(detail), &mqueue);
	if (r < 0)
		return r;
	sc_check_say(p, inotify && mqueue ? SC_VERDICT_PASS : SC_VERDICT_FAIL, "%s", detail);
	return 0;
}
