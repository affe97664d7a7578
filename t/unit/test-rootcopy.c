/* test-rootcopy.c - the fixture copy that is the root where no overlay can be: the tree as it
 * was (contents, modes with set-id bits, times, hard links, symlinks, fifos), devices left out,
 * read-only directories filled before they are closed, and the entry named when a copy fails. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "rootcopy.h"
#include "util.h"

static char dir[PATH_MAX], from[PATH_MAX + 8], to[PATH_MAX + 8];

static int setup(void **state)
{
	(void)state;
	const char *top_builddir = getenv("top_builddir");
	snprintf(dir, sizeof(dir), "%s/t/tmp.rootcopy.XXXXXX", top_builddir ? top_builddir : ".");
	if (!mkdtemp(dir))
		return -1;
	snprintf(from, sizeof(from), "%s/from", dir);
	snprintf(to, sizeof(to), "%s/to", dir);
	return mkdir(from, 0755) == 0 && mkdir(to, 0700) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	(void)sc_rm_rf(dir);
	return 0;
}

static void put(const char *below, const char *text, mode_t mode)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", from, below);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
}

static struct stat at(const char *root, const char *below)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", root, below);
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	return st;
}

static int copy(char *failed, size_t size)
{
	int f = open(from, O_RDONLY | O_DIRECTORY | O_CLOEXEC), t = open(to, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(f >= 0 && t >= 0);
	int r = sc_rootcopy(f, t, failed, size);
	close(f);
	close(t);
	return r;
}

static void test_tree(void **state)
{
	(void)state;
	char path[PATH_MAX + 64], failed[256] = "";
	assert_int_equal(mkdir(strcat(strcpy(path, from), "/usr"), 0755), 0);
	assert_int_equal(mkdir(strcat(strcpy(path, from), "/usr/bin"), 0755), 0);
	put("usr/bin/tool", "#!/bin/sh\n", 04755);
	put("usr/bin/data", "data", 0640);
	char a[PATH_MAX + 64], b[PATH_MAX + 64];
	snprintf(a, sizeof(a), "%s/usr/bin/tool", from);
	snprintf(b, sizeof(b), "%s/usr/tool-again", from);
	assert_int_equal(link(a, b), 0);
	snprintf(b, sizeof(b), "%s/usr/rel", from);
	assert_int_equal(symlink("bin/tool", b), 0);
	snprintf(b, sizeof(b), "%s/dangling", from);
	assert_int_equal(symlink("/nowhere", b), 0);
	snprintf(b, sizeof(b), "%s/fifo", from);
	assert_int_equal(mkfifo(b, 0600), 0);
	assert_int_equal(chmod(b, 0620), 0);
	struct timespec times[2] = { { 1000000, 0 }, { 2000000, 0 } };
	assert_int_equal(utimensat(AT_FDCWD, a, times, 0), 0);
	/* a read-only directory with a file in it: filled first, closed after */
	assert_int_equal(mkdir(strcat(strcpy(path, from), "/ro"), 0755), 0);
	put("ro/inside", "x", 0644);
	assert_int_equal(chmod(path, 0555), 0);
	if (geteuid() == 0) {
		snprintf(b, sizeof(b), "%s/null", from);
		assert_int_equal(mknod(b, S_IFCHR | 0666, makedev(1, 3)), 0);
	}

	assert_int_equal(copy(failed, sizeof(failed)), 0);

	struct stat st = at(to, "usr/bin/tool");
	assert_int_equal(st.st_mode & 07777, 04755);
	assert_int_equal(st.st_mtim.tv_sec, 2000000);
	assert_int_equal(st.st_nlink, 2);
	struct stat again = at(to, "usr/tool-again");
	assert_int_equal(again.st_ino, st.st_ino);
	assert_int_equal(at(to, "usr/bin/data").st_mode & 07777, 0640);
	assert_int_equal(at(to, "usr/bin/data").st_size, 4);
	assert_true(S_ISLNK(at(to, "usr/rel").st_mode));
	snprintf(b, sizeof(b), "%s/usr/rel", to);
	char target[64] = "";
	assert_int_equal(readlink(b, target, sizeof(target) - 1), 8);
	assert_string_equal(target, "bin/tool");
	assert_true(S_ISLNK(at(to, "dangling").st_mode));
	assert_true(S_ISFIFO(at(to, "fifo").st_mode));
	assert_int_equal(at(to, "fifo").st_mode & 07777, 0620);
	assert_int_equal(at(to, "ro").st_mode & 07777, 0555);
	assert_int_equal(at(to, "ro/inside").st_size, 1);
	assert_int_equal(at(to, "").st_mode & 07777, 0755); /* the root's own mode */
	snprintf(b, sizeof(b), "%s/null", to);
	assert_int_equal(access(b, F_OK), -1); /* no device node */
	/* the copy is the fixture's twin, not the fixture: writing one leaves the other */
	snprintf(b, sizeof(b), "%s/usr/bin/data", to);
	FILE *f = fopen(b, "w");
	assert_non_null(f);
	fputs("changed", f);
	fclose(f);
	assert_int_equal(at(from, "usr/bin/data").st_size, 4);
	snprintf(path, sizeof(path), "%s/ro", from);
	(void)chmod(path, 0755);
	snprintf(path, sizeof(path), "%s/ro", to);
	(void)chmod(path, 0755);
}

static void test_failure_named(void **state)
{
	(void)state;
	char path[PATH_MAX + 64], failed[256] = "";
	assert_int_equal(mkdir(strcat(strcpy(path, from), "/etc"), 0755), 0);
	put("etc/conf", "c", 0644);
	/* the same name already in the target: the copy stops there and names it */
	snprintf(path, sizeof(path), "%s/etc", to);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(copy(failed, sizeof(failed)), -EEXIST);
	assert_string_equal(failed, "/etc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_named, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
