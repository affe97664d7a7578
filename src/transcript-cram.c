/* transcript-cram.c - cram mode: lines as cram writes them, and --update as cram -i -y.
 *
 * cram diffs the whole file against the file with each command's output in place of its
 * expected lines (commands and comments included) with difflib's SequenceMatcher, taught to
 * count an expected line as equal to the actual line it matches, and patches the file with
 * that diff. The alignment is difflib's, not a longest common subsequence: the longest run of
 * equal lines first, then the same on each side of it. So the text written here follows
 * SequenceMatcher step by step (get_matching_blocks, find_longest_match with its "autojunk" of
 * popular lines, and cram's _SequenceMatcher, which makes a[i] equal to b[j] on the diagonal
 * of each range when they match), else the kept and replaced lines would differ from cram's
 * in files where a pattern matches some other line (a "* (glob)" line takes the command line
 * after it). */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "transcript.h"
#include "transcript-internal.h"
#include "util.h"

/* ---- cram's spelling of a line ---------------------------------------------------------- */

/* cram's _needescape: a byte outside printable ASCII and '\n' */
static bool cram_needs_escape(unsigned char c)
{
	return c < 0x20 || c >= 0x7f;
}

void sc_transcript_cram_encode_line(struct buf *b, const struct sc_transcript_line *l)
{
	bool escape = false;
	for (size_t i = 0; i < l->len && !escape; i++)
		escape = cram_needs_escape((unsigned char)l->text[i]);
	if (!escape) {
		sc_transcript_buf_add(b, l->text, l->len);
		if (l->no_eol)
			sc_transcript_buf_adds(b, " (no-eol)");
		return;
	}
	for (size_t i = 0; i < l->len; i++) {
		unsigned char c = (unsigned char)l->text[i];
		if (c == '\\')
			sc_transcript_buf_adds(b, "\\\\");
		else if (c == '\t')
			sc_transcript_buf_adds(b, "\\t");
		else if (c == '\r')
			sc_transcript_buf_adds(b, "\\r");
		else if (cram_needs_escape(c))
			sc_transcript_buf_addf(b, "\\x%02x", c);
		else
			sc_transcript_buf_add(b, &l->text[i], 1);
	}
	if (l->no_eol)
		sc_transcript_buf_adds(b, " (no-eol)");
	sc_transcript_buf_adds(b, " (esc)");
}

/* Decodes an (esc) text in place as cram does, with Python's codecs.escape_decode: its escapes
 * (\\ \' \" \a \b \f \n \r \t \v, 1 to 3 octal digits, \xNN), any other backslash kept as it
 * is; false where Python raises (an incomplete \x, a final backslash). */
bool sc_transcript_python_unescape(char *s, size_t *len)
{
	static const char simple[] = "\\\\''\"\"a\ab\bf\fn\nr\rt\tv\v";
	size_t out = 0;
	for (size_t i = 0; i < *len; i++) {
		if (s[i] != '\\') {
			s[out++] = s[i];
			continue;
		}
		if (++i == *len)
			return false;
		const char *pair = NULL;
		for (size_t k = 0; k < sizeof(simple) - 1 && !pair; k += 2)
			if (simple[k] == s[i])
				pair = simple + k;
		if (pair) {
			s[out++] = pair[1];
		} else if (s[i] >= '0' && s[i] <= '7') {
			unsigned value = 0;
			for (size_t k = 0; k < 3 && i < *len && s[i] >= '0' && s[i] <= '7'; k++, i++)
				value = value * 8 + (unsigned)(s[i] - '0');
			s[out++] = (char)(value & 0xff);
			i--;
		} else if (s[i] == 'x') {
			int hi = i + 2 < *len ? sc_transcript_hex_value(s[i + 1]) : -1;
			int lo = hi >= 0 ? sc_transcript_hex_value(s[i + 2]) : -1;
			if (lo < 0)
				return false;
			s[out++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			s[out++] = '\\';
			s[out++] = s[i];
		}
	}
	*len = out;
	s[out] = '\0';
	return true;
}

/* ---- the update -------------------------------------------------------------------------- */

/* A line of either side, as difflib compares them: its bytes. */
struct cram_text {
	const char *p; /* NULL until the rendered lines stop moving: then owned.s + off */
	size_t off, len;
	uint64_t hash;
};

struct cram_side {
	struct cram_text *lines;
	size_t n, cap;
};

struct cram_diff {
	struct cram_side a, b;     /* the file's lines; the same with the actual output */
	const struct sc_transcript_expect **expect; /* of a's lines: the expected line, or NULL */
	struct buf owned;          /* b's rendered output lines, one after another */
	size_t *order;             /* b's indexes sorted by their text, popular lines left out */
	size_t n_order;
	uint32_t *row, *next_row;  /* find_longest_match's j2len, by j + 1 */
	size_t *touched, n_touched, *next_touched, n_next;
};

static uint64_t hash_bytes(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3u;
	return h;
}

static bool text_equal(const struct cram_text *x, const struct cram_text *y)
{
	return x->hash == y->hash && x->len == y->len && (x->len == 0 || memcmp(x->p, y->p, x->len) == 0);
}

static int text_compare(const struct cram_text *x, const struct cram_text *y)
{
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->len ? memcmp(x->p, y->p, x->len) : 0;
}

static bool side_add(struct cram_side *s, const char *p, size_t len)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct cram_text *bigger = reallocarray(s->lines, cap, sizeof(*bigger));
		if (!bigger)
			return false;
		s->lines = bigger;
		s->cap = cap;
	}
	s->lines[s->n++] = (struct cram_text){ .p = p, .len = len };
	return true;
}

/* A line of b that is not the file's: "  " and the actual line as cram writes it, or "  [N]". */
static bool add_rendered(struct cram_diff *d, const struct sc_transcript_line *l, int status)
{
	size_t off = d->owned.len;
	sc_transcript_buf_adds(&d->owned, INDENT);
	if (l)
		sc_transcript_cram_encode_line(&d->owned, l);
	else
		sc_transcript_buf_addf(&d->owned, "[%d]", status);
	if (d->owned.oom || !side_add(&d->b, NULL, d->owned.len - off))
		return false;
	d->b.lines[d->b.n - 1].off = off;
	return true;
}

/* a: the file's lines; b: cram's postout, the same with each run command's expected lines
 * replaced by its output and "[N]" (a command that did not run keeps its lines). */
static int build(struct cram_diff *d, const struct sc_transcript *t, const struct sc_transcript_result *r)
{
	for (size_t pos = 0; pos < t->len;) {
		const char *nl = memchr(t->text + pos, '\n', t->len - pos);
		size_t n = nl ? (size_t)(nl - t->text) - pos : t->len - pos;
		if (!side_add(&d->a, t->text + pos, n))
			return -ENOMEM;
		pos += n + 1;
	}
	d->expect = calloc(d->a.n + 1, sizeof(*d->expect));
	if (!d->expect)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_commands; i++)
		for (size_t k = 0; k < t->commands[i].n_expected; k++)
			d->expect[t->commands[i].expected[k].line - 1] = &t->commands[i].expected[k];
	size_t next = 0;
	unsigned skip_to = 0;
	for (unsigned line = 1; line <= d->a.n; line++) {
		if (line <= skip_to)
			continue;
		if (!side_add(&d->b, d->a.lines[line - 1].p, d->a.lines[line - 1].len))
			return -ENOMEM;
		if (next >= t->n_commands || line != t->commands[next].command_end)
			continue;
		const struct sc_transcript_command *c = &t->commands[next];
		const struct sc_transcript_outcome *o = r && next < r->n_outcomes ? &r->outcomes[next] : NULL;
		next++;
		if (!o || !o->ran)
			continue;
		for (size_t k = 0; k < o->n_lines; k++)
			if (!add_rendered(d, &o->lines[k], 0))
				return -ENOMEM;
		if (o->exit_status != 0 && !add_rendered(d, NULL, o->exit_status))
			return -ENOMEM;
		skip_to = c->end;
	}
	for (size_t j = 0; j < d->b.n; j++) {
		struct cram_text *x = &d->b.lines[j];
		if (!x->p)
			x->p = d->owned.s + x->off;
		x->hash = hash_bytes(x->p, x->len);
	}
	for (size_t i = 0; i < d->a.n; i++)
		d->a.lines[i].hash = hash_bytes(d->a.lines[i].p, d->a.lines[i].len);
	return 0;
}

static int order_compare(const void *x, const void *y, void *lines)
{
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	const struct cram_text *b = lines;
	int c = text_compare(&b[i], &b[j]);
	return c ? c : (i < j ? -1 : i > j);
}

/* difflib's b2j: b's indexes by text, ascending for each text; with 200 lines or more, a text
 * on more than 1% of them ("popular") is left out, as autojunk does. */
static int index_b(struct cram_diff *d)
{
	size_t n = d->b.n;
	d->order = malloc((n + 1) * sizeof(*d->order));
	d->row = calloc(n + 1, sizeof(*d->row));
	d->next_row = calloc(n + 1, sizeof(*d->next_row));
	d->touched = malloc((n + 1) * sizeof(*d->touched));
	d->next_touched = malloc((n + 1) * sizeof(*d->next_touched));
	if (!d->order || !d->row || !d->next_row || !d->touched || !d->next_touched)
		return -ENOMEM;
	for (size_t j = 0; j < n; j++)
		d->order[j] = j;
	qsort_r(d->order, n, sizeof(*d->order), order_compare, d->b.lines);
	size_t kept = 0;
	for (size_t start = 0; start < n;) {
		size_t end = start + 1;
		while (end < n && text_equal(&d->b.lines[d->order[start]], &d->b.lines[d->order[end]]))
			end++;
		if (!(n >= 200 && end - start > n / 100 + 1))
			for (size_t k = start; k < end; k++)
				d->order[kept++] = d->order[k];
		start = end;
	}
	d->n_order = kept;
	return 0;
}

/* The first of b's indexes whose text is x's, in order (d->n_order when none). */
static size_t lookup(const struct cram_diff *d, const struct cram_text *x)
{
	size_t lo = 0, hi = d->n_order;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (text_compare(&d->b.lines[d->order[mid]], x) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < d->n_order && text_equal(&d->b.lines[d->order[lo]], x) ? lo : d->n_order;
}

struct block {
	size_t i, j, k;
};

/* cram's _SequenceMatcher.find_longest_match: a's expected lines that match b's line on the
 * diagonal of the range count as that line, then difflib's find_longest_match. */
static struct block find_longest_match(struct cram_diff *d, struct cram_text *a, size_t alo, size_t ahi, size_t blo,
				       size_t bhi)
{
	for (size_t x = 0; alo + x < ahi && blo + x < bhi; x++) {
		const struct sc_transcript_expect *e = d->expect[alo + x];
		const struct cram_text *l = &d->b.lines[blo + x];
		if (e && !text_equal(&a[alo + x], l) && l->len >= 2 && memcmp(l->p, INDENT, 2) == 0 &&
		    sc_transcript_cram_text_match(e, l->p + 2, l->len - 2) > 0)
			a[alo + x] = *l;
	}
	struct block best = { alo, blo, 0 };
	for (size_t i = alo; i < ahi; i++) {
		d->n_next = 0;
		for (size_t o = lookup(d, &a[i]); o < d->n_order && text_equal(&d->b.lines[d->order[o]], &a[i]); o++) {
			size_t j = d->order[o];
			if (j < blo)
				continue;
			if (j >= bhi)
				break;
			uint32_t k = d->row[j] + 1; /* row[j] is j2len[j - 1] */
			d->next_row[j + 1] = k;
			d->next_touched[d->n_next++] = j + 1;
			if (k > best.k)
				best = (struct block){ i + 1 - k, j + 1 - k, k };
		}
		for (size_t x = 0; x < d->n_touched; x++)
			d->row[d->touched[x]] = 0;
		uint32_t *swap_row = d->row;
		d->row = d->next_row;
		d->next_row = swap_row;
		size_t *swap_touched = d->touched;
		d->touched = d->next_touched;
		d->next_touched = swap_touched;
		d->n_touched = d->n_next;
	}
	for (size_t x = 0; x < d->n_touched; x++)
		d->row[d->touched[x]] = 0;
	d->n_touched = 0;
	while (best.i > alo && best.j > blo && text_equal(&a[best.i - 1], &d->b.lines[best.j - 1])) {
		best.i--;
		best.j--;
		best.k++;
	}
	while (best.i + best.k < ahi && best.j + best.k < bhi && text_equal(&a[best.i + best.k], &d->b.lines[best.j + best.k]))
		best.k++;
	for (size_t x = alo; x < ahi; x++) /* restored: cram's diff shows the lines as written */
		a[x] = d->a.lines[x];
	return best;
}

static int block_compare(const void *x, const void *y)
{
	const struct block *p = x, *q = y;
	return p->i != q->i ? (p->i < q->i ? -1 : 1) : (p->j < q->j ? -1 : p->j > q->j);
}

/* difflib's get_matching_blocks, sorted, ending with (len a, len b, 0). */
static int matching_blocks(struct cram_diff *d, struct block **ret, size_t *ret_n)
{
	size_t na = d->a.n, nb = d->b.n, cap = na + 2, n = 0, top = 0;
	_cleanup_free_ struct cram_text *a = malloc((na + 1) * sizeof(*a));
	_cleanup_free_ size_t *stack = malloc(4 * (na + 2) * sizeof(*stack));
	struct block *blocks = malloc(cap * sizeof(*blocks));
	if (!a || !stack || !blocks) {
		free(blocks);
		return -ENOMEM;
	}
	if (na)
		memcpy(a, d->a.lines, na * sizeof(*a));
	stack[top++] = 0, stack[top++] = na, stack[top++] = 0, stack[top++] = nb;
	while (top > 0) {
		size_t bhi = stack[--top], blo = stack[--top], ahi = stack[--top], alo = stack[--top];
		struct block x = find_longest_match(d, a, alo, ahi, blo, bhi);
		if (x.k == 0)
			continue;
		blocks[n++] = x;
		if (alo < x.i && blo < x.j)
			stack[top++] = alo, stack[top++] = x.i, stack[top++] = blo, stack[top++] = x.j;
		if (x.i + x.k < ahi && x.j + x.k < bhi)
			stack[top++] = x.i + x.k, stack[top++] = ahi, stack[top++] = x.j + x.k, stack[top++] = bhi;
	}
	qsort(blocks, n, sizeof(*blocks), block_compare);
	blocks[n++] = (struct block){ na, nb, 0 };
	*ret = blocks;
	*ret_n = n;
	return 0;
}

static void put_line(struct buf *b, const struct cram_text *x)
{
	sc_transcript_buf_add(b, x->p, x->len);
	sc_transcript_buf_adds(b, "\n");
}

int sc_transcript_cram_update(const struct sc_transcript *t, const struct sc_transcript_result *r, char **ret_text)
{
	struct cram_diff d = { 0 };
	_cleanup_free_ struct block *blocks = NULL;
	size_t n_blocks = 0;
	struct buf out = { 0 };
	int ret = build(&d, t, r);
	if (ret == 0)
		ret = index_b(&d);
	if (ret == 0)
		ret = matching_blocks(&d, &blocks, &n_blocks);
	/* the patch: a's lines where the blocks are equal, b's between them */
	for (size_t x = 0, j = 0; ret == 0 && x < n_blocks; x++) {
		for (; j < blocks[x].j; j++)
			put_line(&out, &d.b.lines[j]);
		for (size_t k = 0; k < blocks[x].k; k++)
			put_line(&out, &d.a.lines[blocks[x].i + k]);
		j = blocks[x].j + blocks[x].k;
	}
	char *text = sc_transcript_buf_take(&out);
	free(d.a.lines);
	free(d.b.lines);
	free(d.expect);
	free(sc_transcript_buf_take(&d.owned));
	free(d.order);
	free(d.row);
	free(d.next_row);
	free(d.touched);
	free(d.next_touched);
	if (ret == 0 && !text)
		ret = -ENOMEM;
	if (ret < 0) {
		free(text);
		return ret;
	}
	*ret_text = text;
	return 0;
}
