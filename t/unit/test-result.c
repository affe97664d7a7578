/* test-result.c - a run's result sent across a pipe and read back (a suite's -j workers): every
 * field and every byte of the output, NULL strings kept NULL, and what was cut short or added
 * to refused. */
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

#include "run.h"
#include "util.h"

/* What sc_result_send wrote, read back whole from a pipe. */
static char *sent(const struct sc_result *res, size_t *ret_len)
{
	char path[] = "/tmp/simpcon-test-result.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	(void)unlink(path);
	assert_int_equal(sc_result_send(fd, res), 0);
	off_t len = lseek(fd, 0, SEEK_CUR);
	char *buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(pread(fd, buf, (size_t)len, 0), len);
	close(fd);
	*ret_len = (size_t)len;
	return buf;
}

static struct sc_result *example(const char *out, size_t out_len, const char *exec_error, const char *run_dir)
{
	struct sc_result *res = calloc(1, sizeof(*res));
	assert_non_null(res);
	res->exit_status = 3;
	res->timed_out = true;
	res->duration_us = 123456789;
	sc_output_init(&res->out, 1 << 20);
	sc_output_init(&res->err, 1 << 20);
	assert_int_equal(sc_output_append(&res->out, out, out_len), 0);
	res->out.total = 99999; /* more than was kept */
	assert_int_equal(sc_output_append(&res->err, "err\n", 4), 0);
	res->exec_error = exec_error ? strdup(exec_error) : NULL;
	res->run_dir = run_dir ? strdup(run_dir) : NULL;
	snprintf(res->limit_hit, sizeof(res->limit_hit), "pids 16 (cgroup v2)");
	res->report.verdict[SC_CHECK_HOSTNAME] = SC_VERDICT_FAIL;
	snprintf(res->report.detail[SC_CHECK_HOSTNAME], sizeof(res->report.detail[0]), "host name seen");
	return res;
}

static void test_round_trip(void **state)
{
	(void)state;
	static const char out[] = "line one\n\0binary\xff\n";
	struct sc_result *res = example(out, sizeof(out) - 1, NULL, "/tmp/run.kept");
	size_t len;
	_cleanup_free_ char *buf = sent(res, &len);
	struct sc_result *back = NULL;
	assert_int_equal(sc_result_receive(buf, len, &back), 0);
	assert_int_equal(back->exit_status, 3);
	assert_true(back->timed_out);
	assert_int_equal(back->duration_us, 123456789);
	assert_int_equal(back->out.len, sizeof(out) - 1);
	assert_memory_equal(back->out.data, out, sizeof(out) - 1);
	assert_int_equal(back->out.data[back->out.len], '\0');
	assert_int_equal(back->out.total, 99999);
	assert_string_equal(back->err.data, "err\n");
	assert_null(back->exec_error);
	assert_string_equal(back->run_dir, "/tmp/run.kept");
	assert_string_equal(back->limit_hit, "pids 16 (cgroup v2)");
	assert_int_equal(back->report.verdict[SC_CHECK_HOSTNAME], SC_VERDICT_FAIL);
	assert_string_equal(back->report.detail[SC_CHECK_HOSTNAME], "host name seen");
	sc_result_free(back);
	sc_result_free(res);
}

static void test_empty_output(void **state)
{
	(void)state;
	struct sc_result *res = example("", 0, "'nosuch' not found in the fixture", NULL);
	size_t len;
	_cleanup_free_ char *buf = sent(res, &len);
	struct sc_result *back = NULL;
	assert_int_equal(sc_result_receive(buf, len, &back), 0);
	assert_int_equal(back->out.len, 0);
	assert_non_null(back->out.data);
	assert_string_equal(back->exec_error, "'nosuch' not found in the fixture");
	assert_null(back->run_dir);
	sc_result_free(back);
	sc_result_free(res);
}

static void test_cut_or_longer(void **state)
{
	(void)state;
	struct sc_result *res = example("some output\n", 12, "why", "/tmp/r");
	size_t len;
	_cleanup_free_ char *buf = sent(res, &len);
	struct sc_result *back = (struct sc_result *)buf; /* must be reset to NULL */
	/* every cut, from nothing to one byte short, is refused */
	for (size_t cut = 0; cut < len; cut++) {
		assert_int_equal(sc_result_receive(buf, cut, &back), -EBADMSG);
		assert_null(back);
	}
	char *more = malloc(len + 1);
	assert_non_null(more);
	memcpy(more, buf, len);
	more[len] = 'x';
	assert_int_equal(sc_result_receive(more, len + 1, &back), -EBADMSG);
	free(more);
	sc_result_free(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_empty_output),
		cmocka_unit_test(test_cut_or_longer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
