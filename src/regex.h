/* regex.h - the one regex dialect of the tool: Python's re, as cram and prysk users write it,
 * run by PCRE2 on bytes.
 *
 * Python's re and PCRE2 share nearly all of their syntax (\d \w \s \b, (?:...), lookaround,
 * non-greedy and {m,n} repeats, backreferences, (?P<name>...)); compiling translates the few
 * spellings they read differently (see regex.c). The old POSIX extended spellings keep working
 * where PCRE2 reads them the same ([[:digit:]], \b \w \s); GNU's \< \> \` \' are Python's
 * literal characters. Matching is bounded: a pattern that backtracks without end on a line
 * ("(a*)*b") gives up as no match instead of holding the harness. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "simpcon.h"

struct sc_regex;

enum sc_regex_flags {
	/* the whole subject, alternations included: "a|b" matches "a" and "b" alone */
	SC_REGEX_WHOLE = 1u << 0,
	/* ^ and $ also at the lines inside the subject (a search of a whole output) */
	SC_REGEX_MULTILINE = 1u << 1,
	/* as cram 0.7 reads an (re) line, for its verdicts: anchored as re.match(pattern + r'\Z'),
	 * so the end binds to the last alternative alone ("a|b" matches "ab"), and Python's own
	 * reading where PCRE2 would accept more: a '[' inside a class is literal ("[[:digit:]]" is
	 * not a POSIX class), \v is VT alone, and an escape of a letter Python does not know (\e
	 * \h \K \Q...) is an error */
	SC_REGEX_CRAM = 1u << 2,
};

/* Compiles pattern (len bytes, not NUL-terminated, may hold NUL bytes) with flags. Returns 0,
 * -EINVAL with err naming the problem and its offset ("missing closing parenthesis at offset
 * 3"), or -ENOMEM. */
int sc_regex_compile(const char *pattern, size_t len, unsigned flags, struct sc_regex **ret_regex,
		     struct sc_error *err);
/* Whether re matches subject (len bytes, NUL bytes included): 1, 0, or -E2BIG when it gave up
 * at a match, depth or heap limit (count it as no match: the pattern is too costly for the
 * line), or -ENOMEM. One thread at a time per regex. */
int sc_regex_match(struct sc_regex *re, const char *subject, size_t len);
/* The compiled pattern's size in bytes, for the memory caps of its callers. */
size_t sc_regex_size(const struct sc_regex *re);
struct sc_regex *sc_regex_free(struct sc_regex *re); /* accepts NULL */
