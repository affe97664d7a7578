/* test-file-policy.c - what a transcript's "simpcon:" line may ask, given the caller's options:
 * limits only narrower, capabilities only the caller's, host paths only beneath the roots,
 * anything unlisted refused. */
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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/file-policy.h"
#include "cli/options.h"

struct fixture {
	struct sc_cli_options caller, line;
	struct sc_error err;
	char dir[64]; /* a temporary tree: dir/t/data/x, dir/out/y, dir/t/up -> ../out */
};

static int parse(struct sc_cli_options *o, char **words)
{
	int argc = 0;
	while (words[argc])
		argc++;
	struct sc_error err;
	sc_cli_options_release(o);
	return sc_cli_parse(argc, words, o, &err);
}

#define PARSE(o, ...) parse((o), (char *[]){ "simpcon-test", "suite", __VA_ARGS__, "--", "x.t", NULL })

/* The caller's words, then: 0 when a line of these words is allowed, else -EPERM and a message */
#define CALLER(f, ...) assert_int_equal(PARSE(&(f)->caller, __VA_ARGS__), 0)
#define LINE(f, ...)                                                   \
	(assert_int_equal(PARSE(&(f)->line, __VA_ARGS__), 0),          \
	 sc_file_policy_check(&(f)->caller, &(f)->line, &(f)->err))

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char path[512];
	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test-file-policy.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(path, sizeof(path), "mkdir -p %s/t/data %s/out && touch %s/t/data/x %s/out/y && ln -s ../out %s/t/up",
		 f->dir, f->dir, f->dir, f->dir, f->dir);
	if (system(path) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	(void)system(cmd);
	sc_cli_options_release(&f->caller);
	sc_cli_options_release(&f->line);
	free(f);
	return 0;
}

static void assert_refused(const struct fixture *f, int r, const char *fragment)
{
	assert_int_equal(r, -EPERM);
	if (!strstr(f->err.message, fragment))
		fail_msg("message '%s' lacks '%s'", f->err.message, fragment);
}

static void test_inside_options_allowed(void **state)
{
	struct fixture *f = *state;
	CALLER(f, "-q");
	assert_int_equal(LINE(f, "--hostname", "box", "--env", "A=1", "--uid", "0", "--init", "--tmpfs", "/x",
			      "--time-offset", "5", "--host-libs", "--host-sh", "--cap-drop", "ALL", "--expect-exit",
			      "1"),
			 0);
}

static void test_unlisted_refused(void **state)
{
	struct fixture *f = *state;
	CALLER(f, "-q");
	assert_refused(f, LINE(f, "--busybox", "/bin/true"), "--busybox is refused in a file (it is executed");
	CALLER(f, "-q");
	assert_refused(f, LINE(f, "--keep"), "--keep is refused");
	CALLER(f, "-q");
	assert_refused(f, LINE(f, "--update"), "--update is refused in a file (it is not among");
	CALLER(f, "-q");
	assert_refused(f, LINE(f, "--file-root", "/"), "--file-root is refused");
	/* the archive's limits, even narrower: they size the caller's fixture, not the file's */
	CALLER(f, "--archive-limit", "2G");
	assert_refused(f, LINE(f, "--archive-limit", "1G"), "--archive-limit is refused in a file (it sizes the caller's");
	CALLER(f, "-q");
	assert_refused(f, LINE(f, "--archive-entries", "10"), "--archive-entries is refused");
	CALLER(f, "-q");
	assert_refused(f, LINE(f, "--archive-ratio", "0"), "--archive-ratio is refused");
	/* the exit status is what the caller's harness reads, not the file's to choose */
	CALLER(f, "--failure-status", "0");
	assert_refused(f, LINE(f, "--failure-status", "0"), "--failure-status is refused in a file (it changes the exit status");
	CALLER(f, "-q");
	assert_refused(f, LINE(f, "--skip-status", "77"), "--skip-status is refused in a file (it changes the exit status");
	/* an abbreviation is the option it abbreviates */
	CALLER(f, "-q");
	assert_refused(f, LINE(f, "--busy", "/bin/true"), "--busybox is refused");
}

static void test_limits_only_narrower(void **state)
{
	struct fixture *f = *state;
	CALLER(f, "--timeout", "2");
	assert_int_equal(LINE(f, "--timeout", "1.5"), 0);
	CALLER(f, "--timeout", "2");
	assert_refused(f, LINE(f, "--timeout", "3"), "--timeout 3 asks more than the caller's --timeout 2");
	CALLER(f, "--timeout", "2");
	assert_refused(f, LINE(f, "--timeout", "0"), "--timeout 0 asks more");
	CALLER(f, "--timeout", "0");
	assert_int_equal(LINE(f, "--timeout", "600"), 0); /* the caller set none */
	CALLER(f, "--pids", "16");
	assert_int_equal(LINE(f, "--pids", "16"), 0);
	CALLER(f, "--pids", "16");
	assert_refused(f, LINE(f, "--pids", "17"), "--pids 17 asks more than the caller's --pids 16");
	CALLER(f, "-q");
	assert_int_equal(LINE(f, "--pids", "100000"), 0);
	CALLER(f, "--memory", "64M");
	assert_refused(f, LINE(f, "--memory", "1G"), "--memory 1G asks more");
	CALLER(f, "--cpu-time", "1");
	assert_refused(f, LINE(f, "--cpu-time", "2"), "--cpu-time 2 asks more");
	CALLER(f, "-q");
	assert_refused(f, LINE(f, "--output-limit", "2000000"), "--output-limit 2000000 asks more");
}

static void test_net_and_privileges(void **state)
{
	struct fixture *f = *state;
	CALLER(f, "-q");
	assert_refused(f, LINE(f, "--net", "host"), "--net host asks more than the caller's --net none");
	CALLER(f, "--net", "host");
	assert_int_equal(LINE(f, "--net", "host"), 0);
	CALLER(f, "--net", "host");
	assert_int_equal(LINE(f, "--net", "none"), 0);
	CALLER(f, "-q");
	assert_refused(f, LINE(f, "--privileged"), "--privileged is refused");
	CALLER(f, "--privileged");
	assert_int_equal(LINE(f, "--privileged"), 0);
	CALLER(f, "-q");
	assert_int_equal(LINE(f, "--cap-add", "CHOWN"), 0); /* in the default set */
	CALLER(f, "-q");
	assert_refused(f, LINE(f, "--cap-add", "SYS_ADMIN"), "--cap-add SYS_ADMIN asks a capability");
	CALLER(f, "--cap-drop", "NET_RAW");
	assert_refused(f, LINE(f, "--cap-add", "NET_RAW"), "--cap-add NET_RAW");
	CALLER(f, "--cap-add", "SYS_ADMIN");
	assert_int_equal(LINE(f, "--cap-add", "SYS_ADMIN"), 0);
	CALLER(f, "--privileged");
	assert_int_equal(LINE(f, "--cap-add", "ALL"), 0);
	/* what the caller's container keeps, as the container computes it: a drop holds even there */
	CALLER(f, "--privileged", "--cap-drop", "SYS_ADMIN");
	assert_refused(f, LINE(f, "--cap-add", "SYS_ADMIN"), "--cap-add SYS_ADMIN asks a capability");
	CALLER(f, "-q");
	assert_refused(f, LINE(f, "--stdin", "-"), "'-' is the harness's own stdin");
}

static void test_confine(void **state)
{
	struct fixture *f = *state;
	char t[128], p[160], real[PATH_MAX];
	bool writable;
	snprintf(t, sizeof(t), "%s/t", f->dir);
	assert_int_equal(PARSE(&f->caller, "-q"), 0);
	snprintf(p, sizeof(p), "%s/t/data/../data/x", f->dir);
	assert_int_equal(sc_file_policy_confine(&f->caller, t, p, real, sizeof(real), &writable, &f->err), 0);
	snprintf(p, sizeof(p), "%s/t/data/x", f->dir);
	assert_string_equal(real, p);
	assert_false(writable);
	snprintf(p, sizeof(p), "%s/t/../out/y", f->dir);
	assert_refused(f, sc_file_policy_confine(&f->caller, t, p, real, sizeof(real), &writable, &f->err),
		       "is not beneath the file's directory");
	snprintf(p, sizeof(p), "%s/t/up/y", f->dir);
	assert_refused(f, sc_file_policy_confine(&f->caller, t, p, real, sizeof(real), &writable, &f->err),
		       "through a symlink or '..' out of it");
	assert_refused(f, sc_file_policy_confine(&f->caller, t, "/etc/passwd", real, sizeof(real), &writable, &f->err),
		       "--file-root DIR");
	snprintf(p, sizeof(p), "%s/t/nosuch", f->dir);
	assert_int_equal(sc_file_policy_confine(&f->caller, t, p, real, sizeof(real), &writable, &f->err), -ENOENT);

	/* a root of the caller's: beneath it is allowed, and writable when it says :rw */
	char root[96];
	snprintf(root, sizeof(root), "%s:rw", f->dir);
	assert_int_equal(PARSE(&f->caller, "--file-root", root), 0);
	snprintf(p, sizeof(p), "%s/t/up/y", f->dir);
	assert_int_equal(sc_file_policy_confine(&f->caller, t, p, real, sizeof(real), &writable, &f->err), 0);
	snprintf(p, sizeof(p), "%s/out/y", f->dir);
	assert_string_equal(real, p);
	assert_true(writable);
	snprintf(p, sizeof(p), "%s/t/data", f->dir);
	assert_int_equal(sc_file_policy_confine(&f->caller, t, p, real, sizeof(real), &writable, &f->err), 0);
	assert_true(writable); /* beneath the file's directory too, but the caller's root is writable */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_inside_options_allowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unlisted_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits_only_narrower, setup, teardown),
		cmocka_unit_test_setup_teardown(test_net_and_privileges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_confine, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
