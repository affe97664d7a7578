/* test-idrange.c - root's container id range: it misses every range and account the files
 * list, hostile or overlapping ones included; root's own entry wins only when it overlaps no
 * one's; slices are taken one per holder and a dead holder's slice is free again. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "idrange.h"
#include "util.h"

#define assert_contains(haystack, needle)                                                       \
	do {                                                                                    \
		if (!strstr((haystack), (needle)))                                              \
			fail_msg("'%s' does not contain '%s'", (haystack), (needle));           \
	} while (0)

#define DEBIAN_PASSWD                                                                           \
	"root:x:0:0:root:/root:/bin/bash\n"                                                     \
	"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"                          \
	"alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n"
#define DEBIAN_GROUP "root:x:0:\nnogroup:x:65534:\nalice:x:1000:\n"

/* The first usable slice's host uid, or 0 when there is none. */
static unsigned first_uid(const struct sc_idrange_pool *pool)
{
	for (unsigned k = 0; k < pool->slices; k++)
		if (pool->own || sc_idrange_usable(pool, k))
			return pool->uid_start + k * pool->slice;
	return 0;
}

/* Whether the first usable slice overlaps [start, start + count). */
static bool first_overlaps(const struct sc_idrange_pool *pool, unsigned start, unsigned count)
{
	uint64_t first = first_uid(pool);
	return first < (uint64_t)start + count && start < first + pool->slice;
}

static void test_default_debian(void **state)
{
	(void)state;
	/* useradd's first user: 100000:65536, exactly what root's containers used to be */
	const struct sc_idrange_files f = { "alice:100000:65536\n", "alice:100000:65536\n", DEBIAN_PASSWD,
					    DEBIAN_GROUP };
	struct sc_idrange_pool pool;
	struct sc_error err = { 0 };
	assert_int_equal(sc_idrange_pool(&f, &pool, &err), 0);
	assert_false(pool.own);
	assert_int_equal(pool.uid_start, SC_IDRANGE_BASE);
	assert_int_equal(pool.gid_start, SC_IDRANGE_BASE);
	assert_int_equal(pool.slice, 65536);
	assert_int_equal(pool.slices, (SC_IDRANGE_END - SC_IDRANGE_BASE) / 65536);
	assert_int_equal(first_uid(&pool), SC_IDRANGE_BASE);
	assert_false(first_overlaps(&pool, 100000, 65536));
	/* the whole range stays below 2^31 and systemd's foreign range */
	assert_true((uint64_t)pool.uid_start + (uint64_t)pool.slices * pool.slice <= SC_IDRANGE_END);
	assert_true(SC_IDRANGE_END <= 0x80000000u);
	sc_idrange_pool_release(&pool);
}

static void test_default_missing_files(void **state)
{
	(void)state;
	const struct sc_idrange_files none = { NULL, NULL, NULL, NULL };
	struct sc_idrange_pool pool;
	assert_int_equal(sc_idrange_pool(&none, &pool, NULL), 0);
	assert_int_equal(first_uid(&pool), SC_IDRANGE_BASE);
	sc_idrange_pool_release(&pool);
}

/* Hostile files: ranges and accounts placed inside simpcon-test's own range are moved past,
 * whichever file lists them and however the ranges straddle slice boundaries. */
static void test_default_moves_past_listed(void **state)
{
	(void)state;
	char passwd[512], subuid[256], subgid[256];
	/* slice 0 holds a subuid range that starts before the base and ends inside it */
	snprintf(subuid, sizeof(subuid), "mallory:%u:10\n", SC_IDRANGE_BASE - 5);
	/* slice 1 holds one uid of an account, slice 2 one gid of an account's primary group */
	snprintf(passwd, sizeof(passwd), DEBIAN_PASSWD "eve:x:%u:100:::\ntrudy:x:2000:%u:::\n",
		 SC_IDRANGE_BASE + 65536 + 7, SC_IDRANGE_BASE + 2 * 65536);
	/* slice 3 ends a subgid range spanning from slice 2; slice 4's last id is a group's */
	snprintf(subgid, sizeof(subgid), "oscar:%u:65537\n", SC_IDRANGE_BASE + 2 * 65536 + 65535);
	char group[256];
	snprintf(group, sizeof(group), DEBIAN_GROUP "wheel:x:%u:\n", SC_IDRANGE_BASE + 5 * 65536 - 1);
	const struct sc_idrange_files f = { subuid, subgid, passwd, group };
	struct sc_idrange_pool pool;
	assert_int_equal(sc_idrange_pool(&f, &pool, NULL), 0);
	for (unsigned k = 0; k < 5; k++)
		if (sc_idrange_usable(&pool, k))
			fail_msg("slice %u overlaps a listed id but is usable", k);
	assert_true(sc_idrange_usable(&pool, 5));
	assert_int_equal(first_uid(&pool), SC_IDRANGE_BASE + 5 * 65536);
	assert_false(sc_idrange_usable(&pool, pool.slices)); /* past the end */
	sc_idrange_pool_release(&pool);
}

static void test_default_all_taken(void **state)
{
	(void)state;
	char subuid[128];
	snprintf(subuid, sizeof(subuid), "greedy:%u:%u\n", SC_IDRANGE_BASE, SC_IDRANGE_END - SC_IDRANGE_BASE);
	const struct sc_idrange_files f = { subuid, NULL, DEBIAN_PASSWD, DEBIAN_GROUP };
	struct sc_idrange_pool pool;
	assert_int_equal(sc_idrange_pool(&f, &pool, NULL), 0);
	assert_int_equal(first_uid(&pool), 0);
	sc_idrange_pool_release(&pool);
}

/* A range is a range however long its owner's name: no line is skipped for its length. */
static void test_default_long_names(void **state)
{
	(void)state;
	char subuid[1200];
	memset(subuid, 'n', 900);
	snprintf(subuid + 900, sizeof(subuid) - 900, ":%u:65536\n", SC_IDRANGE_BASE);
	const struct sc_idrange_files f = { subuid, NULL, NULL, NULL };
	struct sc_idrange_pool pool;
	struct sc_error err = { 0 };
	assert_int_equal(sc_idrange_pool(&f, &pool, &err), 0);
	assert_int_equal(first_uid(&pool), SC_IDRANGE_BASE + 65536);
	sc_idrange_pool_release(&pool);
	/* and root's own entry is checked against it, named in the message */
	char own[1300];
	snprintf(own, sizeof(own), "root:%u:65536\n%s", SC_IDRANGE_BASE, subuid);
	const struct sc_idrange_files g = { own, "root:300000:65536\n", NULL, NULL };
	assert_int_equal(sc_idrange_pool(&g, &pool, &err), -EINVAL);
	assert_contains(err.message, "(/etc/subuid line 2)");
}

/* Malformed lines neither crash the parser nor count as ranges; numbers are whole. */
static void test_default_malformed_ignored(void **state)
{
	(void)state;
	char passwd[256];
	snprintf(passwd, sizeof(passwd), "x:x:%ux:0:::\nbad\nshort:%u\n:x:-%u:1\n", SC_IDRANGE_BASE, SC_IDRANGE_BASE,
		 SC_IDRANGE_BASE);
	char subuid[128];
	snprintf(subuid, sizeof(subuid), "m:%u\nm:%u:0\nm:-1:%u\n", SC_IDRANGE_BASE, SC_IDRANGE_BASE, SC_IDRANGE_BASE);
	const struct sc_idrange_files f = { subuid, "", passwd, "\n\n" };
	struct sc_idrange_pool pool;
	assert_int_equal(sc_idrange_pool(&f, &pool, NULL), 0);
	assert_int_equal(first_uid(&pool), SC_IDRANGE_BASE);
	sc_idrange_pool_release(&pool);
}

static void test_own_range_wins(void **state)
{
	(void)state;
	const struct sc_idrange_files f = { "alice:100000:65536\nroot:300000:196608\n",
					    "alice:100000:65536\n0:400000:131072\n", DEBIAN_PASSWD, DEBIAN_GROUP };
	struct sc_idrange_pool pool;
	struct sc_error err = { 0 };
	assert_int_equal(sc_idrange_pool(&f, &pool, &err), 0);
	assert_true(pool.own);
	assert_int_equal(pool.uid_start, 300000);
	assert_int_equal(pool.gid_start, 400000);
	assert_int_equal(pool.slice, 65536);
	assert_int_equal(pool.slices, 2); /* the smaller of the two ranges */
	sc_idrange_pool_release(&pool);
	/* a range smaller than a slice is one slice of its size */
	const struct sc_idrange_files small = { "root:300000:1000\n", "root:300000:2000\n", DEBIAN_PASSWD, DEBIAN_GROUP };
	assert_int_equal(sc_idrange_pool(&small, &pool, &err), 0);
	assert_int_equal(pool.slice, 1000);
	assert_int_equal(pool.slices, 1);
	sc_idrange_pool_release(&pool);
}

static void test_own_range_overlaps_user(void **state)
{
	(void)state;
	/* root was given the range useradd then handed alice too */
	const struct sc_idrange_files f = { "root:100000:65536\nalice:100000:65536\n", "root:300000:65536\n",
					    DEBIAN_PASSWD, DEBIAN_GROUP };
	struct sc_idrange_pool pool;
	struct sc_error err = { 0 };
	assert_int_equal(sc_idrange_pool(&f, &pool, &err), -EINVAL);
	assert_contains(err.message, "'root:100000:65536' (/etc/subuid line 1)");
	assert_contains(err.message, "'alice:100000:65536' (/etc/subuid line 2)");
	assert_contains(err.message, "remove root's lines");
	sc_idrange_pool_release(&pool);
	/* partial overlaps, on the gid side */
	const struct sc_idrange_files g = { "root:300000:65536\n", "bob:10:300000\nroot:300000:65536\n", DEBIAN_PASSWD,
					    DEBIAN_GROUP };
	err = (struct sc_error){ 0 };
	assert_int_equal(sc_idrange_pool(&g, &pool, &err), -EINVAL);
	assert_contains(err.message, "'root:300000:65536' (/etc/subgid line 2)");
	assert_contains(err.message, "'bob:10:300000' (/etc/subgid line 1)");
}

static void test_own_range_overlaps_account(void **state)
{
	(void)state;
	struct sc_idrange_pool pool;
	struct sc_error err = { 0 };
	const struct sc_idrange_files u = { "root:1000:100\n", "root:300000:65536\n", DEBIAN_PASSWD, DEBIAN_GROUP };
	assert_int_equal(sc_idrange_pool(&u, &pool, &err), -EINVAL);
	assert_contains(err.message, "uid 1000 of 'alice' (/etc/passwd)");
	err = (struct sc_error){ 0 };
	const struct sc_idrange_files g = { "root:300000:65536\n", "root:900:200\n", DEBIAN_PASSWD, DEBIAN_GROUP };
	assert_int_equal(sc_idrange_pool(&g, &pool, &err), -EINVAL);
	assert_contains(err.message, "/etc/subgid line 1");
	assert_contains(err.message, "gid 1000 of 'alice'");
	/* host root and the overflow ids, even with no account listing them */
	err = (struct sc_error){ 0 };
	const struct sc_idrange_files zero = { "root:0:65536\n", "root:0:65536\n", "", "" };
	assert_int_equal(sc_idrange_pool(&zero, &pool, &err), -EINVAL);
	assert_contains(err.message, "host root's id 0");
	err = (struct sc_error){ 0 };
	const struct sc_idrange_files nobody = { "root:65000:1000\n", "root:300000:65536\n", "", "" };
	assert_int_equal(sc_idrange_pool(&nobody, &pool, &err), -EINVAL);
	assert_contains(err.message, "overflow ids 65534-65535");
}

static void test_own_range_in_one_file_only(void **state)
{
	(void)state;
	struct sc_idrange_pool pool;
	struct sc_error err = { 0 };
	const struct sc_idrange_files f = { "root:300000:65536\n", "alice:100000:65536\n", DEBIAN_PASSWD, DEBIAN_GROUP };
	assert_int_equal(sc_idrange_pool(&f, &pool, &err), -EINVAL);
	assert_contains(err.message, "/etc/subuid (line 1) but none in /etc/subgid");
}

/* ---- the allocator, on a private state directory ------------------------------------------ */

static int setup_dir(void **state)
{
	static char dir[PATH_MAX];
	const char *top_builddir = getenv("top_builddir");
	snprintf(dir, sizeof(dir), "%s/t/tmp.idrange.XXXXXX", top_builddir ? top_builddir : ".");
	if (!mkdtemp(dir))
		return -1;
	strcat(dir, "/state");
	state[0] = dir;
	return 0;
}

static int teardown_dir(void **state)
{
	char *dir = state[0];
	*strrchr(dir, '/') = '\0';
	(void)sc_rm_rf(dir);
	return 0;
}

static void test_take_one_each(void **state)
{
	const char *dir = state[0];
	const struct sc_idrange_files f = { NULL, NULL, DEBIAN_PASSWD, DEBIAN_GROUP };
	struct sc_idrange_pool pool;
	assert_int_equal(sc_idrange_pool(&f, &pool, NULL), 0);
	unsigned a, b, c;
	int la, lb, lc;
	struct sc_error err = { 0 };
	assert_int_equal(sc_idrange_take(dir, &pool, 0, &a, &la, &err), 0);
	assert_int_equal(sc_idrange_take(dir, &pool, 0, &b, &lb, &err), 0);
	assert_int_equal(a, 0);
	assert_int_equal(b, 1);
	/* given back: the lowest free one is taken again */
	close(la);
	assert_int_equal(sc_idrange_take(dir, &pool, 0, &c, &lc, &err), 0);
	assert_int_equal(c, 0);
	close(lb);
	close(lc);
	struct stat st;
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	sc_idrange_pool_release(&pool);
}

/* A run killed with SIGKILL frees its slice with nothing left to clean up. */
static void test_take_after_kill(void **state)
{
	const char *dir = state[0];
	const struct sc_idrange_files f = { NULL, NULL, NULL, NULL };
	struct sc_idrange_pool pool;
	assert_int_equal(sc_idrange_pool(&f, &pool, NULL), 0);
	int ready[2];
	assert_int_equal(pipe(ready), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		unsigned k;
		int lock;
		if (sc_idrange_take(dir, &pool, 0, &k, &lock, NULL) < 0 || k != 0)
			_exit(1);
		(void)!write(ready[1], "x", 1);
		pause();
		_exit(0);
	}
	char byte;
	assert_int_equal(read(ready[0], &byte, 1), 1);
	unsigned k;
	int lock;
	assert_int_equal(sc_idrange_take(dir, &pool, 0, &k, &lock, NULL), 0);
	assert_int_equal(k, 1); /* slice 0 is the live child's */
	close(lock);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_int_equal(sc_idrange_take(dir, &pool, 0, &k, &lock, NULL), 0);
	assert_int_equal(k, 0);
	close(lock);
	close(ready[0]);
	close(ready[1]);
	sc_idrange_pool_release(&pool);
}

static void test_take_all_busy(void **state)
{
	const char *dir = state[0];
	const struct sc_idrange_files f = { "root:300000:65536\n", "root:300000:65536\n", NULL, NULL };
	struct sc_idrange_pool pool;
	assert_int_equal(sc_idrange_pool(&f, &pool, NULL), 0);
	assert_int_equal(pool.slices, 1);
	unsigned k;
	int lock, other;
	struct sc_error err = { 0 };
	assert_int_equal(sc_idrange_take(dir, &pool, 0, &k, &lock, &err), 0);
	uint64_t start = sc_now_us();
	assert_int_equal(sc_idrange_take(dir, &pool, 100, &k, &other, &err), -EBUSY);
	assert_true(sc_now_us() - start >= 100000);
	assert_contains(err.message, "held by other runs");
	close(lock);
	sc_idrange_pool_release(&pool);
}

/* A state directory others can write is refused, not used. */
static void test_take_refuses_open_dir(void **state)
{
	const char *dir = state[0];
	const struct sc_idrange_files f = { NULL, NULL, NULL, NULL };
	struct sc_idrange_pool pool;
	assert_int_equal(sc_idrange_pool(&f, &pool, NULL), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(chmod(dir, 0777), 0);
	unsigned k;
	int lock;
	struct sc_error err = { 0 };
	assert_int_equal(sc_idrange_take(dir, &pool, 0, &k, &lock, &err), -EPERM);
	assert_contains(err.message, "is writable by others");
	sc_idrange_pool_release(&pool);
}

/* Root of a namespace that maps a range (a CI job's container): the longest run of its ids
 * from 1 that no account, group, other user's range or overflow id holds; slices of 65536
 * when two fit, else that whole run; nothing when every id is held. */
static void test_nested(void **state)
{
	(void)state;
	struct sc_idrange_pool pool;
	struct sc_error err = { 0 };
	const struct sc_idrange_files debian = { NULL, NULL, DEBIAN_PASSWD, DEBIAN_GROUP };
	assert_int_equal(sc_idrange_nested_pool(&debian, 65536, &pool, &err), 0);
	assert_true(pool.own);
	assert_int_equal(pool.slices, 1);
	assert_true(pool.uid_start > 1000); /* past the accounts and groups of the image */
	assert_int_equal(pool.uid_start + pool.slice, 65534); /* up to the overflow ids */
	assert_int_equal(pool.gid_start, pool.uid_start);

	const struct sc_idrange_files none = { NULL, NULL, NULL, NULL };
	assert_int_equal(sc_idrange_nested_pool(&none, 65536, &pool, &err), 0);
	assert_int_equal(pool.uid_start, 1); /* never its own 0 */
	assert_int_equal(pool.slice, 65533);

	/* a wide range: slices of 65536 past the overflow ids, another user's range missed */
	const struct sc_idrange_files wide = { "bob:65536:10\n", NULL, NULL, NULL };
	assert_int_equal(sc_idrange_nested_pool(&wide, 1000000, &pool, &err), 0);
	assert_int_equal(pool.slice, 65536);
	assert_int_equal(pool.uid_start, 65546);
	assert_int_equal(pool.slices, (1000000 - 65546) / 65536);

	const struct sc_idrange_files full = { NULL, NULL, "a:x:1:1::/:/bin/sh\n", NULL };
	assert_int_equal(sc_idrange_nested_pool(&full, 2, &pool, &err), -ENOSPC);
	assert_non_null(strstr(err.message, "give it a wider range"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_debian),
		cmocka_unit_test(test_default_missing_files),
		cmocka_unit_test(test_default_moves_past_listed),
		cmocka_unit_test(test_default_all_taken),
		cmocka_unit_test(test_default_long_names),
		cmocka_unit_test(test_default_malformed_ignored),
		cmocka_unit_test(test_own_range_wins),
		cmocka_unit_test(test_own_range_overlaps_user),
		cmocka_unit_test(test_own_range_overlaps_account),
		cmocka_unit_test(test_own_range_in_one_file_only),
		cmocka_unit_test(test_nested),
		cmocka_unit_test_setup_teardown(test_take_one_each, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_take_after_kill, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_take_all_busy, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_take_refuses_open_dir, setup_dir, teardown_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
