/* transcript-diff.c - a command's output against its transcript: match, diff, report, update. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regex.h"
#include "transcript.h"
#include "transcript-internal.h"
#include "util.h"

#define DIFF_CONTEXT 3
/* Beyond this many cells the diff gives up aligning the changed middle and shows it as removed
 * then added: still a correct diff, without quadratic memory on a runaway output. */
#define DIFF_MAX_CELLS ((size_t)4 << 20)
/* The same beyond this many bytes of actual lines matched against (re) and (glob) lines to fill
 * the table: each is matched against every actual line of the middle, and a regex reads 60 to
 * 600 MB/s, so two thousand against lines of 8 KB took minutes, after the container and its
 * --timeout had ended. A regex that gives up at its backtracking limit (regex.c: tens of ms
 * each time) ends the table at once. */
#define DIFF_MAX_WORK ((size_t)16 << 20)

/* ---- matching --------------------------------------------------------------------------- */

/* cram's glob: '*' any bytes, '?' one byte, '\' before '*', '?' or '\' makes it literal (any
 * other backslash is itself). The pattern's '*'s cut it into segments: the first must match at
 * the line's start, the last at its end, and each one between at its leftmost place after the
 * one before, which leaves the most room to those after it, so the first place found is the
 * right one, and finding it takes time linear in the line (glob_segment_find). Backtracking to
 * the last '*' would cost the pattern's length for each byte of a line that does not match. */

/* The pattern's item at p[i]: *ret_byte is the byte it matches, -1 for any ('?'); returns the
 * bytes it takes in the pattern. */
static size_t glob_item(const char *p, size_t pn, size_t i, int *ret_byte)
{
	if (p[i] == '\\' && i + 1 < pn && (p[i + 1] == '*' || p[i + 1] == '?' || p[i + 1] == '\\')) {
		*ret_byte = (unsigned char)p[i + 1];
		return 2;
	}
	*ret_byte = p[i] == '?' ? -1 : (unsigned char)p[i];
	return 1;
}

/* The part of a glob between two '*'s. */
struct glob_segment {
	const char *p; /* in the pattern, escapes included */
	size_t n;
	size_t items;  /* the bytes of the line it matches */
	bool plain;    /* no '?' and no '\': the pattern's bytes are the line's */
};

/* The segment at p[*pi], up to the next '*' (not an escaped one) or the end, where *pi is left. */
static struct glob_segment glob_segment(const char *p, size_t pn, size_t *pi)
{
	struct glob_segment g = { .p = p + *pi, .plain = true };
	size_t i = *pi;
	while (i < pn && p[i] != '*') {
		int byte;
		g.plain &= p[i] != '\\' && p[i] != '?';
		i += glob_item(p, pn, i, &byte);
		g.items++;
	}
	g.n = i - *pi;
	*pi = i;
	return g;
}

/* Whether g matches at s, which holds at least g->items bytes. */
static bool glob_segment_at(const struct glob_segment *g, const char *s)
{
	for (size_t i = 0, j = 0; i < g->n; j++) {
		int byte;
		i += glob_item(g->p, g->n, i, &byte);
		if (byte >= 0 && (unsigned char)s[j] != byte)
			return false;
	}
	return true;
}

/* The leftmost place of g in s[0, n), SIZE_MAX when there is none. In time linear in n for a
 * plain segment (memmem) or one of up to 64 items (shift-and: bit k of the state says that the
 * segment's first k + 1 items match the bytes before); a longer one with '?' or escapes costs
 * its length per byte. */
static size_t glob_segment_find(const struct glob_segment *g, const char *s, size_t n)
{
	if (g->items == 0 || g->items > n)
		return g->items == 0 ? 0 : SIZE_MAX;
	if (g->plain) {
		const char *hit = memmem(s, n, g->p, g->n);
		return hit ? (size_t)(hit - s) : SIZE_MAX;
	}
	if (g->items <= 64) {
		uint64_t matches[256] = { 0 }, any = 0; /* bit k: item k matches that byte, or any */
		for (size_t i = 0, k = 0; i < g->n; k++) {
			int byte;
			i += glob_item(g->p, g->n, i, &byte);
			if (byte < 0)
				any |= (uint64_t)1 << k;
			else
				matches[byte] |= (uint64_t)1 << k;
		}
		uint64_t state = 0, whole = (uint64_t)1 << (g->items - 1);
		for (size_t j = 0; j < n; j++) {
			state = (state << 1 | 1) & (matches[(unsigned char)s[j]] | any);
			if (state & whole)
				return j + 1 - g->items;
		}
		return SIZE_MAX;
	}
	for (size_t j = 0; j + g->items <= n; j++)
		if (glob_segment_at(g, s + j))
			return j;
	return SIZE_MAX;
}

static bool glob_matches(const char *p, size_t pn, const char *s, size_t sn)
{
	size_t pi = 0;
	struct glob_segment g = glob_segment(p, pn, &pi);
	if (pi == pn) /* no '*' */
		return g.items == sn && glob_segment_at(&g, s);
	if (g.items > sn || !glob_segment_at(&g, s))
		return false;
	for (size_t si = g.items;;) {
		while (pi < pn && p[pi] == '*')
			pi++;
		g = glob_segment(p, pn, &pi);
		if (pi == pn) /* the last segment, empty after a final '*' */
			return g.items <= sn - si && glob_segment_at(&g, s + sn - g.items);
		size_t at = glob_segment_find(&g, s + si, sn - si);
		if (at == SIZE_MAX)
			return false;
		si += at + g.items;
	}
}

/* 1 when e matches l, 0 when not, -E2BIG when its regex gave up at a limit (no match: a
 * pattern backtracking without end on this line). */
static int regex_result(int r)
{
	return r == -E2BIG ? r : r > 0;
}

static bool equal_bytes(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

/* cram's comparison (_diff.py, a match of any): el == l, esc(), glob(), regex(), where l is the
 * actual line as cram writes it (escaped when it holds a byte outside printable ASCII,
 * " (no-eol)" appended), and the patterns see that text. */
int sc_transcript_cram_text_match(const struct sc_transcript_expect *e, const char *actual, size_t n)
{
	size_t raw_len = strlen(e->raw);
	if (equal_bytes(e->raw, raw_len, actual, n))
		return 1;
	/* esc(): the expected line decoded when it is an (esc) one, against the actual line, then
	 * against the actual line decoded when it reads as an (esc) one */
	const char *expected = e->kind == SC_TRANSCRIPT_ESC ? e->text : e->raw;
	size_t expected_len = e->kind == SC_TRANSCRIPT_ESC ? e->len : raw_len;
	if (e->kind == SC_TRANSCRIPT_ESC && equal_bytes(expected, expected_len, actual, n))
		return 1;
	const char *esc = " (esc)";
	if (n >= strlen(esc) && memcmp(actual + n - strlen(esc), esc, strlen(esc)) == 0) {
		size_t decoded = n - strlen(esc);
		_cleanup_free_ char *copy = strndup(actual, decoded);
		if (copy && sc_transcript_python_unescape(copy, &decoded) &&
		    equal_bytes(expected, expected_len, copy, decoded))
			return 1;
	}
	if (e->kind == SC_TRANSCRIPT_GLOB)
		return glob_matches(e->text, e->len, actual, n);
	if (e->kind == SC_TRANSCRIPT_RE && e->re)
		return regex_result(sc_regex_match(e->re, actual, n));
	return 0;
}

/* cram's comparison (_diff.py, a match of any): el == l, esc(), glob(), regex(), where l is the
 * actual line as cram writes it (escaped when it holds a byte outside printable ASCII,
 * " (no-eol)" appended), and the patterns see that text. */
static int cram_line_match(const struct sc_transcript_expect *e, const struct sc_transcript_line *l)
{
	struct buf b = { 0 };
	sc_transcript_cram_encode_line(&b, l);
	_cleanup_free_ char *actual = sc_transcript_buf_take(&b);
	return actual ? sc_transcript_cram_text_match(e, actual, strlen(actual)) : 0;
}

static int line_match(const struct sc_transcript_expect *e, const struct sc_transcript_line *l, bool cram)
{
	if (cram)
		return cram_line_match(e, l);
	/* as cram, whose first comparison is el == l: a line equal to its expected line, suffix
	 * included, matches it ("a|b (re)" printed as it is) */
	if (e->kind != SC_TRANSCRIPT_LITERAL && !l->no_eol && e->text != e->raw && strlen(e->raw) == l->len &&
	    memcmp(e->raw, l->text, l->len) == 0)
		return 1;
	if (e->no_eol != l->no_eol)
		return 0;
	switch (e->kind) {
	case SC_TRANSCRIPT_RE:
		return regex_result(sc_regex_match(e->re, l->text, l->len));
	case SC_TRANSCRIPT_GLOB:
		return glob_matches(e->text, e->len, l->text, l->len);
	case SC_TRANSCRIPT_LITERAL:
	case SC_TRANSCRIPT_ESC:
		break;
	}
	return e->len == l->len && memcmp(e->text, l->text, l->len) == 0;
}

static bool line_matches(const struct sc_transcript_expect *e, const struct sc_transcript_line *l, bool cram)
{
	return line_match(e, l, cram) > 0;
}

bool sc_transcript_command_matches(const struct sc_transcript_command *c, const struct sc_transcript_outcome *o)
{
	if (!o->ran || o->exit_status != c->exit_status || o->n_lines != c->n_expected)
		return false;
	for (size_t i = 0; i < c->n_expected; i++)
		if (!line_matches(&c->expected[i], &o->lines[i], c->cram))
			return false;
	return true;
}

/* ---- alignment and diff ----------------------------------------------------------------- */

/* The two sides compared: the output lines, then "[N]" when the status is not 0. */
struct sides {
	const struct sc_transcript_command *c;
	const struct sc_transcript_outcome *o;
	size_t n_expected, n_actual; /* items, the status included */
};

/* One step of the alignment: '=' (expected i matches actual j), '-' (expected i only) or '+'
 * (actual j only). i and j are always the positions reached on each side. */
struct edit {
	char op;
	size_t i, j;
};

static struct sides sides_of(const struct sc_transcript_command *c, const struct sc_transcript_outcome *o)
{
	return (struct sides){
		.c = c,
		.o = o,
		.n_expected = c->n_expected + (c->exit_status != 0),
		.n_actual = o->n_lines + (o->ran && o->exit_status != 0),
	};
}

static bool item_equal(const struct sides *s, size_t i, size_t j)
{
	bool expected_status = i == s->c->n_expected, actual_status = j == s->o->n_lines;
	if (expected_status || actual_status)
		return expected_status && actual_status && s->c->exit_status == s->o->exit_status;
	return line_matches(&s->c->expected[i], &s->o->lines[j], s->c->cram);
}

static bool is_literal(const struct sides *s, size_t i)
{
	/* cram compares the lines as it writes them: no numbering of bytes */
	return i < s->c->n_expected && !s->c->cram &&
	       (s->c->expected[i].kind == SC_TRANSCRIPT_LITERAL || s->c->expected[i].kind == SC_TRANSCRIPT_ESC);
}

/* A literal line of the middle, to be numbered. */
struct line_ref {
	const char *p;
	size_t len;
	uint64_t hash; /* FNV-1a: bytes are compared only when hashes and lengths agree */
	size_t slot;   /* in the numbers: expected a at a, actual b at n + b */
};

static int line_ref_compare(const void *x, const void *y)
{
	const struct line_ref *a = x, *b = y;
	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return memcmp(a->p, b->p, a->len);
}

/* Numbers the literal lines of the middle, expected and actual, so that two share a number
 * exactly when their bytes are equal: then each cell of the table compares two numbers, where
 * comparing the bytes cost their length in every cell (2,000 x 2,000 equal lines of 8 KB:
 * 32 GB). Sorting reads a line's bytes only against a line of the same hash and length. */
static int number_lines(const struct sides *s, size_t i0, size_t j0, size_t n, size_t m, size_t *number)
{
	struct line_ref *refs = malloc((n + m) * sizeof(*refs));
	if (!refs)
		return -ENOMEM;
	size_t count = 0;
	for (size_t a = 0; a < n; a++)
		if (is_literal(s, i0 + a)) {
			const struct sc_transcript_expect *e = &s->c->expected[i0 + a];
			refs[count++] = (struct line_ref){ e->text, e->len, 0, a };
		}
	for (size_t b = 0; b < m; b++)
		if (j0 + b < s->o->n_lines) {
			const struct sc_transcript_line *l = &s->o->lines[j0 + b];
			refs[count++] = (struct line_ref){ l->text, l->len, 0, n + b };
		}
	for (size_t r = 0; r < count; r++) {
		uint64_t h = 0xcbf29ce484222325u;
		for (size_t x = 0; x < refs[r].len; x++)
			h = (h ^ (unsigned char)refs[r].p[x]) * 0x100000001b3u;
		refs[r].hash = h;
	}
	qsort(refs, count, sizeof(*refs), line_ref_compare);
	for (size_t r = 0, next = 0; r < count; r++) {
		if (r > 0 && line_ref_compare(&refs[r - 1], &refs[r]) != 0)
			next++;
		number[refs[r].slot] = next;
	}
	free(refs);
	return 0;
}

/* Fills eq[a * m + b] with whether expected item i0 + a equals actual j0 + b. A (re) or (glob)
 * line is matched against every actual line, which costs their length each time: past
 * DIFF_MAX_WORK bytes the table is given up (0). Returns 1, 0 or -ENOMEM. */
static int fill_equal(const struct sides *s, size_t i0, size_t j0, size_t n, size_t m, unsigned char *eq)
{
	_cleanup_free_ size_t *number = malloc((n + m) * sizeof(*number));
	if (!number || number_lines(s, i0, j0, n, m, number) < 0)
		return -ENOMEM;
	size_t work = 0;
	for (size_t a = 0; a < n; a++) {
		size_t i = i0 + a;
		bool literal = is_literal(s, i);
		for (size_t b = 0; b < m; b++) {
			size_t j = j0 + b;
			if (literal && j < s->o->n_lines) {
				eq[a * m + b] = number[a] == number[n + b] && s->c->expected[i].no_eol == s->o->lines[j].no_eol;
				continue;
			}
			work += 1 + (j < s->o->n_lines ? s->o->lines[j].len : 0);
			if (work > DIFF_MAX_WORK)
				return 0;
			if (i < s->c->n_expected && j < s->o->n_lines) {
				int r = line_match(&s->c->expected[i], &s->o->lines[j], s->c->cram);
				if (r < 0)
					return 0;
				eq[a * m + b] = r > 0;
				continue;
			}
			eq[a * m + b] = item_equal(s, i, j);
		}
	}
	return 1;
}

/* A longest common subsequence of the n expected items from i0 and the m actual ones from j0,
 * appended to ed; equality is the matching predicate, so a (re) line pairs with what it
 * matches. An empty side, too large a table or too much to match: everything removed, then
 * everything added. */
static bool align_middle(const struct sides *s, size_t i0, size_t j0, size_t n, size_t m, struct edit *ed,
			 size_t *k)
{
	size_t i = 0, j = 0;
	if (n > 0 && m > 0 && n <= DIFF_MAX_CELLS / m) {
		_cleanup_free_ uint32_t *len = calloc((n + 1) * (m + 1), sizeof(*len));
		_cleanup_free_ unsigned char *eq = malloc(n * m);
		int r = len && eq ? fill_equal(s, i0, j0, n, m, eq) : -ENOMEM;
		if (r < 0)
			return false;
#define LEN(a, b) len[(a) * (m + 1) + (b)]
		for (size_t a = n; r > 0 && a-- > 0;)
			for (size_t b = m; b-- > 0;)
				LEN(a, b) = eq[a * m + b] ? LEN(a + 1, b + 1) + 1
							  : (LEN(a + 1, b) >= LEN(a, b + 1) ? LEN(a + 1, b) : LEN(a, b + 1));
		/* taking a pair as soon as it matches stays optimal, even for a non-transitive predicate */
		while (r > 0 && i < n && j < m) {
			char op = eq[i * m + j] ? '=' : LEN(i + 1, j) >= LEN(i, j + 1) ? '-' : '+';
			ed[(*k)++] = (struct edit){ op, i0 + i, j0 + j };
			i += op != '+';
			j += op != '-';
		}
#undef LEN
	}
	for (; i < n; i++)
		ed[(*k)++] = (struct edit){ '-', i0 + i, j0 + j };
	for (; j < m; j++)
		ed[(*k)++] = (struct edit){ '+', i0 + n, j0 + j };
	return true;
}

static int align(const struct sides *s, struct edit **ret_edits, size_t *ret_n)
{
	size_t ne = s->n_expected, na = s->n_actual, k = 0, prefix = 0, suffix = 0;
	struct edit *ed = calloc(ne + na + 1, sizeof(*ed));
	if (!ed)
		return -ENOMEM;
	for (; prefix < ne && prefix < na && item_equal(s, prefix, prefix); prefix++)
		ed[k++] = (struct edit){ '=', prefix, prefix };
	while (suffix < ne - prefix && suffix < na - prefix && item_equal(s, ne - 1 - suffix, na - 1 - suffix))
		suffix++;
	if (!align_middle(s, prefix, prefix, ne - prefix - suffix, na - prefix - suffix, ed, &k)) {
		free(ed);
		return -ENOMEM;
	}
	for (size_t x = suffix; x > 0; x--)
		ed[k++] = (struct edit){ '=', ne - x, na - x };
	*ret_edits = ed;
	*ret_n = k;
	return 0;
}

/* An expected item as the file has it; a status as "[N]" whatever its spelling ("[01]"). */
static void put_expected(struct buf *b, const struct sides *s, size_t i)
{
	if (i == s->c->n_expected)
		sc_transcript_buf_addf(b, "[%d]", s->c->exit_status);
	else
		sc_transcript_buf_adds(b, s->c->expected[i].raw);
}

static void put_actual(struct buf *b, const struct sides *s, size_t j)
{
	if (j == s->o->n_lines)
		sc_transcript_buf_addf(b, "[%d]", s->o->exit_status);
	else if (s->c->cram)
		sc_transcript_cram_encode_line(b, &s->o->lines[j]);
	else
		sc_transcript_encode_line(b, &s->o->lines[j]);
}

/* A hunk range as GNU diff and difflib write it: "start,count", ",1" left out, and for an
 * empty range the line before it. */
static void put_range(struct buf *b, char sign, size_t start, size_t count)
{
	if (count == 1)
		sc_transcript_buf_addf(b, "%c%zu", sign, start + 1);
	else
		sc_transcript_buf_addf(b, "%c%zu,%zu", sign, count ? start + 1 : start, count);
}

static void put_hunk(struct buf *b, const struct sides *s, const struct edit *ed, size_t start, size_t stop)
{
	size_t old = 0, new = 0;
	for (size_t k = start; k < stop; k++) {
		old += ed[k].op != '+';
		new += ed[k].op != '-';
	}
	sc_transcript_buf_adds(b, "@@ ");
	put_range(b, '-', ed[start].i, old);
	sc_transcript_buf_adds(b, " ");
	put_range(b, '+', ed[start].j, new);
	sc_transcript_buf_adds(b, " @@\n");
	for (size_t k = start; k < stop; k++) {
		sc_transcript_buf_add(b, ed[k].op == '=' ? " " : &ed[k].op, 1);
		if (ed[k].op == '+')
			put_actual(b, s, ed[k].j);
		else
			put_expected(b, s, ed[k].i);
		sc_transcript_buf_adds(b, "\n");
	}
}

/* Hunks hold DIFF_CONTEXT unchanged lines around changes; changes closer than twice that share
 * a hunk. */
static void put_hunks(struct buf *b, const struct sides *s, const struct edit *ed, size_t n)
{
	for (size_t k = 0;;) {
		size_t first = k;
		while (first < n && ed[first].op == '=')
			first++;
		if (first == n)
			return;
		size_t last = first;
		for (size_t x = first + 1; x < n && x - last - 1 <= 2 * DIFF_CONTEXT; x++)
			if (ed[x].op != '=')
				last = x;
		size_t start = first > k + DIFF_CONTEXT ? first - DIFF_CONTEXT : k;
		size_t stop = last + 1 + DIFF_CONTEXT < n ? last + 1 + DIFF_CONTEXT : n;
		put_hunk(b, s, ed, start, stop);
		k = stop;
	}
}

int sc_transcript_command_diff(const struct sc_transcript_command *c, const struct sc_transcript_outcome *o,
			       char **ret_diff)
{
	if (sc_transcript_command_matches(c, o)) {
		*ret_diff = NULL;
		return 0;
	}
	struct sides s = sides_of(c, o);
	_cleanup_free_ struct edit *ed = NULL;
	size_t n;
	int r = align(&s, &ed, &n);
	if (r < 0)
		return r;
	struct buf b = { 0 };
	sc_transcript_buf_adds(&b, "--- expected\n+++ actual\n");
	put_hunks(&b, &s, ed, n);
	char *diff = sc_transcript_buf_take(&b);
	if (!diff)
		return -ENOMEM;
	*ret_diff = diff;
	return 0;
}

/* ---- report and update ------------------------------------------------------------------ */

static void put_output(struct buf *b, const struct sc_transcript_outcome *o)
{
	for (size_t i = 0; i < o->n_lines; i++) {
		sc_transcript_buf_add(b, o->lines[i].text, o->lines[i].len);
		if (!o->lines[i].no_eol)
			sc_transcript_buf_adds(b, "\n");
	}
}

static const char *mismatch_message(const struct sc_transcript_command *c, const struct sc_transcript_outcome *o)
{
	bool status = o->exit_status != c->exit_status;
	bool output = o->n_lines != c->n_expected;
	for (size_t i = 0; i < c->n_expected && !output; i++)
		output = !line_matches(&c->expected[i], &o->lines[i], c->cram);
	return status && output ? "output and exit status differ" : status ? "exit status differs" : "output differs";
}

/* Writes the YAML of a command that failed. */
static void report_failure(struct sc_tap *tap, const struct sc_transcript_command *c,
			   const struct sc_transcript_outcome *o, const char *reproduce)
{
	sc_tap_yaml_begin(tap);
	if (!o || !o->ran) {
		sc_tap_yaml_string(tap, "message", o && o->started ? "not finished: the shell ended during this command"
								   : "not run: the shell ended before this command");
		struct buf b = { 0 };
		if (o)
			put_output(&b, o);
		_cleanup_free_ char *output = sc_transcript_buf_take(&b);
		if (output && *output)
			sc_tap_yaml_text(tap, "output", output, strlen(output), strlen(output));
	} else {
		sc_tap_yaml_string(tap, "message", mismatch_message(c, o));
		_cleanup_free_ char *diff = NULL;
		if (sc_transcript_command_diff(c, o, &diff) == 0 && diff)
			sc_tap_yaml_text(tap, "diff", diff, strlen(diff), strlen(diff));
	}
	_cleanup_free_ char *again = NULL;
	if (reproduce && asprintf(&again, "%s:%u", reproduce, c->line) >= 0)
		sc_tap_yaml_string(tap, "reproduce", again);
	sc_tap_yaml_end(tap);
}

char *sc_transcript_description(const struct sc_transcript *t, const struct sc_transcript_command *c,
				const char *file_label)
{
	const char *text = c->text, *nl = strchr(text, '\n');
	char *desc = NULL;
	if (asprintf(&desc, "%s:%u: %.*s", file_label ? file_label : t->path, c->line,
		     nl ? (int)(nl - text) : (int)strlen(text), text) < 0)
		return NULL;
	return desc;
}

unsigned sc_transcript_report(struct sc_tap *tap, const struct sc_transcript *t, const struct sc_transcript_result *r,
			      const char *file_label, const char *reproduce)
{
	unsigned failed = 0;
	bool batch = tap->batch;
	tap->batch = true; /* every point is known now: no reader waits between them */
	for (size_t i = 0; i < t->n_commands; i++) {
		const struct sc_transcript_command *c = &t->commands[i];
		const struct sc_transcript_outcome *o = r && i < r->n_outcomes ? &r->outcomes[i] : NULL;
		_cleanup_free_ char *desc = sc_transcript_description(t, c, file_label);
		bool ok = o && sc_transcript_command_matches(c, o);
		sc_tap_point(tap, ok, desc ? desc : file_label, SC_TAP_NONE, NULL);
		if (!ok) {
			failed++;
			report_failure(tap, c, o, reproduce);
		}
	}
	tap->batch = batch;
	(void)sc_tap_flush(tap);
	return failed;
}

/* The new expected lines of a command that ran: the actual items, each written as its
 * expected line when the two matched, so (re), (glob) and a chosen (esc) spelling survive. */
static int put_new_expected(struct buf *b, const struct sc_transcript_command *c,
			    const struct sc_transcript_outcome *o)
{
	struct sides s = sides_of(c, o);
	_cleanup_free_ struct edit *ed = NULL;
	size_t n;
	int r = align(&s, &ed, &n);
	if (r < 0)
		return r;
	for (size_t k = 0; k < n; k++) {
		if (ed[k].op == '-')
			continue;
		sc_transcript_buf_adds(b, INDENT);
		if (ed[k].op == '=')
			put_expected(b, &s, ed[k].i);
		else
			put_actual(b, &s, ed[k].j);
		sc_transcript_buf_adds(b, "\n");
	}
	return 0;
}

int sc_transcript_update(const struct sc_transcript *t, const struct sc_transcript_result *r, char **ret_text)
{
	if (t->flags & SC_TRANSCRIPT_CRAM)
		return sc_transcript_cram_update(t, r, ret_text);
	struct buf b = { 0 };
	size_t next = 0; /* the next command */
	unsigned skip_to = 0;
	unsigned line = 0;
	for (size_t pos = 0; pos < t->len;) {
		const char *nl = memchr(t->text + pos, '\n', t->len - pos);
		size_t n = nl ? (size_t)(nl - t->text) - pos : t->len - pos;
		const char *s = t->text + pos;
		pos += n + 1;
		line++;
		if (line <= skip_to)
			continue;
		sc_transcript_buf_add(&b, s, n);
		sc_transcript_buf_adds(&b, "\n");
		if (next >= t->n_commands || line != t->commands[next].command_end)
			continue;
		const struct sc_transcript_command *c = &t->commands[next];
		const struct sc_transcript_outcome *o = r && next < r->n_outcomes ? &r->outcomes[next] : NULL;
		next++;
		if (!o || !o->ran)
			continue; /* nothing known: its expected lines stay */
		if (put_new_expected(&b, c, o) < 0) {
			free(sc_transcript_buf_take(&b));
			return -ENOMEM;
		}
		skip_to = c->end;
	}
	char *text = sc_transcript_buf_take(&b);
	if (!text)
		return -ENOMEM;
	*ret_text = text;
	return 0;
}
