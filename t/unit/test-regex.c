/* test-regex.c - the regex dialect (Python's re on PCRE2), its anchoring, cram's reading, and
 * the limits that keep a backtracking pattern from holding the harness. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "regex.h"

/* Whether pattern (flags) matches subject (n bytes); fails the test when it does not compile. */
static int match_n(const char *pattern, unsigned flags, const char *subject, size_t n)
{
	struct sc_regex *re = NULL;
	struct sc_error err = { 0 };
	if (sc_regex_compile(pattern, strlen(pattern), flags, &re, &err) < 0)
		fail_msg("compile '%s': %s", pattern, err.message);
	int r = sc_regex_match(re, subject, n);
	sc_regex_free(re);
	return r;
}

static bool whole(const char *pattern, const char *subject)
{
	return match_n(pattern, SC_REGEX_WHOLE, subject, strlen(subject)) == 1;
}

static bool cram(const char *pattern, const char *subject)
{
	return match_n(pattern, SC_REGEX_CRAM, subject, strlen(subject)) == 1;
}

static const char *refusal(const char *pattern, unsigned flags)
{
	static struct sc_error err;
	struct sc_regex *re = NULL;
	if (sc_regex_compile(pattern, strlen(pattern), flags, &re, &err) == 0) {
		sc_regex_free(re);
		return NULL;
	}
	assert_int_equal(err.code, EINVAL);
	return err.message;
}

/* What cram and prysk users write: Python's re. */
static void test_python_dialect(void **state)
{
	(void)state;
	assert_true(whole("\\d+ files?", "12 files"));
	assert_true(whole("(?:ab)+", "abab"));
	assert_true(whole("foo(?=bar)bar", "foobar"));
	assert_false(whole("foo(?!bar).*", "foobar"));
	assert_true(whole("<.+?>x", "<a>x"));
	assert_true(whole("a{2,3}", "aaa"));
	assert_false(whole("a{2,3}", "aaaa"));
	assert_true(whole("a{,2}b", "ab"));  /* Python's {,n}: 0 to n (PCRE2 10.42 reads a literal) */
	assert_true(whole("a{,}b", "aaab"));
	assert_true(whole("(\\w+) \\1", "hey hey"));
	assert_false(whole("(\\w+) \\1", "hey you"));
	assert_true(whole("(?P<w>\\w+) (?P=w)", "ho ho"));
	assert_true(whole("\\s\\S\\w\\W", " xy!"));
	assert_true(whole("x\\Z", "x"));
	/* Python's \Z is the very end: PCRE2's \Z would also match before a final newline */
	assert_int_equal(match_n("x\\Z", 0, "x\n", 2), 0);
	assert_int_equal(match_n("x\\Z", 0, "x", 1), 1);
}

/* The old POSIX extended spellings keep their meaning outside cram's reading. */
static void test_posix_spellings(void **state)
{
	(void)state;
	assert_true(whole("[[:digit:]]+ [[:alpha:]_]+", "42 foo_bar"));
	assert_true(whole("[[:digit:][:space:]]+x", "4 2x"));
	assert_true(whole("a\\b b", "a b"));
	assert_true(whole("\\w+\\s\\w+", "a b"));
	/* GNU's word edges are Python's literal characters */
	assert_true(whole("\\<a\\>", "<a>"));
	assert_true(whole("\\'\\`", "'`"));
	/* bytes, not UTF-8: a '.' is one byte of "é" */
	assert_true(whole("caf..", "caf\xc3\xa9"));
	assert_false(whole("caf.", "caf\xc3\xa9"));
	assert_non_null(refusal("(*UTF)caf.", SC_REGEX_WHOLE));
}

static void test_anchoring(void **state)
{
	(void)state;
	assert_false(whole("[0-9]+", "12 files"));
	assert_false(whole("files", "12 files"));
	assert_true(whole("a|b", "b"));
	assert_false(whole("a|b", "ab")); /* the alternation is anchored as a whole */
	/* cram's re.match(pattern + r'\Z'): the end binds to the last alternative alone */
	assert_true(cram("a|b", "ab"));
	assert_true(cram("a|b", "b"));
	assert_false(cram("a|b", "ba"));
	assert_false(cram("b", "ab"));
	/* a pattern ending in a lone backslash escapes cram's \Z, as in Python: a literal Z */
	assert_true(cram("a\\", "a\\Z"));
	assert_false(cram("a\\", "a\\z"));
	/* unanchored: a search; multiline: ^ and $ at each line */
	assert_int_equal(match_n("b", 0, "abc", 3), 1);
	assert_int_equal(match_n("^b$", SC_REGEX_MULTILINE, "a\nb\nc\n", 6), 1);
	assert_int_equal(match_n("^b$", 0, "a\nb\nc\n", 6), 0);
}

/* NUL bytes are bytes of the line: no match of a prefix as the whole line. */
static void test_nul_bytes(void **state)
{
	(void)state;
	assert_int_equal(match_n("a", SC_REGEX_WHOLE, "a\0b", 3), 0);
	assert_int_equal(match_n("a.b", SC_REGEX_WHOLE, "a\0b", 3), 1);
	struct sc_regex *re = NULL;
	assert_int_equal(sc_regex_compile("a\0b", 3, SC_REGEX_WHOLE, &re, NULL), 0);
	assert_int_equal(sc_regex_match(re, "a\0b", 3), 1);
	assert_int_equal(sc_regex_match(re, "a", 1), 0);
	sc_regex_free(re);
}

/* As cram reads an (re) line: what Python refuses is invalid, what it reads otherwise differs. */
static void test_cram_reading(void **state)
{
	(void)state;
	/* Python has no POSIX classes: "[[:digit:]]" is the set "[:digt" followed by a ']' */
	assert_false(cram("[[:digit:]]+", "5"));
	assert_true(cram("[[:digit:]]+", "d]"));
	assert_true(cram("\\v", "\v"));
	assert_false(cram("\\v", "\n"));
	assert_true(whole("\\v", "\n")); /* PCRE2: any vertical space */
	assert_non_null(refusal("\\e", SC_REGEX_CRAM));
	assert_string_equal(refusal("a\\h", SC_REGEX_CRAM), "bad escape \\h (Python's re has none)");
	assert_non_null(refusal("[\\A]", SC_REGEX_CRAM));
	assert_null(refusal("\\e\\h", SC_REGEX_WHOLE));
	assert_non_null(refusal("a(b", SC_REGEX_CRAM));
	assert_string_equal(refusal("a(b", SC_REGEX_WHOLE), "missing closing parenthesis at offset 3");
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Patterns that backtrack exponentially (or as a power of the line) end promptly as no
 * match: PCRE2's limits, where glibc's regexec took seconds and a guard refused them all. */
static void test_catastrophic(void **state)
{
	(void)state;
	enum { LEN = 100000 };
	char *line = malloc(LEN + 1);
	assert_non_null(line);
	memset(line, 'a', LEN);
	line[LEN - 1] = 'c';
	static const char *const patterns[] = { "(a*)*b", "(a|a)*\\1", "(a+)+b", "^(.*)(.*)\\2\\1$", "(a|aa)*b",
						"(?:a|a)*(?:a|a)*(?:a|a)*x" };
	for (size_t i = 0; i < sizeof(patterns) / sizeof(*patterns); i++) {
		static const size_t lengths[] = { 30, 3000, LEN };
		for (size_t k = 0; k < sizeof(lengths) / sizeof(*lengths); k++) {
			size_t len = lengths[k];
			struct timespec start;
			clock_gettime(CLOCK_MONOTONIC, &start);
			int r = match_n(patterns[i], SC_REGEX_WHOLE, line + LEN - len, len);
			double took = seconds_since(&start);
			if (r > 0 || took > 10.0) /* tens of ms; valgrind's 50 times slower */
				fail_msg("'%s' on %zu bytes: %d after %.2f s", patterns[i], len, r, took);
		}
	}
	/* the limit is what ended it */
	assert_int_equal(match_n("(a|a)*\\1", SC_REGEX_WHOLE, line + LEN - 3000, 3000), -E2BIG);
	free(line);
}

/* The compiled size, for the transcript's memory cap; a pattern PCRE2 would make too large is
 * refused at once. */
static void test_size(void **state)
{
	(void)state;
	struct sc_regex *re = NULL;
	assert_int_equal(sc_regex_compile("[0-9]+ files?", 14, SC_REGEX_WHOLE, &re, NULL), 0);
	size_t size = sc_regex_size(re);
	assert_true(size > 100 && size < 1000);
	sc_regex_free(re);
	assert_non_null(strstr(refusal("((a{1,1000}){1,1000}){1,1000}", SC_REGEX_WHOLE), "too large"));
	assert_null(sc_regex_free(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_python_dialect),
		cmocka_unit_test(test_posix_spellings),
		cmocka_unit_test(test_anchoring),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_cram_reading),
		cmocka_unit_test(test_catastrophic),
		cmocka_unit_test(test_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
