/* junit.h - a JUnit XML report, fed point by point by the TAP writer.
 *
 * One <testsuite> per file (or per run, or per check), one <testcase> per TAP point, with its
 * time, a <failure> (message: the point's "message" or first YAML field; text: the whole YAML
 * block), an <error> (the same, for the harness's own trouble: a "Bail out!") or
 * <skipped message=reason/>, and the YAML block as <system-out>. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "simpcon.h"

enum sc_junit_status {
	SC_JUNIT_PASS,
	SC_JUNIT_FAIL,
	SC_JUNIT_SKIP,
	SC_JUNIT_ERROR, /* the harness could not do its job, not a failed point */
};

struct sc_junit;

int sc_junit_new(struct sc_junit **ret_junit);
struct sc_junit *sc_junit_free(struct sc_junit *junit);

/* Starts a <testsuite>; the cases that follow belong to it. */
int sc_junit_suite(struct sc_junit *junit, const char *name);
/* Adds a <testcase> to the current suite (one is started, named "simpcon-test", if none). */
int sc_junit_case(struct sc_junit *junit, const char *name, enum sc_junit_status status, const char *reason);
/* Appends to the current case's diagnostics ("key: value" lines of its YAML block). */
int sc_junit_output(struct sc_junit *junit, const char *text, size_t len);
/* Sets the current case's time. */
void sc_junit_time(struct sc_junit *junit, double seconds);

/* Writes the report to path (through a temporary file renamed into place). */
int sc_junit_write(const struct sc_junit *junit, const char *path, struct sc_error *err);

/* Appends s to buf as XML character data: &<>"' escaped, characters XML 1.0 forbids (control
 * characters but tab and newline, invalid UTF-8) written as "\xNN". Exposed for tests. */
int sc_junit_escape(char **buf, size_t *len, size_t *cap, const char *s, size_t n);
