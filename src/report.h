/* report.h - a run's result as TAP points: the isolation checks, then the expectations. */
#pragma once

#include <stdbool.h>

#include "simpcon.h"
#include "tap.h"

struct sc_regex;

struct sc_expect {
	int exit_status;            /* expected exit status (default 0) */
	const char *stdout_text;    /* NULL: not checked; else equal, ignoring one final newline */
	const char *stderr_text;
	const char *stdout_regex;   /* NULL: not checked; else a regex (regex.h) found in the output */
	const char *stderr_regex;
	struct sc_regex *stdout_re, *stderr_re; /* compiled by sc_expect_compile */
};

enum sc_verbosity {
	SC_VERBOSITY_QUIET,   /* YAML only for failed points */
	SC_VERBOSITY_NORMAL,  /* plus the command's output after the exit status point */
	SC_VERBOSITY_VERBOSE, /* plus what every isolation check observed */
};

/* Compiles the regexes; fills err with the pattern and what is wrong with it on failure. */
int sc_expect_compile(struct sc_expect *e, struct sc_error *err);
void sc_expect_release(struct sc_expect *e);

/* Whether output matches an exact expectation: equal, or equal but for one final newline. */
bool sc_expect_text_matches(const char *expected, const char *got, size_t got_len);

/* The number of points sc_report_write writes. */
unsigned sc_report_count(const struct sc_expect *e);
/* Writes the SC_CHECK_COUNT isolation points alone; returns how many failed. */
unsigned sc_report_checks(struct sc_tap *tap, const struct sc_result *res, const char *name, enum sc_verbosity v);
/* Writes the points (no version line, no plan); returns how many failed. */
unsigned sc_report_write(struct sc_tap *tap, const struct sc_result *res, const struct sc_expect *e,
			 const char *name, enum sc_verbosity verbosity);
