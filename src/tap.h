/* tap.h - a writer of TAP version 13 with YAML diagnostic blocks.
 *
 * The stream contract (see the README): "TAP version 13" first, one plan, points numbered in
 * order, '#' and '\' escaped in descriptions, directives only "# SKIP reason" (on ok points) and
 * "# TODO reason" (on not ok points), YAML blocks indented by two spaces between "  ---" and
 * "  ...". Everything a point needs is buffered and written with one write when the point is
 * finished (at the next point, at sc_tap_yaml_end, or sc_tap_flush). A caller that has all its
 * points at once (a transcript's commands, judged after its shell ended) sets tap->batch: whole
 * points are then gathered into writes of about SC_TAP_BATCH bytes, never split.
 *
 * Errors: the first write error or allocation failure is kept in tap->error and the pending
 * text is dropped; from then on the writer writes nothing more, so a consumer sees a stream
 * that stops (a missing plan or missing points, which it counts as a failure) rather than one
 * with a hole inside a point. The writer never prints elsewhere and never exits: the caller
 * checks tap->error (or the return of sc_tap_flush) and reports it.
 *
 * Descriptions and reasons stay on one line: control characters become spaces and invalid
 * UTF-8 bytes become \xNN. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum sc_tap_directive {
	SC_TAP_NONE,
	SC_TAP_SKIP,
	SC_TAP_TODO,
};

struct sc_tap {
	int fd;            /* where the stream goes */
	unsigned count;    /* points written so far */
	unsigned skipped;  /* of them, "ok ... # SKIP" */
	bool skipped_all;  /* "1..0 # SKIP" was written */
	char *buf;         /* pending text, written by sc_tap_flush */
	size_t len, cap;
	int error;         /* first write or allocation error (positive errno), 0 if none */
	struct sc_junit *junit; /* when set, every point is also a JUnit testcase (see junit.h) */
	size_t yaml_start;      /* where the open YAML block starts in buf */
	bool batch;             /* points computed all at once: gather them up to SC_TAP_BATCH
	                           bytes per write (the caller flushes at the end) */
};

#define SC_TAP_BATCH 65536

/* The caller keeps owning fd; the writer never closes it. */
void sc_tap_init(struct sc_tap *tap, int fd);
void sc_tap_release(struct sc_tap *tap); /* flushes, frees the buffer; accepts NULL */

void sc_tap_version(struct sc_tap *tap);                          /* "TAP version 13" */
void sc_tap_plan(struct sc_tap *tap, unsigned n);                 /* "1..n" */
/* skip_all and bail end the stream, so they are written at once. */
void sc_tap_skip_all(struct sc_tap *tap, const char *reason);     /* "1..0 # SKIP reason" */
void sc_tap_bail(struct sc_tap *tap, const char *reason);         /* "Bail out! reason" */
/* "ok N - description" / "not ok N - description", with an optional directive and reason.
 * In the description '\' is written "\\" and '#' "\#"; an empty or NULL description writes
 * "ok N". The directive is written as given: the stream contract wants SKIP only on ok points
 * and TODO only on not ok points (tap-driver.sh counts "not ok # SKIP" as a failure, prove as a
 * skip). An empty or NULL reason writes " # SKIP" alone. */
void sc_tap_point(struct sc_tap *tap, bool ok, const char *description, enum sc_tap_directive directive,
		  const char *reason);
/* "# text" for each line of text ("#" for an empty line or text); control characters other
 * than tab and invalid UTF-8 escaped as \xNN. */
void sc_tap_comment(struct sc_tap *tap, const char *text);

void sc_tap_yaml_begin(struct sc_tap *tap);
void sc_tap_yaml_int(struct sc_tap *tap, const char *key, long long value);
void sc_tap_yaml_bool(struct sc_tap *tap, const char *key, bool value);
/* "  key: value": plain when that is unambiguous (printable ASCII that cannot read as a
 * number, boolean, null or indicator), else double-quoted with \" \\ \n \t \xNN (other control
 * characters, and each byte of invalid UTF-8) and \uNNNN (other unprintable characters). An
 * empty value is written '' and NULL ~. Keys are the caller's plain identifiers. */
void sc_tap_yaml_string(struct sc_tap *tap, const char *key, const char *value);
/* Command output, the first len bytes of text (any bytes, NUL included), written so that a
 * YAML reader gets the text back: "  key: ''" when len is 0; else "  key: |" and the lines at
 * four spaces, as they are (blank lines as the four spaces alone: prove ends a block at an
 * empty line), when a bare "|" block reads back exactly; else a double-quoted scalar as
 * sc_tap_yaml_string writes it (\" \\ \n \t, \xNN for other control characters and for each
 * byte of invalid UTF-8, \uNNNN for other unprintable characters). When total > len the text
 * was truncated: "  key_bytes: total" and "  key_truncated: true" follow.
 *
 * In a "|" block nothing is an escape, and its header is always a bare "|": prove 3.44's YAML
 * reader knows no other (it fails on "|-", "|+" and "|2", and loses the next point with them).
 * So the block is used only for printable UTF-8 (tab included) that ends in exactly one line
 * break, whose first line with content starts with no blank (YAML would take it for
 * indentation) and none of whose lines reads "Bail out!" after its blanks (tap-driver.sh bails
 * out on such a line even inside YAML). Any other text is quoted, on one line. A YAML reader
 * then reads an invalid UTF-8 byte NN as the character U+00NN (YAML has no byte escape), and
 * prove as the byte itself; everything else reads back exactly. */
void sc_tap_yaml_text(struct sc_tap *tap, const char *key, const char *text, size_t len, size_t total);
void sc_tap_yaml_end(struct sc_tap *tap); /* "  ..." and flush */

/* Writes what is pending with one write(2) (retried on EINTR and short writes); returns 0 or
 * -errno, and -tap->error once an error has been recorded. */
int sc_tap_flush(struct sc_tap *tap);
