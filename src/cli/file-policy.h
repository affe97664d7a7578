/* file-policy.h - what a transcript's "simpcon:" lines may ask. The caller's command line is
 * the boundary: a file (untrusted, like the code under test) can only narrow it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "options.h"

/* Checks one "simpcon:" line, parsed alone into line, against caller (the suite's own
 * container options, parsed alone). Returns 0, or -EPERM with err naming the option, why it
 * is refused and the caller's flag that allows it (the message is to be prefixed with the
 * file and line). */
int sc_file_policy_check(const struct sc_cli_options *caller, const struct sc_cli_options *line, struct sc_error *err);

/* Confines a host path a file asked for (--bind, --ro-bind, --copy, --stdin; absolute, as
 * options.c made it): it must lie beneath file_dir (the file's own directory) or one of the
 * suite's --file-root directories, reached through no symlink or ".." out of it
 * (openat2 RESOLVE_BENEATH). Returns 0 with the path as the kernel resolved it (no symlink
 * left) in ret_path and whether the root it lies beneath may be written, or a negative errno
 * with err naming the path and the fix. */
int sc_file_policy_confine(const struct sc_cli_options *suite, const char *file_dir, const char *path,
			   char *ret_path, size_t size, bool *ret_writable, struct sc_error *err);
