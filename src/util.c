/* util.c - small file and time helpers. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "util.h"

int sc_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int sc_read_file(const char *path, char **ret_text, size_t *ret_len)
{
	return sc_read_file_max(path, SSIZE_MAX, ret_text, ret_len);
}

int sc_read_file_max(const char *path, size_t max, char **ret_text, size_t *ret_len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	/* a regular file too large is refused unread, one of the right size read into one buffer;
	 * a pipe or a device is read until it ends or passes max */
	bool sized = S_ISREG(st.st_mode) && st.st_size > 0;
	if (sized && (uintmax_t)st.st_size > max)
		return -EFBIG;
	max = max < SSIZE_MAX ? max : SSIZE_MAX;
	size_t cap = sized ? (size_t)st.st_size + 2 : 4096, len = 0;
	_cleanup_free_ char *text = malloc(cap);
	if (!text)
		return -ENOMEM;
	for (;;) {
		if (cap - len < 2) {
			/* room for max + 1 bytes at most, enough to see there are more */
			size_t bigger = cap < (max + 2) / 2 ? cap * 2 : max + 2;
			char *p = realloc(text, bigger);
			if (!p)
				return -ENOMEM;
			text = p;
			cap = bigger;
		}
		ssize_t n = read(fd, text + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max)
			return -EFBIG;
	}
	text[len] = '\0';
	if (ret_len)
		*ret_len = len;
	*ret_text = TAKE_PTR(text);
	return 0;
}

int sc_write_file(const char *path, const char *text)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return sc_write_all(fd, text, strlen(text));
}

int sc_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = saved;
		if (saved == '\0')
			return 0;
	}
}

static int rm_below(int fd, dev_t dev);

/* Opens the directory parent/name for emptying, never through a symlink: a directory swapped
 * for a symlink after the caller's fstatat fails here (ENOTDIR) instead of being followed.
 * Emptying needs rwx: overlayfs leaves its work/work directory with mode 000, an archive may
 * make its directories read-only. The mode is changed through the opened directory itself: a
 * chmod by name would follow such a swapped-in symlink and change the file it points to, the
 * way root's cache repair once chmodded a host file of another user's choosing. */
static int open_to_empty(int parent, const char *name, dev_t dev)
{
	_cleanup_close_ int path_fd = openat(parent, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (path_fd < 0 || fstat(path_fd, &st) < 0)
		return -errno;
	if (st.st_dev != dev)
		return -EXDEV; /* a mount point: never delete into another filesystem */
	if ((st.st_mode & 0700) != 0700) {
		char self[64];
		snprintf(self, sizeof(self), "/proc/self/fd/%d", path_fd);
		(void)chmod(self, 0700);
	}
	int fd = openat(path_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int rm_rf_at(int parent, const char *name, dev_t dev)
{
	struct stat st;
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	/* unlinkat never follows a symlink: whatever name is by now, only the name goes */
	if (!S_ISDIR(st.st_mode))
		return unlinkat(parent, name, 0) < 0 && errno != ENOENT ? -errno : 0;
	int fd = open_to_empty(parent, name, dev);
	if (fd == -ENOTDIR) /* replaced by a file or symlink meanwhile: that name goes like any */
		return unlinkat(parent, name, 0) < 0 && errno != ENOENT ? -errno : 0;
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	int r = rm_below(fd, dev);
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT && r == 0)
		r = -errno;
	return r;
}

/* Removes everything below the directory open as fd (on device dev), and closes fd. */
static int rm_below(int fd, dev_t dev)
{
	DIR *d = fdopendir(fd);
	if (!d) {
		int r = -errno;
		close(fd);
		return r;
	}
	int r = 0;
	for (struct dirent *de; (de = readdir(d));) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		int q = rm_rf_at(dirfd(d), de->d_name, dev);
		if (q < 0 && r == 0)
			r = q;
	}
	closedir(d);
	return r;
}

int sc_rm_below(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	return rm_below(fd, st.st_dev);
}

int sc_rm_rf_at(int dirfd, const char *name)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	return rm_rf_at(dirfd, name, st.st_dev);
}

int sc_rm_rf(const char *path)
{
	return sc_rm_rf_at(AT_FDCWD, path);
}

int sc_dir_check_private(const char *path, char *culprit, size_t size)
{
	char real[PATH_MAX];
	struct stat st;
	snprintf(culprit, size, "%s", path);
	if (!realpath(path, real) || stat(real, &st) < 0)
		return -errno;
	snprintf(culprit, size, "%s", real);
	if (st.st_uid != geteuid())
		return -EPERM;
	if (st.st_mode & 022)
		return -EACCES;
	for (char *slash = strrchr(real, '/'); slash; slash = strrchr(real, '/')) {
		*slash = '\0';
		const char *dir = slash == real ? "/" : real;
		snprintf(culprit, size, "%s", dir);
		if (stat(dir, &st) < 0)
			return -errno;
		if ((st.st_mode & 022) && !(st.st_mode & S_ISVTX))
			return -EACCES;
	}
	return 0;
}

uint64_t sc_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

const char *sc_helper_path(const char *given, const char *env_name, const char *installed, const char *name,
			   char *buf, size_t size)
{
	const char *env = getenv(env_name);
	if (given)
		return given;
	if (env && *env)
		return env;
	if (access(installed, X_OK) == 0)
		return installed;
	size_t room = strlen(name) + 2;
	ssize_t n = size > room ? readlink("/proc/self/exe", buf, size - room) : -1;
	char *slash = n > 0 ? memrchr(buf, '/', (size_t)n) : NULL;
	if (!slash)
		return installed;
	strcpy(slash + 1, name);
	return access(buf, X_OK) == 0 ? buf : installed;
}

/* The holder waits for the caller to close the pipe (its own copy of the write end goes first,
 * or the read would never end), touching nothing but its stack and two raw system calls: libc's
 * and a sanitizer's state belong to the caller's thread. */
__attribute__((no_sanitize("address", "undefined"))) static int hold_namespaces(void *pipe_fds)
{
	const int *hold = pipe_fds;
	char byte;
	(void)syscall(SYS_close, hold[1]);
	(void)syscall(SYS_read, hold[0], &byte, 1);
	return 0;
}

int sc_ns_holder_start(struct sc_ns_holder *h, int flags)
{
	h->pid = -1;
	if (pipe2(h->hold, O_CLOEXEC) < 0)
		return -errno;
	h->pid = clone(hold_namespaces, h->stack + sizeof(h->stack), flags | CLONE_VM | SIGCHLD, h->hold);
	int r = h->pid < 0 ? -errno : 0;
	if (r < 0)
		close(h->hold[1]);
	close(h->hold[0]);
	return r;
}

void sc_ns_holder_release(struct sc_ns_holder *h)
{
	if (h->pid <= 0)
		return;
	close(h->hold[1]);
	while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR)
		;
	h->pid = -1;
}
