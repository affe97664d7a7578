/* test-tap.c - the TAP writer: the exact text of every kind of line, the escaping that keeps
 * prove and tap-driver.sh reading what was meant, one write per point, and write errors. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "junit.h"
#include "tap.h"
#include "util.h"

#define OUTPUT_MAX 65536

struct fixture {
	int fd; /* an unlinked temporary file the writer writes to */
	struct sc_tap tap;
	char out[OUTPUT_MAX];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	char path[] = "/tmp/test-tap.XXXXXX";
	f->fd = mkostemp(path, O_CLOEXEC);
	if (f->fd < 0) {
		free(f);
		return -1;
	}
	/* unlinked at once, so nothing is left behind even when a test crashes */
	(void)unlink(path);
	sc_tap_init(&f->tap, f->fd);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	sc_tap_release(&f->tap);
	(void)close(f->fd);
	free(f);
	return 0;
}

/* Flushes the writer and returns what it wrote since the last call (NUL-terminated in f->out;
 * the writer never writes a NUL, which the length check catches). */
static const char *output(struct fixture *f)
{
	assert_int_equal(sc_tap_flush(&f->tap), 0);
	off_t size = lseek(f->fd, 0, SEEK_END);
	assert_true(size >= 0 && size < OUTPUT_MAX);
	assert_int_equal(pread(f->fd, f->out, (size_t)size, 0), size);
	f->out[size] = '\0';
	assert_int_equal(strlen(f->out), (size_t)size);
	assert_int_equal(ftruncate(f->fd, 0), 0);
	assert_int_equal(lseek(f->fd, 0, SEEK_SET), 0);
	return f->out;
}

static void expect_output(struct fixture *f, const char *expected)
{
	assert_string_equal(output(f), expected);
}

static void test_version_and_plan(void **state)
{
	struct fixture *f = *state;
	sc_tap_version(&f->tap);
	sc_tap_plan(&f->tap, 3);
	expect_output(f, "TAP version 13\n1..3\n");
	sc_tap_plan(&f->tap, 0);
	expect_output(f, "1..0\n");
}

static void test_skip_all(void **state)
{
	struct fixture *f = *state;
	sc_tap_skip_all(&f->tap, "user namespaces are not available");
	expect_output(f, "1..0 # SKIP user namespaces are not available\n");
	sc_tap_skip_all(&f->tap, "two\nlines # and a hash");
	expect_output(f, "1..0 # SKIP two lines # and a hash\n");
	sc_tap_skip_all(&f->tap, "");
	expect_output(f, "1..0 # SKIP\n");
	sc_tap_skip_all(&f->tap, NULL);
	expect_output(f, "1..0 # SKIP\n");
}

static void test_bail(void **state)
{
	struct fixture *f = *state;
	sc_tap_bail(&f->tap, "fixture 'busybox' missing");
	expect_output(f, "Bail out! fixture 'busybox' missing\n");
	sc_tap_bail(&f->tap, "line\none\r\xff");
	expect_output(f, "Bail out! line one \\xff\n");
	sc_tap_bail(&f->tap, NULL);
	expect_output(f, "Bail out!\n");
}

static void test_point_numbering(void **state)
{
	struct fixture *f = *state;
	sc_tap_point(&f->tap, true, "first", SC_TAP_NONE, NULL);
	sc_tap_point(&f->tap, false, "second", SC_TAP_NONE, "ignored without a directive");
	sc_tap_point(&f->tap, true, "", SC_TAP_NONE, NULL);
	sc_tap_point(&f->tap, false, NULL, SC_TAP_NONE, NULL);
	expect_output(f, "ok 1 - first\nnot ok 2 - second\nok 3\nnot ok 4\n");
	assert_int_equal(f->tap.count, 4);
}

static void test_description_escaping(void **state)
{
	struct fixture *f = *state;
	sc_tap_point(&f->tap, true, "a # SKIP that is not a directive", SC_TAP_NONE, NULL);
	sc_tap_point(&f->tap, true, "C:\\dir\\", SC_TAP_NONE, NULL);
	sc_tap_point(&f->tap, true, "\\# odd \\\\# even", SC_TAP_NONE, NULL);
	expect_output(f, "ok 1 - a \\# SKIP that is not a directive\n"
			 "ok 2 - C:\\\\dir\\\\\n"
			 "ok 3 - \\\\\\# odd \\\\\\\\\\# even\n");
}

static void test_description_one_line(void **state)
{
	struct fixture *f = *state;
	sc_tap_point(&f->tap, true, "two\nlines\r\tx\x7f\x1b" "y", SC_TAP_NONE, NULL);
	sc_tap_point(&f->tap, true, "caf\xc3\xa9 \xff\xc3 \xc2\x85", SC_TAP_NONE, NULL);
	expect_output(f, "ok 1 - two lines  x  y\n"
			 "ok 2 - caf\xc3\xa9 \\xff\\xc3  \n");
}

static void test_directives(void **state)
{
	struct fixture *f = *state;
	sc_tap_point(&f->tap, true, "mounts", SC_TAP_SKIP, "no busybox");
	sc_tap_point(&f->tap, false, "cgroups", SC_TAP_TODO, "issue #12\nlater");
	sc_tap_point(&f->tap, true, "empty reason", SC_TAP_SKIP, "");
	sc_tap_point(&f->tap, false, "no reason", SC_TAP_TODO, NULL);
	sc_tap_point(&f->tap, true, NULL, SC_TAP_SKIP, "no description");
	sc_tap_point(&f->tap, true, "a # b", SC_TAP_SKIP, "c # d \\");
	expect_output(f, "ok 1 - mounts # SKIP no busybox\n"
			 "not ok 2 - cgroups # TODO issue #12 later\n"
			 "ok 3 - empty reason # SKIP\n"
			 "not ok 4 - no reason # TODO\n"
			 "ok 5 # SKIP no description\n"
			 "ok 6 - a \\# b # SKIP c # d \\\n");
}

static void test_comment(void **state)
{
	struct fixture *f = *state;
	sc_tap_comment(&f->tap, "one\ntwo\n\nthree\n");
	expect_output(f, "# one\n# two\n#\n# three\n");
	sc_tap_comment(&f->tap, "");
	sc_tap_comment(&f->tap, NULL);
	sc_tap_comment(&f->tap, "no newline");
	expect_output(f, "#\n#\n# no newline\n");
	sc_tap_comment(&f->tap, "\x1b[31mred\tx\r\n\xff\xc2\x85 \xc3\xa9");
	expect_output(f, "# \\x1b[31mred\tx\\x0d\n# \\xff\\xc2\\x85 \xc3\xa9\n");
	sc_tap_comment(&f->tap, "not ok 1\nBail out!");
	expect_output(f, "# not ok 1\n# Bail out!\n");
}

static void test_yaml_int(void **state)
{
	struct fixture *f = *state;
	sc_tap_point(&f->tap, true, "run", SC_TAP_NONE, NULL);
	sc_tap_yaml_begin(&f->tap);
	sc_tap_yaml_int(&f->tap, "exit_code", 123);
	sc_tap_yaml_int(&f->tap, "signal", 0);
	sc_tap_yaml_int(&f->tap, "min", LLONG_MIN);
	sc_tap_yaml_bool(&f->tap, "timed_out", true);
	sc_tap_yaml_bool(&f->tap, "kept", false);
	sc_tap_yaml_end(&f->tap);
	expect_output(f, "ok 1 - run\n"
			 "  ---\n"
			 "  exit_code: 123\n"
			 "  signal: 0\n"
			 "  min: -9223372036854775808\n"
			 "  timed_out: true\n"
			 "  kept: false\n"
			 "  ...\n");
}

static void expect_yaml_string(struct fixture *f, const char *value, const char *written)
{
	char expected[256];
	snprintf(expected, sizeof(expected), "  k: %s\n", written);
	sc_tap_yaml_string(&f->tap, "k", value);
	expect_output(f, expected);
}

static void test_yaml_string_plain(void **state)
{
	static const char *const plain[] = {
		"hello world", "v1.0", "a:b", "http://example.com/x?y=1#z", "say \"hi\"", "a#b",
		"/usr/bin/env", "Yesterday", "nothing", "x-y", "a,b [c] {d}",
	};
	struct fixture *f = *state;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		expect_yaml_string(f, plain[i], plain[i]);
}

static void test_yaml_string_quoted(void **state)
{
	/* numbers, booleans and nulls of YAML 1.1 and 1.2, indicators, comments, mapping markers,
	 * surrounding spaces, and what prove's reader would take for a block, a hash or a list */
	static const char *const quoted[] = {
		"123", "1.5", "0x1f", "-1", "+1", ".inf", "- item", "yes", "No", "TRUE", "false", "on",
		"off", "y", "n", "null", "Null", "~", ": x", "a: b", "a #b", "#c", " lead", "trail ",
		"'q'", "{}", "[]", "|", ">", "---", "...", "key:", "@x", "`x", "%x", "!x", "&x", "*x",
		"?x", ",x", "<<", "=",
	};
	struct fixture *f = *state;
	for (size_t i = 0; i < sizeof(quoted) / sizeof(quoted[0]); i++) {
		char written[64];
		snprintf(written, sizeof(written), "\"%s\"", quoted[i]);
		expect_yaml_string(f, quoted[i], written);
	}
	expect_yaml_string(f, "caf\xc3\xa9", "\"caf\xc3\xa9\"");
}

static void test_yaml_string_empty_and_null(void **state)
{
	struct fixture *f = *state;
	expect_yaml_string(f, "", "''");
	expect_yaml_string(f, NULL, "~");
}

static void test_yaml_string_escapes(void **state)
{
	struct fixture *f = *state;
	expect_yaml_string(f, "a\"b\\c\nd\te\x01" "f\x7f\r", "\"a\\\"b\\\\c\\nd\\te\\x01f\\x7f\\x0d\"");
	/* invalid UTF-8: a stray byte, a truncated sequence, an overlong form, a surrogate */
	expect_yaml_string(f, "\xff\xc3(\xc0\xaf\xed\xa0\x80", "\"\\xff\\xc3(\\xc0\\xaf\\xed\\xa0\\x80\"");
	/* valid, but not printable in YAML: C1, the line separator, the byte order mark */
	expect_yaml_string(f, "\xc2\x85\xe2\x80\xa8\xef\xbb\xbf", "\"\\u0085\\u2028\\ufeff\"");
}

static void expect_text(struct fixture *f, const char *text, size_t len, size_t total, const char *written)
{
	sc_tap_yaml_text(&f->tap, "out", text, len, total);
	expect_output(f, written);
}

#define TEXT(s) s, sizeof(s) - 1, sizeof(s) - 1

static void test_yaml_text_empty(void **state)
{
	struct fixture *f = *state;
	expect_text(f, TEXT(""), "  out: ''\n");
	expect_text(f, NULL, 0, 0, "  out: ''\n");
}

static void test_yaml_text_chomping(void **state)
{
	struct fixture *f = *state;
	expect_text(f, TEXT("a\nb\n"), "  out: |\n    a\n    b\n");
	/* what "|" would not keep: no final newline ("|-"), trailing blank lines ("|+") */
	expect_text(f, TEXT("a\nb"), "  out: \"a\\nb\"\n");
	expect_text(f, TEXT("a\n\n\n"), "  out: \"a\\n\\n\\n\"\n");
	expect_text(f, TEXT("\n"), "  out: \"\\n\"\n");
}

static void test_yaml_text_blank_lines(void **state)
{
	struct fixture *f = *state;
	sc_tap_yaml_text(&f->tap, "out", TEXT("a\n\nb\n\n\nc\n"));
	const char *out = output(f);
	assert_string_equal(out, "  out: |\n    a\n    \n    b\n    \n    \n    c\n");
	assert_null(strstr(out, "\n\n"));
	/* leading blank lines, and lines of blanks after the first with content, are kept as such */
	expect_text(f, TEXT("\n\nx\n  \n\t\ny\n"), "  out: |\n    \n    \n    x\n      \n    \t\n    y\n");
}

static void test_yaml_text_leading_blanks(void **state)
{
	struct fixture *f = *state;
	expect_text(f, TEXT(" x\n  y\n"), "  out: \" x\\n  y\\n\"\n");
	expect_text(f, TEXT("\n\tz\n"), "  out: \"\\n\\tz\\n\"\n");
	expect_text(f, TEXT("   \nw\n"), "  out: \"   \\nw\\n\"\n");
	expect_text(f, TEXT("v\n  w\n"), "  out: |\n    v\n      w\n");
}

static void test_yaml_text_control_characters(void **state)
{
	struct fixture *f = *state;
	expect_text(f, TEXT("a\rb\x1b\0c\td\x7f\n"), "  out: \"a\\x0db\\x1b\\x00c\\td\\x7f\\n\"\n");
	expect_text(f, TEXT("one\r\ntwo\r\n"), "  out: \"one\\x0d\\ntwo\\x0d\\n\"\n");
	/* a tab alone keeps the block */
	expect_text(f, TEXT("a\tb\n"), "  out: |\n    a\tb\n");
}

static void test_yaml_text_utf8(void **state)
{
	struct fixture *f = *state;
	expect_text(f, TEXT("caf\xc3\xa9 \xe2\x82\xac\n"), "  out: |\n    caf\xc3\xa9 \xe2\x82\xac\n");
	expect_text(f, TEXT("\xff\xc3 caf\xc3\xa9\n"), "  out: \"\\xff\\xc3 caf\xc3\xa9\\n\"\n");
	expect_text(f, TEXT("\xc2\x85|\xef\xbb\xbf\n"), "  out: \"\\u0085|\\ufeff\\n\"\n");
}

static void test_yaml_text_backslash(void **state)
{
	struct fixture *f = *state;
	/* in a block nothing is an escape: the backslash is written as it is */
	expect_text(f, TEXT("C:\\dir \\x41\n"), "  out: |\n    C:\\dir \\x41\n");
	expect_text(f, TEXT("end\\\n"), "  out: |\n    end\\\n");
	expect_text(f, TEXT("end\\"), "  out: \"end\\\\\"\n");
}

static void test_yaml_text_tap_lookalikes(void **state)
{
	struct fixture *f = *state;
	expect_text(f, TEXT("...\n---\n  ...\nnot ok 1\n1..1\n# x\n"),
		    "  out: |\n    ...\n    ---\n      ...\n    not ok 1\n    1..1\n    # x\n");
	/* tap-driver.sh bails out on "Bail out!" after any blanks, inside YAML too */
	expect_text(f, TEXT("Bail out! x\n"), "  out: \"Bail out! x\\n\"\n");
	expect_text(f, TEXT("a\n\t Bail out!\n"), "  out: \"a\\n\\t Bail out!\\n\"\n");
	expect_text(f, TEXT("not Bail out!\n"), "  out: |\n    not Bail out!\n");
}

static void test_yaml_text_truncated(void **state)
{
	struct fixture *f = *state;
	expect_text(f, "abc", 3, 10, "  out: \"abc\"\n  out_bytes: 10\n  out_truncated: true\n");
	expect_text(f, "abc\n", 4, 4, "  out: |\n    abc\n");
	expect_text(f, "", 0, 5, "  out: ''\n  out_bytes: 5\n  out_truncated: true\n");
}

/* Appends code point c to text as UTF-8. */
static size_t put_utf8(char *text, unsigned long c)
{
	if (c < 0x80)
		return (size_t)(text[0] = (char)c, 1);
	if (c < 0x800)
		return (size_t)(text[0] = (char)(0xc0 | c >> 6), text[1] = (char)(0x80 | (c & 0x3f)), 2);
	text[0] = (char)(0xe0 | c >> 12);
	text[1] = (char)(0x80 | (c >> 6 & 0x3f));
	text[2] = (char)(0x80 | (c & 0x3f));
	return 3;
}

/* Reads a double-quoted value back as YAML does, but \xNN as the byte NN, as prove does (for a
 * valid character below U+0080 the two agree). */
static size_t decode_quoted(const char *value, char *text, size_t cap)
{
	size_t len = 0;
	assert_int_equal(*value++, '"');
	for (; *value != '"'; value++) {
		assert_true(*value && *value != '\n' && len + 3 < cap);
		if (*value != '\\') {
			text[len++] = *value;
			continue;
		}
		char hex[5] = { 0 };
		switch (*++value) {
		case '\\': text[len++] = '\\'; break;
		case '"': text[len++] = '"'; break;
		case 'n': text[len++] = '\n'; break;
		case 't': text[len++] = '\t'; break;
		case 'x':
			memcpy(hex, value + 1, 2);
			text[len++] = (char)strtoul(hex, NULL, 16);
			value += 2;
			break;
		case 'u':
			memcpy(hex, value + 1, 4);
			len += put_utf8(text + len, strtoul(hex, NULL, 16));
			value += 4;
			break;
		default: fail_msg("unknown escape \\%c", *value);
		}
	}
	assert_string_equal(value, "\"\n");
	return len;
}

/* Reads a value back as a YAML reader would: a double-quoted scalar, or the lines after
 * "  out: |" without their four spaces, each with its line break. Also checks what keeps YAML
 * and prove reading a block whole: no empty line, no blank starting the first line with
 * content, no "Bail out!" line, and no line break to chomp or keep beyond the last one. */
static size_t decode_block(const char *out, char *text, size_t cap)
{
	static const char header[] = "  out: |\n";
	if (!strncmp(out, "  out: \"", 8))
		return decode_quoted(out + 7, text, cap);
	assert_memory_equal(out, header, sizeof(header) - 1);
	size_t n = 0;
	bool seen_content = false;
	const char *last = NULL;
	for (const char *line = out + sizeof(header) - 1; *line;) {
		assert_memory_equal(line, "    ", 4);
		const char *newline = strchr(line, '\n');
		assert_non_null(newline);
		const char *content = line + 4;
		size_t len = (size_t)(newline - content);
		size_t blanks = strspn(content, " \t");
		assert_false(!seen_content && len > 0 && blanks > 0);
		assert_false(len - blanks >= 9 && strncmp(content + blanks, "Bail out!", 9) == 0);
		for (size_t i = 0; i < len; i++)
			assert_true((unsigned char)content[i] >= 0x20 || content[i] == '\t');
		seen_content = seen_content || len > 0;
		assert_true(n + len + 1 < cap);
		memcpy(text + n, content, len + 1);
		n += len + 1;
		last = content;
		line = newline + 1;
	}
	assert_non_null(last);
	assert_true(*last != '\n');
	return n;
}

static void expect_round_trip(struct fixture *f, const char *text, size_t len)
{
	char decoded[OUTPUT_MAX];
	sc_tap_yaml_text(&f->tap, "out", text, len, len);
	size_t n = decode_block(output(f), decoded, sizeof(decoded));
	assert_int_equal(n, len);
	assert_memory_equal(decoded, text, len);
}

/* xorshift32: the same pseudo-random texts on every run */
static uint32_t next_random(uint32_t *seed)
{
	*seed ^= *seed << 13;
	*seed ^= *seed >> 17;
	*seed ^= *seed << 5;
	return *seed;
}

static void test_yaml_text_round_trip(void **state)
{
	/* bytes that meet every rule: line breaks, blanks, escapes, invalid and valid UTF-8 */
	static const char alphabet[] = "aB \t\n\n\\x\r\0\xff\xc3\xa9\xe2\x80\xa8#.-";
	static const char *const fixed[] = {
		"Bail out!", " Bail out!\n", "\n\n", "\\", "\\\n", "a\\\n\\", "\t\n \n", "\"q\"\n", "x\n\n y\n",
	};
	struct fixture *f = *state;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		expect_round_trip(f, fixed[i], strlen(fixed[i]));
	uint32_t seed = 2463534242u;
	for (int round = 0; round < 3000; round++) {
		char text[32];
		size_t len = 1 + next_random(&seed) % sizeof(text);
		for (size_t i = 0; i < len; i++)
			text[i] = alphabet[next_random(&seed) % (sizeof(alphabet) - 1)];
		expect_round_trip(f, text, len);
	}
}

/* Reads one write's worth from a SOCK_SEQPACKET socket, or "" when nothing was written. */
static void expect_packet(int fd, const char *expected)
{
	char buf[4096];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	if (n < 0) {
		assert_int_equal(errno, EAGAIN);
		n = 0;
	}
	buf[n] = '\0';
	assert_string_equal(buf, expected);
}

/* A SOCK_SEQPACKET socket keeps the boundary of each write: one packet is one write. */
static void test_one_write_per_point(void **state)
{
	(void)state;
	int fds[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
	struct sc_tap tap;
	sc_tap_init(&tap, fds[1]);
	sc_tap_version(&tap);
	sc_tap_plan(&tap, 2);
	expect_packet(fds[0], "TAP version 13\n");
	sc_tap_point(&tap, true, "first", SC_TAP_NONE, NULL);
	expect_packet(fds[0], "1..2\n");
	sc_tap_yaml_begin(&tap);
	sc_tap_yaml_int(&tap, "exit_code", 0);
	sc_tap_yaml_text(&tap, "stdout", TEXT("hi\n"));
	expect_packet(fds[0], "");
	sc_tap_yaml_end(&tap);
	expect_packet(fds[0], "ok 1 - first\n  ---\n  exit_code: 0\n  stdout: |\n    hi\n  ...\n");
	expect_packet(fds[0], "");
	sc_tap_point(&tap, false, "second", SC_TAP_NONE, NULL);
	sc_tap_comment(&tap, "after the second point");
	expect_packet(fds[0], "");
	sc_tap_release(&tap);
	expect_packet(fds[0], "not ok 2 - second\n# after the second point\n");
	expect_packet(fds[0], "");
	(void)close(fds[0]);
	(void)close(fds[1]);
}

/* Batch mode: whole points gathered, written once SC_TAP_BATCH bytes are there or at the flush. */
static void test_batch(void **state)
{
	(void)state;
	int fds[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
	struct sc_tap tap;
	sc_tap_init(&tap, fds[1]);
	tap.batch = true;
	sc_tap_point(&tap, true, "a", SC_TAP_NONE, NULL);
	sc_tap_point(&tap, false, "b", SC_TAP_NONE, NULL);
	sc_tap_yaml_begin(&tap);
	sc_tap_yaml_int(&tap, "exit_code", 1);
	sc_tap_yaml_end(&tap);
	sc_tap_point(&tap, true, "c", SC_TAP_NONE, NULL);
	expect_packet(fds[0], "");
	assert_int_equal(sc_tap_flush(&tap), 0);
	expect_packet(fds[0], "ok 1 - a\nnot ok 2 - b\n  ---\n  exit_code: 1\n  ...\nok 3 - c\n");

	/* past SC_TAP_BATCH bytes a write goes out, and it ends where a point ends */
	static char desc[1001];
	memset(desc, 'x', sizeof(desc) - 1);
	static char buf[2 * SC_TAP_BATCH];
	unsigned points = 0, writes = 0;
	for (unsigned i = 0; i < 100; i++) {
		sc_tap_point(&tap, true, desc, SC_TAP_NONE, NULL);
		ssize_t n = recv(fds[0], buf, sizeof(buf) - 1, MSG_DONTWAIT);
		if (n < 0) {
			assert_int_equal(errno, EAGAIN);
			continue;
		}
		buf[n] = '\0';
		writes++;
		assert_true((size_t)n >= SC_TAP_BATCH);
		assert_int_equal(buf[n - 1], '\n');
		assert_memory_equal(buf, "ok ", 3);
		for (char *l = buf; (l = strstr(l, "ok ")); l += 3)
			points++;
	}
	assert_int_equal(writes, 1);
	assert_int_equal(points, 65); /* 64 points of 1,012 bytes make SC_TAP_BATCH; the 65th flushes */
	sc_tap_release(&tap);
	(void)close(fds[0]);
	(void)close(fds[1]);
}

static void test_write_error(void **state)
{
	(void)state;
	struct sigaction ignore = { .sa_handler = SIG_IGN }, saved;
	assert_int_equal(sigaction(SIGPIPE, &ignore, &saved), 0);
	int fds[2];
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	(void)close(fds[0]);
	struct sc_tap tap;
	sc_tap_init(&tap, fds[1]);
	sc_tap_version(&tap);
	sc_tap_plan(&tap, 1);
	sc_tap_point(&tap, true, "lost", SC_TAP_NONE, NULL);
	assert_int_equal(tap.error, EPIPE);
	assert_int_equal(sc_tap_flush(&tap), -EPIPE);
	sc_tap_point(&tap, true, "also lost", SC_TAP_NONE, NULL);
	sc_tap_yaml_begin(&tap);
	sc_tap_yaml_end(&tap);
	assert_int_equal(sc_tap_flush(&tap), -EPIPE);
	assert_int_equal(tap.error, EPIPE);
	sc_tap_release(&tap);
	(void)close(fds[1]);
	assert_int_equal(sigaction(SIGPIPE, &saved, NULL), 0);
}

/* After the first error the writer writes nothing more, not even to a good fd. */
static void test_quiet_after_error(void **state)
{
	struct fixture *f = *state;
	struct sc_tap tap;
	sc_tap_init(&tap, -1);
	sc_tap_point(&tap, true, "lost", SC_TAP_NONE, NULL);
	assert_int_equal(sc_tap_flush(&tap), -EBADF);
	tap.fd = f->fd;
	sc_tap_point(&tap, true, "still lost", SC_TAP_NONE, NULL);
	sc_tap_bail(&tap, "lost too");
	assert_int_equal(sc_tap_flush(&tap), -EBADF);
	assert_int_equal(tap.error, EBADF);
	sc_tap_release(&tap);
	expect_output(f, "");
	sc_tap_release(NULL);
}

/* The writer's JUnit side: a point's duration_ms becomes its case's time, and a "Bail out!" a
 * case in error, counted under errors, not failures. */
static void test_junit_time_and_bail(void **state)
{
	struct fixture *f = *state;
	char dir[] = "/tmp/test-tap-junit-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof(path), "%s/r.xml", dir);
	assert_int_equal(sc_junit_new(&f->tap.junit), 0);
	sc_tap_point(&f->tap, true, "first field", SC_TAP_NONE, NULL);
	sc_tap_yaml_begin(&f->tap);
	sc_tap_yaml_int(&f->tap, "duration_ms", 1234);
	sc_tap_yaml_end(&f->tap);
	sc_tap_point(&f->tap, false, "later field", SC_TAP_NONE, NULL);
	sc_tap_yaml_begin(&f->tap);
	sc_tap_yaml_text(&f->tap, "stdout", "  duration_ms: 99\n", 18, 18);
	sc_tap_yaml_int(&f->tap, "duration_ms", 5);
	sc_tap_yaml_end(&f->tap);
	sc_tap_bail(&f->tap, "fixture <gone>");
	output(f);
	struct sc_error err = { 0 };
	assert_int_equal(sc_junit_write(f->tap.junit, path, &err), 0);
	f->tap.junit = sc_junit_free(f->tap.junit);
	char *xml = NULL;
	assert_int_equal(sc_read_file(path, &xml, NULL), 0);
	assert_non_null(strstr(xml, "tests=\"3\" failures=\"1\" errors=\"1\" skipped=\"0\" time=\"1.239\""));
	assert_non_null(strstr(xml, "<testcase name=\"first field\" classname=\"simpcon-test\" time=\"1.234\">"));
	assert_non_null(strstr(xml, "<testcase name=\"later field\" classname=\"simpcon-test\" time=\"0.005\">"));
	assert_non_null(strstr(xml, "<testcase name=\"harness\" classname=\"simpcon-test\" time=\"0.000\">\n"
				    "      <error message=\"Bail out! fixture &lt;gone&gt;\" type=\"error\">"));
	free(xml);
	unlink(path);
	rmdir(dir);
}

#define TAP_TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TAP_TEST(test_version_and_plan),
		TAP_TEST(test_skip_all),
		TAP_TEST(test_bail),
		TAP_TEST(test_point_numbering),
		TAP_TEST(test_description_escaping),
		TAP_TEST(test_description_one_line),
		TAP_TEST(test_directives),
		TAP_TEST(test_comment),
		TAP_TEST(test_yaml_int),
		TAP_TEST(test_yaml_string_plain),
		TAP_TEST(test_yaml_string_quoted),
		TAP_TEST(test_yaml_string_empty_and_null),
		TAP_TEST(test_yaml_string_escapes),
		TAP_TEST(test_yaml_text_empty),
		TAP_TEST(test_yaml_text_chomping),
		TAP_TEST(test_yaml_text_blank_lines),
		TAP_TEST(test_yaml_text_leading_blanks),
		TAP_TEST(test_yaml_text_control_characters),
		TAP_TEST(test_yaml_text_utf8),
		TAP_TEST(test_yaml_text_backslash),
		TAP_TEST(test_yaml_text_tap_lookalikes),
		TAP_TEST(test_yaml_text_truncated),
		TAP_TEST(test_yaml_text_round_trip),
		TAP_TEST(test_one_write_per_point),
		TAP_TEST(test_batch),
		TAP_TEST(test_write_error),
		TAP_TEST(test_quiet_after_error),
		TAP_TEST(test_junit_time_and_bail),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
