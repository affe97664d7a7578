/* test-idmap.c - finding subordinate id ranges, the map lines, the ids a map can hold, and the
 * default map for root (a slice of its range, another for a second holder) and for an
 * unprivileged user (run as both). */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "idmap.h"
#include "idrange.h"
#include "util.h"

#define assert_contains(haystack, needle)                                                       \
	do {                                                                                    \
		if (!strstr((haystack), (needle)))                                              \
			fail_msg("'%s' does not contain '%s'", (haystack), (needle));           \
	} while (0)

/* Parses text for user bob (uid 1001); the outputs keep a marker when nothing is found. */
static int parse_bob(const char *text, unsigned *start, unsigned *count)
{
	*start = *count = 12345;
	return sc_idmap_parse_subid(text, "bob", 1001, start, count);
}

static void test_subid_name(void **state)
{
	(void)state;
	unsigned start, count;
	assert_int_equal(parse_bob("alice:100000:65536\nbob:165536:65536\ncarol:231072:65536\n", &start, &count), 0);
	assert_int_equal(start, 165536);
	assert_int_equal(count, 65536);
	/* the last line needs no newline */
	assert_int_equal(parse_bob("alice:100000:65536\nbob:300000:10", &start, &count), 0);
	assert_int_equal(start, 300000);
	assert_int_equal(count, 10);
}

static void test_subid_name_is_whole(void **state)
{
	(void)state;
	unsigned start, count;
	assert_int_equal(parse_bob("bobby:100000:65536\nbo:200000:65536\n", &start, &count), -ENOENT);
	assert_int_equal(start, 12345);
	assert_int_equal(count, 12345);
}

static void test_subid_numeric(void **state)
{
	(void)state;
	unsigned start, count;
	assert_int_equal(parse_bob("alice:100000:65536\n1001:200000:1000\n", &start, &count), 0);
	assert_int_equal(start, 200000);
	assert_int_equal(count, 1000);
	/* another number is another user */
	assert_int_equal(parse_bob("1002:200000:1000\n10011:300000:1000\n", &start, &count), -ENOENT);
	/* no name known: the number alone */
	assert_int_equal(sc_idmap_parse_subid("0:400000:65536\n", NULL, 0, &start, &count), 0);
	assert_int_equal(start, 400000);
	assert_int_equal(count, 65536);
}

static void test_subid_first_match_wins(void **state)
{
	(void)state;
	unsigned start, count;
	assert_int_equal(parse_bob("bob:100000:10\nbob:200000:20\n", &start, &count), 0);
	assert_int_equal(start, 100000);
	assert_int_equal(count, 10);
	assert_int_equal(parse_bob("1001:300000:5\nbob:100000:10\n", &start, &count), 0);
	assert_int_equal(start, 300000);
	assert_int_equal(count, 5);
}

static void test_subid_malformed_skipped(void **state)
{
	(void)state;
	unsigned start, count;
	char long_line[700];
	memset(long_line, 'x', sizeof(long_line));
	memcpy(long_line, "bob:1:1", 7);
	long_line[sizeof(long_line) - 1] = '\0';
	char text[1200];
	snprintf(text, sizeof(text),
		 "bob\n"
		 "bob:abc:10\n"
		 "bob:100000\n"
		 ":100000:10\n"
		 "\n"
		 "%s\n"
		 "bob:500000:7\n",
		 long_line);
	assert_int_equal(parse_bob(text, &start, &count), 0);
	assert_int_equal(start, 500000);
	assert_int_equal(count, 7);
}

static void test_subid_missing(void **state)
{
	(void)state;
	unsigned start, count;
	assert_int_equal(parse_bob("alice:100000:65536\n", &start, &count), -ENOENT);
	assert_int_equal(start, 12345);
	assert_int_equal(count, 12345);
	assert_int_equal(parse_bob("", &start, &count), -ENOENT);
	assert_int_equal(parse_bob("\n\n", &start, &count), -ENOENT);
}

static void test_subid_count_zero_skipped(void **state)
{
	(void)state;
	unsigned start, count;
	assert_int_equal(parse_bob("bob:100000:0\nbob:200000:5\n", &start, &count), 0);
	assert_int_equal(start, 200000);
	assert_int_equal(count, 5);
	assert_int_equal(parse_bob("bob:100000:0\n", &start, &count), -ENOENT);
}

static void test_subid_overflow_skipped(void **state)
{
	(void)state;
	unsigned start, count;
	/* the last id of a range must fit in 32 bits: 4294901760 + 65536 is 2^32 */
	assert_int_equal(parse_bob("bob:4294901760:65536\nbob:4294967295:1\nbob:4294901759:65536\n", &start, &count), 0);
	assert_int_equal(start, 4294901759u);
	assert_int_equal(count, 65536);
	assert_int_equal(parse_bob("bob:4294967296:1\nbob:100000:1\n", &start, &count), 0);
	assert_int_equal(start, 100000);
	assert_int_equal(count, 1);
}

/* start + count is computed in unsigned long: numbers near ULONG_MAX (or negative ones, which
 * %lu takes as such) wrap the sum below 2^32 and slip past the overflow check. */
static void test_subid_overflow_wraparound_skipped(void **state)
{
	(void)state;
	unsigned start, count;
	assert_int_equal(parse_bob("bob:18446744073709551615:2\nbob:100000:10\n", &start, &count), 0);
	assert_int_equal(start, 100000);
	assert_int_equal(count, 10);
	assert_int_equal(parse_bob("bob:100000:-1\nbob:200000:10\n", &start, &count), 0);
	assert_int_equal(start, 200000);
	assert_int_equal(count, 10);
}

static void test_format(void **state)
{
	(void)state;
	char buf[64];
	const struct sc_idmap root = { .uid_host = 100000, .uid_count = 65536, .gid_host = 200000, .gid_count = 1000 };
	sc_idmap_format(&root, false, buf, sizeof(buf));
	assert_string_equal(buf, "0 100000 65536\n");
	sc_idmap_format(&root, true, buf, sizeof(buf));
	assert_string_equal(buf, "0 200000 1000\n");
	const struct sc_idmap user = { .uid_host = 1000, .uid_count = 1, .gid_host = 1001, .gid_count = 1, .rootless = true };
	sc_idmap_format(&user, false, buf, sizeof(buf));
	assert_string_equal(buf, "0 1000 1\n");
	sc_idmap_format(&user, true, buf, sizeof(buf));
	assert_string_equal(buf, "0 1001 1\n");
}

static void test_check_ids_inside(void **state)
{
	(void)state;
	const struct sc_idmap map = { .uid_host = 100000, .uid_count = 65536, .gid_host = 100000, .gid_count = 100 };
	struct sc_error err = { 0 };
	assert_int_equal(sc_idmap_check_ids(&map, 0, 0, &err), 0);
	assert_int_equal(sc_idmap_check_ids(&map, 65535, 99, &err), 0);
	assert_int_equal(err.code, 0);
	const struct sc_idmap one = { .uid_host = 1000, .uid_count = 1, .gid_host = 1000, .gid_count = 1, .rootless = true };
	assert_int_equal(sc_idmap_check_ids(&one, 0, 0, &err), 0);
}

static void test_check_ids_outside(void **state)
{
	(void)state;
	const struct sc_idmap map = { .uid_host = 100000, .uid_count = 65536, .gid_host = 100000, .gid_count = 100 };
	struct sc_error err = { 0 };
	assert_int_equal(sc_idmap_check_ids(&map, 65536, 0, &err), -EINVAL);
	assert_int_equal(err.code, EINVAL);
	assert_contains(err.message, "uid 65536");
	assert_contains(err.message, "0-65535");
	assert_null(strstr(err.message, "rootless"));
	err = (struct sc_error){ 0 };
	assert_int_equal(sc_idmap_check_ids(&map, 5, 100, &err), -EINVAL);
	assert_contains(err.message, "gid 100");
	assert_contains(err.message, "0-99");
	/* no error object: still refused */
	assert_int_equal(sc_idmap_check_ids(&map, 70000, 0, NULL), -EINVAL);
}

static void test_check_ids_rootless(void **state)
{
	(void)state;
	const struct sc_idmap one = { .uid_host = 1000, .uid_count = 1, .gid_host = 1000, .gid_count = 1, .rootless = true };
	struct sc_error err = { 0 };
	assert_int_equal(sc_idmap_check_ids(&one, 1000, 0, &err), -EINVAL);
	assert_contains(err.message, "uid 1000");
	assert_contains(err.message, "rootless");
	err = (struct sc_error){ 0 };
	assert_int_equal(sc_idmap_check_ids(&one, 0, 5, &err), -EINVAL);
	assert_contains(err.message, "gid 5");
	assert_contains(err.message, "rootless");
}

/* Holds both run by root and run by a user: each branch checks its own contract. */
static void test_default(void **state)
{
	(void)state;
	struct sc_idmap map, other;
	memset(&map, 0xa5, sizeof(map));
	struct sc_error err = { 0 };
	assert_int_equal(sc_idmap_default(&map, &err), 0);
	if (geteuid() == 0) {
		/* never host root, and a whole range with room for --uid/--gid */
		assert_false(map.rootless);
		assert_int_not_equal(map.uid_host, 0);
		assert_int_not_equal(map.gid_host, 0);
		assert_true(map.uid_count >= 1);
		assert_true(map.gid_count >= 1);
		assert_true((uint64_t)map.uid_host + map.uid_count - 1 <= UINT32_MAX);
		assert_true((uint64_t)map.gid_host + map.gid_count - 1 <= UINT32_MAX);
		assert_true(map.slice_lock >= 0);
		/* a usable slice of root's pool as this machine's files make it */
		char *files[4] = { NULL };
		const char *paths[4] = { "/etc/subuid", "/etc/subgid", "/etc/passwd", "/etc/group" };
		for (int i = 0; i < 4; i++)
			(void)sc_read_file(paths[i], &files[i], NULL);
		const struct sc_idrange_files f = { files[0], files[1], files[2], files[3] };
		struct sc_idrange_pool pool;
		assert_int_equal(sc_idrange_pool(&f, &pool, &err), 0);
		assert_int_equal((map.uid_host - pool.uid_start) % pool.slice, 0);
		unsigned k = (map.uid_host - pool.uid_start) / pool.slice;
		assert_int_equal(map.gid_host, pool.gid_start + k * pool.slice);
		assert_true(pool.own || sc_idrange_usable(&pool, k));
		sc_idrange_pool_release(&pool);
		for (int i = 0; i < 4; i++)
			free(files[i]);
		/* a second holder at the same time gets ids of its own */
		assert_int_equal(sc_idmap_default(&other, &err), 0);
		assert_true(other.uid_host >= map.uid_host + map.uid_count || other.uid_host + other.uid_count <= map.uid_host);
		sc_idmap_release(&other);
	} else {
		assert_true(map.rootless);
		assert_int_equal(map.uid_host, geteuid());
		assert_int_equal(map.uid_count, 1);
		assert_int_equal(map.gid_host, getegid());
		assert_int_equal(map.gid_count, 1);
		assert_int_equal(map.slice_lock, -1);
		/* so only root exists inside */
		assert_int_equal(sc_idmap_check_ids(&map, 0, 0, &err), 0);
		assert_int_equal(sc_idmap_check_ids(&map, 1, 0, &err), -EINVAL);
	}
	sc_idmap_release(&map);
	assert_int_equal(map.slice_lock, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subid_name),
		cmocka_unit_test(test_subid_name_is_whole),
		cmocka_unit_test(test_subid_numeric),
		cmocka_unit_test(test_subid_first_match_wins),
		cmocka_unit_test(test_subid_malformed_skipped),
		cmocka_unit_test(test_subid_missing),
		cmocka_unit_test(test_subid_count_zero_skipped),
		cmocka_unit_test(test_subid_overflow_skipped),
		cmocka_unit_test(test_subid_overflow_wraparound_skipped),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_check_ids_inside),
		cmocka_unit_test(test_check_ids_outside),
		cmocka_unit_test(test_check_ids_rootless),
		cmocka_unit_test(test_default),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
