/* test-tmpdir.c - what the harness makes in TMPDIR: made private and locked, left alone while
 * its fd is open, swept once it is closed; and what the sweep never touches: symlinks, names
 * of other making, second names of a file, fifos, a directory where a file was made. */
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
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tmpdir.h"
#include "util.h"

static char dir[PATH_MAX];

static int setup(void **state)
{
	(void)state;
	const char *top_builddir = getenv("top_builddir");
	snprintf(dir, sizeof(dir), "%s/t/tmp.tmpdir.XXXXXX", top_builddir ? top_builddir : ".");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	(void)sc_rm_rf(dir);
	return 0;
}

static bool exists(const char *name)
{
	char path[PATH_MAX + 64];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0;
}

/* Whether another open file description can take the lock of path. */
static bool lock_free(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	bool got = flock(fd, LOCK_EX | LOCK_NB) == 0;
	close(fd);
	return got;
}

static void test_made_private_and_locked(void **state)
{
	(void)state;
	char path[PATH_MAX], file[PATH_MAX];
	struct stat st;
	int fd = sc_tmpdir_make(dir, SC_TMPDIR_FIXTURE, path, sizeof(path));
	assert_true(fd >= 0);
	assert_int_equal(strncmp(path + strlen(dir), "/simpcon-fixture-", 17), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_false(lock_free(path));
	int script = sc_tmpdir_make(dir, SC_TMPDIR_SCRIPT, file, sizeof(file));
	assert_true(script >= 0);
	assert_int_equal(lstat(file, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(write(script, "x", 1), 1); /* open for writing */
	assert_false(lock_free(file));
	/* the living stay */
	assert_int_equal(sc_tmpdir_sweep(dir), 0);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(access(file, F_OK), 0);
	/* the dead go, a directory with all it holds */
	char inner[PATH_MAX + 16];
	snprintf(inner, sizeof(inner), "%s/root", path);
	assert_int_equal(mkdir(inner, 0555), 0);
	close(fd);
	close(script);
	assert_int_equal(sc_tmpdir_sweep(dir), 2);
	assert_int_not_equal(access(path, F_OK), 0);
	assert_int_not_equal(access(file, F_OK), 0);
}

static void test_make_sweeps_the_dead(void **state)
{
	(void)state;
	char dead[PATH_MAX], live[PATH_MAX], next[PATH_MAX];
	int fd = sc_tmpdir_make(dir, SC_TMPDIR_CHECK, dead, sizeof(dead));
	assert_true(fd >= 0);
	close(fd);
	int held = sc_tmpdir_make(dir, SC_TMPDIR_SCRIPT, live, sizeof(live));
	assert_true(held >= 0);
	fd = sc_tmpdir_make(dir, SC_TMPDIR_FIXTURE, next, sizeof(next));
	assert_true(fd >= 0);
	assert_int_not_equal(access(dead, F_OK), 0);
	assert_int_equal(access(live, F_OK), 0);
	close(held);
	close(fd);
}

static void test_not_ours_left_alone(void **state)
{
	(void)state;
	char path[PATH_MAX + 64], target[PATH_MAX + 64], canary[PATH_MAX + 80];
	snprintf(target, sizeof(target), "%s/target", dir);
	snprintf(canary, sizeof(canary), "%s/canary", target);
	assert_int_equal(mkdir(target, 0700), 0);
	close(open(canary, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	snprintf(path, sizeof(path), "%s/simpcon-fixture-Sym123", dir);
	assert_int_equal(symlink(target, path), 0);
	snprintf(path, sizeof(path), "%s/simpcon-script-Sym123", dir);
	assert_int_equal(symlink(canary, path), 0);
	snprintf(path, sizeof(path), "%s/simpcon-script-Lnk123", dir);
	assert_int_equal(link(canary, path), 0);
	snprintf(path, sizeof(path), "%s/simpcon-script-Fifo12", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	snprintf(path, sizeof(path), "%s/simpcon-script-Dir123", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/simpcon-fixture-keep", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/simpcon-fixture-Abc12345", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(sc_tmpdir_sweep(dir), 0);
	const char *const names[] = { "target/canary",         "simpcon-fixture-Sym123", "simpcon-script-Sym123",
				      "simpcon-script-Lnk123", "simpcon-script-Fifo12",  "simpcon-script-Dir123",
				      "simpcon-fixture-keep",  "simpcon-fixture-Abc12345" };
	for (size_t i = 0; i < SC_ELEMENTSOF(names); i++)
		assert_true(exists(names[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_made_private_and_locked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_make_sweeps_the_dead, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_ours_left_alone, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
