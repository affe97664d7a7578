/* tap.c - a writer of TAP version 13 with YAML diagnostic blocks.
 *
 * Two readers shape the escaping below, besides the TAP and YAML specifications: prove
 * (TAP::Parser 3.44, whose YAMLish reader knows only a bare "|" block header and reads a block
 * by indentation alone) and automake's tap-driver.sh (which knows no YAML at all and bails out
 * on any line that starts with "Bail out!" after blanks, even inside a YAML block). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "junit.h"
#include "tap.h"
#include "util.h"

#define BAIL_OUT "Bail out!"

/* One character of text that may hold anything: a UTF-8 sequence, or a single byte that is not
 * part of a valid one. */
struct tap_char {
	size_t len;
	uint32_t code;
	bool valid;
};

/* Records the first error and drops the pending text. The writer stays quiet from then on: a
 * stream that stops is counted as a failure, while one with a hole in a point could read as a
 * different result. */
static void tap_fail(struct sc_tap *tap, int code)
{
	if (tap->error == 0)
		tap->error = code;
	tap->len = 0;
}

/* Makes room for n more bytes. Once an error is recorded the writer stays quiet. */
static bool tap_reserve(struct sc_tap *tap, size_t n)
{
	if (tap->error)
		return false;
	if (n > SIZE_MAX / 2 - tap->len) {
		tap_fail(tap, ENOMEM);
		return false;
	}
	if (tap->len + n <= tap->cap)
		return true;
	size_t cap = tap->cap ? tap->cap : 256;
	while (cap < tap->len + n)
		cap *= 2;
	char *bigger = realloc(tap->buf, cap);
	if (!bigger) {
		tap_fail(tap, ENOMEM);
		return false;
	}
	tap->buf = bigger;
	tap->cap = cap;
	return true;
}

static void put_bytes(struct sc_tap *tap, const char *s, size_t n)
{
	if (n == 0 || !tap_reserve(tap, n))
		return;
	memcpy(tap->buf + tap->len, s, n);
	tap->len += n;
}

static void put_str(struct sc_tap *tap, const char *s)
{
	put_bytes(tap, s, strlen(s));
}

static void put_char(struct sc_tap *tap, char c)
{
	put_bytes(tap, &c, 1);
}

static void __attribute__((format(printf, 2, 3))) put_fmt(struct sc_tap *tap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		tap_fail(tap, EOVERFLOW);
		return;
	}
	/* vsnprintf needs room for its terminating NUL, which is not kept */
	if (!tap_reserve(tap, (size_t)n + 1))
		return;
	va_start(ap, fmt);
	(void)vsnprintf(tap->buf + tap->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	tap->len += (size_t)n;
}

static void put_hex(struct sc_tap *tap, unsigned char byte)
{
	put_fmt(tap, "\\x%02x", byte);
}

static void put_hex_bytes(struct sc_tap *tap, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_hex(tap, (unsigned char)s[i]);
}

/* Decodes the character at s (n > 0 bytes left). Overlong forms, surrogates and code points
 * above U+10FFFF are not valid UTF-8: such a byte comes back alone and invalid. */
static struct tap_char tap_char_at(const char *s, size_t n)
{
	static const uint32_t min_code[] = { 0, 0, 0x80, 0x800, 0x10000 };
	const unsigned char *u = (const unsigned char *)s;
	struct tap_char invalid = { .len = 1, .code = u[0], .valid = false };
	size_t len = u[0] < 0x80 ? 1 : u[0] < 0xc0 ? 0 : u[0] < 0xe0 ? 2 : u[0] < 0xf0 ? 3 : u[0] < 0xf8 ? 4 : 0;
	if (len == 1)
		return (struct tap_char){ .len = 1, .code = u[0], .valid = true };
	if (len == 0 || len > n)
		return invalid;
	uint32_t code = u[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return invalid;
		code = code << 6 | (u[i] & 0x3f);
	}
	if (code < min_code[len] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
		return invalid;
	return (struct tap_char){ .len = len, .code = code, .valid = true };
}

/* Characters no line of the stream carries raw: C0 controls (tab included; callers that keep
 * tabs check first), DEL, C1 controls, the line and paragraph separators YAML 1.1 breaks lines
 * at, the byte order mark YAML forbids inside a document, and the non-characters U+FFFE/FFFF. */
static bool tap_unprintable(uint32_t code)
{
	return code < 0x20 || code == 0x7f || (code >= 0x80 && code < 0xa0) || code == 0x2028 ||
	       code == 0x2029 || code == 0xfeff || code == 0xfffe || code == 0xffff;
}

/* Text that must stay on one TAP line (a description or a reason): control characters become
 * spaces, invalid UTF-8 becomes \xNN. With escape, '\' and '#' are backslash-escaped, as TAP
 * requires in a description so that a '#' in it is never read as a directive. */
static void put_line_text(struct sc_tap *tap, const char *text, bool escape)
{
	size_t n = strlen(text);
	for (size_t i = 0; i < n;) {
		struct tap_char c = tap_char_at(text + i, n - i);
		if (!c.valid)
			put_hex(tap, (unsigned char)text[i]);
		else if (tap_unprintable(c.code))
			put_char(tap, ' ');
		else if (escape && (c.code == '\\' || c.code == '#'))
			put_fmt(tap, "\\%c", (char)c.code);
		else
			put_bytes(tap, text + i, c.len);
		i += c.len;
	}
}

void sc_tap_init(struct sc_tap *tap, int fd)
{
	*tap = (struct sc_tap){ .fd = fd };
}

void sc_tap_release(struct sc_tap *tap)
{
	if (!tap)
		return;
	(void)sc_tap_flush(tap);
	free(tap->buf);
	tap->buf = NULL;
	tap->len = tap->cap = 0;
}

/* A finished point goes out now, or in batch mode once enough of them have gathered. */
static void point_done(struct sc_tap *tap)
{
	if (!tap->batch || tap->len >= SC_TAP_BATCH)
		(void)sc_tap_flush(tap);
}

int sc_tap_flush(struct sc_tap *tap)
{
	if (tap->error)
		return -tap->error;
	if (tap->len == 0)
		return 0;
	int r = sc_write_all(tap->fd, tap->buf, tap->len);
	if (r < 0) {
		tap_fail(tap, -r);
		return r;
	}
	tap->len = 0;
	return 0;
}

void sc_tap_version(struct sc_tap *tap)
{
	put_str(tap, "TAP version 13\n");
}

void sc_tap_plan(struct sc_tap *tap, unsigned n)
{
	(void)sc_tap_flush(tap);
	put_fmt(tap, "1..%u\n", n);
}

/* A plan of no tests ends the stream, so it goes out at once. */
void sc_tap_skip_all(struct sc_tap *tap, const char *reason)
{
	(void)sc_tap_flush(tap);
	tap->skipped_all = true;
	put_str(tap, "1..0 # SKIP");
	if (reason && *reason) {
		put_char(tap, ' ');
		put_line_text(tap, reason, false);
	}
	put_char(tap, '\n');
	(void)sc_tap_flush(tap);
}

/* The caller is about to give up, so the line goes out at once. In the JUnit report it is an
 * error of a case named "harness": the harness failed, not a point. */
void sc_tap_bail(struct sc_tap *tap, const char *reason)
{
	(void)sc_tap_flush(tap);
	size_t start = tap->len;
	put_str(tap, BAIL_OUT);
	if (reason && *reason) {
		put_char(tap, ' ');
		put_line_text(tap, reason, false);
	}
	put_char(tap, '\n');
	if (tap->junit && !tap->error && sc_junit_case(tap->junit, "harness", SC_JUNIT_ERROR, NULL) == 0) {
		(void)sc_junit_output(tap->junit, "  message: ", 11);
		(void)sc_junit_output(tap->junit, tap->buf + start, tap->len - start);
	}
	(void)sc_tap_flush(tap);
}

void sc_tap_point(struct sc_tap *tap, bool ok, const char *description, enum sc_tap_directive directive,
		  const char *reason)
{
	point_done(tap);
	tap->count++;
	tap->skipped += ok && directive == SC_TAP_SKIP;
	put_fmt(tap, "%sok %u", ok ? "" : "not ", tap->count);
	if (description && *description) {
		put_str(tap, " - ");
		put_line_text(tap, description, true);
	}
	if (directive != SC_TAP_NONE) {
		put_str(tap, directive == SC_TAP_SKIP ? " # SKIP" : " # TODO");
		if (reason && *reason) {
			put_char(tap, ' ');
			put_line_text(tap, reason, false);
		}
	}
	put_char(tap, '\n');
	if (tap->junit)
		(void)sc_junit_case(tap->junit, description ? description : "",
				    directive == SC_TAP_SKIP ? SC_JUNIT_SKIP : ok ? SC_JUNIT_PASS : SC_JUNIT_FAIL, reason);
}

/* One comment line: control characters but tab and invalid UTF-8 as \xNN. */
static void put_comment_line(struct sc_tap *tap, const char *line, size_t n)
{
	put_str(tap, n ? "# " : "#");
	for (size_t i = 0; i < n;) {
		struct tap_char c = tap_char_at(line + i, n - i);
		if (!c.valid || (c.code != '\t' && tap_unprintable(c.code)))
			put_hex_bytes(tap, line + i, c.len);
		else
			put_bytes(tap, line + i, c.len);
		i += c.len;
	}
	put_char(tap, '\n');
}

void sc_tap_comment(struct sc_tap *tap, const char *text)
{
	const char *line = text ? text : "";
	do {
		const char *newline = strchr(line, '\n');
		size_t n = newline ? (size_t)(newline - line) : strlen(line);
		put_comment_line(tap, line, n);
		line = newline ? newline + 1 : NULL;
	} while (line && *line);
}

void sc_tap_yaml_begin(struct sc_tap *tap)
{
	put_str(tap, "  ---\n");
	tap->yaml_start = tap->len;
}

/* The block's fields become the JUnit case's output; duration_ms its time. */
static void yaml_to_junit(struct sc_tap *tap)
{
	static const char field[] = "  duration_ms: ";
	if (!tap->junit || tap->error || tap->yaml_start > tap->len)
		return;
	const char *block = tap->buf + tap->yaml_start;
	size_t n = tap->len - tap->yaml_start;
	(void)sc_junit_output(tap->junit, block, n);
	/* a field is a line at two spaces; text in a block scalar is at four, so never matches */
	const char *end = block + n;
	for (const char *line = block; line < end;) {
		if ((size_t)(end - line) > strlen(field) && !memcmp(line, field, strlen(field))) {
			sc_junit_time(tap->junit, strtod(line + strlen(field), NULL) / 1000.0);
			return;
		}
		const char *newline = memchr(line, '\n', (size_t)(end - line));
		line = newline ? newline + 1 : end;
	}
}

void sc_tap_yaml_end(struct sc_tap *tap)
{
	yaml_to_junit(tap);
	put_str(tap, "  ...\n");
	point_done(tap);
}

void sc_tap_yaml_int(struct sc_tap *tap, const char *key, long long value)
{
	put_fmt(tap, "  %s: %lld\n", key, value);
}

void sc_tap_yaml_bool(struct sc_tap *tap, const char *key, bool value)
{
	put_fmt(tap, "  %s: %s\n", key, value ? "true" : "false");
}

/* Whether value reads back as the same string when written plain, in YAML 1.1 and 1.2 and in
 * prove's YAMLish reader. Deliberately narrow: printable ASCII that cannot start an indicator,
 * a number, a null or a boolean, and holds no comment or mapping marker. Anything else is
 * quoted. */
static bool yaml_plain_ok(const char *value)
{
	static const char *const words[] = { "y", "n", "yes", "no", "true", "false", "on", "off", "null" };
	size_t n = strlen(value);
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)value[i] < 0x20 || (unsigned char)value[i] > 0x7e)
			return false;
	/* indicators, and the first characters of numbers (".5", "+1", "-1"), "~", "<<" and "=" */
	if (strchr(" -?:,[]{}#&*!|>'\"%@`~+.=<0123456789", value[0]))
		return false;
	if (value[n - 1] == ' ' || value[n - 1] == ':')
		return false;
	if (strstr(value, ": ") || strstr(value, " #"))
		return false;
	for (size_t i = 0; i < SC_ELEMENTSOF(words); i++)
		if (strcasecmp(value, words[i]) == 0)
			return false;
	return true;
}

/* A YAML double-quoted scalar of the n bytes at value. YAML has no escape for a byte, so an
 * invalid UTF-8 byte is written \xNN, which YAML reads as U+00NN and prove reads as the byte
 * itself. */
static void put_yaml_quoted(struct sc_tap *tap, const char *value, size_t n)
{
	put_char(tap, '"');
	for (size_t i = 0; i < n;) {
		struct tap_char c = tap_char_at(value + i, n - i);
		if (!c.valid)
			put_hex(tap, (unsigned char)value[i]);
		else if (c.code == '"' || c.code == '\\')
			put_fmt(tap, "\\%c", (char)c.code);
		else if (c.code == '\n')
			put_str(tap, "\\n");
		else if (c.code == '\t')
			put_str(tap, "\\t");
		else if (tap_unprintable(c.code))
			put_fmt(tap, c.code < 0x80 ? "\\x%02x" : "\\u%04x", (unsigned)c.code);
		else
			put_bytes(tap, value + i, c.len);
		i += c.len;
	}
	put_char(tap, '"');
}

void sc_tap_yaml_string(struct sc_tap *tap, const char *key, const char *value)
{
	put_fmt(tap, "  %s: ", key);
	if (!value)
		put_char(tap, '~');
	else if (!*value)
		put_str(tap, "''");
	else if (yaml_plain_ok(value))
		put_str(tap, value);
	else
		put_yaml_quoted(tap, value, strlen(value));
	put_char(tap, '\n');
}

/* Whether the n bytes of a line can be written as they are inside a "|" block scalar: no
 * line may read "Bail out!" after its blanks (tap-driver.sh obeys it even inside a YAML block),
 * and the first line with content may not start with a blank (YAML would take it for
 * indentation, and a bare "|" header has no room for an indentation indicator prove accepts). */
static bool block_line_ok(const char *line, size_t n, bool first)
{
	size_t blanks = 0;
	while (blanks < n && (line[blanks] == ' ' || line[blanks] == '\t'))
		blanks++;
	if (first && blanks > 0)
		return false;
	return n - blanks < strlen(BAIL_OUT) || memcmp(line + blanks, BAIL_OUT, strlen(BAIL_OUT)) != 0;
}

/* Whether text reads back exactly from a bare "|" block, where nothing is an escape: printable
 * UTF-8 (tab allowed), lines block_line_ok, and exactly one final line break, which is what
 * "|" keeps (prove 3.44 knows no "|-" or "|+"). */
static bool block_ok(const char *text, size_t len)
{
	if (len < 2 || text[len - 1] != '\n' || text[len - 2] == '\n')
		return false;
	for (size_t i = 0; i < len;) {
		struct tap_char c = tap_char_at(text + i, len - i);
		if (!c.valid || (c.code != '\t' && c.code != '\n' && tap_unprintable(c.code)))
			return false;
		i += c.len;
	}
	bool seen_content = false;
	for (const char *line = text, *end = text + len; line < end;) {
		const char *newline = memchr(line, '\n', (size_t)(end - line));
		size_t n = (size_t)(newline - line);
		if (!block_line_ok(line, n, !seen_content))
			return false;
		seen_content = seen_content || n > 0;
		line = newline + 1;
	}
	return true;
}

/* The lines of a "|" block scalar at four spaces, as they are; blank lines as the indentation
 * alone (prove ends a YAML block at an empty line). */
static void put_block(struct sc_tap *tap, const char *text, size_t len)
{
	for (const char *line = text, *end = text + len; line < end;) {
		const char *newline = memchr(line, '\n', (size_t)(end - line));
		put_str(tap, "    ");
		put_bytes(tap, line, (size_t)(newline - line) + 1);
		line = newline + 1;
	}
}

void sc_tap_yaml_text(struct sc_tap *tap, const char *key, const char *text, size_t len, size_t total)
{
	if (!text)
		len = 0;
	/* never an empty block: prove 3.44 reads "key: |" followed by "..." forever */
	if (len == 0) {
		put_fmt(tap, "  %s: ''\n", key);
	} else if (block_ok(text, len)) {
		put_fmt(tap, "  %s: |\n", key);
		put_block(tap, text, len);
	} else {
		put_fmt(tap, "  %s: ", key);
		put_yaml_quoted(tap, text, len);
		put_char(tap, '\n');
	}
	if (total > len) {
		put_fmt(tap, "  %s_bytes: %zu\n", key, total);
		put_fmt(tap, "  %s_truncated: true\n", key);
	}
}
