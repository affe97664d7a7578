/* error.h - filling struct sc_error: errno plus a message naming the operation and object. */
#pragma once

#include "simpcon.h"

/* Fills err (when not NULL) with code and a formatted message followed by ": strerror(code)".
 * Returns -code, so callers write: return sc_error_set(err, errno, "open '%s'", path); */
int sc_error_set(struct sc_error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same without the strerror suffix, for failures that are not a syscall's. */
int sc_error_setf(struct sc_error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
