/* error.c - the error object every fallible library function fills. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

static int error_vset(struct sc_error *err, int code, bool with_strerror, const char *fmt, va_list ap)
{
	if (code <= 0)
		code = EIO;
	if (!err)
		return -code;
	err->code = code;
	int n = vsnprintf(err->message, sizeof(err->message), fmt, ap);
	if (with_strerror && n >= 0 && (size_t)n < sizeof(err->message)) {
		/* strerror() text is lowercased to read as one sentence: "open 'x': no such file" */
		char reason[128];
		snprintf(reason, sizeof(reason), "%s", strerror(code));
		if (reason[0] >= 'A' && reason[0] <= 'Z' && (reason[1] < 'A' || reason[1] > 'Z'))
			reason[0] = (char)(reason[0] - 'A' + 'a');
		snprintf(err->message + n, sizeof(err->message) - (size_t)n, ": %s", reason);
	}
	return -code;
}

int sc_error_set(struct sc_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = error_vset(err, code, true, fmt, ap);
	va_end(ap);
	return r;
}

int sc_error_setf(struct sc_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = error_vset(err, code, false, fmt, ap);
	va_end(ap);
	return r;
}
