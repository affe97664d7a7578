/* transcript.c - cram-style transcript files, the pure part: reading them, the script, its output.
 *
 * The conventions follow cram (and prysk, its successor), so existing files read the same:
 * the suffixes, the escapes and the marker scheme are cram's, with three departures that make a
 * file mean one thing: a "  > " line continues a command only right after it (elsewhere it is
 * output, which cram would have run); a comment ends a command's expected output; and the
 * writer escapes an output line that would read back as something else ("$ x", "[1]", a line
 * ending in " (re)").
 *
 * Where the default mode reads a line otherwise than cram 0.7, SC_TRANSCRIPT_CRAM follows cram:
 * an invalid regex is a line that matches only itself; "[0]", "[01]" and "[256]" are output
 * lines, not statuses, and so is an "[N]" that more output follows (cram writes the status
 * last); " (no-eol)" is part of the line (even before more output); an (esc)
 * line decodes as Python's escape_decode (  \ooo, an unknown escape kept). What stays an
 * error there gives cram's verdict anyway, a failure (or a crash of cram): output before any
 * command or after a comment (cram moves it after the command's output), an (esc) line
 * escape_decode raises on, and a "  > " line
 * after output (cram runs it as part of the command and moves it before the output: the file
 * fails unless the command printed nothing). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "error.h"
#include "regex.h"
#include "transcript.h"
#include "transcript-internal.h"
#include "util.h"

#define COMMAND_PREFIX "  $ "
#define CONTINUATION_PREFIX "  > "

static const char *const kind_suffix[] = {
	[SC_TRANSCRIPT_LITERAL] = "",
	[SC_TRANSCRIPT_ESC] = " (esc)",
	[SC_TRANSCRIPT_RE] = " (re)",
	[SC_TRANSCRIPT_GLOB] = " (glob)",
};
#define NO_EOL_SUFFIX " (no-eol)"

void sc_transcript_buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 128;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *bigger = realloc(b->s, cap);
		if (!bigger) {
			b->oom = true;
			return;
		}
		b->s = bigger;
		b->cap = cap;
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void sc_transcript_buf_addf(struct buf *b, const char *fmt, ...)
{
	char small[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
	} else if ((size_t)n < sizeof(small)) {
		sc_transcript_buf_add(b, small, (size_t)n);
	} else {
		_cleanup_free_ char *big = malloc((size_t)n + 1);
		if (!big) {
			b->oom = true;
			return;
		}
		va_start(ap, fmt);
		(void)vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		sc_transcript_buf_add(b, big, (size_t)n);
	}
}

char *sc_transcript_buf_take(struct buf *b)
{
	if (!b->oom && !b->s)
		sc_transcript_buf_add(b, "", 0);
	if (b->oom) {
		free(b->s);
		b->s = NULL;
	}
	char *s = b->s;
	*b = (struct buf){ 0 };
	return s;
}

static char *memdup_nul(const char *p, size_t n)
{
	char *s = malloc(n + 1);
	if (s) {
		if (n)
			memcpy(s, p, n); /* p may be NULL when n is 0 */
		s[n] = '\0';
	}
	return s;
}

/* Makes index n of a growing array valid, doubling it. It starts small: most commands expect
 * one or two lines. */
static bool grow(void *array, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return true;
	size_t bigger = *cap ? *cap : 1;
	while (bigger <= n)
		bigger *= 2;
	void *p = reallocarray(*(void **)array, bigger, size);
	if (!p)
		return false;
	memset((char *)p + *cap * size, 0, (bigger - *cap) * size);
	*(void **)array = p;
	*cap = bigger;
	return true;
}

static bool has_prefix(const char *s, size_t n, const char *prefix)
{
	size_t p = strlen(prefix);
	return n >= p && memcmp(s, prefix, p) == 0;
}

static bool has_suffix(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return k > 0 && n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* The length of the valid, printable UTF-8 sequence at s, 0 when there is none (invalid,
 * overlong, surrogate, beyond U+10FFFF, or a C1 control). */
static size_t utf8_printable(const unsigned char *s, size_t n)
{
	if (s[0] < 0x80)
		return s[0] >= 0x20 && s[0] != 0x7f;
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	if (len == 0 || s[0] > 0xf4 || len > n)
		return 0;
	uint32_t code = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		code = code << 6 | (s[i] & 0x3f);
	}
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	if (code < min[len] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || code < 0xa0)
		return 0;
	return len;
}

/* "[N]": the expected exit status. cram reads only "[N]" as it writes it (1 to 255, no
 * leading zero): there "[0]" and "[01]" are output lines. */
static bool parse_status_as(const char *s, size_t n, bool cram, int *ret_status)
{
	if (n < 3 || s[0] != '[' || s[n - 1] != ']')
		return false;
	if (cram && (s[1] == '0' || n > 5))
		return false;
	long value = 0;
	for (size_t i = 1; i < n - 1; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (value <= 1000)
			value = value * 10 + (s[i] - '0');
	}
	*ret_status = value > 255 ? (cram ? -2 : -1) : (int)value;
	return *ret_status != -2;
}

static bool parse_status(const char *s, size_t n, int *ret_status)
{
	return parse_status_as(s, n, false, ret_status);
}

/* Whether a line must be written with (esc) to read back as itself: control characters,
 * invalid UTF-8, or a text that would read as a command, a status or a suffix. */
static bool line_needs_escape(const char *s, size_t n, bool no_eol, bool *escape_first, bool *escape_last)
{
	int status;
	/* "$" or ">" without a final newline is written "$ (no-eol)": a command once read back */
	*escape_first = has_prefix(s, n, "$ ") || has_prefix(s, n, "> ") || parse_status(s, n, &status) ||
			(no_eol && n == 1 && (s[0] == '$' || s[0] == '>'));
	*escape_last = false;
	for (size_t k = 0; k < SC_ELEMENTSOF(kind_suffix); k++)
		*escape_last |= has_suffix(s, n, kind_suffix[k]);
	*escape_last |= has_suffix(s, n, NO_EOL_SUFFIX);
	bool needed = *escape_first || *escape_last;
	for (size_t i = 0; i < n && !needed;) {
		size_t k = utf8_printable((const unsigned char *)s + i, n - i);
		needed = k == 0;
		i += k;
	}
	return needed;
}

void sc_transcript_encode_line(struct buf *b, const struct sc_transcript_line *l)
{
	bool first, last;
	if (!line_needs_escape(l->text, l->len, l->no_eol, &first, &last)) {
		sc_transcript_buf_add(b, l->text, l->len);
		if (l->no_eol)
			sc_transcript_buf_adds(b, NO_EOL_SUFFIX);
		return;
	}
	const unsigned char *s = (const unsigned char *)l->text;
	for (size_t i = 0; i < l->len;) {
		size_t k = utf8_printable(s + i, l->len - i);
		if ((i == 0 && first) || (i == l->len - 1 && last) || k == 0) {
			if (s[i] == '\t')
				sc_transcript_buf_adds(b, "\\t");
			else if (s[i] == '\r')
				sc_transcript_buf_adds(b, "\\r");
			else
				sc_transcript_buf_addf(b, "\\x%02x", s[i]);
			i++;
		} else {
			if (s[i] == '\\')
				sc_transcript_buf_add(b, "\\", 1);
			sc_transcript_buf_add(b, s + i, k);
			i += k;
		}
	}
	if (l->no_eol)
		sc_transcript_buf_adds(b, NO_EOL_SUFFIX);
	sc_transcript_buf_adds(b, kind_suffix[SC_TRANSCRIPT_ESC]);
}

int sc_transcript_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes an (esc) text in place; false on an unknown or incomplete escape. */
static bool decode_escapes(char *s, size_t *len)
{
	size_t out = 0;
	for (size_t i = 0; i < *len; i++) {
		if (s[i] != '\\') {
			s[out++] = s[i];
			continue;
		}
		if (++i == *len)
			return false;
		switch (s[i]) {
		case '\\': s[out++] = '\\'; break;
		case 't': s[out++] = '\t'; break;
		case 'r': s[out++] = '\r'; break;
		case 'n': s[out++] = '\n'; break;
		case 'x': {
			int hi = i + 2 < *len ? sc_transcript_hex_value(s[i + 1]) : -1;
			int lo = hi >= 0 ? sc_transcript_hex_value(s[i + 2]) : -1;
			if (lo < 0)
				return false;
			s[out++] = (char)(hi << 4 | lo);
			i += 2;
			break;
		}
		default:
			return false;
		}
	}
	*len = out;
	s[out] = '\0';
	return true;
}

/* ---- parsing ---------------------------------------------------------------------------- */

enum parse_state {
	BEFORE_COMMANDS,
	IN_COMMAND,     /* after "  $ " or "  > ": a continuation may follow */
	IN_OUTPUT,
	AFTER_STATUS,
	AFTER_COMMENT,
};

struct parser {
	struct sc_transcript *t;
	size_t commands_cap, expected_cap, options_cap;
	size_t text_len, text_cap; /* of the last command's text */
	size_t regexes, regex_bytes, regex_compiled;
	enum parse_state state;
	unsigned line;
	struct sc_error *err;
};

static int parse_error(struct parser *ps, const char *what)
{
	return sc_error_setf(ps->err, EINVAL, "%s:%u: %s", ps->t->path, ps->line, what);
}

/* Beyond a SC_TRANSCRIPT_MAX_*: the whole file is refused, never parsed in part. */
static int too_large(struct parser *ps, const char *what, const char *fix)
{
	return sc_error_setf(ps->err, EFBIG, "%s:%u: more than %s, the most a transcript may hold (%s)", ps->t->path,
			     ps->line, what, fix);
}

static int file_too_large(const char *path, struct sc_error *err)
{
	return sc_error_setf(err, EFBIG, "%s: more than %zu MiB, the most a transcript may hold (split it into several files)",
			     path, SC_TRANSCRIPT_MAX_BYTES >> 20);
}

static void expect_release(struct sc_transcript_expect *e)
{
	sc_regex_free(e->re);
	if (e->text != e->raw)
		free(e->text);
	free(e->raw);
}

static int compile_regex(struct parser *ps, struct sc_transcript_expect *e)
{
	char what[64];
	if (++ps->regexes > SC_TRANSCRIPT_MAX_REGEXES) {
		snprintf(what, sizeof(what), "%u (re) lines", SC_TRANSCRIPT_MAX_REGEXES);
		return too_large(ps, what, "use (glob) lines or split the file");
	}
	ps->regex_bytes += e->len;
	if (ps->regex_bytes > SC_TRANSCRIPT_MAX_REGEX_BYTES) {
		snprintf(what, sizeof(what), "%zu MiB of (re) patterns", SC_TRANSCRIPT_MAX_REGEX_BYTES >> 20);
		return too_large(ps, what, "shorten them or split the file");
	}
	struct sc_error why = { 0 };
	bool cram = ps->t->flags & SC_TRANSCRIPT_CRAM;
	int r = sc_regex_compile(e->text, e->len, cram ? SC_REGEX_CRAM : SC_REGEX_WHOLE, &e->re, &why);
	if (r == -ENOMEM)
		return sc_error_setf(ps->err, ENOMEM, "%s:%u: out of memory", ps->t->path, ps->line);
	if (r < 0 && cram)
		return 0; /* cram's _regex returns False on re.error: the line matches only itself */
	if (r < 0)
		return sc_error_setf(ps->err, EINVAL, "%s:%u: invalid regex '%s': %s", ps->t->path, ps->line, e->text,
				     why.message);
	ps->regex_compiled += sc_regex_size(e->re);
	if (ps->regex_compiled > SC_TRANSCRIPT_MAX_REGEX_COMPILED) {
		snprintf(what, sizeof(what), "%zu MiB of compiled (re) patterns", SC_TRANSCRIPT_MAX_REGEX_COMPILED >> 20);
		return too_large(ps, what, "fewer or smaller {m,n} repeats, or split the file");
	}
	return 0;
}

/* Fills e from an expected line (without its indent, in e->raw too): suffixes first, then the
 * text. */
static int parse_expect(struct parser *ps, const char *s, size_t n, struct sc_transcript_expect *e)
{
	e->line = ps->line;
	e->kind = SC_TRANSCRIPT_LITERAL;
	for (size_t k = 1; k < SC_ELEMENTSOF(kind_suffix); k++) {
		if (has_suffix(s, n, kind_suffix[k])) {
			e->kind = (enum sc_transcript_kind)k;
			n -= strlen(kind_suffix[k]);
			break;
		}
	}
	/* cram compares " (no-eol)" as part of the line (the actual one is written with it) */
	bool cram = ps->t->flags & SC_TRANSCRIPT_CRAM;
	e->no_eol = !cram && has_suffix(s, n, NO_EOL_SUFFIX);
	if (e->no_eol)
		n -= strlen(NO_EOL_SUFFIX);
	/* most lines are plain: one copy and one allocation for both */
	e->text = e->kind == SC_TRANSCRIPT_LITERAL && !e->no_eol ? e->raw : memdup_nul(s, n);
	if (!e->text)
		return sc_error_setf(ps->err, ENOMEM, "%s:%u: out of memory", ps->t->path, ps->line);
	e->len = n;
	if (e->kind == SC_TRANSCRIPT_ESC && cram && !sc_transcript_python_unescape(e->text, &e->len))
		return parse_error(ps, "invalid \\x escape or final backslash in an (esc) line (cram fails on it too)");
	if (e->kind == SC_TRANSCRIPT_ESC && !cram && !decode_escapes(e->text, &e->len))
		return parse_error(ps, "invalid escape in an (esc) line (known: \\\\ \\t \\r \\n \\xNN)");
	return e->kind == SC_TRANSCRIPT_RE ? compile_regex(ps, e) : 0;
}

/* Appends an expected line (s, n bytes) to the last command. */
static int add_expected(struct parser *ps, const char *s, size_t n)
{
	struct sc_transcript_command *c = &ps->t->commands[ps->t->n_commands - 1];
	if (c->n_expected > 0 && c->expected[c->n_expected - 1].no_eol) {
		ps->line = c->expected[c->n_expected - 1].line;
		return parse_error(ps, "(no-eol) marks the output's last line, yet more output follows");
	}
	if (!grow(&c->expected, &ps->expected_cap, c->n_expected, sizeof(*c->expected)))
		return sc_error_setf(ps->err, ENOMEM, "%s:%u: out of memory", ps->t->path, ps->line);
	struct sc_transcript_expect e = { .kind = SC_TRANSCRIPT_LITERAL };
	e.raw = memdup_nul(s, n);
	int r = e.raw ? parse_expect(ps, s, n, &e) : -ENOMEM;
	if (r < 0) {
		expect_release(&e);
		return r == -ENOMEM ? sc_error_setf(ps->err, ENOMEM, "%s: out of memory", ps->t->path) : r;
	}
	c->expected[c->n_expected++] = e;
	return 0;
}

static int parse_output_line(struct parser *ps, const char *s, size_t n)
{
	bool cram = ps->t->flags & SC_TRANSCRIPT_CRAM;
	if (ps->state == BEFORE_COMMANDS)
		return parse_error(ps, "expected output before any command");
	if (ps->state == AFTER_COMMENT)
		return parse_error(ps, "expected output after a comment: it belongs right after its command");
	if (ps->state == AFTER_STATUS && !cram)
		return parse_error(ps, "expected output after the exit status: [N] must be the command's last line");
	struct sc_transcript_command *c = &ps->t->commands[ps->t->n_commands - 1];
	if (ps->state == AFTER_STATUS) {
		/* cram writes the status last: an "[N]" with more after it is an output line */
		char status_text[8];
		unsigned line = ps->line;
		snprintf(status_text, sizeof(status_text), "[%d]", c->exit_status);
		ps->line = c->status_line;
		int r = add_expected(ps, status_text, strlen(status_text));
		ps->line = line;
		if (r < 0)
			return r;
		c->exit_status = 0;
		c->status_line = 0;
	}
	c->end = ps->line;
	int status;
	if (parse_status_as(s, n, cram, &status)) {
		if (status < 0)
			return parse_error(ps, "exit status out of range (1 to 255)");
		c->exit_status = status;
		c->status_line = ps->line;
		ps->state = AFTER_STATUS;
		return 0;
	}
	int r = add_expected(ps, s, n);
	if (r == 0)
		ps->state = IN_OUTPUT;
	return r;
}

static int parse_command_line(struct parser *ps, const char *s, size_t n, bool continuation)
{
	struct sc_transcript *t = ps->t;
	if (continuation) {
		/* appended in place, the buffer doubling: copying the text so far for each line made a
		 * command of many lines quadratic */
		struct sc_transcript_command *c = &t->commands[t->n_commands - 1];
		if (!grow(&c->text, &ps->text_cap, ps->text_len + 1 + n, 1))
			return sc_error_setf(ps->err, ENOMEM, "%s: out of memory", t->path);
		c->text[ps->text_len++] = '\n';
		memcpy(c->text + ps->text_len, s, n);
		ps->text_len += n;
		c->text[ps->text_len] = '\0';
		c->command_end = c->end = ps->line;
		return 0;
	}
	if (!grow(&t->commands, &ps->commands_cap, t->n_commands, sizeof(*t->commands)))
		return sc_error_setf(ps->err, ENOMEM, "%s: out of memory", t->path);
	struct sc_transcript_command *c = &t->commands[t->n_commands];
	c->text = memdup_nul(s, n);
	if (!c->text)
		return sc_error_setf(ps->err, ENOMEM, "%s: out of memory", t->path);
	c->line = c->command_end = c->end = ps->line;
	c->cram = t->flags & SC_TRANSCRIPT_CRAM;
	t->n_commands++;
	ps->expected_cap = 0;
	ps->text_len = n;
	ps->text_cap = n + 1;
	ps->state = IN_COMMAND;
	return 0;
}

static int split_words(const char *line, char ***ret_argv, const char **ret_problem);

static int parse_option_line(struct parser *ps, const char *s, size_t n)
{
	struct sc_transcript *t = ps->t;
	s += strlen("simpcon:");
	n -= strlen("simpcon:");
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	if (!grow(&t->options, &ps->options_cap, t->n_options, sizeof(*t->options)) ||
	    !(t->options[t->n_options].text = memdup_nul(s, n)))
		return sc_error_setf(ps->err, ENOMEM, "%s: out of memory", t->path);
	t->options[t->n_options++].line = ps->line;
	/* checked now, so the file's line can be named; the caller splits it again later */
	char **argv = NULL;
	const char *problem = NULL;
	int r = split_words(t->options[t->n_options - 1].text, &argv, &problem);
	sc_transcript_argv_free(argv);
	if (r == -ENOMEM)
		return sc_error_setf(ps->err, ENOMEM, "%s: out of memory", t->path);
	return r < 0 ? parse_error(ps, problem) : 0;
}

static int parse_line(struct parser *ps, const char *s, size_t n)
{
	if (!has_prefix(s, n, INDENT)) {
		if (ps->state != BEFORE_COMMANDS)
			ps->state = AFTER_COMMENT;
		return has_prefix(s, n, "simpcon:") ? parse_option_line(ps, s, n) : 0;
	}
	if (has_prefix(s, n, COMMAND_PREFIX))
		return parse_command_line(ps, s + 4, n - 4, false);
	if (has_prefix(s, n, CONTINUATION_PREFIX) && ps->state == IN_COMMAND)
		return parse_command_line(ps, s + 4, n - 4, true);
	return parse_output_line(ps, s + 2, n - 2);
}

/* Parses text (NUL-terminated after len bytes), which t keeps: freed with it, on failure too. */
static int parse_text(const char *path, char *text, size_t len, unsigned flags, struct sc_transcript **ret,
		      struct sc_error *err)
{
	struct sc_transcript *t = calloc(1, sizeof(*t));
	if (!t || !(t->path = strdup(path))) {
		free(text);
		sc_transcript_free(t);
		return sc_error_setf(err, ENOMEM, "parse '%s': out of memory", path);
	}
	t->text = text;
	t->len = len;
	t->flags = flags;
	struct parser ps = { .t = t, .state = BEFORE_COMMANDS, .err = err };
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - text) - pos : len - pos;
		ps.line++;
		int r = 0;
		if (ps.line > SC_TRANSCRIPT_MAX_LINES) {
			char what[32];
			snprintf(what, sizeof(what), "%u lines", SC_TRANSCRIPT_MAX_LINES);
			r = too_large(&ps, what, "split it into several files");
		} else if (memchr(text + pos, '\0', n)) {
			/* a NUL would end the file's text for every tool after us (--update among them) */
			r = parse_error(&ps, "a NUL byte: transcripts are text");
		} else {
			r = parse_line(&ps, text + pos, n);
		}
		if (r < 0) {
			sc_transcript_free(t);
			return r;
		}
		pos += n + 1;
	}
	*ret = t;
	return 0;
}

int sc_transcript_parse(const char *path, const char *text, size_t len, struct sc_transcript **ret,
			struct sc_error *err)
{
	return sc_transcript_parse_flags(path, text, len, 0, ret, err);
}

int sc_transcript_parse_flags(const char *path, const char *text, size_t len, unsigned flags,
			      struct sc_transcript **ret, struct sc_error *err)
{
	if (len > SC_TRANSCRIPT_MAX_BYTES)
		return file_too_large(path, err);
	char *copy = memdup_nul(text, len);
	if (!copy)
		return sc_error_setf(err, ENOMEM, "parse '%s': out of memory", path);
	return parse_text(path, copy, len, flags, ret, err);
}

int sc_transcript_load(const char *path, struct sc_transcript **ret, struct sc_error *err)
{
	return sc_transcript_load_flags(path, 0, ret, err);
}

int sc_transcript_load_flags(const char *path, unsigned flags, struct sc_transcript **ret, struct sc_error *err)
{
	char *text = NULL;
	size_t len;
	int r = sc_read_file_max(path, SC_TRANSCRIPT_MAX_BYTES, &text, &len);
	if (r == -EFBIG)
		return file_too_large(path, err);
	if (r < 0)
		return sc_error_set(err, -r, "read transcript '%s'", path);
	return parse_text(path, text, len, flags, ret, err); /* the file's text, not a copy of it */
}

struct sc_transcript *sc_transcript_free(struct sc_transcript *t)
{
	if (!t)
		return NULL;
	for (size_t i = 0; i < t->n_commands; i++) {
		struct sc_transcript_command *c = &t->commands[i];
		for (size_t k = 0; k < c->n_expected; k++)
			expect_release(&c->expected[k]);
		free(c->expected);
		free(c->text);
	}
	for (size_t i = 0; i < t->n_options; i++)
		free(t->options[i].text);
	free(t->options);
	free(t->commands);
	free(t->text);
	free(t->path);
	free(t);
	return NULL;
}

/* ---- option lines ----------------------------------------------------------------------- */

static bool add_word(char ***argv, size_t *n, size_t *cap, struct buf *word)
{
	if (!grow(argv, cap, *n + 1, sizeof(**argv)))
		return false;
	char *w = sc_transcript_buf_take(word);
	if (!w)
		return false;
	(*argv)[(*n)++] = w;
	return true;
}

static int bad_quoting(const char **ret_problem, const char *problem)
{
	*ret_problem = problem;
	return -EINVAL;
}

/* Reads one quoted or escaped piece at *p into word; *ret_problem on bad quoting. */
static int split_piece(const char **p, struct buf *word, const char **ret_problem)
{
	const char *s = *p;
	if (*s == '\'') {
		const char *end = strchr(s + 1, '\'');
		if (!end)
			return bad_quoting(ret_problem, "unterminated single quote");
		sc_transcript_buf_add(word, s + 1, (size_t)(end - s - 1));
		s = end + 1;
	} else if (*s == '"') {
		for (s++; *s && *s != '"'; s++) {
			if (s[0] == '\\' && (s[1] == '$' || s[1] == '`' || s[1] == '"' || s[1] == '\\'))
				s++;
			sc_transcript_buf_add(word, s, 1);
		}
		if (!*s)
			return bad_quoting(ret_problem, "unterminated double quote");
		s++;
	} else if (*s == '\\') {
		if (!s[1])
			return bad_quoting(ret_problem, "trailing backslash");
		sc_transcript_buf_add(word, s + 1, 1);
		s += 2;
	} else {
		sc_transcript_buf_add(word, s++, 1);
	}
	*p = s;
	return 0;
}

static int split_words(const char *line, char ***ret_argv, const char **ret_problem)
{
	char **argv = NULL;
	size_t n = 0, cap = 0;
	struct buf word = { 0 };
	bool in_word = false;
	int r = 0;
	for (const char *p = line;;) {
		if (*p == '\0' || *p == ' ' || *p == '\t' || *p == '\n') {
			if (in_word && !add_word(&argv, &n, &cap, &word)) {
				r = -ENOMEM;
				break;
			}
			in_word = false;
			if (*p++ == '\0')
				break;
			continue;
		}
		in_word = true;
		r = split_piece(&p, &word, ret_problem);
		if (r < 0)
			break;
	}
	if (r == 0 && !grow(&argv, &cap, n, sizeof(*argv)))
		r = -ENOMEM;
	free(sc_transcript_buf_take(&word));
	if (r < 0) {
		sc_transcript_argv_free(argv);
		return r;
	}
	argv[n] = NULL;
	*ret_argv = argv;
	return 0;
}

int sc_transcript_split_options(const char *line, char ***ret_argv, struct sc_error *err)
{
	const char *problem = NULL;
	int r = split_words(line, ret_argv, &problem);
	if (r == -ENOMEM)
		return sc_error_setf(err, ENOMEM, "split options '%s': out of memory", line);
	if (r < 0)
		return sc_error_setf(err, EINVAL, "%s in options '%s'", problem, line);
	return 0;
}

char **sc_transcript_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
	return NULL;
}

/* ---- the script and its output ---------------------------------------------------------- */

int sc_transcript_marker_new(char **ret_marker)
{
	unsigned char bytes[16];
	ssize_t n;
	do
		n = getrandom(bytes, sizeof(bytes), 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(bytes))
		return n < 0 ? -errno : -EIO;
	char *marker = malloc(strlen("simpcon-") + 2 * sizeof(bytes) + 1);
	if (!marker)
		return -ENOMEM;
	strcpy(marker, "simpcon-");
	for (size_t i = 0; i < sizeof(bytes); i++)
		sprintf(marker + strlen("simpcon-") + 2 * i, "%02x", bytes[i]);
	*ret_marker = marker;
	return 0;
}

static bool marker_valid(const char *marker)
{
	if (!marker || !*marker)
		return false;
	for (const char *p = marker; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == '.' || *p == '-'))
			return false;
	return true;
}

int sc_transcript_script(const struct sc_transcript *t, const char *marker, char **ret_script)
{
	if (!marker_valid(marker))
		return -EINVAL;
	struct buf b = { 0 };
	sc_transcript_buf_adds(&b, "exec 2>&1\n");
	for (size_t i = 0; i < t->n_commands; i++) {
		sc_transcript_buf_adds(&b, t->commands[i].text);
		/* The marker starts with a newline so that it stands on its own line even after output
		 * without a final newline; the splitter takes that newline back off. `command` skips a
		 * shell function a test may have named echo; the marker holds no backslash and does
		 * not start with '-', so every shell's echo prints it as it is. echo is a builtin of
		 * every sh, where printf is not always: the marker is half the shell's work per
		 * command. In cram mode a plain echo, as cram's: zsh's `command` runs the echo
		 * found on PATH, which a test may have emptied. */
		sc_transcript_buf_addf(&b, "\n%secho \"\n%s %zu $?\"\n", t->flags & SC_TRANSCRIPT_CRAM ? "" : "command ",
				       marker, i);
	}
	char *script = sc_transcript_buf_take(&b);
	if (!script)
		return -ENOMEM;
	*ret_script = script;
	return 0;
}

/* Cuts s (inside the result's copy of the output, followed there by a '\n' or by the copy's
 * final NUL) into o's lines: each '\n' becomes the NUL that ends its line. */
static int split_lines(char *s, size_t n, struct sc_transcript_outcome *o)
{
	if (n == 0)
		return 0;
	size_t count = s[n - 1] != '\n';
	for (const char *p = s; (p = memchr(p, '\n', n - (size_t)(p - s))); p++)
		count++;
	o->lines = calloc(count, sizeof(*o->lines));
	if (!o->lines)
		return -ENOMEM;
	for (size_t pos = 0; pos < n; o->n_lines++) {
		char *nl = memchr(s + pos, '\n', n - pos);
		size_t len = nl ? (size_t)(nl - s) - pos : n - pos;
		struct sc_transcript_line *l = &o->lines[o->n_lines];
		l->text = s + pos;
		l->len = len;
		l->no_eol = !nl;
		s[pos + len] = '\0'; /* the '\n', or the marker's leading one after a last line without */
		pos += len + 1;
	}
	return 0;
}

/* Parses "INDEX STATUS\n" after a marker; returns its length, 0 when it is not that. */
static size_t parse_marker_tail(const char *s, size_t n, size_t want_index, int *ret_status)
{
	size_t i = 0, index = 0, status = 0;
	for (; i < n && i < 12 && s[i] >= '0' && s[i] <= '9'; i++)
		index = index * 10 + (size_t)(s[i] - '0');
	if (i == 0 || i == 12 || i >= n || s[i] != ' ' || index != want_index)
		return 0;
	size_t start = ++i;
	for (; i < n && i - start < 4 && s[i] >= '0' && s[i] <= '9'; i++)
		status = status * 10 + (size_t)(s[i] - '0');
	if (i == start || i >= n || s[i] != '\n' || status > 255)
		return 0;
	*ret_status = (int)status;
	return i + 1;
}

int sc_transcript_split_output(const struct sc_transcript *t, const char *marker, const char *out, size_t len,
			       struct sc_transcript_result **ret, struct sc_error *err)
{
	_cleanup_free_ char *needle = NULL;
	struct sc_transcript_result *r = calloc(1, sizeof(*r));
	if (!r || asprintf(&needle, "\n%s ", marker) < 0 ||
	    !(r->outcomes = calloc(t->n_commands ? t->n_commands : 1, sizeof(*r->outcomes))) ||
	    !(r->text = memdup_nul(out, len)))
		goto oom;
	out = r->text; /* searched as given; cut into lines in place */
	r->n_outcomes = t->n_commands;
	size_t nlen = strlen(needle), pos = 0, search = 0, index = 0;
	while (index < t->n_commands && len > 0) {
		const char *hit = memmem(out + search, len - search, needle, nlen);
		if (!hit)
			break;
		size_t at = (size_t)(hit - out);
		int status;
		size_t tail = parse_marker_tail(hit + nlen, len - at - nlen, index, &status);
		if (tail == 0) {
			search = at + 1; /* a lookalike: part of the output */
			continue;
		}
		struct sc_transcript_outcome *o = &r->outcomes[index++];
		o->ran = true;
		o->exit_status = status;
		if (split_lines(r->text + pos, at - pos, o) < 0)
			goto oom;
		pos = search = at + nlen + tail;
	}
	/* What follows the last marker is the output of the command the shell was running when it
	 * ended; anything after the last command's marker (a background job) is dropped. */
	if (index < t->n_commands) {
		r->outcomes[index].started = true;
		if (split_lines(r->text + pos, len - pos, &r->outcomes[index]) < 0)
			goto oom;
	}
	*ret = r;
	return 0;
oom:
	sc_transcript_result_free(r);
	return sc_error_setf(err, ENOMEM, "split the output of '%s': out of memory", t->path);
}

struct sc_transcript_result *sc_transcript_result_free(struct sc_transcript_result *r)
{
	if (!r)
		return NULL;
	for (size_t i = 0; r->outcomes && i < r->n_outcomes; i++)
		free(r->outcomes[i].lines);
	free(r->outcomes);
	free(r->text);
	free(r);
	return NULL;
}
