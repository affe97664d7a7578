/* test-junit.c - the JUnit writer: XML escaping and the report's shape. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "junit.h"
#include "util.h"

static char *escaped(const char *s, size_t n)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	assert_int_equal(sc_junit_escape(&buf, &len, &cap, s, n), 0);
	return buf ? buf : strdup("");
}

static void test_escape_markup(void **state)
{
	(void)state;
	char *e = escaped("a<b>&\"c'", 8);
	assert_string_equal(e, "a&lt;b&gt;&amp;&quot;c&apos;");
	free(e);
}

static void test_escape_forbidden(void **state)
{
	(void)state;
	/* NUL, ESC and DEL are not XML 1.0 characters; tab and newline are */
	char *e = escaped("x\0y\x1b\t\n\x7f", 7);
	assert_string_equal(e, "x\\x00y\\x1b\t\n\\x7f");
	free(e);
}

static void test_escape_utf8(void **state)
{
	(void)state;
	char *e = escaped("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9);
	assert_string_equal(e, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	free(e);
	/* invalid: a lone continuation byte, an overlong form, a surrogate, U+FFFE, a cut sequence */
	e = escaped("\x80\xc0\xaf\xed\xa0\x80\xef\xbf\xbe\xe2\x82", 11);
	assert_string_equal(e, "\\x80\\xc0\\xaf\\xed\\xa0\\x80\\xef\\xbf\\xbe\\xe2\\x82");
	free(e);
}

static void test_report(void **state)
{
	(void)state;
	char dir[] = "/tmp/test-junit-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof(path), "%s/r.xml", dir);
	struct sc_junit *j = NULL;
	assert_int_equal(sc_junit_new(&j), 0);
	assert_int_equal(sc_junit_suite(j, "s1"), 0);
	assert_int_equal(sc_junit_case(j, "passes", SC_JUNIT_PASS, NULL), 0);
	sc_junit_time(j, 0.25);
	assert_int_equal(sc_junit_case(j, "fails", SC_JUNIT_FAIL, NULL), 0);
	assert_int_equal(sc_junit_output(j, "  message: boom\n  got: 1\n", 25), 0);
	assert_int_equal(sc_junit_case(j, "skips", SC_JUNIT_SKIP, "no kernel"), 0);
	assert_int_equal(sc_junit_case(j, "harness", SC_JUNIT_ERROR, NULL), 0);
	assert_int_equal(sc_junit_output(j, "  message: Bail out! no fixture\n", 32), 0);
	struct sc_error err = { 0 };
	assert_int_equal(sc_junit_write(j, path, &err), 0);
	sc_junit_free(j);
	char *xml = NULL;
	assert_int_equal(sc_read_file(path, &xml, NULL), 0);
	assert_non_null(strstr(xml, "<testsuite name=\"s1\" tests=\"4\" failures=\"1\" errors=\"1\" skipped=\"1\" time=\"0.250\">"));
	assert_non_null(strstr(xml, "<testcase name=\"passes\" classname=\"s1\" time=\"0.250\">"));
	assert_non_null(strstr(xml, "<failure message=\"boom\" type=\"failure\">  message: boom\n  got: 1\n</failure>"));
	assert_non_null(strstr(xml, "<skipped message=\"no kernel\"/>"));
	assert_non_null(strstr(xml, "<error message=\"Bail out! no fixture\" type=\"error\">  message: Bail out! no fixture\n</error>"));
	free(xml);
	unlink(path);
	rmdir(dir);
}

static void test_write_error(void **state)
{
	(void)state;
	struct sc_junit *j = NULL;
	assert_int_equal(sc_junit_new(&j), 0);
	struct sc_error err = { 0 };
	assert_true(sc_junit_write(j, "/nonexistent-dir/r.xml", &err) < 0);
	assert_non_null(strstr(err.message, "/nonexistent-dir/r.xml"));
	sc_junit_free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_markup),  cmocka_unit_test(test_escape_forbidden),
		cmocka_unit_test(test_escape_utf8),    cmocka_unit_test(test_report),
		cmocka_unit_test(test_write_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
