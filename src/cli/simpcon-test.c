/* simpcon-test.c - the command line: parses, calls the library, owns stdout, stderr and the
 * exit status. TAP goes to stdout, the harness's own messages to stderr. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <time.h>
#include <string.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include "cache.h"
#include "check.h"
#include "check-kernel.h"
#include "ci-env.h"
#include "error.h"
#include "fixture.h"
#include "junit.h"
#include "options.h"
#include "suite.h"
#include "report.h"
#include "simpcon.h"
#include "tap.h"
#include "tmpdir.h"
#include "transcript-files.h"
#include "util.h"

enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_HARNESS = 3,
};

/* SIGINT, SIGTERM and SIGHUP become readable on an fd the run polls: the container is killed
 * and everything is cleaned up before the harness exits. */
static int cancel_fd(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static int harness_failed(struct sc_tap *tap, const struct sc_error *err)
{
	fprintf(stderr, "simpcon-test: %s\n", err->message);
	sc_tap_bail(tap, err->message);
	sc_tap_release(tap);
	return EXIT_HARNESS;
}

/* The exit status of a stream written whole: a failed point is --failure-status (meson reads
 * any other status than 0 as an error of the harness), a stream of skips alone --skip-status
 * (CTest's SKIP_RETURN_CODE). */
static int points_status(const struct sc_tap *tap, const struct sc_cli_options *o, unsigned failed)
{
	if (tap->error)
		return EXIT_HARNESS;
	if (failed)
		return o->failure_status;
	if (tap->skipped_all || (tap->count > 0 && tap->skipped == tap->count))
		return o->skip_status;
	return EXIT_OK;
}

/* The TAP stream on stdout, and a JUnit report beside it when --junit asked for one. */
static int begin(struct sc_tap *tap, const struct sc_cli_options *o, const char *suite, unsigned plan)
{
	sc_tap_init(tap, STDOUT_FILENO);
	if (o->junit && (sc_junit_new(&tap->junit) < 0 || sc_junit_suite(tap->junit, suite) < 0)) {
		fprintf(stderr, "simpcon-test: out of memory for the JUnit report\n");
		return -ENOMEM;
	}
	sc_tap_version(tap);
	/* the plan comes first: a crash later reads as missing points, never as a pass */
	sc_tap_plan(tap, plan);
	sc_tap_flush(tap);
	return 0;
}

/* Writes the JUnit report (if any) and turns a failure to write it into a harness failure. */
static int finish(struct sc_tap *tap, const struct sc_cli_options *o, int status)
{
	if (tap->junit) {
		struct sc_error err = { 0 };
		if (sc_junit_write(tap->junit, o->junit, &err) < 0) {
			fprintf(stderr, "simpcon-test: %s\n", err.message);
			status = EXIT_HARNESS;
		}
		tap->junit = sc_junit_free(tap->junit);
	}
	return status;
}

/* The busybox fixture, unless --rootfs gave a root. */
static int fixture(struct sc_cli_options *o, struct sc_fixture **ret, struct sc_error *err)
{
	*ret = NULL;
	if (o->config.rootfs)
		return 0;
	struct sc_fixture_config c = sc_cli_fixture_config(o);
	int r = sc_fixture_new(&c, ret, err);
	if (r < 0)
		return r;
	o->config.rootfs = sc_fixture_root(*ret);
	if (o->verbosity == SC_VERBOSITY_VERBOSE)
		fprintf(stderr, "simpcon-test: fixture '%s' (%s)\n", o->config.rootfs,
			sc_fixture_was_built(*ret) ? "built" : "cached");
	return 0;
}

/* check --kernel: the machine's check writes the version line and the plan itself. */
static int check_kernel(struct sc_cli_options *o)
{
	struct sc_error err = { 0 };
	struct sc_tap tap;
	struct sc_kernel_options options = { .image = o->kernel, .modules = o->modules, .qemu = o->qemu,
					     .append = o->append, .busybox = o->busybox,
					     .privileged = o->config.privileged, .verbosity = o->verbosity,
					     .cancel_fd = cancel_fd() };
	int status = EXIT_HARNESS;
	sc_tap_init(&tap, STDOUT_FILENO);
	int r = sc_kernel_check(&tap, &options, STDERR_FILENO, &status, &err);
	if (options.cancel_fd >= 0)
		close(options.cancel_fd);
	if (r < 0)
		return harness_failed(&tap, &err);
	if (err.message[0])
		fprintf(stderr, "simpcon-test: %s\n", err.message);
	sc_tap_release(&tap);
	return tap.error ? EXIT_HARNESS : status == EXIT_FAILED ? o->failure_status : status;
}

static int check(struct sc_cli_options *o)
{
	struct sc_error err = { 0 };
	if (o->kernel)
		return check_kernel(o);
	struct sc_fixture *fx = NULL;
	struct sc_tap tap;
	unsigned failed = 0;
	if (begin(&tap, o, "simpcon-test check", sc_check_count()) < 0)
		return EXIT_HARNESS;
	if (fixture(o, &fx, &err) < 0)
		return finish(&tap, o, harness_failed(&tap, &err));
	struct sc_check_options options = { .rootfs = o->config.rootfs, .privileged = o->config.privileged,
					    .verbosity = o->verbosity };
	int r = sc_check_suite(&tap, &options, &failed, &err);
	sc_fixture_free(fx);
	if (r < 0)
		return finish(&tap, o, harness_failed(&tap, &err));
	sc_tap_release(&tap);
	return finish(&tap, o, points_status(&tap, o, failed));
}

static void print_entry(const struct sc_cache_entry *e, void *data)
{
	char when[32];
	struct tm tm;
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", localtime_r(&e->built, &tm));
	printf("%-48s %8llu KiB  %s\n", e->name, (unsigned long long)(e->bytes / 1024), when);
	(*(unsigned *)data)++;
}

/* simpcon-test fixture build|list|prune: prepare, inspect and clear the cache. */
static int fixture_command(struct sc_cli_options *o)
{
	struct sc_error err = { 0 };
	char cache[PATH_MAX];
	if (o->command == SC_CLI_FIXTURE_BUILD) {
		struct sc_fixture *fx = NULL;
		if (fixture(o, &fx, &err) < 0) {
			fprintf(stderr, "simpcon-test: %s\n", err.message);
			return EXIT_HARNESS;
		}
		printf("%s\n", sc_fixture_root(fx));
		sc_fixture_free(fx);
		return EXIT_OK;
	}
	if (sc_fixture_cache_dir(o->cache_dir, cache, sizeof(cache), &err) < 0) {
		fprintf(stderr, "simpcon-test: %s\n", err.message);
		return EXIT_HARNESS;
	}
	unsigned n = 0;
	int r = o->command == SC_CLI_FIXTURE_LIST ? sc_cache_list(cache, print_entry, &n, &err)
						  : sc_cache_prune(cache, &n, &err);
	if (r < 0) {
		fprintf(stderr, "simpcon-test: %s\n", err.message);
		return EXIT_HARNESS;
	}
	if (o->command == SC_CLI_FIXTURE_PRUNE) {
		printf("removed %u fixture%s from '%s'\n", n, n == 1 ? "" : "s", cache);
		/* and what killed runs left in TMPDIR: --no-cache fixtures, long scripts */
		const char *tmp = sc_tmpdir_default();
		if ((n = sc_tmpdir_sweep(tmp)))
			printf("removed %u leftover%s of killed runs from '%s'\n", n, n == 1 ? "" : "s", tmp);
	}
	else if (n == 0)
		fprintf(stderr, "simpcon-test: no fixture in '%s'\n", cache);
	return EXIT_OK;
}

static int suite(struct sc_cli_options *o);

/* A suite's files: directories among them searched for *.t, as cram does. */
static int suite_in(struct sc_cli_options *o)
{
	struct sc_error err = { 0 };
	char **list = NULL, **owned = NULL;
	size_t n = 0, n_owned = 0;
	int r = sc_transcript_files(o->files, o->n_files, &list, &n, &owned, &n_owned, &err);
	int status = EXIT_USAGE;
	if (r < 0) {
		fprintf(stderr, "simpcon-test: %s\n", err.message);
	} else {
		o->files = list;
		o->n_files = n;
		status = suite(o);
	}
	for (size_t i = 0; i < n_owned; i++)
		free(owned[i]);
	free(owned);
	free(list);
	return status;
}

static int suite(struct sc_cli_options *o)
{
	struct sc_error err = { 0 };
	struct sc_tap tap;
	unsigned failed = 0;
	sc_tap_init(&tap, STDOUT_FILENO);
	if (o->junit && sc_junit_new(&tap.junit) < 0) {
		fprintf(stderr, "simpcon-test: out of memory for the JUnit report\n");
		return EXIT_HARNESS;
	}
	o->config.cancel_fd = cancel_fd();
	int r = sc_cli_suite(o, &tap, &failed, &err);
	if (o->config.cancel_fd >= 0)
		close(o->config.cancel_fd);
	if (r < 0)
		return finish(&tap, o, harness_failed(&tap, &err));
	sc_tap_release(&tap);
	if (o->list)
		return tap.junit ? (tap.junit = sc_junit_free(tap.junit), EXIT_OK) : EXIT_OK;
	return finish(&tap, o, points_status(&tap, o, failed));
}

static int run(struct sc_cli_options *o)
{
	struct sc_error err = { 0 };
	struct sc_fixture *fx = NULL;
	struct sc_result *result = NULL;
	struct sc_tap tap;
	if (begin(&tap, o, o->name ? o->name : "simpcon-test run", sc_report_count(&o->expect)) < 0)
		return EXIT_HARNESS;
	if (fixture(o, &fx, &err) < 0)
		return finish(&tap, o, harness_failed(&tap, &err));
	o->config.cancel_fd = cancel_fd();
	int r = sc_run(&o->config, &result, &err);
	if (o->config.cancel_fd >= 0)
		close(o->config.cancel_fd);
	if (r < 0) {
		sc_fixture_free(fx);
		return finish(&tap, o, harness_failed(&tap, &err));
	}
	unsigned failed = sc_report_write(&tap, result, &o->expect, o->name, o->verbosity);
	if (sc_result_run_dir(result))
		fprintf(stderr, "simpcon-test: kept run directory '%s'\n", sc_result_run_dir(result));
	sc_tap_release(&tap);
	int status = points_status(&tap, o, failed);
	sc_result_free(result);
	sc_fixture_free(fx);
	return finish(&tap, o, status);
}

/* The caller's terminal modes before the shell made it raw: put back on every way out. */
static struct termios saved_modes;
static bool modes_saved;

static void restore_modes(void)
{
	if (modes_saved && tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_modes) == 0)
		modes_saved = false;
}

static bool given(const struct sc_cli_options *o, const char *name)
{
	for (size_t i = 0; i < o->n_given; i++)
		if (!strcmp(o->given[i].name, name))
			return true;
	return false;
}

/* The terminal's own: raw (every key goes to the container's terminal, whose line discipline
 * does the rest: ^C, ^Z, echo), and its size changes as a signalfd. */
static int terminal_session(struct sc_config *c, int *ret_resize_fd)
{
	sigset_t winch;
	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, &winch, NULL) < 0 || (*ret_resize_fd = signalfd(-1, &winch, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
		return -errno;
	if (tcgetattr(STDIN_FILENO, &saved_modes) < 0)
		return -errno;
	modes_saved = true;
	(void)atexit(restore_modes);
	struct termios raw = saved_modes;
	cfmakeraw(&raw);
	if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) < 0)
		return -errno;
	c->stdio = SC_STDIO_TERMINAL;
	c->resize_fd = *ret_resize_fd;
	return 0;
}

/* simpcon-test shell: the run's container with the caller's terminal attached. Exits with the
 * shell's status (128 + N for death by signal N). */
static int shell(struct sc_cli_options *o)
{
	struct sc_error err = { 0 };
	struct sc_fixture *fx = NULL;
	struct sc_cli_shell_file *file = NULL;
	struct sc_result *result = NULL;
	struct sc_config *c = &o->config;
	_cleanup_free_ const char **env = NULL;
	int resize_fd = -1, status = EXIT_HARNESS, r;
	o->config.cancel_fd = cancel_fd();
	if (o->shell_file)
		r = sc_cli_shell_file_open(o, &file, &c, &err);
	else
		r = fixture(o, &fx, &err);
	/* a person's session: no timeout unless asked for */
	if (r == 0 && !given(o, "timeout"))
		c->timeout_ms = 0;
	/* a terminal on stdin is the person's, whatever stdout is (| tee log, say) */
	bool tty = isatty(STDIN_FILENO);
	const char *term = getenv("TERM");
	size_t n = 0;
	while (c->env && c->env[n])
		n++;
	if (r == 0 && tty && term && *term && !(env = calloc(n + 2, sizeof(*env))))
		r = sc_error_set(&err, ENOMEM, "prepare the shell's environment");
	_cleanup_free_ char *term_entry = NULL;
	if (r == 0 && env) {
		if (n)
			memcpy(env, c->env, n * sizeof(*env));
		if (asprintf(&term_entry, "TERM=%s", term) < 0)
			r = sc_error_set(&err, ENOMEM, "prepare the shell's environment");
		env[n] = term_entry;
		c->env = env;
	}
	if (r == 0 && tty && (r = terminal_session(c, &resize_fd)) < 0)
		sc_error_set(&err, -r, "make the terminal raw for the shell");
	else if (r == 0 && !tty) {
		fprintf(stderr, "simpcon-test: stdin is not a terminal: the shell reads and writes plain pipes, "
				"without job control\n");
		c->stdio = SC_STDIO_PASSTHROUGH;
		c->stdin_file = "-";
		/* the default shell then reads commands as a script does: no banner, no prompts */
		static const char *const plain_shell[] = { "/bin/sh", NULL };
		if (!o->shell_file && c->argv == sc_cli_default_shell)
			c->argv = plain_shell;
	}
	if (r == 0)
		r = sc_run(c, &result, &err);
	restore_modes();
	if (r < 0) {
		fprintf(stderr, "simpcon-test: %s\n", err.message);
		goto out;
	}
	/* the same isolation as run: a broken one is said, though the session is over */
	for (int k = 0; k < SC_CHECK_COUNT; k++) {
		const char *detail = NULL;
		if (sc_result_check(result, (enum sc_check)k, &detail) == SC_VERDICT_FAIL)
			fprintf(stderr, "simpcon-test: isolation check '%s' failed: %s\n", sc_check_name((enum sc_check)k),
				detail ? detail : "");
	}
	if (sc_result_exec_error(result))
		fprintf(stderr, "simpcon-test: %s\n", sc_result_exec_error(result));
	if (sc_result_timed_out(result))
		fprintf(stderr, "simpcon-test: the shell ran past --timeout and was killed with its container\n");
	if (sc_result_run_dir(result))
		fprintf(stderr, "simpcon-test: kept run directory '%s'\n", sc_result_run_dir(result));
	status = sc_result_signal(result) ? 128 + sc_result_signal(result) : sc_result_exit_status(result);
out:
	if (o->config.cancel_fd >= 0)
		close(o->config.cancel_fd);
	if (resize_fd >= 0)
		close(resize_fd);
	sc_result_free(result);
	sc_cli_shell_file_close(file);
	sc_fixture_free(fx);
	return status;
}

int main(int argc, char **argv)
{
	struct sc_cli_options options;
	struct sc_error err = { 0 };
	if (sc_cli_parse(argc, argv, &options, &err) < 0) {
		fprintf(stderr, "simpcon-test: %s\n", err.message);
		sc_cli_options_release(&options);
		return EXIT_USAGE;
	}
	/* Bazel's and GitLab's variables, where the command line left the choice open */
	int r = sc_cli_ci_env(&options, &err);
	if (r < 0) {
		fprintf(stderr, "simpcon-test: %s\n", err.message);
		sc_cli_options_release(&options);
		return r == -EINVAL ? EXIT_USAGE : EXIT_HARNESS;
	}
	int status = EXIT_OK;
	switch (options.command) {
	case SC_CLI_HELP: fputs(sc_cli_usage(), stdout); break;
	case SC_CLI_VERSION: puts(PACKAGE_STRING); break;
	case SC_CLI_RUN: status = run(&options); break;
	case SC_CLI_CHECK: status = check(&options); break;
	case SC_CLI_SUITE: status = suite_in(&options); break;
	case SC_CLI_SHELL: status = shell(&options); break;
	case SC_CLI_FIXTURE_BUILD:
	case SC_CLI_FIXTURE_LIST:
	case SC_CLI_FIXTURE_PRUNE: status = fixture_command(&options); break;
	}
	sc_cli_options_release(&options);
	return status;
}
