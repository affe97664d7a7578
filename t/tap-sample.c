/* tap-sample.c - the nastiest TAP stream the writer can be asked for, for t/integration/tap-prove.sh
 * to feed to prove and tap-driver.sh. Every point must count as passing (ok, ok # SKIP, not ok
 * # TODO); with the argument "fail" one more point fails, to show that the consumers notice. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

#define TEXT(s) s, sizeof(s) - 1, sizeof(s) - 1

/* A passing point whose YAML block holds one command output. */
static void output_point(struct sc_tap *tap, const char *description, const char *text, size_t len, size_t total)
{
	sc_tap_point(tap, true, description, SC_TAP_NONE, NULL);
	sc_tap_yaml_begin(tap);
	sc_tap_yaml_int(tap, "exit_code", 0);
	sc_tap_yaml_text(tap, "stdout", text, len, total);
	sc_tap_yaml_end(tap);
}

static void directive_points(struct sc_tap *tap)
{
	sc_tap_point(tap, true, "plain point", SC_TAP_NONE, NULL);
	sc_tap_point(tap, true, "hash # SKIP inside, backslash \\ and \\# both, C:\\dir\\", SC_TAP_NONE, NULL);
	sc_tap_point(tap, true, "skipped", SC_TAP_SKIP, "no busybox # here");
	sc_tap_point(tap, true, "skipped without a reason", SC_TAP_SKIP, NULL);
	sc_tap_point(tap, false, "todo", SC_TAP_TODO, "cgroups\nlater");
	sc_tap_point(tap, true, "description\nover two lines\r\x1b[31m with \xff bytes", SC_TAP_NONE, NULL);
	sc_tap_comment(tap, "a comment\nnot ok 99 - in a comment\nBail out! in a comment\n\n\x01\xff");
}

static void string_point(struct sc_tap *tap)
{
	sc_tap_point(tap, true, "yaml strings", SC_TAP_NONE, NULL);
	sc_tap_yaml_begin(tap);
	sc_tap_yaml_string(tap, "answer", "yes");
	sc_tap_yaml_string(tap, "number", "0123");
	sc_tap_yaml_string(tap, "null", NULL);
	sc_tap_yaml_string(tap, "empty", "");
	sc_tap_yaml_string(tap, "plain", "/usr/bin/env");
	sc_tap_yaml_string(tap, "colon", "key: value # comment");
	sc_tap_yaml_string(tap, "block", "|");
	sc_tap_yaml_string(tap, "bytes", "tab\tnewline\n quote\" backslash\\ \xff\xc3 \x01");
	sc_tap_yaml_string(tap, "end", "...");
	sc_tap_yaml_end(tap);
}

static void output_points(struct sc_tap *tap)
{
	output_point(tap, "empty output", TEXT(""));
	output_point(tap, "output without a final newline", TEXT("last line\nno newline"));
	output_point(tap, "output with blank lines", TEXT("\nfirst\n\n\nafter blanks\n\n\n"));
	output_point(tap, "output of newlines only", TEXT("\n\n"));
	output_point(tap, "output with leading spaces", TEXT("   indented first\n\tthen a tab\nflush\n  two\n"));
	output_point(tap, "output with control characters", TEXT("nul\0 esc\x1b[0m bell\a del\x7f tab\t\xc2\x85\n"));
	output_point(tap, "output with invalid utf-8", TEXT("\xff\xfe\xc3( caf\xc3\xa9 \xed\xa0\x80\n"));
	output_point(tap, "output with crlf", TEXT("one\r\ntwo\r\n\r\n"));
	output_point(tap, "output that looks like tap",
		     TEXT("...\n---\n  ...\n  ---\nnot ok 1 - fake\nok 2\n1..1\nBail out! fake\n  Bail out!\n"
			  "# comment\nTAP version 13\nkey: value\n- item\n|\n"));
	output_point(tap, "output with backslashes", TEXT("C:\\dir\\ \\x41 \\n\\"));
	output_point(tap, "truncated output", "first 16 bytes..", 16, 70000);
	output_point(tap, "empty truncated output", "", 0, 12);
}

int main(int argc, char **argv)
{
	bool fail = argc > 1 && strcmp(argv[1], "fail") == 0;
	struct sc_tap tap;
	sc_tap_init(&tap, STDOUT_FILENO);
	sc_tap_version(&tap);
	sc_tap_plan(&tap, 19 + fail);
	directive_points(&tap);
	string_point(&tap);
	output_points(&tap);
	if (fail)
		sc_tap_point(&tap, false, "the failure the consumers must count", SC_TAP_NONE, NULL);
	sc_tap_release(&tap);
	if (tap.error) {
		fprintf(stderr, "tap-sample: write tap stream: %s\n", strerror(tap.error));
		return 1;
	}
	return 0;
}
