/* example-library.c - how another project's cmocka test uses the C library: only <simpcon.h>,
 * linked with -lsimpcon (here the libtool library; elsewhere `pkg-config --libs simpcon`). */
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
#include <simpcon.h>

static int setup(void **state)
{
	struct sc_fixture *fixture = NULL;
	struct sc_error err = { 0 };
	if (sc_fixture_busybox(NULL, NULL, &fixture, &err) < 0) {
		fprintf(stderr, "fixture: %s\n", err.message);
		return -1;
	}
	*state = fixture;
	return 0;
}

static int teardown(void **state)
{
	sc_fixture_free(*state);
	return 0;
}

static struct sc_result *run(void **state, struct sc_config *config, const char *script)
{
	const char *argv[] = { "sh", "-c", script, NULL };
	struct sc_result *result = NULL;
	struct sc_error err = { 0 };
	config->rootfs = sc_fixture_root(*state);
	config->argv = argv;
	if (sc_run(config, &result, &err) < 0)
		fail_msg("sc_run: %s", err.message);
	return result;
}

static void test_output_and_status(void **state)
{
	struct sc_config config = SC_CONFIG_INIT;
	config.hostname = "library-example";
	struct sc_result *r = run(state, &config, "hostname; echo oops >&2; exit 3");
	size_t len = 0;
	assert_int_equal(sc_result_exit_status(r), 3);
	assert_int_equal(sc_result_signal(r), 0);
	assert_string_equal(sc_result_stdout(r, &len, NULL), "library-example\n");
	assert_int_equal(len, 16);
	assert_string_equal(sc_result_stderr(r, NULL, NULL), "oops\n");
	for (int c = 0; c < SC_CHECK_COUNT; c++) {
		const char *detail = NULL;
		enum sc_verdict v = sc_result_check(r, (enum sc_check)c, &detail);
		if (v == SC_VERDICT_FAIL)
			fail_msg("isolation check %s failed: %s", sc_check_name((enum sc_check)c), detail);
	}
	sc_result_free(r);
}

static void test_timeout(void **state)
{
	struct sc_config config = SC_CONFIG_INIT;
	config.timeout_ms = 200;
	struct sc_result *r = run(state, &config, "sleep 30");
	assert_true(sc_result_timed_out(r));
	assert_int_equal(sc_result_signal(r), 9);
	sc_result_free(r);
}

static void test_bad_bind_is_an_error(void **state)
{
	const char *argv[] = { "true", NULL };
	struct sc_mount m = { .source = "/nonexistent/simpcon", .dest = "/x" };
	struct sc_config config = SC_CONFIG_INIT;
	struct sc_result *r = NULL;
	struct sc_error err = { 0 };
	config.rootfs = sc_fixture_root(*state);
	config.argv = argv;
	config.mounts = &m;
	config.n_mounts = 1;
	assert_int_equal(sc_run(&config, &r, &err), -ENOENT);
	assert_null(r);
	assert_non_null(strstr(err.message, "/nonexistent/simpcon"));
}

/* A daemon under test that must see SIGTERM: an init as PID 1 hands it on (exit 128 + 15),
 * and the command reads its input from a file. */
static void test_init_and_stdin(void **state)
{
	char input[] = "/tmp/simpcon-example-XXXXXX";
	int fd = mkstemp(input);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "ping\n", 5), 5);
	close(fd);
	struct sc_config config = SC_CONFIG_INIT;
	config.init = true;
	config.stdin_file = input;
	struct sc_result *r = run(state, &config, "read word; echo \"$$ $word\"; kill -TERM 1; sleep 5");
	unlink(input);
	assert_string_equal(sc_result_stdout(r, NULL, NULL), "2 ping\n");
	assert_int_equal(sc_result_exit_status(r), 128 + 15);
	assert_false(sc_result_timed_out(r));
	sc_result_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output_and_status),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_bad_bind_is_an_error),
		cmocka_unit_test(test_init_and_stdin),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
