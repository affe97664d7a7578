/* report.c - turning a result into TAP points. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "regex.h"
#include "report.h"
#include "run.h"
#include "util.h"

static int compile_one(struct sc_regex **re, const char *pattern, const char *what, struct sc_error *err)
{
	if (*re)
		return 0;
	/* ^ and $ at line boundaries: output ends in a newline, and matching is per line */
	struct sc_error why = { 0 };
	int r = sc_regex_compile(pattern, strlen(pattern), SC_REGEX_MULTILINE, re, &why);
	if (r < 0)
		return sc_error_setf(err, -r, "%s regex '%s': %s", what, pattern, why.message);
	return 0;
}

int sc_expect_compile(struct sc_expect *e, struct sc_error *err)
{
	int r = 0;
	if (e->stdout_regex)
		r = compile_one(&e->stdout_re, e->stdout_regex, "--expect-stdout-match", err);
	if (r == 0 && e->stderr_regex)
		r = compile_one(&e->stderr_re, e->stderr_regex, "--expect-stderr-match", err);
	return r;
}

void sc_expect_release(struct sc_expect *e)
{
	e->stdout_re = sc_regex_free(e->stdout_re);
	e->stderr_re = sc_regex_free(e->stderr_re);
}

bool sc_expect_text_matches(const char *expected, const char *got, size_t got_len)
{
	size_t n = strlen(expected);
	if (n > 0 && expected[n - 1] == '\n')
		n--;
	if (got_len > 0 && got[got_len - 1] == '\n')
		got_len--;
	return n == got_len && memcmp(expected, got, n) == 0;
}

unsigned sc_report_count(const struct sc_expect *e)
{
	return SC_CHECK_COUNT + 1 + (e->stdout_text || e->stdout_regex) + (e->stderr_text || e->stderr_regex);
}

static void describe(char *buf, size_t size, const char *name, const char *what)
{
	snprintf(buf, size, "%s%s%s", name ? name : "", name ? ": " : "", what);
}

unsigned sc_report_checks(struct sc_tap *tap, const struct sc_result *res, const char *name, enum sc_verbosity v)
{
	unsigned failed = 0;
	for (int c = 0; c < SC_CHECK_COUNT; c++) {
		const char *detail;
		enum sc_verdict verdict = sc_result_check(res, (enum sc_check)c, &detail);
		char what[64], desc[256];
		snprintf(what, sizeof(what), "isolation: %s", sc_check_name((enum sc_check)c));
		describe(desc, sizeof(desc), name, what);
		if (verdict == SC_VERDICT_SKIP) {
			sc_tap_point(tap, true, desc, SC_TAP_SKIP, detail);
			continue;
		}
		sc_tap_point(tap, verdict == SC_VERDICT_PASS, desc, SC_TAP_NONE, NULL);
		failed += verdict != SC_VERDICT_PASS;
		if (verdict != SC_VERDICT_PASS || v == SC_VERBOSITY_VERBOSE) {
			sc_tap_yaml_begin(tap);
			sc_tap_yaml_string(tap, "observed", detail);
			sc_tap_yaml_end(tap);
		}
	}
	return failed;
}

/* What ended the command, in words, for "got:". */
static void outcome(const struct sc_result *res, char *buf, size_t size)
{
	if (res->timed_out)
		snprintf(buf, size, "timed out after %u.%03u s: the container was killed with SIGKILL",
			 res->timeout_ms / 1000, res->timeout_ms % 1000);
	else if (res->exec_error)
		snprintf(buf, size, "%s (exit status %d)", res->exec_error, res->exit_status);
	else if (res->signal)
		snprintf(buf, size, "killed by signal %d (SIG%s)", res->signal, sigabbrev_np(res->signal) ? sigabbrev_np(res->signal) : "?");
	else
		snprintf(buf, size, "exit status %d", res->exit_status);
}

static void yaml_outputs(struct sc_tap *tap, const struct sc_result *res)
{
	sc_tap_yaml_text(tap, "stdout", res->out.data ? res->out.data : "", res->out.len, (size_t)res->out.total);
	sc_tap_yaml_text(tap, "stderr", res->err.data ? res->err.data : "", res->err.len, (size_t)res->err.total);
}

static unsigned write_exit(struct sc_tap *tap, const struct sc_result *res, const struct sc_expect *e,
			   const char *name, enum sc_verbosity v)
{
	bool ok = !res->timed_out && res->signal == 0 && res->exit_status == e->exit_status;
	char what[64], desc[256], got[320], expected[64];
	snprintf(what, sizeof(what), "exit status %d", e->exit_status);
	describe(desc, sizeof(desc), name, what);
	sc_tap_point(tap, ok, desc, SC_TAP_NONE, NULL);
	if (ok && v == SC_VERBOSITY_QUIET)
		return 0;
	outcome(res, got, sizeof(got));
	sc_tap_yaml_begin(tap);
	if (!ok) {
		snprintf(expected, sizeof(expected), "exit status %d", e->exit_status);
		sc_tap_yaml_string(tap, "message", res->timed_out          ? "the command timed out"
						   : res->limit_hit[0] ? "the command hit a resource limit"
								       : "unexpected exit status");
		sc_tap_yaml_string(tap, "expected", expected);
		sc_tap_yaml_string(tap, "got", got);
	}
	if (res->signal)
		sc_tap_yaml_int(tap, "signal", res->signal);
	else
		sc_tap_yaml_int(tap, "exit_status", res->exit_status);
	if (res->timed_out)
		sc_tap_yaml_bool(tap, "timed_out", true);
	if (res->limits[0])
		sc_tap_yaml_string(tap, "limits", res->limits);
	if (res->limit_hit[0])
		sc_tap_yaml_string(tap, "limit_hit", res->limit_hit);
	sc_tap_yaml_int(tap, "duration_ms", (long long)(res->duration_us / 1000));
	yaml_outputs(tap, res);
	sc_tap_yaml_end(tap);
	return !ok;
}

static unsigned write_stream(struct sc_tap *tap, const struct sc_output *o, const char *stream, const char *text,
			     const char *regex, struct sc_regex *re, const char *name)
{
	if (!text && !regex)
		return 0;
	const char *data = o->data ? o->data : "";
	bool ok;
	int matched = 0;
	char what[64], desc[256];
	if (regex) {
		matched = sc_regex_match(re, data, o->len); /* NUL bytes included */
		ok = matched > 0;
		snprintf(what, sizeof(what), "%s matches", stream);
	} else {
		ok = o->total == o->len && sc_expect_text_matches(text, data, o->len);
		snprintf(what, sizeof(what), "%s", stream);
	}
	describe(desc, sizeof(desc), name, what);
	sc_tap_point(tap, ok, desc, SC_TAP_NONE, NULL);
	if (!ok) {
		sc_tap_yaml_begin(tap);
		sc_tap_yaml_string(tap, "message", !regex		? "output differs"
						   : matched == -E2BIG ? "no match: the regex gave up at its backtracking limit (simplify it)"
									: "no match in the output");
		sc_tap_yaml_string(tap, regex ? "expected_match" : "expected", regex ? regex : text);
		sc_tap_yaml_text(tap, "got", data, o->len, (size_t)o->total);
		sc_tap_yaml_end(tap);
	}
	return !ok;
}

unsigned sc_report_write(struct sc_tap *tap, const struct sc_result *res, const struct sc_expect *e,
			 const char *name, enum sc_verbosity verbosity)
{
	unsigned failed = sc_report_checks(tap, res, name, verbosity);
	failed += write_exit(tap, res, e, name, verbosity);
	failed += write_stream(tap, &res->out, "stdout", e->stdout_text, e->stdout_regex, e->stdout_re, name);
	failed += write_stream(tap, &res->err, "stderr", e->stderr_text, e->stderr_regex, e->stderr_re, name);
	sc_tap_flush(tap);
	return failed;
}
