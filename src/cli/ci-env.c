/* ci-env.c - Bazel's test protocol and GitLab's parallel jobs, read from the environment. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ci-env.h"

/* The variable's value, or NULL when it is unset or empty (as CI systems leave what they do
 * not use). */
static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/* A suite's word that names a directory, which it searches for files. */
static bool is_directory(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A whole number from min to max in variable name. */
static int env_number(const char *name, unsigned long min, unsigned long max, unsigned long *ret, struct sc_error *err)
{
	const char *v = env(name);
	char *end = NULL;
	errno = 0;
	unsigned long n = v ? strtoul(v, &end, 10) : 0;
	if (!v || errno || *end || v[0] == '-' || v[0] == '+' || n < min || n > max)
		return sc_error_setf(err, EINVAL, "%s '%s': expected a whole number from %lu to %lu", name, v ? v : "",
				     min, max);
	*ret = n;
	return 0;
}

/* Bazel: TEST_TOTAL_SHARDS and TEST_SHARD_INDEX (from 0), and the status file that says the
 * test knows how to shard (without it Bazel fails a sharded test that does not shard). */
static int bazel_shard(struct sc_cli_options *o, struct sc_error *err)
{
	unsigned long total, index;
	int r = env_number("TEST_TOTAL_SHARDS", 1, UINT_MAX, &total, err);
	if (r == 0 && !env("TEST_SHARD_INDEX"))
		return sc_error_setf(err, EINVAL, "TEST_SHARD_INDEX is not set, while TEST_TOTAL_SHARDS is '%lu'", total);
	if (r == 0)
		r = env_number("TEST_SHARD_INDEX", 0, total - 1, &index, err);
	if (r < 0)
		return r;
	o->shard_k = (unsigned)index + 1;
	o->shard_n = (unsigned)total;
	const char *status = env("TEST_SHARD_STATUS_FILE");
	if (status) {
		int fd = open(status, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
		if (fd < 0)
			return sc_error_setf(err, errno, "touch TEST_SHARD_STATUS_FILE '%s'", status);
		close(fd);
	}
	return 0;
}

/* GitLab: CI_NODE_INDEX (from 1) of CI_NODE_TOTAL, set only in a job with parallel:. */
static int gitlab_shard(struct sc_cli_options *o, struct sc_error *err)
{
	unsigned long total, index;
	int r = env_number("CI_NODE_TOTAL", 1, UINT_MAX, &total, err);
	if (r == 0)
		r = env_number("CI_NODE_INDEX", 1, total, &index, err);
	if (r < 0)
		return r;
	o->shard_k = (unsigned)index;
	o->shard_n = (unsigned)total;
	return 0;
}

/* TEST_TMPDIR acts as TMPDIR, and holds the cache unless one is named. */
static int bazel_tmpdir(const struct sc_cli_options *o, struct sc_error *err)
{
	const char *tmp = env("TEST_TMPDIR");
	if (!tmp)
		return 0;
	if (tmp[0] != '/')
		return sc_error_setf(err, EINVAL, "TEST_TMPDIR '%s': expected an absolute path", tmp);
	if (setenv("TMPDIR", tmp, 1) < 0)
		return sc_error_set(err, errno, "set TMPDIR from TEST_TMPDIR");
	if (o->cache_dir || env("SIMPCON_CACHE"))
		return 0;
	char cache[PATH_MAX];
	if (snprintf(cache, sizeof(cache), "%s/simpcon-cache", tmp) >= (int)sizeof(cache))
		return sc_error_setf(err, EINVAL, "TEST_TMPDIR '%.80s...': too long", tmp);
	if (setenv("SIMPCON_CACHE", cache, 1) < 0)
		return sc_error_set(err, errno, "set SIMPCON_CACHE from TEST_TMPDIR");
	return 0;
}

int sc_cli_ci_env(struct sc_cli_options *o, struct sc_error *err)
{
	bool reports = o->command == SC_CLI_RUN || o->command == SC_CLI_SUITE || (o->command == SC_CLI_CHECK && !o->kernel);
	int r = 0;
	if (o->command == SC_CLI_SUITE && !o->shard_n && !o->update) {
		if (env("TEST_TOTAL_SHARDS"))
			r = bazel_shard(o, err);
		/* GitLab sets these for the whole job, make check's one-file suites included: such a
		 * suite is not a slice of the job's files, so only a suite of several is sharded */
		else if (env("CI_NODE_INDEX") && (o->n_files > 1 || (o->n_files == 1 && is_directory(o->files[0]))))
			r = gitlab_shard(o, err);
	}
	if (r == 0 && reports && !o->junit)
		o->junit = env("XML_OUTPUT_FILE");
	return r < 0 ? r : bazel_tmpdir(o, err);
}
