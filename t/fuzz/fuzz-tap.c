/* fuzz-tap.c - libFuzzer target for the TAP/YAML writer's escaping and sc_junit_escape.
 *
 * The input is a program for the writer: each step (a point, a YAML block, a comment, a plan,
 * a bail out...) takes its operands from the bytes that follow. After each step the text it
 * added to the stream is read back and checked against the stream contract of tap.h:
 *  - the whole stream is valid UTF-8, holds no control character but newline and tab, none of
 *    the characters tap.h never writes raw, and no empty line (prove ends a YAML block there);
 *  - only the steps that mean to write a TAP line do: no other line starts with "ok",
 *    "not ok", "1..", "TAP version", or "Bail out!" after blanks (tap-driver.sh obeys that
 *    one anywhere);
 *  - a point is one line with the right number, no '#' but its directive's, and a description
 *    that reads back as the one given (control characters as spaces);
 *  - every line of a YAML block starts with two spaces, a string reads back as the one given,
 *    and a text reads back byte for byte: a block as it is, a quoted one as prove reads it.
 * sc_junit_escape's output holds no control character but tab and newline, no '<', '>' or
 * quote, '&' only as an entity, and is valid UTF-8 without what XML 1.0 forbids. A broken rule
 * aborts with a message on stderr. */
#include "config.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "junit.h"
#include "tap.h"

#define CHECK(cond, what)                                        \
	do {                                                     \
		if (!(cond)) {                                   \
			fprintf(stderr, "fuzz-tap: %s\n", what); \
			abort();                                 \
		}                                                \
	} while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int stream_fd = -1; /* a memfd the writer writes to, emptied for each input */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	stream_fd = memfd_create("fuzz-tap", MFD_CLOEXEC);
	CHECK(stream_fd >= 0, "memfd_create");
	return 0;
}

/* ---- reading the input ------------------------------------------------------------------ */

struct input {
	const uint8_t *p;
	size_t n;
};

static unsigned take_byte(struct input *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

/* Up to max bytes, the count taken from the input first; *ret_len is what there was. */
static const char *take_bytes(struct input *in, size_t max, size_t *ret_len)
{
	size_t want = take_byte(in);
	if (max > 255)
		want = want << 8 | take_byte(in);
	want %= max + 1;
	size_t len = want < in->n ? want : in->n;
	const char *s = (const char *)in->p;
	in->p += len;
	in->n -= len;
	*ret_len = len;
	return s;
}

/* A string made of the next bytes, cut at a NUL byte as a C caller would; NULL sometimes. */
static char *take_string(struct input *in, bool may_be_null)
{
	size_t len;
	unsigned flags = take_byte(in);
	const char *s = take_bytes(in, 255, &len);
	if (may_be_null && flags == 0xff)
		return NULL;
	char *copy = strndup(s, len);
	CHECK(copy, "strndup");
	return copy;
}

/* ---- UTF-8, as tap.h defines it --------------------------------------------------------- */

/* The length of the valid UTF-8 sequence at s, 0 when invalid; its code point in *code. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *code)
{
	size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (len == 0 || len > n)
		return 0;
	uint32_t c = len == 1 ? s[0] : s[0] & (0xff >> (len + 1));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	if (c < min[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*code = c;
	return len;
}

/* What no line carries raw (tap.h): C0 controls, DEL, C1, U+2028, U+2029, U+FEFF, U+FFFE/F. */
static bool unprintable(uint32_t c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029 || c == 0xfeff ||
	       c == 0xfffe || c == 0xffff;
}

static void put_utf8(char **out, uint32_t c)
{
	unsigned char *o = (unsigned char *)*out;
	if (c < 0x80) {
		*o++ = (unsigned char)c;
	} else if (c < 0x800) {
		*o++ = (unsigned char)(0xc0 | c >> 6);
		*o++ = (unsigned char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		*o++ = (unsigned char)(0xe0 | c >> 12);
		*o++ = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		*o++ = (unsigned char)(0x80 | (c & 0x3f));
	} else {
		*o++ = (unsigned char)(0xf0 | c >> 18);
		*o++ = (unsigned char)(0x80 | (c >> 12 & 0x3f));
		*o++ = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		*o++ = (unsigned char)(0x80 | (c & 0x3f));
	}
	*out = (char *)o;
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* "\xNN" at s (n bytes left): the byte, or -1. */
static int hex_escape(const char *s, size_t n)
{
	if (n < 4 || s[0] != '\\' || s[1] != 'x' || hex_digit(s[2]) < 0 || hex_digit(s[3]) < 0)
		return -1;
	return hex_digit(s[2]) << 4 | hex_digit(s[3]);
}

/* ---- the stream ------------------------------------------------------------------------- */

/* What the writer added to the stream since the last call (NUL-terminated, caller frees). */
static char *new_output(struct sc_tap *tap, off_t *offset, size_t *ret_len)
{
	CHECK(sc_tap_flush(tap) == 0, "flush failed");
	off_t end = lseek(stream_fd, 0, SEEK_END);
	CHECK(end >= *offset, "lseek");
	size_t len = (size_t)(end - *offset);
	char *s = malloc(len + 1);
	CHECK(s, "malloc");
	CHECK(pread(stream_fd, s, len, *offset) == (ssize_t)len, "pread");
	s[len] = '\0';
	CHECK(strlen(s) == len, "a NUL byte in the stream");
	*offset = end;
	*ret_len = len;
	return s;
}

/* Rules for all of the stream, whatever wrote it. */
static void check_chunk(const char *s, size_t n)
{
	CHECK(n == 0 || s[n - 1] == '\n', "the stream does not end a line");
	for (size_t i = 0; i < n;) {
		uint32_t c;
		size_t k = utf8_decode((const unsigned char *)s + i, n - i, &c);
		CHECK(k > 0, "invalid UTF-8 in the stream");
		CHECK(!unprintable(c) || c == '\n' || c == '\t', "an unprintable character in the stream");
		if (c == '\n')
			CHECK(i > 0 && s[i - 1] != '\n', "an empty line in the stream");
		i += k;
	}
}

static bool starts(const char *line, const char *prefix)
{
	return !strncmp(line, prefix, strlen(prefix));
}

/* A line that no step but a deliberate one may write. */
static void check_not_tap(const char *line)
{
	CHECK(!starts(line, "ok") && !starts(line, "not ok") && !starts(line, "1..") && !starts(line, "TAP version"),
	      "a result, plan or version line written by accident");
	CHECK(!starts(line + strspn(line, " \t"), "Bail out!"), "a line tap-driver.sh reads as Bail out!");
}

/* Splits s in place into its lines (without their newlines); returns the count. */
static size_t split_lines(char *s, char ***ret_lines)
{
	size_t count = 0;
	for (char *p = s; *p; p++)
		count += *p == '\n';
	char **lines = calloc(count + 1, sizeof(*lines));
	CHECK(lines, "calloc");
	size_t i = 0;
	for (char *p = s; *p;) {
		char *nl = strchr(p, '\n');
		*nl = '\0';
		lines[i++] = p;
		p = nl + 1;
	}
	*ret_lines = lines;
	return count;
}

/* ---- points ----------------------------------------------------------------------------- */

/* The description as the point should carry it: each unprintable character one space. */
static char *expected_text(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(n + 1), *o = out;
	CHECK(out, "malloc");
	for (size_t i = 0; i < n;) {
		uint32_t c;
		size_t k = utf8_decode((const unsigned char *)s + i, n - i, &c);
		if (k == 0)
			*o++ = s[i++];
		else if (unprintable(c))
			*o++ = ' ', i += k;
		else
			memcpy(o, s + i, k), o += k, i += k;
	}
	*o = '\0';
	return out;
}

/* Reads a description back up to its end or its directive; *ret_end is where it stopped. */
static char *read_description(const char *s, const char **ret_end)
{
	char *out = malloc(strlen(s) + 1), *o = out;
	CHECK(out, "malloc");
	while (*s && !(s[0] == ' ' && s[1] == '#')) {
		int byte = hex_escape(s, strlen(s));
		CHECK(*s != '#', "a '#' in a description that is not escaped");
		if (s[0] == '\\' && (s[1] == '\\' || s[1] == '#')) {
			*o++ = s[1];
			s += 2;
		} else if (byte >= 0) {
			*o++ = (char)byte;
			s += 4;
		} else {
			CHECK(*s != '\\', "a backslash in a description that is not an escape");
			*o++ = *s++;
		}
	}
	*o = '\0';
	*ret_end = s;
	return out;
}

static void step_point(struct sc_tap *tap, struct input *in, off_t *offset)
{
	unsigned flags = take_byte(in);
	bool ok = flags & 1;
	enum sc_tap_directive directive = (enum sc_tap_directive)((flags >> 1) % 3);
	char *description = take_string(in, true);
	char *reason = take_string(in, true);
	sc_tap_point(tap, ok, description, directive, reason);

	size_t n;
	char *out = new_output(tap, offset, &n);
	check_chunk(out, n);
	CHECK(memchr(out, '\n', n) == out + n - 1, "a point is not one line");
	out[n - 1] = '\0';
	char head[64];
	snprintf(head, sizeof(head), "%sok %u", ok ? "" : "not ", tap->count);
	CHECK(starts(out, head), "a point does not start with its result and number");
	const char *rest = out + strlen(head), *end = rest;
	if (description && *description) {
		CHECK(starts(rest, " - "), "a description without its ' - '");
		char *got = read_description(rest + 3, &end), *want = expected_text(description);
		CHECK(!strcmp(got, want), "a description does not read back as the one given");
		free(got);
		free(want);
	}
	if (directive == SC_TAP_NONE) {
		CHECK(*end == '\0', "a point has more than its description");
	} else {
		CHECK(starts(end, directive == SC_TAP_SKIP ? " # SKIP" : " # TODO"), "a directive is not written");
		end += strlen(" # SKIP");
		CHECK(*end == '\0' || (*end == ' ' && reason && *reason), "a directive with something but its reason");
	}
	free(out);
	free(description);
	free(reason);
}

/* ---- YAML --------------------------------------------------------------------------------- */

/* Reads a double-quoted YAML scalar back, \xNN as the byte (as prove does); its length in
 * *ret_len when asked for (the value may hold a NUL). */
static char *read_quoted(const char *s, size_t *ret_len)
{
	size_t n = strlen(s);
	CHECK(n >= 2 && s[0] == '"' && s[n - 1] == '"', "a quoted string is not in quotes");
	char *out = malloc(4 * n + 1), *o = out;
	CHECK(out, "malloc");
	for (size_t i = 1; i < n - 1;) {
		CHECK(s[i] != '"', "a raw '\"' inside a quoted string");
		if (s[i] != '\\') {
			*o++ = s[i++];
			continue;
		}
		int byte = hex_escape(s + i, n - 1 - i);
		char next = s[i + 1];
		if (byte >= 0) {
			*o++ = (char)byte;
			i += 4;
		} else if (next == 'u' && i + 6 <= n - 1) {
			char hex[5] = { s[i + 2], s[i + 3], s[i + 4], s[i + 5], 0 };
			put_utf8(&o, (uint32_t)strtoul(hex, NULL, 16));
			i += 6;
		} else {
			CHECK(next == '"' || next == '\\' || next == 'n' || next == 't', "an unknown escape in a quoted string");
			*o++ = next == 'n' ? '\n' : next == 't' ? '\t' : next;
			i += 2;
		}
	}
	*o = '\0';
	if (ret_len)
		*ret_len = (size_t)(o - out);
	return out;
}

static void check_yaml_string(const char *value, const char *written)
{
	if (!value) {
		CHECK(!strcmp(written, "~"), "NULL is not written ~");
	} else if (!*value) {
		CHECK(!strcmp(written, "''"), "an empty string is not written ''");
	} else if (written[0] == '"') {
		char *got = read_quoted(written, NULL);
		CHECK(!strcmp(got, value), "a quoted string does not read back as the one given");
		free(got);
	} else {
		CHECK(!strcmp(written, value), "a plain string is not the one given");
		CHECK(!strchr("-?:,[]{}#&*!|>'\"%@`~ ", value[0]), "a plain string starts with an indicator");
		CHECK(!strstr(value, ": ") && !strstr(value, " #"), "a plain string holds a mapping or comment marker");
	}
}

/* Reads a "|" block back: its lines without their four spaces, each with its newline. Nothing
 * in a block is an escape, so that must be the text itself: it ends in one newline (what "|"
 * keeps), its first line with content starts with no blank, no line reads "Bail out!". */
static void check_yaml_text(const char *text, size_t len, char **lines, size_t n)
{
	size_t size = 0;
	for (size_t i = 0; i < n; i++)
		size += strlen(lines[i]) + 1;
	char *value = malloc(size + 1), *v = value;
	CHECK(value, "malloc");
	bool content = false;
	for (size_t i = 0; i < n; i++) {
		const char *l = lines[i] + 4;
		if (*l && !content)
			CHECK(*l != ' ' && *l != '\t', "a block's first line with content starts with a blank");
		CHECK(!starts(l + strspn(l, " \t"), "Bail out!"), "a block line reads Bail out!");
		content = content || *l;
		size_t k = strlen(l);
		memcpy(v, l, k);
		v += k;
		*v++ = '\n';
	}
	CHECK(n > 0 && lines[n - 1][4] != '\0', "a block ends in a blank line, which \"|\" drops");
	CHECK((size_t)(v - value) == len && !memcmp(value, text, len), "a text block does not read back as the one given");
	free(value);
}

enum field_kind { FIELD_STRING, FIELD_TEXT, FIELD_INT, FIELD_BOOL };

struct field {
	enum field_kind kind;
	char *string;
	const char *text;
	size_t len, total;
	long long number;
};

static const char *const keys[] = { "message", "output", "count", "ok" };

/* Checks the lines of one field from *i on; moves *i past them. */
static void check_field(const struct field *f, char **lines, size_t n, size_t *i)
{
	const char *key = keys[f->kind];
	char prefix[32], want[64];
	snprintf(prefix, sizeof(prefix), "  %s: ", key);
	CHECK(*i < n && starts(lines[*i], prefix), "a field is not written with its key");
	const char *value = lines[(*i)++] + strlen(prefix);
	switch (f->kind) {
	case FIELD_STRING: check_yaml_string(f->string, value); break;
	case FIELD_INT:
		snprintf(want, sizeof(want), "%lld", f->number);
		CHECK(!strcmp(value, want), "an int is not written as given");
		break;
	case FIELD_BOOL:
		CHECK(!strcmp(value, f->number ? "true" : "false"), "a bool is not written true or false");
		break;
	case FIELD_TEXT: {
		if (f->len == 0) {
			CHECK(!strcmp(value, "''"), "an empty text is not written ''");
		} else if (value[0] == '"') {
			size_t got_len;
			char *got = read_quoted(value, &got_len);
			CHECK(got_len == f->len && !memcmp(got, f->text, got_len), "a quoted text does not read back as the one given");
			free(got);
		} else {
			CHECK(!strcmp(value, "|"), "a text's header is neither a bare '|' nor a quote");
			size_t first = *i;
			while (*i < n && starts(lines[*i], "    "))
				(*i)++;
			CHECK(*i > first, "an empty text block");
			check_yaml_text(f->text, f->len, lines + first, *i - first);
		}
		if (f->total > f->len) {
			snprintf(want, sizeof(want), "  %s_bytes: %zu", key, f->total);
			CHECK(*i < n && !strcmp(lines[(*i)++], want), "a truncated text without its _bytes");
			snprintf(want, sizeof(want), "  %s_truncated: true", key);
			CHECK(*i < n && !strcmp(lines[(*i)++], want), "a truncated text without its _truncated");
		}
		break;
	}
	}
}

static void step_yaml(struct sc_tap *tap, struct input *in, off_t *offset)
{
	struct field fields[4];
	size_t n_fields = take_byte(in) % 4 + 1;
	sc_tap_yaml_begin(tap);
	for (size_t k = 0; k < n_fields; k++) {
		struct field *f = &fields[k];
		*f = (struct field){ .kind = (enum field_kind)(take_byte(in) % 4) };
		switch (f->kind) {
		case FIELD_STRING:
			f->string = take_string(in, true);
			sc_tap_yaml_string(tap, keys[f->kind], f->string);
			break;
		case FIELD_TEXT:
			f->text = take_bytes(in, 4096, &f->len);
			f->total = f->len + (take_byte(in) & 1 ? 1 + take_byte(in) : 0);
			sc_tap_yaml_text(tap, keys[f->kind], f->text, f->len, f->total);
			break;
		case FIELD_INT:
			for (int b = 0; b < 8; b++)
				f->number = (long long)((unsigned long long)f->number << 8 | take_byte(in));
			sc_tap_yaml_int(tap, keys[f->kind], f->number);
			break;
		case FIELD_BOOL:
			f->number = take_byte(in) & 1;
			sc_tap_yaml_bool(tap, keys[f->kind], f->number);
			break;
		}
	}
	sc_tap_yaml_end(tap);

	size_t len;
	char *out = new_output(tap, offset, &len);
	check_chunk(out, len);
	char **lines;
	size_t n = split_lines(out, &lines);
	CHECK(n >= 2 && !strcmp(lines[0], "  ---") && !strcmp(lines[n - 1], "  ..."), "a YAML block without --- and ...");
	for (size_t i = 1; i < n - 1; i++) {
		CHECK(starts(lines[i], "  "), "a YAML block line does not start with two spaces");
		CHECK(strcmp(lines[i], "  ---") && strcmp(lines[i], "  ..."), "a YAML block ends early");
		check_not_tap(lines[i]);
	}
	size_t i = 1;
	for (size_t k = 0; k < n_fields; k++)
		check_field(&fields[k], lines, n - 1, &i);
	CHECK(i == n - 1, "a YAML block holds more than its fields");
	for (size_t k = 0; k < n_fields; k++)
		free(fields[k].string);
	free(lines);
	free(out);
}

/* ---- the other steps -------------------------------------------------------------------- */

static void step_comment(struct sc_tap *tap, struct input *in, off_t *offset)
{
	char *text = take_string(in, true);
	sc_tap_comment(tap, text);
	size_t len;
	char *out = new_output(tap, offset, &len);
	check_chunk(out, len);
	char **lines;
	size_t n = split_lines(out, &lines);
	CHECK(n >= 1, "a comment writes nothing");
	for (size_t i = 0; i < n; i++) {
		CHECK(lines[i][0] == '#', "a comment line does not start with '#'");
		check_not_tap(lines[i]);
	}
	free(lines);
	free(out);
	free(text);
}

/* A line that ends the stream: "Bail out! reason" or "1..0 # SKIP reason". */
static void step_end(struct sc_tap *tap, struct input *in, off_t *offset, bool bail)
{
	char *reason = take_string(in, true);
	if (bail)
		sc_tap_bail(tap, reason);
	else
		sc_tap_skip_all(tap, reason);
	size_t len;
	char *out = new_output(tap, offset, &len);
	check_chunk(out, len);
	CHECK(memchr(out, '\n', len) == out + len - 1, "a bail out or skip all is not one line");
	CHECK(starts(out, bail ? "Bail out!" : "1..0 # SKIP"), "a bail out or skip all line is not written as such");
	free(out);
	free(reason);
}

static void step_simple(struct sc_tap *tap, off_t *offset, const char *want)
{
	size_t len;
	char *out = new_output(tap, offset, &len);
	CHECK(!strcmp(out, want), "a version or plan line is not written as such");
	free(out);
}

/* ---- JUnit ------------------------------------------------------------------------------ */

static void check_junit_escape(struct input *in)
{
	size_t n;
	const char *s = take_bytes(in, 4096, &n);
	char *buf = NULL;
	size_t len = 0, cap = 0;
	CHECK(sc_junit_escape(&buf, &len, &cap, s, n) == 0, "sc_junit_escape failed");
	for (size_t i = 0; i < len;) {
		uint32_t c;
		size_t k = utf8_decode((const unsigned char *)buf + i, len - i, &c);
		CHECK(k > 0, "invalid UTF-8 in XML");
		CHECK(c >= 0x20 || c == '\t' || c == '\n', "a control character in XML");
		CHECK(c != 0x7f && c != 0xfffe && c != 0xffff, "a character XML forbids");
		CHECK(c != '<' && c != '>' && c != '"' && c != '\'', "markup in XML character data");
		if (c == '&') {
			static const char *const entities[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&apos;" };
			bool entity = false;
			for (size_t e = 0; e < 5; e++)
				entity |= !strncmp(buf + i, entities[e], strlen(entities[e]));
			CHECK(entity, "a '&' that does not start an entity");
		}
		i += k;
	}
	CHECK(!buf || buf[len] == '\0', "escaped text not NUL-terminated");
	free(buf);
}

/* ---- the program -------------------------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	CHECK(ftruncate(stream_fd, 0) == 0 && lseek(stream_fd, 0, SEEK_SET) == 0, "empty the memfd");
	off_t offset = 0;
	struct sc_tap tap;
	sc_tap_init(&tap, stream_fd);
	struct sc_junit *junit = NULL;
	if (take_byte(&in) & 1) {
		CHECK(sc_junit_new(&junit) == 0, "sc_junit_new");
		tap.junit = junit;
	}
	char want[32];
	for (bool ended = false; in.n > 0 && !ended;) {
		switch (take_byte(&in) % 9) {
		case 0: step_point(&tap, &in, &offset); break;
		case 1: step_yaml(&tap, &in, &offset); break;
		case 2: step_comment(&tap, &in, &offset); break;
		case 3:
			sc_tap_version(&tap);
			step_simple(&tap, &offset, "TAP version 13\n");
			break;
		case 4: {
			unsigned plan = take_byte(&in) << 8;
			plan |= take_byte(&in);
			sc_tap_plan(&tap, plan);
			snprintf(want, sizeof(want), "1..%u\n", plan);
			step_simple(&tap, &offset, want);
			break;
		}
		case 5: step_end(&tap, &in, &offset, true), ended = true; break;
		case 6: step_end(&tap, &in, &offset, false), ended = true; break;
		case 7: check_junit_escape(&in); break;
		case 8:
			if (junit) {
				char *name = take_string(&in, false);
				CHECK(sc_junit_suite(junit, name) == 0, "sc_junit_suite");
				free(name);
			}
			break;
		}
	}
	CHECK(tap.error == 0, "the writer recorded an error");
	sc_tap_release(&tap);
	sc_junit_free(junit);
	return 0;
}
