/* transcript.h - cram-style transcript files (*.t): parse, script, split, compare, report, update.
 *
 * The format (see DESIGN.md, "Transcript files"; the convention of cram, prysk and dune):
 *   - a line that does not start with two spaces is a comment; "simpcon: OPTIONS" at the start
 *     of a line carries container options for the whole file (kept raw, split by
 *     sc_transcript_split_options);
 *   - "  $ CMD" starts a command, "  > MORE" right after it continues it (a multi-line command);
 *   - the "  " lines that follow are its expected output (stdout and stderr merged), up to the
 *     next command or comment; "  " alone is an empty line;
 *   - "  [N]" is the expected exit status (0 when absent), the command's last expected line;
 *   - an expected line may end in " (re)" (a regex in Python's re dialect, run by PCRE2 on the line's bytes, matching
 *     the whole line),
 *     " (glob)" ('*' any bytes, '?' one byte, '\' escaping '*', '?' or '\', as cram) or
 *     " (esc)" (the bytes written with \\ \t \r \n and \xNN escapes);
 *   - before that suffix, " (no-eol)" marks the output's last line when it has no final newline
 *     (so "foo (no-eol) (esc)" and "fo* (no-eol) (glob)" are valid, as cram writes them).
 *
 * Running: sc_transcript_script makes one busybox sh script that runs every command in one shell
 * session and prints a marker line after each; the runner executes it (as `sh -c SCRIPT` or
 * `sh FILE`, never on stdin, which the commands may read) and hands the merged output to
 * sc_transcript_split_output. Nothing here touches containers or prints. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "simpcon.h"
#include "tap.h"

struct sc_regex;

enum sc_transcript_kind {
	SC_TRANSCRIPT_LITERAL,
	SC_TRANSCRIPT_ESC,
	SC_TRANSCRIPT_RE,
	SC_TRANSCRIPT_GLOB,
};

/* One expected output line. */
struct sc_transcript_expect {
	enum sc_transcript_kind kind;
	char *raw;     /* the line as written, without its two-space indent */
	char *text;    /* literal and esc: the bytes expected; re and glob: the pattern (raw itself
			  when they are the same: a literal line without " (no-eol)") */
	size_t len;    /* of text (an esc line may hold NUL bytes) */
	bool no_eol;   /* " (no-eol)": the output's last line, without a final newline */
	unsigned line; /* in the file, from 1 */
	struct sc_regex *re; /* compiled when kind is SC_TRANSCRIPT_RE (NULL in cram mode for an
				invalid one: the line then matches only itself) */
};

struct sc_transcript_command {
	char *text;             /* the command's lines joined by '\n', without a final newline */
	unsigned line;          /* of the "  $ " line */
	unsigned command_end;   /* of its last "  > " line (line when there is none) */
	unsigned end;           /* of its last expected line (command_end when there is none) */
	bool cram;              /* its lines compare as cram 0.7 compares them (SC_TRANSCRIPT_CRAM) */
	struct sc_transcript_expect *expected;
	size_t n_expected;
	int exit_status;        /* expected; 0 unless "  [N]" */
	unsigned status_line;   /* of "  [N]", 0 when absent */
};

/* A "simpcon:" line: the text after "simpcon:", leading blanks removed. */
struct sc_transcript_option {
	char *text;
	unsigned line;
};

/* sc_transcript_parse_flags: read, compare and update the file as cram 0.7 does, for its
 * verdicts (the --cram mode). An expected line is compared with the actual one as cram writes
 * it (bytes outside printable ASCII escaped, with " (esc)"; " (no-eol)" appended), so a
 * (glob) or (re) pattern sees that text and " (no-eol)" is part of the pattern; (re) is read
 * as cram's re.match(pattern + r'\Z') (regex.h, SC_REGEX_CRAM) and an invalid one matches
 * only itself; (esc) lines are decoded as Python's escape_decode; only "[N]" without a
 * leading zero is an exit status; --update writes what cram -i -y writes. */
#define SC_TRANSCRIPT_CRAM 1u

struct sc_transcript {
	char *path;
	unsigned flags; /* SC_TRANSCRIPT_* */
	char *text; /* the file's text, for sc_transcript_update */
	size_t len;
	struct sc_transcript_option *options;
	size_t n_options;
	struct sc_transcript_command *commands;
	size_t n_commands;
};

/* One line of a command's actual output. */
struct sc_transcript_line {
	char *text;  /* NUL-terminated after len bytes; may hold NUL bytes */
	size_t len;
	bool no_eol; /* the output's last line had no final newline */
};

/* What happened to one command. */
struct sc_transcript_outcome {
	bool ran;        /* its marker was seen: exit_status and lines are complete */
	bool started;    /* not ran, but the first after the last marker: it was running when the
			    shell ended (killed, exit, syntax error); lines hold its partial output */
	int exit_status;
	struct sc_transcript_line *lines;
	size_t n_lines;
};

struct sc_transcript_result {
	struct sc_transcript_outcome *outcomes; /* one per command */
	size_t n_outcomes;
	char *text; /* a copy of the output, each '\n' made a NUL: the lines point into it */
};

/* The most a transcript may hold, so that no file makes the harness that parses it (outside
 * any --timeout) run out of memory or time: a parsed line costs up to a hundred bytes, a (re)
 * line about 300 bytes plus four times its pattern's length compiled by PCRE2 (at most 64 KiB:
 * "(a{1,1000}){1,1000}" copies its group a thousand times), so their compiled size is capped
 * as a whole too. A file at these limits takes about 200 MiB and a second of CPU to parse;
 * real ones a thousandth. */
#define SC_TRANSCRIPT_MAX_BYTES ((size_t)64 << 20)
#define SC_TRANSCRIPT_MAX_LINES 1000000u
#define SC_TRANSCRIPT_MAX_REGEXES 10000u
#define SC_TRANSCRIPT_MAX_REGEX_BYTES ((size_t)1 << 20) /* of (re) patterns, all lines together */
#define SC_TRANSCRIPT_MAX_REGEX_COMPILED ((size_t)64 << 20) /* the same compiled (sc_regex_size) */

/* Parses a transcript; path names it in error messages ("t/foo.t:12: expected output before any
 * command"). text need not be NUL-terminated. Regexes are compiled and option lines checked
 * for unterminated quotes here, so later steps cannot fail on the file's content. Returns 0,
 * -EINVAL on a format error, -EFBIG beyond one of the limits above (the message names it and
 * the fix), or -ENOMEM. */
int sc_transcript_parse(const char *path, const char *text, size_t len, struct sc_transcript **ret,
			struct sc_error *err);
/* The same with flags (SC_TRANSCRIPT_CRAM or 0); sc_transcript_parse passes 0. */
int sc_transcript_parse_flags(const char *path, const char *text, size_t len, unsigned flags,
			      struct sc_transcript **ret, struct sc_error *err);
/* Reads the file at path and parses it; a file over SC_TRANSCRIPT_MAX_BYTES is refused with
 * -EFBIG without being read further. Returns what sc_transcript_parse does, or -errno when the
 * file cannot be read. */
int sc_transcript_load(const char *path, struct sc_transcript **ret, struct sc_error *err);
/* The same with flags, as sc_transcript_parse_flags. */
int sc_transcript_load_flags(const char *path, unsigned flags, struct sc_transcript **ret, struct sc_error *err);
struct sc_transcript *sc_transcript_free(struct sc_transcript *t); /* accepts NULL */

/* Splits an option line's text into words as the shell would, without any expansion: blanks
 * separate words; '...' keeps everything literally; "..." keeps everything but a backslash
 * before $ ` " \ or newline; elsewhere a backslash keeps the next character. *ret_argv is
 * NULL-terminated, freed with sc_transcript_argv_free. -EINVAL on an unterminated quote or a
 * trailing backslash, -ENOMEM. */
int sc_transcript_split_options(const char *line, char ***ret_argv, struct sc_error *err);
char **sc_transcript_argv_free(char **argv); /* accepts NULL */

/* A fresh random marker for sc_transcript_script: "simpcon-" and 32 hex digits. */
int sc_transcript_marker_new(char **ret_marker);

/* The busybox sh script running every command of t in order, in one shell session, stderr
 * merged into stdout, printing "\nMARKER INDEX STATUS\n" after command INDEX (from 0). marker
 * must be unguessable by the commands and made of [A-Za-z0-9_.-] (else -EINVAL). */
int sc_transcript_script(const struct sc_transcript *t, const char *marker, char **ret_script);

/* Splits the script's output into one outcome per command. A marker counts only when it stands
 * on its own line, carries the next index and a status, so commands printing lookalikes cannot
 * shift the split. Commands after the last marker are not run. Returns 0 or -ENOMEM. */
int sc_transcript_split_output(const struct sc_transcript *t, const char *marker, const char *out, size_t len,
			       struct sc_transcript_result **ret, struct sc_error *err);
struct sc_transcript_result *sc_transcript_result_free(struct sc_transcript_result *r); /* accepts NULL */

/* Whether a command ran with the expected exit status and output: as many lines as expected,
 * each equal to (literal, esc) or matched by (re, glob) its expected line, " (no-eol)" alike. */
bool sc_transcript_command_matches(const struct sc_transcript_command *c, const struct sc_transcript_outcome *o);
/* A unified diff ("--- expected", "+++ actual", hunks with 3 lines of context) of the
 * command's expected lines against its actual ones, both as a transcript writes them (without
 * the indent, "[N]" last for a non-zero status); an expected (re) or (glob) line that matches
 * its actual line counts as equal, as cram does. *ret_diff is NULL when they match. Returns 0
 * or -ENOMEM. */
int sc_transcript_command_diff(const struct sc_transcript_command *c, const struct sc_transcript_outcome *o,
			       char **ret_diff);

/* Writes one point per command ("FILE_LABEL:LINE: first line of the command"), with a YAML
 * block holding the diff on a mismatch; a command that did not run is a failure. Writes no
 * version line and no plan. Returns the number of failed points. */
/* A command's point description, "LABEL:LINE: first line of the command" (malloc'd, or NULL). */
char *sc_transcript_description(const struct sc_transcript *t, const struct sc_transcript_command *c,
				const char *file_label);

/* A point per command, in order; a failed one's YAML says why and, when reproduce is given,
 * "reproduce: REPRODUCE:LINE" (the command that opens a shell in the file's container just
 * before it). Returns the number that failed. */
unsigned sc_transcript_report(struct sc_tap *tap, const struct sc_transcript *t, const struct sc_transcript_result *r,
			      const char *file_label, const char *reproduce);

/* The file's text with each run command's expected lines replaced by its actual output (as
 * cram -i): comments, option and command lines kept, an expected line kept when it still
 * matches its actual line, "  [N]" for a non-zero status, (esc) for lines that need it. The
 * expected lines of commands that did not run are kept. Every line ends with '\n'. Returns 0
 * or -ENOMEM. */
int sc_transcript_update(const struct sc_transcript *t, const struct sc_transcript_result *r, char **ret_text);
