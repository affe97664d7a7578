/* test-util.c - sc_rm_rf: a tree with read-only directories and symlinks to files outside is
 * removed, and nothing outside it changes, even when a directory is swapped for a symlink
 * between the walk's look at it and its repair chmod (the race fstatat's wrapper plays). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "util.h"

#define CANARY_TEXT "canary\n"

struct tree {
	char dir[PATH_MAX];  /* holds outside/ and tree/ */
	char outside[PATH_MAX + 16]; /* the canary lives here */
	char canary[PATH_MAX + 32];
	char top[PATH_MAX + 16];     /* what sc_rm_rf removes */
};

/* The attacker of the race: armed with a directory's name, it renames that directory away and
 * puts a symlink to the canary in its place right after the walk has looked at it. */
static struct {
	const char *victim;
	const char *canary;
	int parent_fd;
	bool fired;
} race;

int __real_fstatat(int dirfd, const char *path, struct stat *st, int flags);
int __wrap_fstatat(int dirfd, const char *path, struct stat *st, int flags);
int __wrap_fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	int r = __real_fstatat(dirfd, path, st, flags);
	if (r == 0 && race.victim && !race.fired && !strcmp(path, race.victim) && S_ISDIR(st->st_mode)) {
		race.fired = true;
		char moved[64];
		snprintf(moved, sizeof(moved), "%s.moved", race.victim);
		race.parent_fd = dirfd;
		assert_int_equal(renameat(dirfd, path, dirfd, moved), 0);
		assert_int_equal(symlinkat(race.canary, dirfd, path), 0);
	}
	return r;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
}

static void mkdir_in(const char *top, const char *rel)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", top, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

/* tree/: a/ (0500) holding a symlink to the canary and b/ (000) holding a file and a symlink
 * to the outside directory; c/ (0500, the race's victim) holding a file. */
static void tree_make(struct tree *t)
{
	const char *top_builddir = getenv("top_builddir");
	snprintf(t->dir, sizeof(t->dir), "%s/t/tmp.rmrf.XXXXXX", top_builddir ? top_builddir : ".");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->outside, sizeof(t->outside), "%s/outside", t->dir);
	snprintf(t->canary, sizeof(t->canary), "%s/canary", t->outside);
	snprintf(t->top, sizeof(t->top), "%s/tree", t->dir);
	assert_int_equal(mkdir(t->outside, 0755), 0);
	write_file(t->canary, CANARY_TEXT, 0644);
	assert_int_equal(mkdir(t->top, 0755), 0);
	char abs_canary[PATH_MAX], abs_outside[PATH_MAX], path[PATH_MAX + 64];
	assert_non_null(realpath(t->canary, abs_canary));
	assert_non_null(realpath(t->outside, abs_outside));
	mkdir_in(t->top, "a");
	mkdir_in(t->top, "a/b");
	mkdir_in(t->top, "c");
	snprintf(path, sizeof(path), "%s/a/to-canary", t->top);
	assert_int_equal(symlink(abs_canary, path), 0);
	snprintf(path, sizeof(path), "%s/a/b/to-outside", t->top);
	assert_int_equal(symlink(abs_outside, path), 0);
	snprintf(path, sizeof(path), "%s/a/b/file", t->top);
	write_file(path, "x", 0600);
	snprintf(path, sizeof(path), "%s/c/file", t->top);
	write_file(path, "y", 0600);
	/* unwritable directories: removing their entries takes the repair chmod */
	snprintf(path, sizeof(path), "%s/a/b", t->top);
	assert_int_equal(chmod(path, 0), 0);
	snprintf(path, sizeof(path), "%s/a", t->top);
	assert_int_equal(chmod(path, 0500), 0);
	snprintf(path, sizeof(path), "%s/c", t->top);
	assert_int_equal(chmod(path, 0500), 0);
}

static void assert_canary_intact(const struct tree *t)
{
	struct stat st;
	assert_int_equal(lstat(t->canary, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	if ((st.st_mode & 07777) != 0644)
		fail_msg("the canary's mode changed to %04o", (unsigned)(st.st_mode & 07777));
	char *text = NULL;
	assert_int_equal(sc_read_file(t->canary, &text, NULL), 0);
	assert_string_equal(text, CANARY_TEXT);
	free(text);
	assert_int_equal(lstat(t->outside, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
}

static void tree_remove(struct tree *t)
{
	char moved[PATH_MAX + 32];
	snprintf(moved, sizeof(moved), "%s/c.moved", t->top);
	(void)chmod(moved, 0700);
	(void)sc_rm_rf(t->dir);
}

static void test_rm_rf_read_only_tree(void **state)
{
	(void)state;
	struct tree t;
	tree_make(&t);
	assert_int_equal(sc_rm_rf(t.top), 0);
	assert_int_equal(access(t.top, F_OK), -1);
	assert_canary_intact(&t);
	tree_remove(&t);
}

static void test_rm_rf_race_symlink_swap(void **state)
{
	(void)state;
	struct tree t;
	tree_make(&t);
	char abs_canary[PATH_MAX];
	assert_non_null(realpath(t.canary, abs_canary));
	race.victim = "c";
	race.canary = abs_canary;
	race.fired = false;
	(void)sc_rm_rf(t.top);
	race.victim = NULL;
	assert_true(race.fired);
	assert_canary_intact(&t);
	tree_remove(&t);
}

static void test_rm_rf_at_symlink_top(void **state)
{
	(void)state;
	struct tree t;
	tree_make(&t);
	/* a symlink given as the thing to remove goes itself; what it points to stays */
	char link[PATH_MAX + 16];
	snprintf(link, sizeof(link), "%s/link", t.dir);
	assert_int_equal(symlink("outside", link), 0);
	int dirfd = open(t.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dirfd >= 0);
	assert_int_equal(sc_rm_rf_at(dirfd, "link"), 0);
	assert_int_equal(sc_rm_rf_at(dirfd, "absent"), 0);
	close(dirfd);
	assert_int_equal(access(link, F_OK), -1);
	assert_canary_intact(&t);
	tree_remove(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rm_rf_read_only_tree),
		cmocka_unit_test(test_rm_rf_race_symlink_swap),
		cmocka_unit_test(test_rm_rf_at_symlink_top),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
