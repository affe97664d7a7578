/* suite.h - running transcript files (simpcon-test [suite] FILE.t...). */
#pragma once

#include "options.h"
#include "tap.h"

/* Runs the files o names (those in the --shard), writing the TAP stream (version, plan, points)
 * or, with --list, the point descriptions. ret_failed gets the number of failed points.
 * Returns 0, or a negative errno when the harness failed (err says why). */
int sc_cli_suite(struct sc_cli_options *o, struct sc_tap *tap, unsigned *ret_failed, struct sc_error *err);

/* shell FILE.t[:LINE]: the file's container (its "simpcon:" lines under the rules of a suite,
 * against the run options o gives), whose /bin/sh -i first replays the file's commands before
 * LINE, each shown as "$ command" (o->shell_line 0: before the first command that fails, found
 * by running the file once). *ret_config is the run's; it lives until sc_cli_shell_file_close. */
struct sc_cli_shell_file;
int sc_cli_shell_file_open(struct sc_cli_options *o, struct sc_cli_shell_file **ret, struct sc_config **ret_config,
			   struct sc_error *err);
void sc_cli_shell_file_close(struct sc_cli_shell_file *f);
