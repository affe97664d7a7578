/* fuzz-transcript.c - libFuzzer target for the transcript parser and everything downstream of
 * it: the script, the output splitter, matching, diffs, the TAP report and --update.
 *
 * The input is a transcript file. When it parses, it is run twice through the rest: once with
 * the input bytes themselves as the shell's output (lookalike markers, binary output, partial
 * runs), and once with an output made from the file's own expected lines, every other
 * command's status changed, so matching and diffing see (re), (glob), (esc) and (no-eol) lines
 * against what they were written for.
 *
 * Beyond crashes, leaks and undefined behaviour, it checks what --update promises: the updated
 * file parses, has the same commands, matches the output it was made from, and updating it
 * again with that output changes nothing. A broken promise aborts with a message on stderr. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "transcript.h"

#define MARKER "simpcon-fuzz"

/* Aborts, so that libFuzzer keeps the input, when a property does not hold. */
#define CHECK(cond, what)                                               \
	do {                                                            \
		if (!(cond)) {                                          \
			fprintf(stderr, "fuzz-transcript: %s\n", what); \
			abort();                                        \
		}                                                       \
	} while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int devnull = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	CHECK(devnull >= 0, "open /dev/null");
	return 0;
}

/* An output the script could have printed: each command's expected lines as written (raw,
 * which is what a literal line expects) followed by its marker line. */
static char *synthetic_output(const struct sc_transcript *t, size_t *ret_len)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	CHECK(f, "open_memstream");
	for (size_t i = 0; i < t->n_commands; i++) {
		const struct sc_transcript_command *c = &t->commands[i];
		for (size_t k = 0; k < c->n_expected; k++) {
			fputs(c->expected[k].raw, f);
			if (!c->expected[k].no_eol)
				fputc('\n', f);
		}
		fprintf(f, "\n%s %zu %d\n", MARKER, i, i % 2 ? c->exit_status : (c->exit_status + 1) % 256);
	}
	CHECK(fclose(f) == 0, "open_memstream");
	*ret_len = len;
	return out;
}

static struct sc_transcript_result *split(const struct sc_transcript *t, const char *out, size_t len)
{
	struct sc_error err = { 0 };
	struct sc_transcript_result *r = NULL;
	/* only -ENOMEM is possible, and libFuzzer's malloc limit reports that on its own */
	CHECK(sc_transcript_split_output(t, MARKER, out, len, &r, &err) == 0, "split_output failed");
	CHECK(r->n_outcomes == t->n_commands, "one outcome per command");
	return r;
}

/* What --update promises, for the text that updating t with the output out produced. */
static void check_update(const struct sc_transcript *t, const struct sc_transcript_result *r, const char *updated,
			 const char *out, size_t len)
{
	struct sc_error err = { 0 };
	struct sc_transcript *u = NULL;
	if (sc_transcript_parse("updated.t", updated, strlen(updated), &u, &err) < 0) {
		fprintf(stderr, "fuzz-transcript: the updated file does not parse: %s\n", err.message);
		abort();
	}
	CHECK(u->n_commands == t->n_commands, "the updated file has other commands");
	for (size_t i = 0; i < t->n_commands; i++)
		CHECK(!strcmp(u->commands[i].text, t->commands[i].text), "the updated file changed a command");
	struct sc_transcript_result *ru = split(u, out, len);
	for (size_t i = 0; i < u->n_commands; i++)
		if (r->outcomes[i].ran)
			CHECK(sc_transcript_command_matches(&u->commands[i], &ru->outcomes[i]),
			      "an updated command does not match the output it was updated from");
	char *again = NULL;
	CHECK(sc_transcript_update(u, ru, &again) == 0, "update failed");
	CHECK(!strcmp(again, updated), "updating the updated file changed it");
	free(again);
	sc_transcript_result_free(ru);
	sc_transcript_free(u);
}

/* Bugs found by this target, while they are open: with -DFUZZ_SKIP_KNOWN_BUGS the update
 * checks skip the inputs that trip them, so that a run can look for others (see README.md). */
static bool known_bug(const struct sc_transcript *t, const struct sc_transcript_result *r)
{
#ifdef FUZZ_SKIP_KNOWN_BUGS
	/* 1: the updated text is cut at the first NUL byte of the file */
	if (memchr(t->text, '\0', t->len))
		return true;
	/* 2: an output line "$" or ">" without a final newline is written "  $ (no-eol)", a command */
	for (size_t i = 0; i < r->n_outcomes; i++)
		for (size_t k = 0; k < r->outcomes[i].n_lines; k++) {
			const struct sc_transcript_line *l = &r->outcomes[i].lines[k];
			if (l->no_eol && l->len == 1 && (l->text[0] == '$' || l->text[0] == '>'))
				return true;
		}
#else
	(void)t;
	(void)r;
#endif
	return false;
}

/* Everything that follows a parse, for one output of the script. */
static void run_output(const struct sc_transcript *t, const char *out, size_t len)
{
	struct sc_transcript_result *r = split(t, out, len);

	struct sc_tap tap;
	sc_tap_init(&tap, devnull);
	unsigned failed = sc_transcript_report(&tap, t, r, "fuzz.t", NULL);
	CHECK(failed <= t->n_commands && tap.count == t->n_commands, "one point per command");
	sc_tap_release(&tap);

	for (size_t i = 0; i < t->n_commands; i++) {
		char *diff = NULL;
		CHECK(sc_transcript_command_diff(&t->commands[i], &r->outcomes[i], &diff) == 0, "diff failed");
		CHECK(!diff == sc_transcript_command_matches(&t->commands[i], &r->outcomes[i]),
		      "a diff exactly when the command does not match");
		free(diff);
	}

	char *updated = NULL;
	CHECK(sc_transcript_update(t, r, &updated) == 0, "update failed");
	if (!known_bug(t, r))
		check_update(t, r, updated, out, len);
	free(updated);
	sc_transcript_result_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_error err = { 0 };
	struct sc_transcript *t = NULL;
	const char *text = (const char *)data;
	if (sc_transcript_parse("fuzz.t", text, size, &t, &err) < 0)
		return 0;

	char *script = NULL;
	CHECK(sc_transcript_script(t, MARKER, &script) == 0, "script failed");
	free(script);
	CHECK(sc_transcript_script(t, "x'; rm -rf /; '", &script) == -EINVAL, "a marker breaking the quoting accepted");

	for (size_t i = 0; i < t->n_options; i++) {
		char **argv = NULL;
		/* the parser checked the quoting, so splitting cannot fail but on memory */
		CHECK(sc_transcript_split_options(t->options[i].text, &argv, &err) == 0, "a checked option line fails");
		sc_transcript_argv_free(argv);
	}

	run_output(t, text, size);
	size_t len;
	char *out = synthetic_output(t, &len);
	run_output(t, out, len);
	free(out);

	sc_transcript_free(t);
	return 0;
}
