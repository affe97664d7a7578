/* suite.h - running transcript files (simpcon-test [suite] FILE.t...). */
#pragma once

#include "options.h"
#include "tap.h"

/* Runs the files o names (those in the --shard), writing the TAP stream (version, plan, points)
 * or, with --list, the point descriptions. ret_failed gets the number of failed points.
 * Returns 0, or a negative errno when the harness failed (err says why). */
int sc_cli_suite(struct sc_cli_options *o, struct sc_tap *tap, unsigned *ret_failed, struct sc_error *err);
