/* test-lockfile.c - lock files no other user can hold: made 0600, a lock file open to others
 * (or a symlink, or a fifo) replaced rather than used, a holder keeping it named, a lock file
 * removed or replaced while waited for given up for the new one. */
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
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lockfile.h"
#include "util.h"

static int setup(void **state)
{
	static char dir[PATH_MAX];
	const char *top_builddir = getenv("top_builddir");
	snprintf(dir, sizeof(dir), "%s/t/tmp.lockfile.XXXXXX", top_builddir ? top_builddir : ".");
	if (!mkdtemp(dir))
		return -1;
	int *fd = malloc(sizeof(int));
	*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	state[0] = fd;
	return *fd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	int *fd = state[0];
	char self[64], dir[PATH_MAX];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", *fd);
	ssize_t n = readlink(self, dir, sizeof(dir) - 1);
	close(*fd);
	free(fd);
	if (n > 0) {
		dir[n] = '\0';
		(void)sc_rm_rf(dir);
	}
	return 0;
}

static mode_t mode_of(int dirfd, const char *name)
{
	struct stat st;
	assert_int_equal(fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
	return st.st_mode;
}

static void test_made_private(void **state)
{
	int dirfd = *(int *)state[0];
	int fd = sc_lockfile_take(dirfd, "a.lock", 0);
	assert_true(fd >= 0);
	assert_true(S_ISREG(mode_of(dirfd, "a.lock")));
	assert_int_equal(mode_of(dirfd, "a.lock") & 077, 0);
	close(fd);
}

/* A lock file open to others, as older versions made them: whoever holds an fd of it keeps
 * its flock, so it is replaced, and the lock is taken at once despite that holder. */
static void test_open_to_others_replaced(void **state)
{
	int dirfd = *(int *)state[0];
	int old = openat(dirfd, "b.lock", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	assert_true(old >= 0);
	assert_int_equal(fchmod(old, 0644), 0);
	int held = openat(dirfd, "b.lock", O_RDONLY | O_CLOEXEC);
	assert_int_equal(flock(held, LOCK_EX | LOCK_NB), 0);
	int fd = sc_lockfile_take(dirfd, "b.lock", sc_now_us() + 2000000);
	assert_true(fd >= 0);
	assert_int_equal(mode_of(dirfd, "b.lock") & 077, 0);
	close(fd);
	close(held);
	close(old);
}

static void test_symlink_and_fifo_replaced(void **state)
{
	int dirfd = *(int *)state[0];
	int c = openat(dirfd, "canary", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	assert_true(c >= 0);
	assert_int_equal(fchmod(c, 0644), 0);
	assert_int_equal(symlinkat("canary", dirfd, "c.lock"), 0);
	int fd = sc_lockfile_take(dirfd, "c.lock", 0);
	assert_true(fd >= 0);
	assert_true(S_ISREG(mode_of(dirfd, "c.lock")));
	close(fd);
	struct stat st;
	assert_int_equal(fstat(c, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	close(c);
	assert_int_equal(mkfifoat(dirfd, "d.lock", 0600), 0);
	fd = sc_lockfile_take(dirfd, "d.lock", 0);
	assert_true(fd >= 0);
	assert_true(S_ISREG(mode_of(dirfd, "d.lock")));
	close(fd);
}

/* Another process holding a proper lock is waited for until the deadline. */
static void test_held_times_out(void **state)
{
	int dirfd = *(int *)state[0];
	int fd = sc_lockfile_take(dirfd, "e.lock", 0);
	assert_true(fd >= 0);
	pid_t pid = fork();
	if (pid == 0) {
		uint64_t start = sc_now_us();
		int r = sc_lockfile_take(dirfd, "e.lock", start + 100000);
		_exit(r == -EWOULDBLOCK && sc_now_us() - start >= 100000 ? 0 : 1);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(fd);
}

/* A waiter whose file is removed while it waits (prune removes an entry's lock file under the
 * lock) must not count the lock on the removed file: it takes the new one, which a third
 * process may hold. */
static void test_removed_while_waiting(void **state)
{
	int dirfd = *(int *)state[0];
	int fd = sc_lockfile_take(dirfd, "f.lock", 0);
	assert_true(fd >= 0);
	pid_t pid = fork();
	if (pid == 0) {
		/* waits on the old file, which the parent then unlinks and releases */
		int r = sc_lockfile_take(dirfd, "f.lock", sc_now_us() + 300000);
		_exit(r == -EWOULDBLOCK ? 0 : 1);
	}
	usleep(50000);
	assert_int_equal(unlinkat(dirfd, "f.lock", 0), 0);
	int now = sc_lockfile_take(dirfd, "f.lock", 0); /* a new holder of the new file */
	assert_true(now >= 0);
	close(fd);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(now);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_made_private, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_to_others_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_and_fifo_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_times_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removed_while_waiting, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
