/* ci-env.h - what CI systems and build tools say through the environment: Bazel's test
 * protocol (shards, the XML report's path, the test's temporary directory) and GitLab's
 * parallel jobs. The command line always wins over the environment. */
#pragma once

#include "error.h"
#include "options.h"

/* Applies the environment to options parsed from the command line:
 *  - a suite without --shard (and without --update) takes its shard from TEST_TOTAL_SHARDS and
 *    TEST_SHARD_INDEX (Bazel, index from 0; TEST_SHARD_STATUS_FILE, when set, is then touched
 *    to tell Bazel the test shards), else, for a suite of several files or a directory, from
 *    CI_NODE_TOTAL and CI_NODE_INDEX (GitLab's parallel:, index from 1; set for the whole job,
 *    so not for the one-file suites of make check, meson or CTest);
 *  - run, suite and check without --junit write the report to XML_OUTPUT_FILE (Bazel);
 *  - TEST_TMPDIR (Bazel) is the TMPDIR of the run directories, and holds the fixture cache
 *    (simpcon-cache) unless --cache or SIMPCON_CACHE name one; it is exported as TMPDIR and
 *    SIMPCON_CACHE for what reads those.
 * Returns 0, -EINVAL with err naming the variable and what was expected (a usage error), or
 * another negative errno with err naming what failed. */
int sc_cli_ci_env(struct sc_cli_options *options, struct sc_error *err);
