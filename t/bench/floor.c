/* floor.c - the bare-kernel floor of one container start, for `make bench`.
 *
 * Does, N times, only what any container start must do, and times each round:
 *   clone3 with new user, pid, mount, uts, ipc, cgroup (and net) namespaces
 *   parent: write the id maps, release the child, wait for it
 *   child:  / private, bind the root onto itself, proc inside it, pivot_root(".", "."),
 *           detach the old root, exec /bin/true of the root
 * No probes, no /dev, no overlay, no reporting: whatever simpcon-test spends beyond this is
 * the harness's own cost.
 *
 *   floor [-n N] [--no-net] ROOTFS
 * prints one line: "floor: net=yes n=200 median_us=1480.2 mean_us=1523.9 min_us=... max_us=..."
 * Run by root, container root maps to host 0x70000000 (65536 ids: the first slice of
 * simpcon-test's own range, no user's); run by a user, to that user. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* clone3 args, pipe2, dprintf */
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROOT_MAP_START 0x70000000
#define ROOT_MAP_COUNT 65536

struct options {
	long n;
	int net;
	const char *rootfs;
};

/* In the child nothing can be reported but on stderr: name the step, then leave. */
static _Noreturn void child_die(const char *step)
{
	int code = errno;
	dprintf(2, "floor: child: %s: %s\n", step, strerror(code));
	_exit(125);
}

static void die(const char *step)
{
	int code = errno;
	fprintf(stderr, "floor: %s: %s\n", step, strerror(code));
	exit(3);
}

static _Noreturn void child(const struct options *o, int sync_fd)
{
	char byte;
	ssize_t n;
	do
		n = read(sync_fd, &byte, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(125); /* the parent is gone */
	/* run by root, host uid 0 is unmapped here: become the namespace's root, as a container does */
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		child_die("become root of the user namespace");
	/* nothing mounted here may propagate back to the host */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		child_die("make '/' private");
	if (mount(o->rootfs, o->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		child_die("bind the root onto itself");
	if (chdir(o->rootfs) < 0)
		child_die("enter the root");
	/* a user namespace may mount proc only while a full proc is visible: before pivot_root */
	if (mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		child_die("mount proc");
	/* pivot_root(".", ".") stacks the old root on the new one; the detach removes it */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		child_die("pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		child_die("detach the old root");
	if (chdir("/") < 0)
		child_die("chdir '/'");
	char *const argv[] = { (char *)"true", NULL };
	char *const envp[] = { (char *)"PATH=/bin", NULL };
	execve("/bin/true", argv, envp);
	child_die("exec '/bin/true'");
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t w = write(fd, text, strlen(text));
	int code = errno;
	close(fd);
	errno = code;
	return w == (ssize_t)strlen(text) ? 0 : -1;
}

static void write_maps(pid_t pid)
{
	char path[64], map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();
	if (uid == 0) {
		snprintf(map, sizeof(map), "0 %d %d\n", ROOT_MAP_START, ROOT_MAP_COUNT);
		snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
		if (write_file(path, map) < 0)
			die("write uid_map");
		snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
		if (write_file(path, map) < 0)
			die("write gid_map");
		return;
	}
	/* an unprivileged gid_map needs setgroups denied first */
	snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
	if (write_file(path, "deny") < 0)
		die("write setgroups");
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)uid);
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	if (write_file(path, map) < 0)
		die("write uid_map");
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)gid);
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	if (write_file(path, map) < 0)
		die("write gid_map");
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One container start, clone to reap; returns its duration in nanoseconds. */
static uint64_t one_round(const struct options *o)
{
	int sync[2];
	if (pipe2(sync, O_CLOEXEC) < 0)
		die("create the sync pipe");
	uint64_t start = now_ns();
	struct clone_args args = {
		.flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP |
			 (o->net ? CLONE_NEWNET : 0),
		.exit_signal = SIGCHLD,
	};
	pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0)
		die("clone3 with new namespaces");
	if (pid == 0) {
		close(sync[1]);
		child(o, sync[0]);
	}
	close(sync[0]);
	write_maps(pid);
	if (write(sync[1], "x", 1) != 1)
		die("release the child");
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("wait for the child");
	uint64_t took = now_ns() - start;
	close(sync[1]);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "floor: the container failed (status 0x%x)\n", status);
		exit(3);
	}
	return took;
}

static int by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: floor [-n N] [--no-net] ROOTFS\n"
		   "Times N bare container starts (clone3 + id maps + pivot_root + proc + exec /bin/true).\n");
}

static void parse(int argc, char **argv, struct options *o)
{
	*o = (struct options){ .n = 200, .net = 1 };
	for (int i = 1; i < argc; i++) {
		char *end;
		if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			o->n = strtol(argv[++i], &end, 10);
			if (*end || o->n < 1) {
				fprintf(stderr, "floor: -n '%s' is not a positive number\n", argv[i]);
				exit(2);
			}
		} else if (!strcmp(argv[i], "--no-net")) {
			o->net = 0;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			exit(0);
		} else if (argv[i][0] != '-' && !o->rootfs) {
			o->rootfs = argv[i];
		} else {
			usage(stderr);
			exit(2);
		}
	}
	if (!o->rootfs) {
		usage(stderr);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	struct options o;
	parse(argc, argv, &o);
	char bin_true[4096];
	snprintf(bin_true, sizeof(bin_true), "%s/bin/true", o.rootfs);
	if (access(bin_true, X_OK) < 0) {
		fprintf(stderr, "floor: '%s': %s (give a busybox root)\n", bin_true, strerror(errno));
		return 2;
	}
	uint64_t *took = calloc((size_t)o.n, sizeof(*took));
	if (!took)
		die("allocate the samples");
	(void)one_round(&o); /* warm-up: page cache, dentries */
	long double sum = 0;
	for (long i = 0; i < o.n; i++) {
		took[i] = one_round(&o);
		sum += took[i];
	}
	qsort(took, (size_t)o.n, sizeof(*took), by_value);
	double median = o.n % 2 ? took[o.n / 2] : (took[o.n / 2 - 1] + took[o.n / 2]) / 2.0;
	printf("floor: net=%s n=%ld median_us=%.1f mean_us=%.1f min_us=%.1f max_us=%.1f\n", o.net ? "yes" : "no",
	       o.n, median / 1e3, (double)(sum / o.n) / 1e3, took[0] / 1e3, took[o.n - 1] / 1e3);
	free(took);
	return 0;
}
