/* transcript-internal.h - what transcript.c lends transcript-diff.c: a growing string, a line. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "transcript.h"

/* before every line of a command and of its expected output */
#define INDENT "  "

/* A growing string; after an allocation failure it stays empty and sc_transcript_buf_take
 * returns NULL. */
struct buf {
	char *s;
	size_t len, cap;
	bool oom;
};

void sc_transcript_buf_add(struct buf *b, const void *p, size_t n);
static inline void sc_transcript_buf_adds(struct buf *b, const char *s)
{
	sc_transcript_buf_add(b, s, strlen(s));
}
void sc_transcript_buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The text, "" when nothing was added; NULL after an allocation failure. */
char *sc_transcript_buf_take(struct buf *b);

/* Appends a line as a transcript writes it, without the indent: the text, " (no-eol)" when it
 * had no final newline, and " (esc)" with its escapes when line_needs_escape says so. */
void sc_transcript_encode_line(struct buf *b, const struct sc_transcript_line *l);
/* The same as cram writes it: bytes outside printable ASCII make the line (" (no-eol)"
 * included) written with \\ \t \r and \xNN escapes and " (esc)", nothing else is escaped. */
void sc_transcript_cram_encode_line(struct buf *b, const struct sc_transcript_line *l);
/* The value of a hexadecimal digit, or -1. */
int sc_transcript_hex_value(char c);
/* Decodes an (esc) text in place as Python's codecs.escape_decode (cram's esc()); false where
 * Python raises. s must have room for the final NUL. */
bool sc_transcript_python_unescape(char *s, size_t *len);
/* cram's comparison of an expected line with an actual one as cram writes it (n bytes, no
 * indent): 1, 0, or -E2BIG when a regex gave up. */
int sc_transcript_cram_text_match(const struct sc_transcript_expect *e, const char *actual, size_t n);
/* sc_transcript_update for SC_TRANSCRIPT_CRAM (transcript-cram.c). */
int sc_transcript_cram_update(const struct sc_transcript *t, const struct sc_transcript_result *r, char **ret_text);
