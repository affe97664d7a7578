/* util.h - cleanup attributes and small helpers used across the library. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

static inline void sc_freep(void *p)
{
	free(*(void **)p);
}
static inline void sc_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		(void)close(*fd);
		errno = saved;
	}
}
#define _cleanup_free_ __attribute__((cleanup(sc_freep)))
#define _cleanup_close_ __attribute__((cleanup(sc_closep)))

/* Hands ownership out of a cleanup variable. */
#define TAKE_PTR(p)                                  \
	({                                           \
		__typeof__(p) _taken = (p);          \
		(p) = NULL;                          \
		_taken;                              \
	})
#define TAKE_FD(fd)                                  \
	({                                           \
		int _taken = (fd);                   \
		(fd) = -1;                           \
		_taken;                              \
	})

#define SC_ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

/* Writes all of buf, retrying on EINTR and short writes. Returns 0 or -errno. */
int sc_write_all(int fd, const void *buf, size_t len);
/* Reads the whole (small) file at path into a NUL-terminated buffer. Returns 0 or -errno. */
int sc_read_file(const char *path, char **ret_text, size_t *ret_len);
/* The same, refusing a file of more than max bytes with -EFBIG: a regular one unread, a pipe or a
 * device after max + 1 bytes. */
int sc_read_file_max(const char *path, size_t max, char **ret_text, size_t *ret_len);
/* Writes text to an existing file at path (for /proc knobs). Returns 0 or -errno. */
int sc_write_file(const char *path, const char *text);
/* mkdir -p with mode for the missing components. Returns 0 or -errno. */
int sc_mkdir_p(const char *path, mode_t mode);
/* Removes path and everything below it, not crossing into other mounts and never following a
 * symlink below path. Returns 0 or -errno. */
int sc_rm_rf(const char *path);
/* The same for name in the directory open as dirfd: nothing of the walk is a path that a
 * symlink swapped into an ancestor could redirect. */
int sc_rm_rf_at(int dirfd, const char *name);
/* Removes everything below the directory open as fd, not crossing into other mounts, and
 * closes fd. Returns 0 or -errno. */
int sc_rm_below(int fd);
/* Where a helper program of the project is: given (an API caller's choice), else $env_name,
 * else its installed path, else name beside the running program (a build tree); the installed
 * path when none of them is executable, for the error message. buf receives the last. */
const char *sc_helper_path(const char *given, const char *env_name, const char *installed, const char *name,
			   char *buf, size_t size);
/* Whether no one but the caller can change what the directory at path holds: it is the
 * caller's and writable by no one else, and each directory above it is writable by no one but
 * its owner unless sticky (/tmp: others may not rename what is not theirs). Returns 0, -EPERM
 * (the directory is another user's), -EACCES (it, or one above, is writable by others) or
 * another -errno; culprit receives the directory at fault. */
int sc_dir_check_private(const char *path, char *culprit, size_t size);
/* A process that holds new namespaces while the caller writes their maps or opens them
 * through /proc/PID/ns: it shares the caller's memory (CLONE_VM: no page tables to copy) and
 * runs on the struct's stack, so the struct must outlive it (sc_ns_holder_release). */
struct sc_ns_holder {
	pid_t pid;
	int hold[2];
	char stack[8192] __attribute__((aligned(16)));
};
/* Starts the holder in new namespaces (CLONE_NEW* flags). Returns 0, or -errno. */
int sc_ns_holder_start(struct sc_ns_holder *holder, int flags);
/* Lets the holder go and reaps it; what was opened of its namespaces stays. Accepts a holder
 * that never started (pid <= 0). */
void sc_ns_holder_release(struct sc_ns_holder *holder);
/* CLOCK_MONOTONIC in microseconds. */
uint64_t sc_now_us(void);
