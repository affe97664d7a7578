/* capture.h - collecting a container's output and waiting for it, with a deadline. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "terminal.h"

/* Bytes a stream produced: the first `limit` are kept, `total` counts them all. */
struct sc_output {
	char *data; /* NUL-terminated after len bytes */
	size_t len, cap, limit;
	uint64_t total;
};

void sc_output_init(struct sc_output *out, size_t limit);
/* Appends what fits under the limit and counts the rest. Returns 0 or -ENOMEM. */
int sc_output_append(struct sc_output *out, const char *buf, size_t n);
void sc_output_release(struct sc_output *out);

enum sc_capture_stream {
	SC_CAPTURE_STDOUT,
	SC_CAPTURE_STDERR,
	SC_CAPTURE_REPORT,
	SC_CAPTURE_STREAMS,
};

struct sc_capture {
	int fds[SC_CAPTURE_STREAMS];            /* read ends, closed as they reach EOF */
	struct sc_output out[SC_CAPTURE_STREAMS];
	int pidfd;                              /* the container's PID 1 */
	int cancel_fd;                          /* -1, or readable means: kill and stop */
	uint64_t deadline_us;                   /* sc_now_us() value; 0: none */
	bool timed_out, cancelled, exited;
	uint64_t last_read_us;                  /* when the last small read was, 0: none since a big one */
	bool echo;                              /* stdout and stderr written through to fds 1 and 2
	                                           as they come, not kept (SC_STDIO_PASSTHROUGH) */
	struct sc_terminal *term;               /* SC_STDIO_TERMINAL: the relay, done before the end */
};

#define SC_CAPTURE_READ 65536     /* bytes per read: a full default pipe */
#define SC_CAPTURE_BURST_US 1000  /* small reads closer than this are a trickle ... */
#define SC_CAPTURE_NAP_US 200     /* ... and the loop naps this long before the next poll */

/* Polls until the process has exited and every stream (and the terminal) is at EOF. At the deadline or on
 * cancellation, SIGKILLs the process (the kernel then kills its whole PID namespace) and keeps
 * draining. Returns 0 or -errno. */
int sc_capture_run(struct sc_capture *c);
