/* check.h - the kernel check suite behind `simpcon-test check`: one TAP point per isolation
 * and hardening property, observed in real containers and from the host. */
#pragma once

#include <stdbool.h>

#include "report.h"
#include "simpcon.h"
#include "tap.h"

struct sc_check_options {
	const char *rootfs;          /* a busybox fixture root */
	bool privileged;             /* check a --privileged container: hardening points then fail */
	enum sc_verbosity verbosity;
};

/* Number of points the suite writes. */
unsigned sc_check_count(void);

/* Runs the suite and writes its points (no version line or plan). ret_failed gets the number
 * of failed points. Returns 0, or a negative errno when the harness could not run a container. */
int sc_check_suite(struct sc_tap *tap, const struct sc_check_options *options, unsigned *ret_failed,
		   struct sc_error *err);
