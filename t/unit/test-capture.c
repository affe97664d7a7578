/* test-capture.c - keeping a stream's first bytes while counting them all, and the poll loop
 * over real pipes and a real child's pidfd: output, exit, deadline, cancellation. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture.h"
#include "util.h"

/* ---- sc_output_append --------------------------------------------------------------------- */

static void test_append_limit(void **state)
{
	(void)state;
	struct sc_output out;
	sc_output_init(&out, 5);
	assert_int_equal(sc_output_append(&out, "abc", 3), 0);
	assert_int_equal(out.len, 3);
	assert_string_equal(out.data, "abc");
	assert_int_equal(sc_output_append(&out, "defgh", 5), 0);
	assert_int_equal(out.len, 5);
	assert_int_equal(out.total, 8);
	assert_string_equal(out.data, "abcde");
	/* past the limit only the count grows */
	assert_int_equal(sc_output_append(&out, "ijklmnop", 8), 0);
	assert_int_equal(out.len, 5);
	assert_int_equal(out.total, 16);
	assert_string_equal(out.data, "abcde");
	sc_output_release(&out);
	assert_null(out.data);
	assert_int_equal(out.len, 0);
}

static void test_append_grows(void **state)
{
	(void)state;
	/* one byte at a time across several reallocations, then a large block over the limit */
	struct sc_output out;
	sc_output_init(&out, 5000);
	for (int i = 0; i < 3000; i++) {
		char c = (char)('a' + i % 26);
		assert_int_equal(sc_output_append(&out, &c, 1), 0);
	}
	static char block[10000];
	memset(block, 'Z', sizeof(block));
	assert_int_equal(sc_output_append(&out, block, sizeof(block)), 0);
	assert_int_equal(out.len, 5000);
	assert_int_equal(out.total, 13000);
	assert_true(out.cap > out.len);
	assert_int_equal(out.data[out.len], '\0');
	assert_int_equal(strlen(out.data), 5000);
	for (int i = 0; i < 3000; i++)
		assert_int_equal(out.data[i], 'a' + i % 26);
	for (int i = 3000; i < 5000; i++)
		assert_int_equal(out.data[i], 'Z');
	sc_output_release(&out);
}

static void test_append_binary(void **state)
{
	(void)state;
	struct sc_output out;
	sc_output_init(&out, 100);
	const char bin[] = { 'a', '\0', 'b', '\0', '\xff', '\n' };
	assert_int_equal(sc_output_append(&out, bin, sizeof(bin)), 0);
	assert_int_equal(sc_output_append(&out, "", 0), 0);
	assert_int_equal(sc_output_append(&out, bin, 2), 0);
	assert_int_equal(out.len, 8);
	assert_int_equal(out.total, 8);
	assert_memory_equal(out.data, bin, sizeof(bin));
	assert_memory_equal(out.data + 6, "a\0", 2);
	assert_int_equal(out.data[8], '\0');
	sc_output_release(&out);
}

static void test_append_limit_zero(void **state)
{
	(void)state;
	struct sc_output out;
	sc_output_init(&out, 0);
	assert_int_equal(sc_output_append(&out, "xyz", 3), 0);
	assert_int_equal(sc_output_append(&out, "more", 4), 0);
	assert_int_equal(out.len, 0);
	assert_int_equal(out.total, 7);
	assert_null(out.data);
	sc_output_release(&out);
}

/* ---- sc_capture_run with a real child ----------------------------------------------------- */

#define MS 1000ull

struct fixture {
	struct sc_capture c;
	pid_t pid;
	int status;   /* from waitpid, once reaped */
	int cancel[2];
	pid_t canceller;
	cpu_set_t saved_cpus; /* restored when a test pinned the process to one CPU */
	bool pinned;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->c.pidfd = f->c.cancel_fd = -1;
	for (int s = 0; s < SC_CAPTURE_STREAMS; s++)
		f->c.fds[s] = -1;
	f->cancel[0] = f->cancel[1] = -1;
	f->pid = f->canceller = -1;
	*state = f;
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		(void)close(*fd);
	*fd = -1;
}

/* Kills and reaps what a failed test left running, closes every fd. */
static int teardown(void **state)
{
	struct fixture *f = *state;
	pid_t pids[] = { f->pid, f->canceller };
	for (size_t i = 0; i < SC_ELEMENTSOF(pids); i++)
		if (pids[i] > 0) {
			(void)kill(pids[i], SIGKILL);
			(void)waitpid(pids[i], NULL, 0);
		}
	for (int s = 0; s < SC_CAPTURE_STREAMS; s++) {
		close_fd(&f->c.fds[s]);
		sc_output_release(&f->c.out[s]);
	}
	close_fd(&f->c.pidfd);
	close_fd(&f->cancel[0]);
	close_fd(&f->cancel[1]);
	if (f->pinned)
		(void)sched_setaffinity(0, sizeof(f->saved_cpus), &f->saved_cpus);
	free(f);
	return 0;
}

typedef void child_body(int out, int err, int report);

/* Forks a child running body with the write ends of three pipes, and prepares f->c like the
 * container's parent does: the read ends, a pidfd, no deadline, no cancel fd. */
static void spawn(struct fixture *f, child_body *body, size_t limit)
{
	int p[SC_CAPTURE_STREAMS][2];
	for (int s = 0; s < SC_CAPTURE_STREAMS; s++)
		assert_int_equal(pipe2(p[s], O_CLOEXEC), 0);
	f->pid = fork();
	assert_true(f->pid >= 0);
	if (f->pid == 0) {
		for (int s = 0; s < SC_CAPTURE_STREAMS; s++)
			close(p[s][0]);
		body(p[SC_CAPTURE_STDOUT][1], p[SC_CAPTURE_STDERR][1], p[SC_CAPTURE_REPORT][1]);
		_exit(0);
	}
	for (int s = 0; s < SC_CAPTURE_STREAMS; s++) {
		close(p[s][1]);
		f->c.fds[s] = p[s][0];
		sc_output_init(&f->c.out[s], limit);
	}
	f->c.pidfd = (int)syscall(SYS_pidfd_open, f->pid, 0);
	assert_true(f->c.pidfd >= 0);
}

/* Reaps the child; fails unless it is already a zombie when no_wait is set. */
static void reap(struct fixture *f, bool no_wait)
{
	pid_t r = waitpid(f->pid, &f->status, no_wait ? WNOHANG : 0);
	assert_int_equal(r, f->pid);
	f->pid = -1;
}

static void assert_killed(struct fixture *f)
{
	reap(f, false);
	assert_true(WIFSIGNALED(f->status));
	assert_int_equal(WTERMSIG(f->status), SIGKILL);
}

static void assert_all_closed(const struct fixture *f)
{
	for (int s = 0; s < SC_CAPTURE_STREAMS; s++)
		assert_int_equal(f->c.fds[s], -1);
}

static void write_text(int fd, const char *text)
{
	if (sc_write_all(fd, text, strlen(text)) < 0)
		_exit(99);
}

static void body_outputs(int out, int err, int report)
{
	write_text(out, "hello\n");
	write_text(err, "oops");
	write_text(out, "world\n");
	const char bin[] = { 1, 0, 2, 0 };
	if (sc_write_all(report, bin, sizeof(bin)) < 0)
		_exit(99);
	_exit(3);
}

static void test_capture_outputs(void **state)
{
	struct fixture *f = *state;
	spawn(f, body_outputs, 1 << 20);
	assert_int_equal(sc_capture_run(&f->c), 0);
	assert_true(f->c.exited);
	assert_false(f->c.timed_out);
	assert_false(f->c.cancelled);
	assert_all_closed(f);
	assert_string_equal(f->c.out[SC_CAPTURE_STDOUT].data, "hello\nworld\n");
	assert_int_equal(f->c.out[SC_CAPTURE_STDOUT].total, 12);
	assert_string_equal(f->c.out[SC_CAPTURE_STDERR].data, "oops");
	assert_int_equal(f->c.out[SC_CAPTURE_REPORT].len, 4);
	assert_memory_equal(f->c.out[SC_CAPTURE_REPORT].data, ((const char[]){ 1, 0, 2, 0 }), 4);
	reap(f, true);
	assert_true(WIFEXITED(f->status));
	assert_int_equal(WEXITSTATUS(f->status), 3);
}

static void body_silent(int out, int err, int report)
{
	(void)out;
	(void)err;
	(void)report;
	_exit(0);
}

static void test_capture_no_output(void **state)
{
	struct fixture *f = *state;
	spawn(f, body_silent, 1 << 20);
	assert_int_equal(sc_capture_run(&f->c), 0);
	assert_true(f->c.exited);
	assert_all_closed(f);
	for (int s = 0; s < SC_CAPTURE_STREAMS; s++) {
		assert_int_equal(f->c.out[s].len, 0);
		assert_int_equal(f->c.out[s].total, 0);
	}
	reap(f, true);
	assert_true(WIFEXITED(f->status));
	assert_int_equal(WEXITSTATUS(f->status), 0);
}

#define BIG 300000

static void body_big(int out, int err, int report)
{
	(void)report;
	/* far more than a pipe holds: the child blocks until the parent drains */
	static char buf[BIG];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i % 251);
	if (sc_write_all(out, buf, sizeof(buf)) < 0 || sc_write_all(err, buf, 70000) < 0)
		_exit(99);
	_exit(0);
}

static void test_capture_limit(void **state)
{
	struct fixture *f = *state;
	spawn(f, body_big, 1000);
	assert_int_equal(sc_capture_run(&f->c), 0);
	assert_true(f->c.exited);
	const struct sc_output *o = &f->c.out[SC_CAPTURE_STDOUT];
	assert_int_equal(o->len, 1000);
	assert_int_equal(o->total, BIG);
	for (size_t i = 0; i < o->len; i++)
		assert_int_equal((unsigned char)o->data[i], i % 251);
	assert_int_equal(f->c.out[SC_CAPTURE_STDERR].len, 1000);
	assert_int_equal(f->c.out[SC_CAPTURE_STDERR].total, 70000);
	reap(f, true);
	assert_true(WIFEXITED(f->status));
	assert_int_equal(WEXITSTATUS(f->status), 0);
}

static void body_sleeper(int out, int err, int report)
{
	(void)err;
	(void)report;
	write_text(out, "started\n");
	/* bounded, so a loop that never kills still ends (and the test fails on its timings) */
	sleep(3);
	_exit(0);
}

static void test_capture_deadline(void **state)
{
	struct fixture *f = *state;
	spawn(f, body_sleeper, 1 << 20);
	uint64_t start = sc_now_us();
	f->c.deadline_us = start + 100 * MS;
	assert_int_equal(sc_capture_run(&f->c), 0);
	uint64_t took = sc_now_us() - start;
	assert_true(f->c.timed_out);
	assert_false(f->c.cancelled);
	assert_true(f->c.exited);
	assert_all_closed(f);
	assert_true(took >= 90 * MS);
	assert_true(took < 1000 * MS);
	/* what came before the kill is kept */
	assert_string_equal(f->c.out[SC_CAPTURE_STDOUT].data, "started\n");
	assert_killed(f);
}

#define CHUNK 4096

/* The first two CPUs this process may run on, or false when there is only one. */
static bool two_cpus(int *ret_a, int *ret_b)
{
	cpu_set_t set;
	int found[2], n = 0;
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return false;
	for (int cpu = 0; cpu < CPU_SETSIZE && n < 2; cpu++)
		if (CPU_ISSET(cpu, &set))
			found[n++] = cpu;
	if (n < 2)
		return false;
	*ret_a = found[0];
	*ret_b = found[1];
	return true;
}

static void pin_to(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	(void)sched_setaffinity(0, sizeof(set), &set);
}

static int flood_cpu = -1;

static void body_flood(int out, int err, int report)
{
	(void)err;
	(void)report;
	/* on its own CPU, as a container's processes usually are: a reader woken with a "sync"
	 * wakeup would otherwise only run once the parent blocks */
	if (flood_cpu >= 0)
		pin_to(flood_cpu);
	/* a pipe as large as a user may make it, kept full: the first chunks fill it, then each
	 * write waits for the parent to read. Small writes, so a SIGKILL ends the child within
	 * a chunk of reaching it. Bounded, so that a deadline never enforced still ends. */
	(void)fcntl(out, F_SETPIPE_SZ, 1 << 20);
	char buf[CHUNK];
	memset(buf, 'y', sizeof(buf));
	for (uint64_t end = sc_now_us() + 3000 * MS; sc_now_us() < end;)
		if (write(out, buf, sizeof(buf)) < 0)
			_exit(99);
	_exit(0);
}

/* The deadline holds while output is pending, not only once poll finds every pipe empty:
 * otherwise a command that writes without pause is killed late, or never. (With one CPU the
 * writer rarely runs while the parent drains, and a loop that misses the deadline can pass.) */
static void test_capture_deadline_busy_output(void **state)
{
	struct fixture *f = *state;
	int parent_cpu;
	if (sched_getaffinity(0, sizeof(f->saved_cpus), &f->saved_cpus) == 0 && two_cpus(&parent_cpu, &flood_cpu)) {
		f->pinned = true;
		pin_to(parent_cpu);
	}
	spawn(f, body_flood, 4096);
	/* wait until the child has filled the pipe */
	int fd = f->c.fds[SC_CAPTURE_STDOUT], pending = 0, size = 0;
	for (uint64_t end = sc_now_us() + 1000 * MS; sc_now_us() < end; usleep(1000)) {
		assert_int_equal(ioctl(fd, FIONREAD, &pending), 0);
		size = fcntl(fd, F_GETPIPE_SZ);
		if (pending > 0 && pending == size)
			break;
	}
	assert_true(pending > 0 && pending == size);
	/* the deadline has come: the child must not get to write much more than it already has */
	uint64_t start = sc_now_us();
	f->c.deadline_us = start;
	assert_int_equal(sc_capture_run(&f->c), 0);
	uint64_t took = sc_now_us() - start;
	assert_true(took < 1000 * MS);
	assert_true(f->c.timed_out);
	assert_true(f->c.exited);
	uint64_t extra = f->c.out[SC_CAPTURE_STDOUT].total - (uint64_t)size;
	if (extra > 16 * CHUNK)
		fail_msg("the child wrote %llu bytes after the deadline: it was not killed at once",
			 (unsigned long long)extra);
	assert_int_equal(f->c.out[SC_CAPTURE_STDOUT].len, 4096);
	assert_killed(f);
}

static void test_capture_cancel(void **state)
{
	struct fixture *f = *state;
	spawn(f, body_sleeper, 1 << 20);
	assert_int_equal(pipe2(f->cancel, O_CLOEXEC), 0);
	f->c.cancel_fd = f->cancel[0];
	/* a deadline far away: the cancellation, not the deadline, ends the run */
	uint64_t start = sc_now_us();
	f->c.deadline_us = start + 5000 * MS;
	f->canceller = fork();
	assert_true(f->canceller >= 0);
	if (f->canceller == 0) {
		usleep(50 * 1000);
		_exit(write(f->cancel[1], "x", 1) == 1 ? 0 : 1);
	}
	assert_int_equal(sc_capture_run(&f->c), 0);
	uint64_t took = sc_now_us() - start;
	assert_true(f->c.cancelled);
	assert_false(f->c.timed_out);
	assert_true(f->c.exited);
	assert_all_closed(f);
	assert_true(took >= 40 * MS);
	assert_true(took < 1000 * MS);
	assert_string_equal(f->c.out[SC_CAPTURE_STDOUT].data, "started\n");
	assert_killed(f);
	int status;
	assert_int_equal(waitpid(f->canceller, &status, 0), f->canceller);
	f->canceller = -1;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_capture_cancel_before_start(void **state)
{
	struct fixture *f = *state;
	spawn(f, body_sleeper, 1 << 20);
	assert_int_equal(pipe2(f->cancel, O_CLOEXEC), 0);
	assert_int_equal(write(f->cancel[1], "x", 1), 1);
	f->c.cancel_fd = f->cancel[0];
	uint64_t start = sc_now_us();
	assert_int_equal(sc_capture_run(&f->c), 0);
	assert_true(sc_now_us() - start < 1000 * MS);
	assert_true(f->c.cancelled);
	assert_false(f->c.timed_out);
	assert_true(f->c.exited);
	assert_killed(f);
}

static void body_close_early(int out, int err, int report)
{
	write_text(out, "bye");
	close(out);
	close(err);
	close(report);
	usleep(300 * 1000);
	_exit(7);
}

static void test_capture_waits_for_exit(void **state)
{
	struct fixture *f = *state;
	spawn(f, body_close_early, 1 << 20);
	uint64_t start = sc_now_us();
	assert_int_equal(sc_capture_run(&f->c), 0);
	uint64_t took = sc_now_us() - start;
	/* every stream at EOF is not the end: the process is */
	assert_true(f->c.exited);
	assert_false(f->c.timed_out);
	assert_all_closed(f);
	assert_true(took >= 250 * MS);
	assert_true(took < 1000 * MS);
	assert_string_equal(f->c.out[SC_CAPTURE_STDOUT].data, "bye");
	reap(f, true);
	assert_true(WIFEXITED(f->status));
	assert_int_equal(WEXITSTATUS(f->status), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_limit),
		cmocka_unit_test(test_append_grows),
		cmocka_unit_test(test_append_binary),
		cmocka_unit_test(test_append_limit_zero),
		cmocka_unit_test_setup_teardown(test_capture_outputs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capture_no_output, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capture_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capture_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capture_deadline_busy_output, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capture_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capture_cancel_before_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capture_waits_for_exit, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
