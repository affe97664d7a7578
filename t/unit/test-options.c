/* test-options.c - the command line: where CMD starts, what each option puts into the
 * configuration, and that every mistake is refused with a message naming the option. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/options.h"
#include "regex.h"

struct fixture {
	struct sc_cli_options o;
	struct sc_error err;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	*state = f;
	return 0;
}

/* Releases even when an assertion failed half-way, so ASan's leak report stays meaningful. */
static int teardown(void **state)
{
	struct fixture *f = *state;
	sc_cli_options_release(&f->o);
	free(f);
	return 0;
}

static int parse_argv(struct fixture *f, char **argv)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	sc_cli_options_release(&f->o);
	f->err = (struct sc_error){ 0 };
	return sc_cli_parse(argc, argv, &f->o, &f->err);
}

/* The argv array lives in the calling test's block, as long as config.argv points into it. */
#define PARSE(f, ...) parse_argv((f), (char *[]){ "simpcon-test", __VA_ARGS__, NULL })

/* Parsing fails with -EINVAL and a message that holds every given fragment. */
#define assert_refused(f, r, ...)                                                   \
	do {                                                                        \
		const char *_fragments[] = { __VA_ARGS__ };                         \
		assert_int_equal((r), -EINVAL);                                     \
		assert_int_equal((f)->err.code, EINVAL);                            \
		for (size_t _i = 0; _i < sizeof(_fragments) / sizeof(*_fragments); _i++) \
			if (!strstr((f)->err.message, _fragments[_i]))              \
				fail_msg("message '%s' lacks '%s'", (f)->err.message, _fragments[_i]); \
	} while (0)

static void assert_argv(const struct sc_cli_options *o, const char *const *expected)
{
	assert_non_null(o->config.argv);
	size_t i = 0;
	for (; expected[i]; i++) {
		assert_non_null(o->config.argv[i]);
		assert_string_equal(o->config.argv[i], expected[i]);
	}
	assert_null(o->config.argv[i]);
}

static void test_run_cmd(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(PARSE(f, "run", "--", "true"), 0);
	assert_int_equal(f->o.command, SC_CLI_RUN);
	assert_argv(&f->o, (const char *[]){ "true", NULL });
	/* nothing given: the documented defaults */
	assert_int_equal(f->o.config.timeout_ms, 60000);
	assert_int_equal(f->o.config.net, SC_NET_NONE);
	assert_int_equal(f->o.config.output_limit, SC_OUTPUT_LIMIT_DEFAULT);
	assert_int_equal(f->o.config.cancel_fd, -1);
	assert_int_equal(f->o.config.n_mounts, 0);
	assert_null(f->o.config.env);
	assert_int_equal(f->o.verbosity, SC_VERBOSITY_NORMAL);
	assert_int_equal(f->o.expect.exit_status, 0);
	assert_null(f->o.expect.stdout_text);
	assert_null(f->o.expect.stdout_regex);
	assert_int_equal(f->o.failure_status, 1);
	assert_int_equal(f->o.skip_status, 0);
}

static void test_exit_statuses(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(PARSE(f, "run", "--failure-status", "0", "--skip-status", "77", "--", "true"), 0);
	assert_int_equal(f->o.failure_status, 0);
	assert_int_equal(f->o.skip_status, 77);
	assert_int_equal(PARSE(f, "--skip-status", "77", "--failure-status", "5", "x.t"), 0);
	assert_int_equal(f->o.command, SC_CLI_SUITE);
	assert_int_equal(f->o.skip_status, 77);
	assert_int_equal(f->o.failure_status, 5);
	assert_int_equal(f->o.n_run_args, 0); /* the suite's own: not passed on to each file */
	assert_int_equal(PARSE(f, "check", "--failure-status", "0"), 0);
	assert_refused(f, PARSE(f, "run", "--failure-status", "256", "--", "true"), "--failure-status '256'", "0 to 255");
	assert_refused(f, PARSE(f, "run", "--skip-status", "-1", "--", "true"), "--skip-status '-1'");
	assert_refused(f, PARSE(f, "shell", "--skip-status", "77"), "--skip-status has no meaning for shell");
}

static void test_options_before_cmd(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(PARSE(f, "run", "--hostname", "box", "--chdir", "/tmp", "--keep", "--name", "t1",
			       "--output-limit", "4096", "--busybox", "/bin/busybox", "--cache", "/c", "--", "id", "-u"),
			 0);
	assert_string_equal(f->o.config.hostname, "box");
	assert_string_equal(f->o.config.chdir, "/tmp");
	assert_true(f->o.config.keep);
	assert_string_equal(f->o.name, "t1");
	assert_int_equal(f->o.config.output_limit, 4096);
	assert_string_equal(f->o.busybox, "/bin/busybox");
	assert_string_equal(f->o.cache_dir, "/c");
	assert_argv(&f->o, (const char *[]){ "id", "-u", NULL });
}

static void test_cmd_options_after_dashdash(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(PARSE(f, "run", "-q", "--", "ls", "-la", "--uid", "5"), 0);
	assert_argv(&f->o, (const char *[]){ "ls", "-la", "--uid", "5", NULL });
	assert_int_equal(f->o.config.uid, 0);
	assert_int_equal(f->o.verbosity, SC_VERBOSITY_QUIET);
}

static void test_cmd_options_without_dashdash(void **state)
{
	struct fixture *f = *state;
	/* options end at CMD: -la and -v belong to ls, not to simpcon-test */
	assert_int_equal(PARSE(f, "run", "--uid", "3", "ls", "-la", "-v", "--", "x"), 0);
	assert_argv(&f->o, (const char *[]){ "ls", "-la", "-v", "--", "x", NULL });
	assert_int_equal(f->o.config.uid, 3);
	assert_int_equal(f->o.verbosity, SC_VERBOSITY_NORMAL);
}

static void test_reparse_resets_getopt(void **state)
{
	struct fixture *f = *state;
	/* a failure in the middle of a cluster leaves getopt's state behind */
	assert_refused(f, PARSE(f, "run", "-qx", "--", "true"), "-x");
	assert_int_equal(PARSE(f, "run", "-v", "--", "true"), 0);
	assert_int_equal(f->o.verbosity, SC_VERBOSITY_VERBOSE);
	assert_argv(&f->o, (const char *[]){ "true", NULL });
	assert_int_equal(PARSE(f, "run", "echo", "hi"), 0);
	assert_argv(&f->o, (const char *[]){ "echo", "hi", NULL });
}

static void test_bind_ro(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(PARSE(f, "run", "--bind", "/srv/data:/data:ro", "--", "true"), 0);
	assert_int_equal(f->o.config.n_mounts, 1);
	assert_ptr_equal(f->o.config.mounts, f->o.mounts);
	assert_string_equal(f->o.config.mounts[0].source, "/srv/data");
	assert_string_equal(f->o.config.mounts[0].dest, "/data");
	assert_true(f->o.config.mounts[0].readonly);
}

static void test_bind_src_dst_and_rw(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(PARSE(f, "run", "--bind", "/a:/b", "--bind", "/c:/d:rw", "--", "true"), 0);
	assert_int_equal(f->o.config.n_mounts, 2);
	assert_string_equal(f->o.config.mounts[0].source, "/a");
	assert_string_equal(f->o.config.mounts[0].dest, "/b");
	assert_false(f->o.config.mounts[0].readonly);
	assert_string_equal(f->o.config.mounts[1].source, "/c");
	assert_string_equal(f->o.config.mounts[1].dest, "/d");
	assert_false(f->o.config.mounts[1].readonly);
}

static void test_bind_src_only(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(PARSE(f, "run", "--bind", "/opt/tools", "--bind", "/x::ro", "--", "true"), 0);
	assert_int_equal(f->o.config.n_mounts, 2);
	assert_string_equal(f->o.config.mounts[0].source, "/opt/tools");
	assert_string_equal(f->o.config.mounts[0].dest, "/opt/tools");
	assert_false(f->o.config.mounts[0].readonly);
	/* an empty DST also means DST = SRC */
	assert_string_equal(f->o.config.mounts[1].source, "/x");
	assert_string_equal(f->o.config.mounts[1].dest, "/x");
	assert_true(f->o.config.mounts[1].readonly);
}

static void test_bind_bad_mode(void **state)
{
	struct fixture *f = *state;
	assert_refused(f, PARSE(f, "run", "--bind", "/a:/b:rx", "--", "true"), "--bind", "'/a:/b:rx'", "'rx'");
	assert_refused(f, PARSE(f, "run", "--bind", "/a:/b:", "--", "true"), "--bind", "mode");
}

static void test_bind_empty_source(void **state)
{
	struct fixture *f = *state;
	assert_refused(f, PARSE(f, "run", "--bind", ":/b", "--", "true"), "--bind", "source is empty");
}

static void test_bind_relative_source(void **state)
{
	struct fixture *f = *state;
	char cwd[PATH_MAX], expected[PATH_MAX + 32];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(expected, sizeof(expected), "%s/sub/dir", cwd);
	assert_int_equal(PARSE(f, "run", "--bind", "sub/dir:/mnt", "--", "true"), 0);
	assert_int_equal(f->o.config.n_mounts, 1);
	assert_string_equal(f->o.config.mounts[0].source, expected);
	assert_string_equal(f->o.config.mounts[0].dest, "/mnt");
}

static void test_bind_relative_dest(void **state)
{
	struct fixture *f = *state;
	assert_refused(f, PARSE(f, "run", "--bind", "/a:b", "--", "true"), "--bind", "'b'", "absolute");
	assert_int_equal(f->o.config.n_mounts, 0);
}

static void test_ro_bind(void **state)
{
	struct fixture *f = *state;
	/* two arguments, so a path may hold ':' */
	assert_int_equal(PARSE(f, "run", "--ro-bind", "/with:colon", "/dst", "--uid", "1", "--", "true"), 0);
	assert_int_equal(f->o.config.n_mounts, 1);
	assert_string_equal(f->o.config.mounts[0].source, "/with:colon");
	assert_string_equal(f->o.config.mounts[0].dest, "/dst");
	assert_true(f->o.config.mounts[0].readonly);
	assert_int_equal(f->o.config.uid, 1);
	assert_argv(&f->o, (const char *[]){ "true", NULL });
}

static void test_ro_bind_relative_source(void **state)
{
	struct fixture *f = *state;
	char cwd[PATH_MAX], expected[PATH_MAX + 32];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(expected, sizeof(expected), "%s/data", cwd);
	assert_int_equal(PARSE(f, "run", "--ro-bind", "data", "/data", "--", "true"), 0);
	assert_string_equal(f->o.config.mounts[0].source, expected);
}

static void test_ro_bind_missing_dest(void **state)
{
	struct fixture *f = *state;
	assert_refused(f, PARSE(f, "run", "--ro-bind", "/src"), "--ro-bind", "DST");
	assert_refused(f, PARSE(f, "run", "--ro-bind", "/src", "dst", "--", "true"), "--ro-bind", "'dst'", "absolute");
	assert_refused(f, PARSE(f, "run", "--ro-bind"), "--ro-bind");
}

/* --ro-bind is "the same [as --bind], read-only": --bind refuses an empty SRC, and so must
 * --ro-bind, or `--ro-bind "$UNSET" /data` silently binds the current directory. */
static void test_ro_bind_empty_source(void **state)
{
	struct fixture *f = *state;
	assert_refused(f, PARSE(f, "run", "--ro-bind", "", "/data", "--", "true"), "--ro-bind");
}

static void test_tmpfs(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(PARSE(f, "run", "--tmpfs", "/scratch", "--bind", "/a:/b", "--", "true"), 0);
	assert_int_equal(f->o.config.n_mounts, 2);
	assert_null(f->o.config.mounts[0].source);
	assert_string_equal(f->o.config.mounts[0].dest, "/scratch");
	assert_false(f->o.config.mounts[0].readonly);
	assert_string_equal(f->o.config.mounts[1].source, "/a");
	assert_refused(f, PARSE(f, "run", "--tmpfs", "scratch", "--", "true"), "--tmpfs", "'scratch'");
}

static void test_env(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(PARSE(f, "run", "--env", "A=1", "--env", "EMPTY=", "--env", "B=x=y", "--", "true"), 0);
	assert_non_null(f->o.config.env);
	assert_string_equal(f->o.config.env[0], "A=1");
	assert_string_equal(f->o.config.env[1], "EMPTY=");
	assert_string_equal(f->o.config.env[2], "B=x=y");
	assert_null(f->o.config.env[3]);
	assert_int_equal(f->o.n_env, 3);
}

static void test_env_bad(void **state)
{
	struct fixture *f = *state;
	assert_refused(f, PARSE(f, "run", "--env", "=x", "--", "true"), "--env", "'=x'", "NAME=VALUE");
	assert_refused(f, PARSE(f, "run", "--env", "", "--", "true"), "--env");
}

/* --env NAME: the harness's own value, or nothing when it has none */
static void test_env_inherited(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(setenv("SC_TEST_INHERITED", "a=b c", 1), 0);
	(void)unsetenv("SC_TEST_UNSET");
	assert_int_equal(PARSE(f, "run", "--env", "SC_TEST_INHERITED", "--env", "SC_TEST_UNSET", "--", "true"), 0);
	assert_non_null(f->o.config.env);
	assert_string_equal(f->o.config.env[0], "SC_TEST_INHERITED=a=b c");
	assert_null(f->o.config.env[1]);
	(void)unsetenv("SC_TEST_INHERITED");
}

static void test_timeout(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(PARSE(f, "run", "--timeout", "30", "--", "true"), 0);
	assert_int_equal(f->o.config.timeout_ms, 30000);
	assert_int_equal(PARSE(f, "run", "--timeout", "0.5", "--", "true"), 0);
	assert_int_equal(f->o.config.timeout_ms, 500);
	assert_int_equal(PARSE(f, "run", "--timeout", "0", "--", "true"), 0);
	assert_int_equal(f->o.config.timeout_ms, 0);
	/* a tiny positive timeout must not turn into "no timeout" */
	assert_int_equal(PARSE(f, "run", "--timeout", "0.0001", "--", "true"), 0);
	assert_int_equal(f->o.config.timeout_ms, 1);
}

static void test_timeout_bad(void **state)
{
	struct fixture *f = *state;
	assert_refused(f, PARSE(f, "run", "--timeout", "-1", "--", "true"), "--timeout", "'-1'");
	assert_refused(f, PARSE(f, "run", "--timeout", "abc", "--", "true"), "--timeout", "'abc'");
	assert_refused(f, PARSE(f, "run", "--timeout", "5s", "--", "true"), "--timeout", "'5s'");
	assert_refused(f, PARSE(f, "run", "--timeout", "", "--", "true"), "--timeout");
	assert_refused(f, PARSE(f, "run", "--timeout", "nan", "--", "true"), "--timeout");
	assert_refused(f, PARSE(f, "run", "--timeout", "inf", "--", "true"), "--timeout");
}

static void test_archive_limits(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(PARSE(f, "fixture", "build", "--archive", "/a.tar"), 0);
	struct sc_fixture_config c = sc_cli_fixture_config(&f->o);
	assert_true(c.archive_limit == 0 && c.archive_entries == 0 && c.archive_ratio == 0); /* the defaults */
	assert_int_equal(PARSE(f, "run", "--archive-limit", "2G", "--archive-entries", "500", "--archive-ratio", "20",
			       "--", "true"),
			 0);
	c = sc_cli_fixture_config(&f->o);
	assert_true(c.archive_limit == (uint64_t)2 << 30 && c.archive_entries == 500 && c.archive_ratio == 20);
	assert_int_equal(PARSE(f, "run", "--archive-ratio", "0", "--", "true"), 0);
	assert_true(sc_cli_fixture_config(&f->o).archive_ratio == SC_ARCHIVE_RATIO_NONE);
	assert_refused(f, PARSE(f, "run", "--archive-limit", "100K", "--", "true"), "--archive-limit '100K'", "at least 1M");
	assert_refused(f, PARSE(f, "run", "--archive-limit", "x", "--", "true"), "--archive-limit 'x'");
	assert_refused(f, PARSE(f, "run", "--archive-entries", "0", "--", "true"), "--archive-entries '0': at least 1");
	assert_refused(f, PARSE(f, "run", "--archive-ratio", "-1", "--", "true"), "--archive-ratio '-1'");
}

static void test_uid_gid(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(PARSE(f, "run", "--uid", "65535", "--gid", "0", "--", "true"), 0);
	assert_int_equal(f->o.config.uid, 65535);
	assert_int_equal(f->o.config.gid, 0);
	assert_int_equal(PARSE(f, "run", "--uid", "0", "--gid", "1000", "--", "true"), 0);
	assert_int_equal(f->o.config.uid, 0);
	assert_int_equal(f->o.config.gid, 1000);
}

static void test_uid_gid_bad(void **state)
{
	struct fixture *f = *state;
	assert_refused(f, PARSE(f, "run", "--uid", "65536", "--", "true"), "--uid", "'65536'", "65535");
	assert_refused(f, PARSE(f, "run", "--uid", "-1", "--", "true"), "--uid", "'-1'");
	assert_refused(f, PARSE(f, "run", "--gid", "1x", "--", "true"), "--gid", "'1x'");
	assert_refused(f, PARSE(f, "run", "--gid", "99999999999999999999999", "--", "true"), "--gid");
	assert_refused(f, PARSE(f, "run", "--uid", "", "--", "true"), "--uid");
}

static void test_net(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(PARSE(f, "run", "--net", "host", "--", "true"), 0);
	assert_int_equal(f->o.config.net, SC_NET_HOST);
	assert_int_equal(PARSE(f, "run", "--net", "host", "--net", "none", "--", "true"), 0);
	assert_int_equal(f->o.config.net, SC_NET_NONE);
	assert_refused(f, PARSE(f, "run", "--net", "bridge", "--", "true"), "--net", "'bridge'");
}

static void test_expect(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(PARSE(f, "run", "--expect-exit", "3", "--expect-stdout", "hello", "--expect-stderr", "",
			       "--expect-stdout-match", "^h(e|a)llo$", "--expect-stderr-match", "warn", "--", "true"),
			 0);
	assert_int_equal(f->o.expect.exit_status, 3);
	assert_string_equal(f->o.expect.stdout_text, "hello");
	assert_string_equal(f->o.expect.stderr_text, "");
	assert_string_equal(f->o.expect.stdout_regex, "^h(e|a)llo$");
	assert_string_equal(f->o.expect.stderr_regex, "warn");
	/* the regexes are compiled */
	assert_non_null(f->o.expect.stdout_re);
	assert_non_null(f->o.expect.stderr_re);
	assert_int_equal(sc_regex_match(f->o.expect.stdout_re, "hallo", 5), 1);
	assert_int_equal(sc_regex_match(f->o.expect.stdout_re, "hullo", 5), 0);
}

static void test_expect_bad(void **state)
{
	struct fixture *f = *state;
	assert_refused(f, PARSE(f, "run", "--expect-exit", "256", "--", "true"), "--expect-exit", "'256'");
	assert_refused(f, PARSE(f, "run", "--expect-exit", "-1", "--", "true"), "--expect-exit");
	assert_refused(f, PARSE(f, "run", "--expect-stdout-match", "a(b", "--", "true"), "--expect-stdout-match",
		       "'a(b'");
	/* the good stdout regex is compiled before the bad stderr one fails: released by teardown */
	assert_refused(f, PARSE(f, "run", "--expect-stdout-match", "ok", "--expect-stderr-match", "[z", "--", "true"),
		       "--expect-stderr-match", "'[z'");
	/* nested bounded repeats copy their group: PCRE2 refuses the result beyond its size limit */
	assert_refused(f, PARSE(f, "run", "--expect-stdout-match", "((a{1,1000}){1,1000}){1,1000}", "--", "true"),
		       "--expect-stdout-match", "too large");
}

static void test_expect_regex_lines(void **state)
{
	/* ^ and $ match at line boundaries: the output's final newline does not defeat $ */
	struct fixture *f = *state;
	assert_int_equal(PARSE(f, "run", "--expect-stdout-match", "^b$", "--expect-stderr-match", "[+*]{2}", "--", "true"), 0);
	assert_int_equal(sc_regex_match(f->o.expect.stdout_re, "a\nb\nc\n", 6), 1);
	assert_int_equal(sc_regex_match(f->o.expect.stdout_re, "ab\n", 3), 0);
}

static void test_hardening_options(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(PARSE(f, "run", "--", "true"), 0);
	assert_false(f->o.config.privileged);
	assert_int_equal(f->o.config.cap_add, 0);
	assert_int_equal(f->o.config.cap_drop, 0);
	assert_int_equal(f->o.config.time_offset_s, 0);
	/* CAP_NET_ADMIN is 12, CAP_SYS_ADMIN 21, CAP_NET_RAW 13 (linux/capability.h) */
	assert_int_equal(PARSE(f, "run", "--privileged", "--cap-add", "net_admin", "--cap-add", "CAP_SYS_ADMIN",
			       "--cap-drop", "NET_RAW", "--time-offset", "-3600", "--", "true"),
			 0);
	assert_true(f->o.config.privileged);
	assert_int_equal(f->o.config.cap_add, (UINT64_C(1) << 12) | (UINT64_C(1) << 21));
	assert_int_equal(f->o.config.cap_drop, UINT64_C(1) << 13);
	assert_int_equal(f->o.config.time_offset_s, -3600);
	assert_int_equal(PARSE(f, "run", "--cap-drop", "all", "--time-offset", "86400", "--", "true"), 0);
	assert_int_equal(f->o.config.cap_drop, UINT64_MAX);
	assert_int_equal(f->o.config.time_offset_s, 86400);
}

static void test_hardening_options_bad(void **state)
{
	struct fixture *f = *state;
	assert_refused(f, PARSE(f, "run", "--cap-add", "CAP_NOSUCH", "--", "true"), "--cap-add", "'CAP_NOSUCH'");
	assert_refused(f, PARSE(f, "run", "--cap-drop", "", "--", "true"), "--cap-drop");
	assert_refused(f, PARSE(f, "run", "--time-offset", "0", "--", "true"), "--time-offset", "'0'");
	assert_refused(f, PARSE(f, "run", "--time-offset", "1.5", "--", "true"), "--time-offset", "'1.5'");
	assert_refused(f, PARSE(f, "run", "--time-offset", "999999999999", "--", "true"), "--time-offset");
	assert_refused(f, PARSE(f, "run", "--privileged=yes", "--", "true"), "--privileged");
}

static void test_quiet_verbose(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(PARSE(f, "run", "--quiet", "--", "true"), 0);
	assert_int_equal(f->o.verbosity, SC_VERBOSITY_QUIET);
	assert_int_equal(PARSE(f, "run", "--verbose", "--", "true"), 0);
	assert_int_equal(f->o.verbosity, SC_VERBOSITY_VERBOSE);
	/* the last one wins */
	assert_int_equal(PARSE(f, "run", "-v", "-q", "--", "true"), 0);
	assert_int_equal(f->o.verbosity, SC_VERBOSITY_QUIET);
	assert_int_equal(PARSE(f, "run", "-qv", "--", "true"), 0);
	assert_int_equal(f->o.verbosity, SC_VERBOSITY_VERBOSE);
}

static void test_help_version(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(PARSE(f, "--help"), 0);
	assert_int_equal(f->o.command, SC_CLI_HELP);
	assert_int_equal(PARSE(f, "-h"), 0);
	assert_int_equal(f->o.command, SC_CLI_HELP);
	assert_int_equal(PARSE(f, "--version"), 0);
	assert_int_equal(f->o.command, SC_CLI_VERSION);
	/* asking for help needs no CMD */
	assert_int_equal(PARSE(f, "run", "--help"), 0);
	assert_int_equal(f->o.command, SC_CLI_HELP);
	assert_non_null(strstr(sc_cli_usage(), "--expect-stdout-match"));
}

static void test_unknown_option(void **state)
{
	struct fixture *f = *state;
	assert_refused(f, PARSE(f, "run", "--frobnicate", "--", "true"), "unknown option", "'--frobnicate'");
	assert_refused(f, PARSE(f, "run", "-x", "--", "true"), "unknown option", "'-x'");
	/* a flag given a value is not taken for a different option */
	assert_refused(f, PARSE(f, "run", "--keep=yes", "--", "true"), "--keep");
}

static void test_missing_value(void **state)
{
	struct fixture *f = *state;
	assert_refused(f, PARSE(f, "run", "--timeout"), "'--timeout'", "needs a value");
	assert_refused(f, PARSE(f, "run", "--uid"), "'--uid'", "needs a value");
	assert_refused(f, PARSE(f, "run", "--expect-stdout"), "'--expect-stdout'", "needs a value");
}

static void test_missing_cmd(void **state)
{
	struct fixture *f = *state;
	assert_refused(f, PARSE(f, "run"), "missing CMD");
	assert_refused(f, PARSE(f, "run", "--uid", "1", "--"), "missing CMD");
	/* options without the run command word */
	assert_refused(f, PARSE(f, "--uid", "1", "--", "true"), "no command");
	char *argv[] = { "simpcon-test", NULL };
	assert_refused(f, parse_argv(f, argv), "no command");
}

static void test_unknown_command(void **state)
{
	struct fixture *f = *state;
	assert_refused(f, PARSE(f, "start", "--", "true"), "unknown command", "'start'");
	assert_refused(f, PARSE(f, "true"), "'true'");
}

/* A suite parses its command line again in each file's directory: relative host paths given
 * there are the caller's, so they reach the files made absolute, in every spelling. */
static void test_suite_paths_are_the_callers(void **state)
{
	struct fixture *f = *state;
	char cwd[PATH_MAX], want[PATH_MAX + 32];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(PARSE(f, "suite", "--bind", "data:/d:ro", "--stdin=in.txt", "--ro-bind", "src", "/dst",
			       "--copy", "/abs/file:/f", "--stdin", "-", "--hostname", "h", "a.t"),
			 0);
	assert_int_equal(f->o.n_run_args, 12);
	snprintf(want, sizeof(want), "%s/data:/d:ro", cwd);
	assert_string_equal(f->o.run_args[1], want);
	snprintf(want, sizeof(want), "--stdin=%s/in.txt", cwd);
	assert_string_equal(f->o.run_args[2], want);
	snprintf(want, sizeof(want), "%s/src", cwd);
	assert_string_equal(f->o.run_args[4], want);
	assert_string_equal(f->o.run_args[5], "/dst");
	assert_string_equal(f->o.run_args[7], "/abs/file:/f");
	assert_string_equal(f->o.run_args[9], "-");
	assert_string_equal(f->o.run_args[11], "h");
}

static void test_init(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(PARSE(f, "run", "--", "true"), 0);
	assert_false(f->o.config.init);
	assert_int_equal(PARSE(f, "run", "--init", "--", "true"), 0);
	assert_true(f->o.config.init);
	assert_refused(f, PARSE(f, "run", "--init=yes", "--", "true"), "--init");
}

static void test_host_sh(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(PARSE(f, "run", "--host-libs", "--", "true"), 0);
	assert_true(f->o.config.host_libs);
	assert_false(f->o.config.host_sh);
	assert_int_equal(PARSE(f, "run", "--host-sh", "--", "true"), 0);
	assert_true(f->o.config.host_libs); /* implied: the host's sh needs the host's libraries */
	assert_true(f->o.config.host_sh);
}

static void test_stdin(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(PARSE(f, "run", "--", "cat"), 0);
	assert_null(f->o.config.stdin_file);
	assert_int_equal(PARSE(f, "run", "--stdin", "-", "--", "cat"), 0);
	assert_string_equal(f->o.config.stdin_file, "-");
	assert_int_equal(PARSE(f, "run", "--stdin", "/abs/in", "--", "cat"), 0);
	assert_string_equal(f->o.config.stdin_file, "/abs/in");
	/* relative: from the caller's directory, made absolute before the run changes it */
	char cwd[PATH_MAX], want[PATH_MAX + 8];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(want, sizeof(want), "%s/in.txt", cwd);
	assert_int_equal(PARSE(f, "run", "--stdin", "in.txt", "--", "cat"), 0);
	assert_string_equal(f->o.config.stdin_file, want);
}

/* A suite's own options stay out of the options each file's container gets, however getopt
 * accepted them: whole, abbreviated, with '=' or with the value as the next word. */
static void test_suite_own_options(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(PARSE(f, "suite", "--hostname", "h", "--filt", "echo", "--sha=1/2", "--jun", "r.xml", "-q",
			       "--env=A=1", "a.t", "b.t"),
			 0);
	assert_int_equal(f->o.command, SC_CLI_SUITE);
	assert_string_equal(f->o.filter, "echo");
	assert_int_equal(f->o.shard_k, 1);
	assert_int_equal(f->o.shard_n, 2);
	assert_string_equal(f->o.junit, "r.xml");
	assert_int_equal(f->o.n_run_args, 4);
	assert_string_equal(f->o.run_args[0], "--hostname");
	assert_string_equal(f->o.run_args[1], "h");
	assert_string_equal(f->o.run_args[2], "-q");
	assert_string_equal(f->o.run_args[3], "--env=A=1");
	assert_int_equal(f->o.n_files, 2);

	assert_int_equal(PARSE(f, "--upd", "--li", "x.t"), 0);
	assert_true(f->o.update && f->o.list);
	assert_int_equal(f->o.n_run_args, 0);
	assert_int_equal(PARSE(f, "--filter=a", "--shard", "2/3", "--junit=j", "x.t"), 0);
	assert_int_equal(f->o.n_run_args, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_run_cmd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_options_before_cmd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmd_options_after_dashdash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmd_options_without_dashdash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reparse_resets_getopt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_ro, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_src_dst_and_rw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_src_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_bad_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_empty_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_relative_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_relative_dest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ro_bind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ro_bind_relative_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ro_bind_missing_dest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ro_bind_empty_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tmpfs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_inherited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uid_gid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uid_gid_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_net, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expect_regex_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expect_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hardening_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hardening_options_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quiet_verbose, setup, teardown),
		cmocka_unit_test_setup_teardown(test_help_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_option, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_value, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_cmd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_command, setup, teardown),
		cmocka_unit_test_setup_teardown(test_suite_own_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_suite_paths_are_the_callers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_sh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stdin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_archive_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exit_statuses, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
