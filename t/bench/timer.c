/* timer.c - wall time of commands run interleaved, for `make bench`.
 *
 *   timer [-n N] [-w W] [-e ERRLOG] -- CMD [ARG...] [::: CMD [ARG...]]...
 *
 * Runs round after round: CMD 1, CMD 2, ..., CMD 1, CMD 2, ... (never all of one, then all of
 * the next, so a slow phase of the machine hits every command alike), W unmeasured rounds
 * first, then N measured ones. Each run is posix_spawn (vfork: no page-table copy) to reap,
 * with stdin and stdout on /dev/null and stderr appended to ERRLOG (default /dev/null). Leading
 * NAME=VALUE words of a command are added to its environment only, as in the shell.
 * Prints one line per command:
 *   cmd=1 n=200 median_ms=2.104 mean_ms=2.210 min_ms=1.801 max_ms=5.120 failed=0
 * failed counts runs that did not exit 0. Exit status 0, or 2 on a usage error, 3 when a
 * command could not be started at all. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* environ */
#endif
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_COMMANDS 16

extern char **environ;

struct command {
	char **argv;
	char **envp;
	char path[4096];
	uint64_t *took;
	long failed;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The PATH search happens once, here, not in every measured run. */
static int resolve(const char *name, char *buf, size_t size)
{
	if (strchr(name, '/'))
		return snprintf(buf, size, "%s", name) < (int)size ? 0 : -1;
	const char *path = getenv("PATH");
	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");
		struct stat st;
		if (n > 0 && snprintf(buf, size, "%.*s/%s", (int)n, p, name) < (int)size && stat(buf, &st) == 0 &&
		    S_ISREG(st.st_mode) && access(buf, X_OK) == 0)
			return 0;
		p += n + (p[n] == ':');
	}
	return -1;
}

/* environ plus the command's leading NAME=VALUE words (which replace the same names). */
static char **command_env(char **assign, int n_assign)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **envp = calloc(n + (size_t)n_assign + 1, sizeof(char *));
	if (!envp)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		int replaced = 0;
		for (int a = 0; a < n_assign && !replaced; a++) {
			size_t name = strcspn(assign[a], "=") + 1;
			replaced = !strncmp(environ[i], assign[a], name);
		}
		if (!replaced)
			envp[k++] = environ[i];
	}
	for (int a = 0; a < n_assign; a++)
		envp[k++] = assign[a];
	return envp;
}

static int is_assignment(const char *w)
{
	size_t name = strcspn(w, "=");
	return w[name] == '=' && name > 0 && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") == name;
}

static void run_once(struct command *c, posix_spawn_file_actions_t *fa, uint64_t *ret_took)
{
	pid_t pid;
	uint64_t start = now_ns();
	int r = posix_spawn(&pid, c->path, fa, NULL, c->argv, c->envp);
	if (r != 0) {
		fprintf(stderr, "timer: start '%s': %s\n", c->path, strerror(r));
		exit(3);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("timer: waitpid");
			exit(3);
		}
	uint64_t took = now_ns() - start;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		c->failed++;
	if (ret_took)
		*ret_took = took;
}

static int by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void report(int index, struct command *c, long n)
{
	long double sum = 0;
	for (long i = 0; i < n; i++)
		sum += c->took[i];
	qsort(c->took, (size_t)n, sizeof(*c->took), by_value);
	double median = n % 2 ? c->took[n / 2] : (c->took[n / 2 - 1] + c->took[n / 2]) / 2.0;
	printf("cmd=%d n=%ld median_ms=%.3f mean_ms=%.3f min_ms=%.3f max_ms=%.3f failed=%ld\n", index + 1, n,
	       median / 1e6, (double)(sum / n) / 1e6, c->took[0] / 1e6, c->took[n - 1] / 1e6, c->failed);
}

static _Noreturn void usage(void)
{
	fprintf(stderr, "usage: timer [-n N] [-w W] [-e ERRLOG] -- CMD [ARG...] [::: CMD [ARG...]]...\n");
	exit(2);
}

static long number(const char *s, long min)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end || v < min)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	long n = 200, warmup = 5;
	const char *errlog = "/dev/null";
	int i = 1;
	for (; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			n = number(argv[++i], 1);
		else if (!strcmp(argv[i], "-w") && i + 1 < argc)
			warmup = number(argv[++i], 0);
		else if (!strcmp(argv[i], "-e") && i + 1 < argc)
			errlog = argv[++i];
		else
			usage();
	}
	if (i >= argc - 1)
		usage();
	struct command cmds[MAX_COMMANDS] = { 0 };
	int n_cmds = 0;
	for (int start = i + 1; start < argc;) {
		int end = start;
		while (end < argc && strcmp(argv[end], ":::"))
			end++;
		if (n_cmds == MAX_COMMANDS)
			usage();
		struct command *c = &cmds[n_cmds++];
		int n_assign = 0;
		while (start + n_assign < end && is_assignment(argv[start + n_assign]))
			n_assign++;
		if (start + n_assign == end)
			usage();
		c->envp = command_env(argv + start, n_assign);
		c->argv = argv + start + n_assign;
		argv[end < argc ? end : argc] = NULL; /* ends this command's argv ("::: " or argv[argc]) */
		c->took = calloc((size_t)n, sizeof(uint64_t));
		if (!c->envp || !c->took) {
			perror("timer: allocate");
			return 3;
		}
		if (resolve(c->argv[0], c->path, sizeof(c->path)) < 0) {
			fprintf(stderr, "timer: '%s' not found\n", c->argv[0]);
			return 3;
		}
		start = end + 1;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	/* opened once; dup2 in the child clears O_CLOEXEC on 0-2 only */
	int null_in = open("/dev/null", O_RDONLY | O_CLOEXEC), null_out = open("/dev/null", O_WRONLY | O_CLOEXEC);
	int err_out = open(errlog, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (null_in < 0 || null_out < 0 || err_out < 0) {
		fprintf(stderr, "timer: open '/dev/null' or '%s': %s\n", errlog, strerror(errno));
		return 3;
	}
	posix_spawn_file_actions_adddup2(&fa, null_in, 0);
	posix_spawn_file_actions_adddup2(&fa, null_out, 1);
	posix_spawn_file_actions_adddup2(&fa, err_out, 2);
	for (long round = 0; round < warmup; round++)
		for (int c = 0; c < n_cmds; c++)
			run_once(&cmds[c], &fa, NULL);
	for (int c = 0; c < n_cmds; c++)
		cmds[c].failed = 0; /* a warm-up failure shows again in the measured rounds */
	for (long round = 0; round < n; round++)
		for (int c = 0; c < n_cmds; c++)
			run_once(&cmds[c], &fa, &cmds[c].took[round]);
	posix_spawn_file_actions_destroy(&fa);
	for (int c = 0; c < n_cmds; c++)
		report(c, &cmds[c], n);
	return 0;
}
