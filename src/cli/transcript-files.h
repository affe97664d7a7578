/* transcript-files.h - the transcript files a suite's arguments name: files as given,
 * directories searched for *.t as cram searches them. */
#pragma once

#include <stddef.h>

#include "error.h"

/* Appends to *list (n entries, malloc) each word that is not a directory, as it is, and for a
 * directory every file under it whose name ends in ".t": a directory's own files first, in byte
 * order, then its subdirectories in byte order, depth first; names starting with '.' are left
 * out, and symbolic links to directories are not followed. The paths found are malloc'd
 * and also appended to *owned (n_owned entries), for the caller to free. Returns 0, -ENOENT
 * with err naming a directory that holds no *.t file, or another -errno. */
int sc_transcript_files(char *const *words, size_t n_words, char ***list, size_t *n, char ***owned, size_t *n_owned,
			struct sc_error *err);
