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
	SC_CLI_SHELL,
	SC_CLI_FIXTURE_BUILD,
	SC_CLI_FIXTURE_LIST,
	SC_CLI_FIXTURE_PRUNE,
};

/* -j N: at most this many files at once (each a container, a worker and its output in memory) */
#define SC_CLI_JOBS_MAX 256

/* One option as the command line gave it, in order: what a transcript's "simpcon:" line asks
 * is checked option by option (file-policy.c). */
struct sc_cli_given {
	const char *name; /* its long name: "bind", "quiet" */
	const char *arg;  /* its value (--ro-bind: SRC), or NULL */
};

/* --file-root DIR[:rw]: where the files' own host paths may lie besides their directory. */
struct sc_file_root {
	const char *path; /* resolved: no symlink, no ".." */
	bool writable;
};

struct sc_cli_options {
	enum sc_cli_command command;
	struct sc_config config;
	struct sc_expect expect;
	const char *busybox;
	const char *archive;
	const char *cache_dir;
	bool no_cache;
	uint64_t archive_limit, archive_entries, archive_ratio; /* 0: the default (simpcon.h) */
	const char *name;
	const char *junit;  /* --junit FILE */
	/* the exit status when the harness worked and a point failed (default 1), and when every
	 * point was skipped (default 0): what meson and CTest read */
	int failure_status, skip_status;
	/* check --kernel IMAGE: check on that kernel under QEMU */
	const char *kernel, *modules, *qemu, *append;
	/* transcript suites */
	char **files;            /* the *.t files, pointing into argv */
	size_t n_files;
	char **run_args;         /* the suite's container options, applied to every file before its
	                            own (malloc; the words point into argv) */
	size_t n_run_args;
	bool update, list;
	const char *filter;      /* --filter REGEX on point descriptions */
	struct sc_regex *filter_re;
	unsigned shard_k, shard_n; /* --shard K/N; 0/0: no sharding */
	unsigned jobs;           /* -j N: files run at once (0 as given is the CPUs); 0: not given, 1 */
	struct sc_file_root *file_roots; /* --file-root, in order */
	size_t n_file_roots;
	bool trust_files;        /* --trust-files: "simpcon:" lines may ask anything */
	bool cram;               /* --cram: cram 0.7's environment, matching and skips */
	const char *shell;       /* --shell PATH: runs the files' commands; NULL: sh (--cram: /bin/sh) */
	/* shell FILE.t[:LINE]: the file's container, its commands before LINE replayed */
	const char *shell_file;
	unsigned shell_line;     /* 0: up to the first command that fails */
	enum sc_verbosity verbosity;
	struct sc_cli_given *given; /* every option, as given */
	size_t n_given;
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
/* Keeps s (malloc) until sc_cli_options_release, for the config to point into; NULL when s
 * is NULL or memory runs out (s is then freed). */
char *sc_cli_keep(struct sc_cli_options *options, char *s);
/* The fixture the options ask for (--busybox, --archive, --cache, --no-cache); strings point
 * into options. */
struct sc_fixture_config sc_cli_fixture_config(const struct sc_cli_options *options);
/* shell's command when none is given: { "/bin/sh", "-i", NULL } */
extern const char *const sc_cli_default_shell[];
/* The CPUs this process may run on (its affinity), at least 1: what -j 0 asks for. */
unsigned sc_cli_cpus(void);
/* The --help text. */
const char *sc_cli_usage(void);
