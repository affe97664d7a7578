/* rootcopy.c - the fixture copied into the container's root, where no overlay can hold it.
 *
 * An overlay mounted in a user namespace keeps its whiteouts and opaque directories in user.*
 * xattrs of the upper layer, and tmpfs holds user.* xattrs only since Linux 6.6: on older
 * kernels the overlay mounts, but removing or renaming a directory that comes from the fixture
 * fails with EIO. There the root is a copy of the fixture on the run's tmpfs instead, which
 * behaves like any directory, at the price of copying the fixture for every run. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "rootcopy.h"
#include "util.h"

bool sc_rootcopy_needed(int upper_fd)
{
	if (fsetxattr(upper_fd, "user.simpcon.probe", "1", 1, 0) == 0) {
		(void)fremovexattr(upper_fd, "user.simpcon.probe");
		return false;
	}
	return errno == EOPNOTSUPP;
}

/* Regular files with more than one link, by their source inode, so the copy keeps the links. */
struct links {
	struct link {
		dev_t dev;
		ino_t ino;
		char *path; /* relative to the copy's root */
	} *v;
	size_t n, cap;
};

struct copy {
	int to_root;
	struct links links;
	char path[4096]; /* the entry being copied, relative to the root: for the error */
};

static int copy_bytes(int from, int to, off_t size)
{
	for (off_t left = size; left > 0;) {
		ssize_t n = sendfile(to, from, NULL, (size_t)left);
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO; /* the file shrank under the copy */
		left -= n;
	}
	return 0;
}

static int remember_link(struct links *l, const struct stat *st, const char *path)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct link *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	char *copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	l->v[l->n++] = (struct link){ st->st_dev, st->st_ino, copy };
	return 0;
}

static const char *linked_before(const struct links *l, const struct stat *st)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].dev == st->st_dev && l->v[i].ino == st->st_ino)
			return l->v[i].path;
	return NULL;
}

/* Owner, mode and times as the fixture has them (as the container sees them). An owner that
 * does not map into the container stays container root: the overlay would show it as the
 * overflow id, which no one inside could own either. */
static int set_meta(int dirfd, const char *name, const struct stat *st, bool link)
{
	int flags = AT_SYMLINK_NOFOLLOW;
	if (fchownat(dirfd, name, st->st_uid, st->st_gid, flags) < 0 && errno != EINVAL && errno != EPERM)
		return -errno;
	/* after the chown, which clears set-id bits; a symlink has no mode of its own */
	if (!link && fchmodat(dirfd, name, st->st_mode & 07777, 0) < 0)
		return -errno;
	struct timespec times[2] = { st->st_atim, st->st_mtim };
	return utimensat(dirfd, name, times, flags) < 0 ? -errno : 0;
}

static int copy_dir(struct copy *c, int from, int to, size_t at);

static int copy_entry(struct copy *c, int from, int to, const char *name)
{
	struct stat st;
	if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	int r = 0;
	if (S_ISDIR(st.st_mode)) {
		if (mkdirat(to, name, 0700) < 0)
			return -errno;
		_cleanup_close_ int sub_from = openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		_cleanup_close_ int sub_to = openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub_from < 0 || sub_to < 0)
			return -errno;
		if ((r = copy_dir(c, sub_from, sub_to, strlen(c->path))) < 0)
			return r;
	} else if (S_ISREG(st.st_mode)) {
		const char *first = st.st_nlink > 1 ? linked_before(&c->links, &st) : NULL;
		if (first)
			return linkat(c->to_root, first + 1, to, name, 0) < 0 ? -errno : 0;
		_cleanup_close_ int in = openat(from, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		_cleanup_close_ int out = openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (in < 0 || out < 0)
			return -errno;
		if ((r = copy_bytes(in, out, st.st_size)) < 0)
			return r;
		if (st.st_nlink > 1 && (r = remember_link(&c->links, &st, c->path)) < 0)
			return r;
	} else if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlinkat(from, name, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		if (symlinkat(target, to, name) < 0)
			return -errno;
	} else if (S_ISFIFO(st.st_mode)) {
		if (mkfifoat(to, name, 0600) < 0)
			return -errno;
	} else {
		return 0; /* device nodes and sockets: none can be made in a user namespace, none opens */
	}
	return set_meta(to, name, &st, S_ISLNK(st.st_mode));
}

static int copy_dir(struct copy *c, int from, int to, size_t at)
{
	int dup_from = fcntl(from, F_DUPFD_CLOEXEC, 3);
	if (dup_from < 0)
		return -errno;
	DIR *d = fdopendir(dup_from);
	if (!d) {
		close(dup_from);
		return -errno;
	}
	int r = 0;
	for (struct dirent *e; r == 0 && (errno = 0, e = readdir(d));) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (snprintf(c->path + at, sizeof(c->path) - at, "/%s", e->d_name) >= (int)(sizeof(c->path) - at))
			r = -ENAMETOOLONG;
		else
			r = copy_entry(c, from, to, e->d_name);
	}
	if (r == 0 && errno)
		r = -errno;
	closedir(d);
	if (r == 0)
		c->path[at] = '\0';
	return r;
}

int sc_rootcopy(int from, int to, char *failed, size_t size)
{
	struct copy *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->to_root = to;
	int r = copy_dir(c, from, to, 0);
	if (r < 0)
		snprintf(failed, size, "%s", c->path[0] ? c->path : "/");
	struct stat st;
	if (r == 0 && fstat(from, &st) == 0) {
		/* the root's own owner and mode, as for every directory below it */
		if (fchown(to, st.st_uid, st.st_gid) < 0 && errno != EINVAL && errno != EPERM)
			r = -errno;
		else if (fchmod(to, st.st_mode & 07777) < 0)
			r = -errno;
		if (r < 0)
			snprintf(failed, size, "/");
	}
	for (size_t i = 0; i < c->links.n; i++)
		free(c->links.v[i].path);
	free(c->links.v);
	free(c);
	return r;
}
