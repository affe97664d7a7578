/* fuzz-options.c - libFuzzer target for simpcon-test's command line parser.
 *
 * The input is split at NUL bytes into arguments (at most MAX_ARGS), after an argv[0], as the
 * kernel hands them to main. Beyond crashes, leaks and undefined behaviour, a successful parse
 * must leave a configuration the rest of the program can use as it is: what it points to lies
 * in argv or in the options' own storage (ASan reads every string), mount destinations are
 * absolute, and the parser leaves getopt's state such that parsing again gives the same. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

#define MAX_ARGS 64

#define CHECK(cond, what)                                            \
	do {                                                         \
		if (!(cond)) {                                       \
			fprintf(stderr, "fuzz-options: %s\n", what); \
			abort();                                     \
		}                                                    \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads every string the options hold, so that ASan sees one that points nowhere. */
static size_t touch(const char *s)
{
	return s ? strlen(s) : 0;
}

static void check_options(const struct sc_cli_options *o)
{
	size_t sum = 0;
	const struct sc_config *c = &o->config;
	sum += touch(o->busybox) + touch(o->archive) + touch(o->cache_dir) + touch(o->name) + touch(o->junit);
	sum += touch(o->filter) + touch(c->rootfs) + touch(c->hostname) + touch(c->domainname) + touch(c->chdir);
	sum += touch(o->expect.stdout_text) + touch(o->expect.stderr_text);
	sum += touch(o->expect.stdout_regex) + touch(o->expect.stderr_regex);
	for (size_t i = 0; i < c->n_mounts; i++) {
		CHECK(c->mounts[i].dest && c->mounts[i].dest[0] == '/', "a mount destination is not absolute");
		CHECK(!c->mounts[i].source || c->mounts[i].source[0] == '/', "a mount source is not absolute");
		sum += touch(c->mounts[i].source) + touch(c->mounts[i].dest);
	}
	for (size_t i = 0; c->env && c->env[i]; i++) {
		CHECK(strchr(c->env[i], '=') && c->env[i][0] != '=', "an environment entry is not NAME=VALUE");
		sum += touch(c->env[i]);
	}
	if (o->command == SC_CLI_RUN) {
		CHECK(c->argv && c->argv[0], "run without a command");
		for (size_t i = 0; c->argv[i]; i++)
			sum += touch(c->argv[i]);
	}
	if (o->command == SC_CLI_SUITE) {
		CHECK(o->n_files > 0, "a suite without files");
		for (size_t i = 0; i < o->n_files; i++)
			sum += touch(o->files[i]);
		for (size_t i = 0; i < o->n_run_args; i++)
			sum += touch(o->run_args[i]);
	}
	CHECK(!o->shard_n || (o->shard_k >= 1 && o->shard_k <= o->shard_n), "a shard out of range");
	CHECK(sum < SIZE_MAX, "unreachable");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the arguments live in one copy of the input, NUL-terminated */
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *argv[MAX_ARGS + 2] = { "simpcon-test" };
	int argc = 1;
	for (char *p = buf; argc <= MAX_ARGS && p <= buf + size; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;

	struct sc_cli_options o;
	struct sc_error err = { 0 };
	int r = sc_cli_parse(argc, argv, &o, &err);
	if (r == 0)
		check_options(&o);
	else
		CHECK(r == -EINVAL && err.message[0], "a failure other than -EINVAL, or without a message");
	enum sc_cli_command command = o.command;
	sc_cli_options_release(&o);

	/* getopt keeps global state between calls: the parser must reset it */
	struct sc_error again_err = { 0 };
	int again = sc_cli_parse(argc, argv, &o, &again_err);
	CHECK(again == r, "parsing the same arguments twice gives another result");
	CHECK(r < 0 || o.command == command, "parsing the same arguments twice gives another command");
	CHECK(r == 0 || !strcmp(err.message, again_err.message), "parsing twice gives another message");
	sc_cli_options_release(&o);
	free(buf);
	return 0;
}
