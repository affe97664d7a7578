/* options.h - the command line of simpcon-test, parsed into a run configuration. */
#pragma once

#include <stdbool.h>

#include "report.h"
#include "simpcon.h"

enum sc_cli_command {
	SC_CLI_RUN,
	SC_CLI_HELP,
	SC_CLI_VERSION,
	SC_CLI_CHECK,
	SC_CLI_SUITE,
	SC_CLI_FIXTURE_BUILD,
	SC_CLI_FIXTURE_LIST,
	SC_CLI_FIXTURE_PRUNE,
};

struct sc_cli_options {
	enum sc_cli_command command;
	struct sc_config config;
	struct sc_expect expect;
	const char *busybox;
	const char *archive;
	const char *cache_dir;
	bool no_cache;
	const char *name;
	const char *junit;  /* --junit FILE */
	/* transcript suites */
	char **files;            /* the *.t files, pointing into argv */
	size_t n_files;
	char **run_args;         /* the suite's container options, applied to every file before its
	                            own (malloc; the words point into argv) */
	size_t n_run_args;
	bool update, list;
	const char *filter;      /* --filter REGEX on point descriptions */
	regex_t filter_re;
	bool filter_compiled;
	unsigned shard_k, shard_n; /* --shard K/N; 0/0: no sharding */
	enum sc_verbosity verbosity;
	/* storage the config points into */
	struct sc_mount *mounts;
	const char **env;
	size_t n_env;
	char **strings; /* paths made absolute, split bind specs */
	size_t n_strings;
};

/* Parses argv. Returns 0, or -EINVAL with err naming the problem and the fix (exit status 2). */
int sc_cli_parse(int argc, char **argv, struct sc_cli_options *ret_options, struct sc_error *err);
void sc_cli_options_release(struct sc_cli_options *options);
/* The --help text. */
const char *sc_cli_usage(void);
