/* lockfile.c - private lock files (see lockfile.h). */
#include "config.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lockfile.h"
#include "util.h"

/* A lock file nobody else can open: the caller's, a regular file, no bit for group or others. */
static bool is_private(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() && !(st.st_mode & 077);
}

/* Opens name, replacing it when it is not private; gives up after a few rounds against a
 * replacement that keeps coming back. */
static int open_private(int dirfd, const char *name)
{
	for (int round = 0; round < 4; round++) {
		/* O_NONBLOCK: a fifo planted under the name must not hang the open */
		int fd = openat(dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
		if (fd >= 0 && is_private(fd))
			return fd;
		if (fd >= 0)
			close(fd);
		/* ELOOP: a symlink; EACCES: someone else's file where fs.protected_regular forbids the
		 * open; either way the name is replaced, never followed or used */
		else if (errno != ELOOP && errno != EACCES)
			return -errno;
		if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
			return errno == EACCES ? -EPERM : -errno;
	}
	return -EPERM;
}

static int wait_lock(int fd, uint64_t deadline_us)
{
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		if (sc_now_us() >= deadline_us)
			return -EWOULDBLOCK;
		usleep(20000);
	}
	return 0;
}

/* Whether the locked fd is still the file called name. */
static bool still_named(int dirfd, const char *name, int fd)
{
	struct stat held, named;
	return fstat(fd, &held) == 0 && fstatat(dirfd, name, &named, AT_SYMLINK_NOFOLLOW) == 0 &&
	       held.st_dev == named.st_dev && held.st_ino == named.st_ino;
}

int sc_lockfile_take(int dirfd, const char *name, uint64_t deadline_us)
{
	for (;;) {
		int fd = open_private(dirfd, name);
		if (fd < 0)
			return fd;
		int r = wait_lock(fd, deadline_us);
		if (r == 0 && still_named(dirfd, name, fd))
			return fd;
		close(fd);
		if (r < 0)
			return r;
		if (sc_now_us() >= deadline_us)
			return -EWOULDBLOCK;
	}
}
