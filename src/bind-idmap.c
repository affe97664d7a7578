/* bind-idmap.c - the user namespace a bind is idmapped through, run by root.
 *
 * Threat: idmapped through the container's own user namespace, a bind maps every container id
 * to the same number on disk, so container root could chown a file in the host's tree to 0 or
 * to any other user's id (and, with a set-id bit, make a program that runs as them). Through a
 * namespace whose only mapping is the invoking user (and group) to container root, the
 * caller's files are container root's inside, container root's writes are the caller's on
 * disk, and every other id maps to nothing: the kernel refuses a chown to it (EINVAL) or a
 * write by another container uid (EOVERFLOW). */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bind-idmap.h"
#include "error.h"
#include "syscalls.h"
#include "util.h"

static int write_map(pid_t pid, const char *which, unsigned inside, unsigned outside, struct sc_error *err)
{
	char path[64], line[48];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, which);
	snprintf(line, sizeof(line), "%u %u 1\n", inside, outside);
	int r = sc_write_file(path, line);
	return r < 0 ? sc_error_set(err, -r, "write '%u %u 1' to '%s'", inside, outside, path) : 0;
}

/* Holds the namespace until the parent closes the pipe (its own copy of the write end goes
 * first, or the read would never end). It shares the parent's memory (CLONE_VM: no page
 * tables to copy), so it touches nothing but its stack and two raw system calls (no libc or
 * sanitizer state, which belong to the parent's thread). */
__attribute__((no_sanitize("address", "undefined"))) static int hold_namespace(void *pipe_fds)
{
	const int *hold = pipe_fds;
	char byte;
	(void)syscall(SYS_close, hold[1]);
	(void)syscall(SYS_read, hold[0], &byte, 1);
	return 0;
}

int sc_bind_userns(uid_t caller_uid, gid_t caller_gid, uid_t root_uid, gid_t root_gid, int *ret_fd,
		   struct sc_error *err)
{
	int hold[2];
	if (pipe2(hold, O_CLOEXEC) < 0)
		return sc_error_set(err, errno, "create a pipe");
	char stack[8192] __attribute__((aligned(16)));
	pid_t pid = clone(hold_namespace, stack + sizeof(stack), CLONE_NEWUSER | CLONE_VM | SIGCHLD, hold);
	int code = errno;
	close(hold[0]);
	int r = 0, fd = -1;
	if (pid < 0)
		r = sc_error_set(err, code, "create the user namespace for idmapped binds");
	if (r == 0)
		r = write_map(pid, "uid_map", (unsigned)caller_uid, (unsigned)root_uid, err);
	if (r == 0)
		r = write_map(pid, "gid_map", (unsigned)caller_gid, (unsigned)root_gid, err);
	if (r == 0) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			r = sc_error_set(err, errno, "open '%s'", path);
	}
	close(hold[1]); /* the holder reads EOF and exits; the fd keeps the namespace */
	while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (r == 0)
		*ret_fd = fd;
	return r;
}
