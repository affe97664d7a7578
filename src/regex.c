/* regex.c - Python's re dialect on PCRE2: translation, limits, matching. */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8

#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "error.h"
#include "regex.h"
#include "util.h"

/* A match gives up (no match) past these: a pattern like "(a|a)*\1" backtracks an exponential
 * number of times on a line of a's without them. A million backtracking steps take about
 * 60 ms here; an honest (re) line needs a few per byte. The depth (nested backtracking points)
 * and the heap they take are bounded too: PCRE2's own defaults are ten million and 20 GB. */
#define MATCH_LIMIT 1000000u
#define DEPTH_LIMIT 100000u
#define HEAP_LIMIT_KIB (64u << 10)

struct sc_regex {
	pcre2_code *code;
	pcre2_match_context *context; /* the limits */
};

static bool is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Writes the escape at p[0] == '\\' (p[1] exists) in PCRE2's spelling; returns its length, 0
 * for one Python refuses. Python's \Z is the absolute end, PCRE2's \z (PCRE2's \Z also matches
 * before a final newline). With cram, \v is VT alone (PCRE2: any vertical space) and a letter
 * Python does not know is refused as Python does (PCRE2 knows \e \h \K \Q \R and more). */
static size_t translate_escape(char *out, const char *p, bool in_class, bool cram)
{
	char c = p[1];
	if (!in_class && c == 'Z')
		return memcpy(out, "\\z", 2), 2;
	if (cram && c == 'v')
		return memcpy(out, "\\x0b", 4), 4;
	if (cram && is_letter(c) && !strchr(in_class ? "bdDsSwWafnrtx" : "AbBdDsSwWZafnrtx", c))
		return 0;
	return memcpy(out, p, 2), 2;
}

/* The pattern in PCRE2's spelling of what Python reads, in out (2 * n bytes): escapes as
 * above, "{,n}" as "{0,n}" (Python's 0 to n, a literal to PCRE2 10.42), and with cram a '['
 * inside a class as "\[" (Python has no POSIX classes: "[[:digit:]]" is the set "[:digt" then
 * a ']'). Returns the length, or -1 and *bad for an escape Python refuses. */
static ssize_t translate(const char *p, size_t n, bool cram, char *out, char *bad)
{
	size_t o = 0;
	bool in_class = false;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\\' && i + 1 < n) {
			size_t k = translate_escape(out + o, p + i, in_class, cram);
			if (k == 0) {
				*bad = p[i + 1];
				return -1;
			}
			o += k;
			i++;
		} else if (in_class && p[i] == '[' && !cram && i + 1 < n && strchr(":.=", p[i + 1])) {
			/* a POSIX class "[:digit:]" inside the class: copied whole, its ']' is not the end */
			const char *end = memmem(p + i + 2, n - i - 2, (char[]){ p[i + 1], ']' }, 2);
			size_t k = end ? (size_t)(end - p) + 2 : i + 1;
			memcpy(out + o, p + i, k - i);
			o += k - i;
			i = k - 1;
		} else if (in_class) {
			in_class = p[i] != ']';
			if (cram && p[i] == '[')
				out[o++] = '\\';
			out[o++] = p[i];
		} else if (p[i] == '[') {
			/* "[]...]" and "[^]...]": a first ']' is a member */
			size_t start = i + 1 + (i + 1 < n && p[i + 1] == '^');
			size_t first = start < n && p[start] == ']' ? start + 1 : start;
			memcpy(out + o, p + i, first - i);
			o += first - i;
			i = first - 1;
			in_class = true;
		} else if (p[i] == '{' && i + 1 < n && p[i + 1] == ',') {
			size_t k = i + 2;
			while (k < n && p[k] >= '0' && p[k] <= '9')
				k++;
			out[o++] = '{';
			if (k < n && p[k] == '}')
				out[o++] = '0';
		} else {
			out[o++] = p[i];
		}
	}
	return (ssize_t)o;
}

int sc_regex_compile(const char *pattern, size_t len, unsigned flags, struct sc_regex **ret_regex,
		     struct sc_error *err)
{
	bool cram = flags & SC_REGEX_CRAM;
	/* cram appends \Z to the pattern's text: it binds to the last alternative alone, and a
	 * lone final backslash escapes it */
	_cleanup_free_ char *text = malloc(len + 2), *translated = malloc(2 * (len + 2));
	if (!text || !translated)
		return sc_error_setf(err, ENOMEM, "compile a regex: out of memory");
	if (len)
		memcpy(text, pattern, len);
	if (cram)
		memcpy(text + len, "\\Z", 2);
	char bad = 0;
	ssize_t n = translate(text, len + (cram ? 2 : 0), cram, translated, &bad);
	if (n < 0)
		return sc_error_setf(err, EINVAL, "bad escape \\%c (Python's re has none)", bad);
	/* Bytes, as cram matches them: no PCRE2_UTF, and no (*UTF) or (*UCP) inside the pattern
	 * to turn it on: \w and a '.' are one byte, as in Python's bytes patterns. */
	uint32_t options = PCRE2_NEVER_UTF | PCRE2_NEVER_UCP;
	if (flags & (SC_REGEX_WHOLE | SC_REGEX_CRAM))
		options |= PCRE2_ANCHORED;
	if ((flags & SC_REGEX_WHOLE) && !cram)
		options |= PCRE2_ENDANCHORED;
	if (flags & SC_REGEX_MULTILINE)
		options |= PCRE2_MULTILINE;
	int code;
	PCRE2_SIZE offset;
	_cleanup_free_ struct sc_regex *re = calloc(1, sizeof(*re));
	if (!re)
		return sc_error_setf(err, ENOMEM, "compile a regex: out of memory");
	re->code = pcre2_compile((PCRE2_SPTR)translated, (PCRE2_SIZE)n, options, &code, &offset, NULL);
	if (!re->code) {
		PCRE2_UCHAR why[128];
		if (pcre2_get_error_message(code, why, sizeof(why)) < 0)
			snprintf((char *)why, sizeof(why), "error %d", code);
		return sc_error_setf(err, code == PCRE2_ERROR_HEAPLIMIT || code == PCRE2_ERROR_NOMEMORY ? ENOMEM : EINVAL,
				     "%s at offset %zu", (const char *)why, (size_t)offset);
	}
	re->context = pcre2_match_context_create(NULL);
	if (!re->context) {
		pcre2_code_free(re->code);
		return sc_error_setf(err, ENOMEM, "compile a regex: out of memory");
	}
	(void)pcre2_set_match_limit(re->context, MATCH_LIMIT);
	(void)pcre2_set_depth_limit(re->context, DEPTH_LIMIT);
	(void)pcre2_set_heap_limit(re->context, HEAP_LIMIT_KIB);
	*ret_regex = TAKE_PTR(re);
	return 0;
}

int sc_regex_match(struct sc_regex *re, const char *subject, size_t len)
{
	/* made for each match: PCRE2 keeps the backtracking frames of the largest match in its
	 * match data, which per (re) line would add up */
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	if (!md)
		return -ENOMEM;
	int r = pcre2_match(re->code, (PCRE2_SPTR)(subject ? subject : ""), len, 0, 0, md, re->context);
	pcre2_match_data_free(md);
	if (r >= 0)
		return 1;
	if (r == PCRE2_ERROR_NOMATCH)
		return 0;
	if (r == PCRE2_ERROR_NOMEMORY)
		return -ENOMEM;
	return -E2BIG; /* PCRE2_ERROR_MATCHLIMIT, DEPTHLIMIT, HEAPLIMIT */
}

size_t sc_regex_size(const struct sc_regex *re)
{
	size_t size = 0;
	(void)pcre2_pattern_info(re->code, PCRE2_INFO_SIZE, &size);
	return size;
}

struct sc_regex *sc_regex_free(struct sc_regex *re)
{
	if (re) {
		pcre2_match_context_free(re->context);
		pcre2_code_free(re->code);
		free(re);
	}
	return NULL;
}
