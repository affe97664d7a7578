/* run.h - the result of one run, shared by the run and the report writers. */
#pragma once

#include "capture.h"
#include "probe.h"
#include "simpcon.h"

struct sc_result {
	int exit_status;          /* -1 when signal != 0 */
	int signal;
	bool timed_out;
	unsigned timeout_ms;      /* the limit that applied */
	uint64_t duration_us;
	struct sc_output out, err;
	char *exec_error;
	char limits[256];         /* the limits and where they were enforced, or "" */
	char limit_hit[256];      /* the limits that were hit, or "" */
	char *run_dir;            /* kept run directory, or NULL */
	struct sc_report report;  /* the isolation verdicts, inside and host findings */
};

/* A result across a pipe, between processes of the same program (a suite's worker and the
 * harness): the struct as it is, then the bytes its pointers point to. sc_result_send returns 0
 * or -errno; sc_result_receive takes the whole of what was sent, and returns 0, -EBADMSG when
 * it is not that (cut short, or longer), or -ENOMEM. */
int sc_result_send(int fd, const struct sc_result *res);
size_t sc_result_packed_size(const struct sc_result *res); /* what sc_result_send writes */
int sc_result_receive(const char *buf, size_t len, struct sc_result **ret_result);
