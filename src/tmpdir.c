/* tmpdir.c - what the harness makes in $TMPDIR, and the sweep of what dead makers left (see
 * tmpdir.h). */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "tmpdir.h"
#include "util.h"

static const struct {
	const char *prefix;
	bool dir;
} kinds[] = {
	[SC_TMPDIR_FIXTURE] = { "simpcon-fixture-", true },
	[SC_TMPDIR_SCRIPT] = { "simpcon-script-", false },
	[SC_TMPDIR_CHECK] = { "simpcon-check-", true },
	[SC_TMPDIR_KERNEL] = { "simpcon-kernel-", true },
};

#define SUFFIX_LEN 6 /* mkdtemp's and mkstemp's XXXXXX */

/* The kind name was made as, or -1: a prefix of the table and mkdtemp's six letters or digits,
 * nothing else ("simpcon-fixture-keep.tar" is someone's own). */
static int kind_of(const char *name)
{
	for (size_t k = 0; k < SC_ELEMENTSOF(kinds); k++) {
		size_t n = strlen(kinds[k].prefix);
		if (strncmp(name, kinds[k].prefix, n) || strlen(name + n) != SUFFIX_LEN)
			continue;
		for (const char *p = name + n; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
				return -1;
		return (int)k;
	}
	return -1;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Removes name (in the directory open as dirfd) when it is what a dead maker of kind left:
 * the caller's, of the kind's type, and its lock free. The lock is held while it goes, so a
 * maker that lost the race to this sweep sees its name gone and makes another. */
static bool sweep_one(int dirfd, const char *name, bool dir)
{
	struct stat st, held;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_uid != geteuid())
		return false;
	/* a second name of a file is not one made here (a hard link someone planted) */
	if (dir ? !S_ISDIR(st.st_mode) : (!S_ISREG(st.st_mode) || st.st_nlink != 1))
		return false;
	/* O_NOFOLLOW, O_NONBLOCK: a symlink or fifo swapped in since the look is not opened */
	_cleanup_close_ int fd =
		openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
	if (fd < 0 || fstat(fd, &held) < 0 || !same_file(&st, &held))
		return false;
	/* held: its maker lives; any other failure (no flock on this file system) proves nothing */
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		return false;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !same_file(&st, &held))
		return false;
	return (dir ? sc_rm_rf_at(dirfd, name) : unlinkat(dirfd, name, 0)) == 0;
}

unsigned sc_tmpdir_sweep(const char *tmpdir)
{
	DIR *d = opendir(tmpdir);
	if (!d)
		return 0;
	unsigned removed = 0;
	for (struct dirent *de; (de = readdir(d));) {
		int k = kind_of(de->d_name);
		if (k >= 0 && sweep_one(dirfd(d), de->d_name, kinds[k].dir))
			removed++;
	}
	closedir(d);
	return removed;
}

/* Whether path still names the file open as fd. */
static bool still_named(int fd, const char *path)
{
	struct stat held, named;
	return fstat(fd, &held) == 0 && lstat(path, &named) == 0 && same_file(&held, &named);
}

int sc_tmpdir_make(const char *tmpdir, enum sc_tmpdir_kind kind, char *ret_path, size_t size)
{
	(void)sc_tmpdir_sweep(tmpdir);
	for (int round = 0; round < 8; round++) {
		if (snprintf(ret_path, size, "%s/%sXXXXXX", tmpdir, kinds[kind].prefix) >= (int)size)
			return -ENAMETOOLONG;
		int fd;
		if (kinds[kind].dir) {
			if (!mkdtemp(ret_path))
				return -errno;
			fd = open(ret_path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0) {
				int r = -errno;
				(void)rmdir(ret_path);
				return r;
			}
		} else if ((fd = mkostemp(ret_path, O_CLOEXEC)) < 0) {
			return -errno;
		}
		/* Until now no other user could open it (mode 0700 or 0600), so only a sweep of the
		 * caller's can hold the lock, for as long as it takes to remove the name. A file
		 * system without flock leaves it unlocked: never swept, never wrongly. */
		int r;
		while ((r = flock(fd, LOCK_EX)) < 0 && errno == EINTR)
			;
		if (r < 0 || still_named(fd, ret_path))
			return fd;
		close(fd);
	}
	return -EAGAIN;
}

const char *sc_tmpdir_default(void)
{
	const char *t = getenv("TMPDIR");
	return t && *t ? t : "/tmp";
}
