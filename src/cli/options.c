/* options.c - parsing simpcon-test's command line with getopt_long. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "error.h"
#include "options.h"
#include "regex.h"
#include "util.h"

enum {
	OPT_BUSYBOX = 0x100,
	OPT_ROOTFS,
	OPT_CACHE,
	OPT_HOSTNAME,
	OPT_BIND,
	OPT_RO_BIND,
	OPT_TMPFS,
	OPT_ENV,
	OPT_CHDIR,
	OPT_STDIN,
	OPT_UID,
	OPT_GID,
	OPT_TIMEOUT,
	OPT_NET,
	OPT_NAME,
	OPT_KEEP,
	OPT_OUTPUT_LIMIT,
	OPT_EXPECT_EXIT,
	OPT_EXPECT_STDOUT,
	OPT_EXPECT_STDERR,
	OPT_EXPECT_STDOUT_MATCH,
	OPT_EXPECT_STDERR_MATCH,
	OPT_VERSION,
	OPT_PRIVILEGED,
	OPT_INIT,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_TIME_OFFSET,
	OPT_DOMAINNAME,
	OPT_JUNIT,
	OPT_HOST_LIBS,
	OPT_HOST_SH,
	OPT_UPDATE,
	OPT_LIST,
	OPT_FILTER,
	OPT_SHARD,
	OPT_ARCHIVE,
	OPT_NO_CACHE,
	OPT_PIDS,
	OPT_MEMORY,
	OPT_CPU_TIME,
	OPT_COPY,
	OPT_FILE_ROOT,
	OPT_TRUST_FILES,
	OPT_SECCOMP,
	OPT_STORAGE,
	OPT_ARCHIVE_LIMIT,
	OPT_ARCHIVE_ENTRIES,
	OPT_ARCHIVE_RATIO,
	OPT_KERNEL,
	OPT_MODULES,
	OPT_QEMU,
	OPT_APPEND,
	OPT_CRAM,
	OPT_SHELL,
	OPT_FAILURE_STATUS,
	OPT_SKIP_STATUS,
};

static const struct option long_options[] = {
	{ "busybox", required_argument, NULL, OPT_BUSYBOX },
	{ "rootfs", required_argument, NULL, OPT_ROOTFS },
	{ "archive", required_argument, NULL, OPT_ARCHIVE },
	{ "archive-limit", required_argument, NULL, OPT_ARCHIVE_LIMIT },
	{ "archive-entries", required_argument, NULL, OPT_ARCHIVE_ENTRIES },
	{ "archive-ratio", required_argument, NULL, OPT_ARCHIVE_RATIO },
	{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
	{ "host-libs", no_argument, NULL, OPT_HOST_LIBS },
	{ "host-sh", no_argument, NULL, OPT_HOST_SH },
	{ "update", no_argument, NULL, OPT_UPDATE },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "filter", required_argument, NULL, OPT_FILTER },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "jobs", required_argument, NULL, 'j' },
	{ "cache", required_argument, NULL, OPT_CACHE },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "domainname", required_argument, NULL, OPT_DOMAINNAME },
	{ "bind", required_argument, NULL, OPT_BIND },
	{ "ro-bind", required_argument, NULL, OPT_RO_BIND },
	{ "tmpfs", required_argument, NULL, OPT_TMPFS },
	{ "copy", required_argument, NULL, OPT_COPY },
	{ "env", required_argument, NULL, OPT_ENV },
	{ "chdir", required_argument, NULL, OPT_CHDIR },
	{ "stdin", required_argument, NULL, OPT_STDIN },
	{ "uid", required_argument, NULL, OPT_UID },
	{ "gid", required_argument, NULL, OPT_GID },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "pids", required_argument, NULL, OPT_PIDS },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "cpu-time", required_argument, NULL, OPT_CPU_TIME },
	{ "net", required_argument, NULL, OPT_NET },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "junit", required_argument, NULL, OPT_JUNIT },
	{ "failure-status", required_argument, NULL, OPT_FAILURE_STATUS },
	{ "skip-status", required_argument, NULL, OPT_SKIP_STATUS },
	{ "keep", no_argument, NULL, OPT_KEEP },
	{ "output-limit", required_argument, NULL, OPT_OUTPUT_LIMIT },
	{ "expect-exit", required_argument, NULL, OPT_EXPECT_EXIT },
	{ "expect-stdout", required_argument, NULL, OPT_EXPECT_STDOUT },
	{ "expect-stderr", required_argument, NULL, OPT_EXPECT_STDERR },
	{ "expect-stdout-match", required_argument, NULL, OPT_EXPECT_STDOUT_MATCH },
	{ "expect-stderr-match", required_argument, NULL, OPT_EXPECT_STDERR_MATCH },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "privileged", no_argument, NULL, OPT_PRIVILEGED },
	{ "init", no_argument, NULL, OPT_INIT },
	{ "cap-add", required_argument, NULL, OPT_CAP_ADD },
	{ "cap-drop", required_argument, NULL, OPT_CAP_DROP },
	{ "time-offset", required_argument, NULL, OPT_TIME_OFFSET },
	{ "file-root", required_argument, NULL, OPT_FILE_ROOT },
	{ "trust-files", no_argument, NULL, OPT_TRUST_FILES },
	{ "cram", no_argument, NULL, OPT_CRAM },
	{ "shell", required_argument, NULL, OPT_SHELL },
	{ "seccomp", required_argument, NULL, OPT_SECCOMP },
	{ "storage", required_argument, NULL, OPT_STORAGE },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "modules", required_argument, NULL, OPT_MODULES },
	{ "qemu", required_argument, NULL, OPT_QEMU },
	{ "append", required_argument, NULL, OPT_APPEND },
	{ NULL, 0, NULL, 0 },
};

const char *sc_cli_usage(void)
{
	return "usage: simpcon-test run [OPTIONS] [--] CMD [ARG...]\n"
	       "       simpcon-test check [--busybox PATH] [--privileged] [--junit FILE] [-q|-v]\n"
	       "       simpcon-test check --kernel IMAGE [--modules DIR] [--qemu PATH] [--append ARGS]\n"
	       "       simpcon-test [suite] [OPTIONS] FILE.t...\n"
	       "       simpcon-test shell [OPTIONS] [-- CMD [ARG...]]\n"
	       "       simpcon-test shell [OPTIONS] FILE.t[:LINE]\n"
	       "       simpcon-test fixture build|list|prune [--busybox PATH|--archive FILE] [--cache DIR]\n"
	       "       simpcon-test --help | --version\n"
	       "\n"
	       "Runs CMD as PID 1 of a container with new user, pid, mount, uts, ipc, cgroup and net\n"
	       "namespaces, on a busybox root filesystem, and prints TAP: one point per isolation\n"
	       "check, then one per expectation.\n"
	       "\n"
	       "shell gives the container to a person: the same container as run, with the\n"
	       "caller's terminal on a terminal of the container's own (job control, ^C, window\n"
	       "size), running /bin/sh -i or CMD, with no --timeout unless given; it exits with the\n"
	       "shell's status. shell FILE.t[:LINE] opens the file's container and replays its\n"
	       "commands before LINE (default: before the first that fails) in the shell first.\n"
	       "\n"
	       "check verifies on the running kernel, in real containers and from the host, every\n"
	       "isolation and hardening property: one TAP point each, SKIP with the reason where the\n"
	       "kernel lacks a feature. With --privileged it checks a privileged container, whose\n"
	       "hardening points then fail.\n"
	       "\n"
	       "Another kernel (check only):\n"
	       "  --kernel IMAGE            boot IMAGE under QEMU with a generated initramfs and run\n"
	       "                            check in it (as root when run by root, else as a user);\n"
	       "                            its TAP is printed here\n"
	       "  --modules DIR             the kernel's lib/modules/VERSION, where loop and overlay\n"
	       "                            are loaded from (default: beside IMAGE when it is\n"
	       "                            ROOT/boot/vmlinuz-VERSION)\n"
	       "  --qemu PATH               QEMU (default: qemu-system-x86_64 on PATH)\n"
	       "  --append ARGS             more of the kernel command line, e.g. simpcon.no-overlay\n"
	       "\n"
	       "Fixture:\n"
	       "  --busybox PATH            busybox binary (default: $SIMPCON_BUSYBOX, configure's\n"
	       "                            --with-busybox, or busybox on PATH)\n"
	       "  --archive FILE            a root file system archive instead (tar, tar.gz, tar.xz,\n"
	       "                            tar.zst, tar.bz2, cpio, zip; read from the content)\n"
	       "  --archive-limit SIZE      most bytes an archive may unpack to, e.g. 4G (default: 1G)\n"
	       "  --archive-entries N       most entries an archive may hold (default: 100000)\n"
	       "  --archive-ratio N         most bytes an archive may unpack to per byte of it, once\n"
	       "                            past 64M (default: 100; 0: no limit)\n"
	       "  --rootfs DIR              use DIR as the root instead (never modified)\n"
	       "  --no-cache                build a private fixture for this run (or suite), removed\n"
	       "                            after it\n"
	       "  --host-libs               the host's /usr, /lib, /lib64 read-only over the fixture,\n"
	       "                            for dynamically linked programs; in /bin, /sbin, /usr/bin,\n"
	       "                            /usr/sbin the host's commands first, then the fixture's;\n"
	       "                            sh stays the fixture's; /etc/alternatives, ld.so.cache\n"
	       "  --host-sh                 --host-libs, and sh (/bin/sh) the host's too\n"
	       "  --cache DIR               fixture cache (default: $SIMPCON_CACHE, ~/.cache/simpcon,\n"
	       "                            /var/cache/simpcon for root)\n"
	       "Container:\n"
	       "  --hostname NAME           hostname inside (default: simpcon)\n"
	       "  --domainname NAME         NIS domain name inside\n"
	       "  --bind SRC[:DST][:ro]     bind-mount host path SRC at DST (default DST = SRC)\n"
	       "  --ro-bind SRC DST         the same, read-only\n"
	       "  --tmpfs DST               a fresh tmpfs at DST\n"
	       "  --copy SRC[:DST]          a copy of the file SRC at DST (default DST = SRC)\n"
	       "  --env NAME=VALUE          add to the environment (PATH, HOME, LC_ALL=C, TERM=dumb);\n"
	       "                            NAME alone: simpcon-test's own value, if set\n"
	       "  --chdir DIR               working directory inside (default: /)\n"
	       "  --stdin FILE              the command reads FILE, or with '-' simpcon-test's own\n"
	       "                            stdin (default: /dev/null)\n"
	       "  --uid N, --gid N          ids of the command inside (default: 0)\n"
	       "  --net none|host           new network namespace with lo (default) or the host's\n"
	       "  --timeout SECONDS         SIGKILL the container after this long (default: 60; 0: never)\n"
	       "  --output-limit BYTES      output kept per stream (default: 1048576)\n"
	       "  --pids N                  at most N processes (cgroup v2 or v1 pids, else RLIMIT_NPROC)\n"
	       "  --memory BYTES            memory limit, e.g. 64M (cgroup v2 or v1 memory, else RLIMIT_AS)\n"
	       "  --cpu-time SECONDS        CPU seconds per process (RLIMIT_CPU: SIGKILL when used up)\n"
	       "  --storage BYTES           what each tmpfs of the run (the root's writes, /dev/shm,\n"
	       "                            --tmpfs) holds, e.g. 256M (default: --memory, else 1G)\n"
	       "  --keep                    keep the run directory with the container's writes\n"
	       "  --init                    a small init as PID 1 that forwards signals to CMD (then\n"
	       "                            PID 2) and reaps orphans; death by signal N: exit 128+N\n"
	       "  --time-offset SECONDS     a time namespace: monotonic and boottime clocks moved by\n"
	       "                            SECONDS (may be negative; CLOCK_REALTIME is never isolated)\n"
	       "  --cap-add CAP, --cap-drop CAP\n"
	       "                            keep or drop a capability (CAP_NET_ADMIN, net_admin, ALL)\n"
	       "                            beyond docker's default set\n"
	       "  --seccomp FILE|unconfined the system call filter: a profile file's rules, or none\n"
	       "                            (default: the built-in profile; README lists it)\n"
	       "  --privileged              turn the hardening off: all capabilities, /proc unmasked,\n"
	       "                            nested user namespaces allowed, no built-in seccomp\n"
	       "                            profile (container root is still not host root)\n"
	       "Expectations (each adds a TAP point):\n"
	       "  --expect-exit N           exit status (default: 0)\n"
	       "  --expect-stdout TEXT      stdout equals TEXT (a final newline is ignored)\n"
	       "  --expect-stderr TEXT      stderr equals TEXT\n"
	       "  --expect-stdout-match RE  stdout has a match of RE (Python re syntax; ^ $: lines)\n"
	       "  --expect-stderr-match RE  stderr contains a match of RE\n"
	       "Output:\n"
	       "  --name TEXT               prefix of every point's description\n"
	       "  --junit FILE              also write the points as a JUnit XML report\n"
	       "  --failure-status N        exit status when a point failed (default 1; meson: 0)\n"
	       "  --skip-status N           exit status when every point was skipped (default 0;\n"
	       "                            CTest's SKIP_RETURN_CODE: 77)\n"
	       "  -q, --quiet               YAML diagnostics only for failed points\n"
	       "  -v, --verbose             also what every isolation check observed\n"
	       "\n"
	       "Transcript files (suite):\n"
	       "  --update                  rewrite each file with the actual output\n"
	       "  --list                    print the points the files would produce, run nothing\n"
	       "  --filter RE               run only the commands whose point description matches\n"
	       "  --shard K/N               run the K-th of N deterministic slices of the files\n"
	       "  -j, --jobs N              run up to N files at once, each in its own container\n"
	       "                            (default 1; 0: one per CPU); the stream keeps their order\n"
	       "  --file-root DIR[:rw]      host paths the files' 'simpcon:' lines may bind, copy or\n"
	       "                            read, besides each file's own directory (read-only\n"
	       "                            unless :rw)\n"
	       "  --trust-files             let 'simpcon:' lines ask anything the command line can\n"
	       "                            (host paths, --privileged, --busybox run on the host...)\n"
	       "  --cram                    cram's environment, matching and skips: TESTDIR and the\n"
	       "                            current directory bound read-only, CRAMTMP, LANG=C...,\n"
	       "                            stdin a pipe, a file exiting 80 skipped\n"
	       "  (a directory among the files is searched for *.t, as cram searches it)\n"
	       "  --shell PATH              the shell inside that runs the commands (default /bin/sh)\n"
	       "  (run options given here apply to every file; its own 'simpcon:' lines may only\n"
	       "  narrow them: see 'Threat model' in the README)\n"
	       "\n"
	       "Exit status: 0 all points ok, 1 a point failed (--failure-status), 2 usage error,\n"
	       "3 the harness failed (also printed as 'Bail out!').\n";
}

char *sc_cli_keep(struct sc_cli_options *o, char *s)
{
	if (!s)
		return NULL;
	char **more = realloc(o->strings, (o->n_strings + 1) * sizeof(*more));
	if (!more) {
		free(s);
		return NULL;
	}
	o->strings = more;
	o->strings[o->n_strings++] = s;
	return s;
}

/* Host paths are made absolute: the container's setup resolves them from another cwd. */
static const char *absolute(struct sc_cli_options *o, const char *path)
{
	if (path[0] == '/')
		return path;
	char cwd[PATH_MAX];
	char *abs = NULL;
	if (!getcwd(cwd, sizeof(cwd)) || asprintf(&abs, "%s/%s", cwd, path) < 0)
		return NULL;
	return sc_cli_keep(o, abs);
}

static int add_mount(struct sc_cli_options *o, const char *source, const char *dest, bool readonly,
		     struct sc_error *err)
{
	struct sc_mount *more = realloc(o->mounts, (o->config.n_mounts + 1) * sizeof(*more));
	if (!more)
		return sc_error_set(err, ENOMEM, "add a mount");
	o->mounts = more;
	const char *given = source;
	if (source && !(source = absolute(o, given)))
		return sc_error_set(err, ENOMEM, "resolve '%s'", given);
	o->mounts[o->config.n_mounts++] = (struct sc_mount){ .source = source, .dest = dest, .readonly = readonly };
	o->config.mounts = o->mounts;
	return 0;
}

/* "SRC", "SRC:DST", "SRC:DST:ro", "SRC:DST:rw" */
static int parse_bind(struct sc_cli_options *o, const char *spec, bool readonly, const char *option,
		      struct sc_error *err)
{
	char *copy = sc_cli_keep(o, strdup(spec));
	if (!copy)
		return sc_error_set(err, ENOMEM, "parse %s", option);
	char *dest = strchr(copy, ':');
	if (dest) {
		*dest++ = '\0';
		char *mode = strchr(dest, ':');
		if (mode) {
			*mode++ = '\0';
			if (!strcmp(mode, "ro"))
				readonly = true;
			else if (strcmp(mode, "rw"))
				return sc_error_setf(err, EINVAL, "%s '%s': mode '%s' is not ro or rw", option, spec, mode);
		}
	}
	if (!*copy)
		return sc_error_setf(err, EINVAL, "%s '%s': the source is empty (use SRC[:DST][:ro])", option, spec);
	if (!dest || !*dest)
		dest = copy;
	if (dest[0] != '/')
		return sc_error_setf(err, EINVAL, "%s '%s': destination '%s' must be absolute", option, spec, dest);
	return add_mount(o, copy, dest, readonly, err);
}

static int parse_number(const char *text, const char *option, unsigned long max, unsigned long *ret,
			struct sc_error *err)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v > max)
		return sc_error_setf(err, EINVAL, "%s '%s': expected a whole number from 0 to %lu", option, text, max);
	*ret = v;
	return 0;
}

static int parse_timeout(const char *text, unsigned *ret_ms, struct sc_error *err)
{
	char *end;
	errno = 0;
	double s = strtod(text, &end);
	if (errno || end == text || *end || !(s >= 0) || s > 7 * 24 * 3600)
		return sc_error_setf(err, EINVAL, "--timeout '%s': expected seconds, e.g. 30 or 0.5 (0: no timeout)", text);
	*ret_ms = (unsigned)(s * 1000 + 0.5);
	if (s > 0 && *ret_ms == 0)
		*ret_ms = 1;
	return 0;
}

/* "64M", "1G", "65536": bytes with an optional K, M or G (powers of 1024), at least 1M. */
static int parse_bytes(const char *text, const char *option, uint64_t *ret, struct sc_error *err)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	unsigned shift = 0;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (errno || end == text || *end || text[0] == '-' || v == 0 || v > (1ULL << 50) >> shift || (v << shift) < (1 << 20))
		return sc_error_setf(err, EINVAL, "%s '%s': expected bytes of at least 1M, e.g. 64M or 1G", option, text);
	*ret = (uint64_t)v << shift;
	return 0;
}

/* --file-root DIR[:rw]: resolved now, from the caller's directory, to the path the kernel sees */
static int add_file_root(struct sc_cli_options *o, const char *spec, struct sc_error *err)
{
	_cleanup_free_ char *dir = strdup(spec);
	if (!dir)
		return sc_error_set(err, ENOMEM, "--file-root '%s'", spec);
	size_t len = strlen(dir);
	bool writable = len > 3 && !strcmp(dir + len - 3, ":rw");
	if (writable)
		dir[len - 3] = '\0';
	char *path = sc_cli_keep(o, realpath(dir, NULL));
	struct stat st;
	if (!path || stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return sc_error_setf(err, EINVAL, "--file-root '%s': not a directory (give DIR or DIR:rw)", spec);
	struct sc_file_root *more = realloc(o->file_roots, (o->n_file_roots + 1) * sizeof(*more));
	if (!more)
		return sc_error_set(err, ENOMEM, "--file-root '%s'", spec);
	o->file_roots = more;
	o->file_roots[o->n_file_roots++] = (struct sc_file_root){ .path = path, .writable = writable };
	return 0;
}

/* --env NAME=VALUE, or --env NAME: the harness's own value of NAME, when it has one (a CI
 * job's PYTHONPATH, say: cram passes its whole environment on, the container only what is
 * named). */
static int add_env(struct sc_cli_options *o, const char *entry, struct sc_error *err)
{
	if (!entry[0] || entry[0] == '=')
		return sc_error_setf(err, EINVAL, "--env '%s': expected NAME=VALUE, or NAME for the harness's own value", entry);
	if (!strchr(entry, '=')) {
		const char *value = getenv(entry);
		if (!value)
			return 0;
		char *both = NULL;
		if (asprintf(&both, "%s=%s", entry, value) < 0 || !(entry = sc_cli_keep(o, both)))
			return sc_error_set(err, ENOMEM, "add --env");
	}
	const char **more = realloc(o->env, (o->n_env + 2) * sizeof(*more));
	if (!more)
		return sc_error_set(err, ENOMEM, "add --env");
	o->env = more;
	o->env[o->n_env++] = entry;
	o->env[o->n_env] = NULL;
	o->config.env = o->env;
	return 0;
}

static int apply(struct sc_cli_options *o, int opt, const char *arg, struct sc_error *err)
{
	unsigned long n;
	int r = 0;
	switch (opt) {
	case OPT_BUSYBOX: o->busybox = arg; break;
	case OPT_ROOTFS:
		if (!(o->config.rootfs = absolute(o, arg)))
			return sc_error_set(err, ENOMEM, "resolve '%s'", arg);
		break;
	case OPT_CACHE: o->cache_dir = arg; break;
	case OPT_NO_CACHE: o->no_cache = true; break;
	case OPT_ARCHIVE:
		if (!(o->archive = absolute(o, arg)))
			return sc_error_set(err, ENOMEM, "resolve '%s'", arg);
		break;
	case OPT_HOST_LIBS: o->config.host_libs = true; break;
	case OPT_HOST_SH: o->config.host_libs = o->config.host_sh = true; break;
	case OPT_SECCOMP:
		if (!*arg)
			return sc_error_setf(err, EINVAL, "--seccomp '': expected a profile file or 'unconfined'");
		if (!(o->config.seccomp = strcmp(arg, "unconfined") ? absolute(o, arg) : arg))
			return sc_error_set(err, ENOMEM, "resolve '%s'", arg);
		break;
	case OPT_FILE_ROOT: return add_file_root(o, arg, err);
	case OPT_TRUST_FILES: o->trust_files = true; break;
	case OPT_CRAM: o->cram = true; break;
	case OPT_SHELL:
		if (!arg[0])
			return sc_error_setf(err, EINVAL, "--shell '': expected the shell that runs the files' commands, e.g. /bin/bash");
		o->shell = arg;
		break;
	case OPT_UPDATE: o->update = true; break;
	case OPT_LIST: o->list = true; break;
	case 'j': {
		char *end = NULL;
		errno = 0;
		unsigned long jobs = strtoul(arg, &end, 10);
		if (!*arg || *end || errno || arg[0] == '-' || jobs > SC_CLI_JOBS_MAX)
			return sc_error_setf(err, EINVAL, "--jobs '%s': expected how many files run at once, 1 to %d (0: one per CPU)",
					     arg, SC_CLI_JOBS_MAX);
		o->jobs = jobs ? (unsigned)jobs : sc_cli_cpus();
		break;
	}
	case OPT_FILTER: o->filter = arg; break;
	case OPT_SHARD: {
		unsigned k, of;
		int end = 0;
		if (sscanf(arg, "%u/%u%n", &k, &of, &end) != 2 || arg[end] || of == 0 || k == 0 || k > of)
			return sc_error_setf(err, EINVAL, "--shard '%s': expected K/N with 1 <= K <= N, e.g. 2/4", arg);
		o->shard_k = k;
		o->shard_n = of;
		break;
	}
	case OPT_HOSTNAME: o->config.hostname = arg; break;
	case OPT_DOMAINNAME: o->config.domainname = arg; break;
	case OPT_BIND: return parse_bind(o, arg, false, "--bind", err);
	case OPT_COPY: {
		int q = parse_bind(o, arg, false, "--copy", err);
		if (q == 0)
			o->mounts[o->config.n_mounts - 1].copy = true;
		return q;
	}
	case OPT_TMPFS:
		if (arg[0] != '/')
			return sc_error_setf(err, EINVAL, "--tmpfs '%s': the destination must be absolute", arg);
		return add_mount(o, NULL, arg, false, err);
	case OPT_ENV: return add_env(o, arg, err);
	case OPT_CHDIR:
		if (arg[0] != '/')
			return sc_error_setf(err, EINVAL, "--chdir '%s': give an absolute path inside the container", arg);
		o->config.chdir = arg;
		break;
	case OPT_STDIN:
		/* made absolute now: a transcript's "simpcon:" paths are relative to its file */
		if (!(o->config.stdin_file = strcmp(arg, "-") ? absolute(o, arg) : "-"))
			return sc_error_set(err, ENOMEM, "--stdin '%s'", arg);
		break;
	case OPT_UID:
		if ((r = parse_number(arg, "--uid", 65535, &n, err)) == 0)
			o->config.uid = (uid_t)n;
		break;
	case OPT_GID:
		if ((r = parse_number(arg, "--gid", 65535, &n, err)) == 0)
			o->config.gid = (gid_t)n;
		break;
	case OPT_TIMEOUT: return parse_timeout(arg, &o->config.timeout_ms, err);
	case OPT_PIDS:
		if ((r = parse_number(arg, "--pids", 1UL << 22, &n, err)) == 0 && n == 0)
			r = sc_error_setf(err, EINVAL, "--pids '%s': at least 1", arg);
		o->config.pids_max = n;
		break;
	case OPT_MEMORY: return parse_bytes(arg, "--memory", &o->config.memory_max, err);
	case OPT_STORAGE: return parse_bytes(arg, "--storage", &o->config.storage_max, err);
	case OPT_ARCHIVE_LIMIT: return parse_bytes(arg, "--archive-limit", &o->archive_limit, err);
	case OPT_ARCHIVE_ENTRIES:
		if ((r = parse_number(arg, "--archive-entries", UINT32_MAX, &n, err)) == 0 && n == 0)
			r = sc_error_setf(err, EINVAL, "--archive-entries '%s': at least 1", arg);
		if (r == 0)
			o->archive_entries = n;
		break;
	case OPT_ARCHIVE_RATIO:
		if ((r = parse_number(arg, "--archive-ratio", UINT32_MAX, &n, err)) == 0)
			o->archive_ratio = n ? n : SC_ARCHIVE_RATIO_NONE;
		break;
	case OPT_CPU_TIME:
		if ((r = parse_number(arg, "--cpu-time", 1UL << 20, &n, err)) == 0 && n == 0)
			r = sc_error_setf(err, EINVAL, "--cpu-time '%s': at least 1 second", arg);
		o->config.cpu_seconds = (unsigned)n;
		break;
	case OPT_NET:
		if (!strcmp(arg, "none"))
			o->config.net = SC_NET_NONE;
		else if (!strcmp(arg, "host"))
			o->config.net = SC_NET_HOST;
		else
			return sc_error_setf(err, EINVAL, "--net '%s': expected none or host", arg);
		break;
	case OPT_KERNEL: o->kernel = arg; break;
	case OPT_MODULES: o->modules = arg; break;
	case OPT_QEMU: o->qemu = arg; break;
	case OPT_APPEND: o->append = arg; break;
	case OPT_NAME: o->name = arg; break;
	case OPT_JUNIT: o->junit = arg; break;
	case OPT_FAILURE_STATUS:
	case OPT_SKIP_STATUS:
		if ((r = parse_number(arg, opt == OPT_FAILURE_STATUS ? "--failure-status" : "--skip-status", 255, &n, err)) == 0)
			*(opt == OPT_FAILURE_STATUS ? &o->failure_status : &o->skip_status) = (int)n;
		break;
	case OPT_KEEP: o->config.keep = true; break;
	case OPT_OUTPUT_LIMIT:
		if ((r = parse_number(arg, "--output-limit", 1UL << 30, &n, err)) == 0)
			o->config.output_limit = n;
		break;
	case OPT_EXPECT_EXIT:
		if ((r = parse_number(arg, "--expect-exit", 255, &n, err)) == 0)
			o->expect.exit_status = (int)n;
		break;
	case OPT_EXPECT_STDOUT: o->expect.stdout_text = arg; break;
	case OPT_EXPECT_STDERR: o->expect.stderr_text = arg; break;
	case OPT_EXPECT_STDOUT_MATCH: o->expect.stdout_regex = arg; break;
	case OPT_EXPECT_STDERR_MATCH: o->expect.stderr_regex = arg; break;
	case 'q': o->verbosity = SC_VERBOSITY_QUIET; break;
	case 'v': o->verbosity = SC_VERBOSITY_VERBOSE; break;
	case 'h': o->command = SC_CLI_HELP; break;
	case OPT_VERSION: o->command = SC_CLI_VERSION; break;
	case OPT_PRIVILEGED: o->config.privileged = true; break;
	case OPT_INIT: o->config.init = true; break;
	case OPT_TIME_OFFSET: {
		char *end;
		errno = 0;
		long long v = strtoll(arg, &end, 10);
		if (errno || end == arg || *end || v == 0 || v > 10LL * 365 * 86400 || v < -10LL * 365 * 86400)
			return sc_error_setf(err, EINVAL, "--time-offset '%s': expected a non-zero whole number of seconds", arg);
		o->config.time_offset_s = v;
		break;
	}
	case OPT_CAP_ADD:
	case OPT_CAP_DROP: {
		uint64_t mask;
		if (sc_caps_parse(arg, &mask) < 0)
			return sc_error_setf(err, EINVAL, "%s '%s': not a capability name (e.g. CAP_NET_ADMIN, net_admin, ALL)",
					     opt == OPT_CAP_ADD ? "--cap-add" : "--cap-drop", arg);
		if (opt == OPT_CAP_ADD)
			o->config.cap_add |= mask;
		else
			o->config.cap_drop |= mask;
		break;
	}
	default: return sc_error_setf(err, EINVAL, "unexpected option");
	}
	return r;
}

static int unknown_option(char **argv, int index, int optopt, struct sc_error *err)
{
	const char *arg = index > 0 ? argv[index - 1] : "?";
	for (const struct option *lo = long_options; lo->name; lo++)
		if (optopt == lo->val && lo->has_arg == required_argument)
			return sc_error_setf(err, EINVAL, "option '--%s' needs a value (see simpcon-test --help)", lo->name);
	if (optopt == 0 || optopt >= 0x100)
		return sc_error_setf(err, EINVAL, "unknown option '%s' (see simpcon-test --help)", arg);
	return sc_error_setf(err, EINVAL, "unknown option '-%c' (see simpcon-test --help)", optopt);
}

/* Keeps the option as given, by its long name, for the rules on a file's options. */
static int record_given(struct sc_cli_options *o, int opt, int index, const char *arg, struct sc_error *err)
{
	struct sc_cli_given *more = realloc(o->given, (o->n_given + 1) * sizeof(*more));
	if (!more)
		return sc_error_set(err, ENOMEM, "parse the options");
	o->given = more;
	const char *name = opt == 'q' ? "quiet" : opt == 'v' ? "verbose" : opt == 'h' ? "help" : opt == 'j' ? "jobs" : long_options[index].name;
	o->given[o->n_given++] = (struct sc_cli_given){ .name = name, .arg = arg };
	return 0;
}

/* Options whose value is a path on the host. */
static bool host_path_option(int opt)
{
	return opt == OPT_BIND || opt == OPT_RO_BIND || opt == OPT_COPY || opt == OPT_STDIN || opt == OPT_ROOTFS ||
	       opt == OPT_ARCHIVE || opt == OPT_BUSYBOX || opt == OPT_CACHE || opt == OPT_KERNEL || opt == OPT_MODULES ||
	       opt == OPT_QEMU;
}

/* A suite parses its command line's options again for each file, from the file's directory
 * (where the file's own "simpcon:" paths start): a relative host path given on the command line
 * is the caller's, so the word holding it is rewritten with the caller's directory in front
 * (for SRC[:DST] forms, SRC is the front). words: a copy of argv made on the first rewrite. */
static int absolute_word(struct sc_cli_options *o, char **argv, int argc, int first, int last, const char *value,
			 char ***words, struct sc_error *err)
{
	for (int i = first; i < last; i++) {
		size_t len = strlen(argv[i]);
		if (value < argv[i] || value > argv[i] + len)
			continue;
		const char *path = absolute(o, value);
		char *word = NULL;
		if (!path || asprintf(&word, "%.*s%s", (int)(value - argv[i]), argv[i], path) < 0 || !sc_cli_keep(o, word))
			return sc_error_set(err, errno ? errno : ENOMEM, "make '%s' absolute", value);
		if (!*words) {
			if (!(*words = calloc((size_t)argc + 1, sizeof(**words))))
				return sc_error_set(err, ENOMEM, "parse the options");
			memcpy(*words, argv, (size_t)argc * sizeof(*argv));
		}
		(*words)[i] = word;
		return 0;
	}
	return 0;
}

/* Options of the suite itself, not of the containers it runs. */
static bool suite_only(int opt)
{
	return opt == OPT_UPDATE || opt == OPT_LIST || opt == OPT_FILTER || opt == OPT_SHARD || opt == 'j' || opt == OPT_JUNIT ||
	       opt == OPT_FILE_ROOT || opt == OPT_TRUST_FILES || opt == OPT_CRAM || opt == OPT_SHELL ||
	       opt == OPT_FAILURE_STATUS || opt == OPT_SKIP_STATUS;
}

/* The options before the files, less the suite's own (marked in skip), as words to parse again
 * for each file (from words, where relative paths were made absolute, when there is one).
 * Returns 0 or -ENOMEM. */
static int keep_run_args(struct sc_cli_options *o, char **sub_argv, char **words, const bool *skip)
{
	o->run_args = calloc((size_t)optind, sizeof(*o->run_args));
	if (!o->run_args)
		return -ENOMEM;
	for (int i = 1; i < optind; i++)
		if (!skip[i])
			o->run_args[o->n_run_args++] = words ? words[i] : sub_argv[i];
	return 0;
}

/* What follows the options are the files; the options themselves (less the suite's own, marked
 * in skip as getopt saw them, abbreviated or not) are kept to be applied to every file's
 * container before the file's own "simpcon:" options. */
static int suite_files(struct sc_cli_options *o, int sub_argc, char **sub_argv, char **words, const bool *skip,
		       struct sc_error *err)
{
	if (optind >= sub_argc)
		return sc_error_setf(err, EINVAL, "no transcript file: use 'simpcon-test suite [OPTIONS] FILE.t...'");
	if (o->update && (o->filter || o->shard_n))
		return sc_error_setf(err, EINVAL, "--update rewrites whole files: it cannot be combined with --filter or --shard");
	o->files = sub_argv + optind;
	o->n_files = (size_t)(sub_argc - optind);
	if (keep_run_args(o, sub_argv, words, skip) < 0)
		return sc_error_set(err, ENOMEM, "parse the options");
	if (o->filter) {
		struct sc_error why = { 0 };
		int r = sc_regex_compile(o->filter, strlen(o->filter), 0, &o->filter_re, &why);
		if (r < 0)
			return sc_error_setf(err, -r, "--filter regex '%s': %s", o->filter, why.message);
	}
	return 0;
}

/* shell's command when none is given */
const char *const sc_cli_default_shell[] = { "/bin/sh", "-i", NULL };

/* A word that names a transcript file, with a line or not: "x.t", "dir/x.t:12". */
static bool file_word(const char *w, unsigned *ret_line)
{
	size_t len = strlen(w);
	const char *colon = strrchr(w, ':');
	*ret_line = 0;
	if (colon && colon - w > 2 && !strncmp(colon - 2, ".t", 2) && colon[1]) {
		char *end;
		errno = 0;
		unsigned long line = strtoul(colon + 1, &end, 10);
		if (*end || errno || line == 0 || line > UINT_MAX || colon[1] == '-' || colon[1] == '+')
			return false;
		*ret_line = (unsigned)line;
		return true;
	}
	return len > 2 && !strcmp(w + len - 2, ".t");
}

/* shell [OPTIONS] [-- CMD...] | shell [OPTIONS] FILE.t[:LINE]: what the shell runs, and the run
 * options a file's own lines are checked against (as a suite's). */
static int shell_target(struct sc_cli_options *o, int sub_argc, char **sub_argv, char **words, const bool *skip,
			struct sc_error *err)
{
	if (o->update || o->list || o->filter || o->shard_n || o->jobs)
		return sc_error_setf(err, EINVAL, "--update, --list, --filter, --shard and --jobs apply to suites, not to shell");
	for (size_t i = 0; i < o->n_given; i++)
		if (!strcmp(o->given[i].name, "stdin") || !strcmp(o->given[i].name, "junit") ||
		    !strncmp(o->given[i].name, "expect-", 7) || !strcmp(o->given[i].name, "output-limit") ||
		    !strcmp(o->given[i].name, "failure-status") || !strcmp(o->given[i].name, "skip-status"))
			return sc_error_setf(err, EINVAL, "--%s has no meaning for shell: the terminal is its input and output",
					     o->given[i].name);
	bool dashes = optind > 1 && !strcmp(sub_argv[optind - 1], "--");
	unsigned line = 0;
	if (optind < sub_argc && !dashes && file_word(sub_argv[optind], &line)) {
		if (optind + 1 < sub_argc)
			return sc_error_setf(err, EINVAL, "unexpected argument '%s' after the file: shell [OPTIONS] FILE.t[:LINE]",
					     sub_argv[optind + 1]);
		const char *word = sub_argv[optind], *colon = line ? strrchr(word, ':') : NULL;
		if (!(o->shell_file = sc_cli_keep(o, colon ? strndup(word, (size_t)(colon - word)) : strdup(word))))
			return sc_error_set(err, ENOMEM, "parse the options");
		o->shell_line = line;
		return keep_run_args(o, sub_argv, words, skip) < 0 ? sc_error_set(err, ENOMEM, "parse the options") : 0;
	}
	if (o->n_file_roots || o->trust_files)
		return sc_error_setf(err, EINVAL, "--file-root and --trust-files apply to a file: shell [OPTIONS] FILE.t[:LINE]");
	if (optind < sub_argc && !dashes && sub_argv[optind][0] == '-')
		return unknown_option(sub_argv, optind, sub_argv[optind][1], err);
	o->config.argv = optind < sub_argc ? (const char *const *)(sub_argv + optind) : sc_cli_default_shell;
	return 0;
}

/* check --kernel runs check in a machine of its own: the options that name this host's files
 * for check's containers or its report have no meaning there. */
static int kernel_options(const struct sc_cli_options *o, struct sc_error *err)
{
	if (o->command != SC_CLI_CHECK)
		return sc_error_setf(err, EINVAL, "--kernel, --modules, --qemu and --append apply to check: "
						  "use 'simpcon-test check --kernel IMAGE'");
	if (!o->kernel)
		return sc_error_setf(err, EINVAL, "--modules, --qemu and --append need --kernel IMAGE");
	if (o->config.rootfs || o->archive || o->junit || o->cache_dir || o->no_cache)
		return sc_error_setf(err, EINVAL, "check --kernel builds its fixture inside the machine: --rootfs, --archive, "
						  "--cache, --no-cache and --junit cannot be given with it");
	return 0;
}

int sc_cli_parse(int argc, char **argv, struct sc_cli_options *o, struct sc_error *err)
{
	int r;
	*o = (struct sc_cli_options){ .config = SC_CONFIG_INIT, .verbosity = SC_VERBOSITY_NORMAL, .failure_status = 1 };
	int first = 1;
	size_t n1 = argc > 1 ? strlen(argv[1]) : 0;
	if (argc > 1 && !strcmp(argv[1], "run"))
		first = 2;
	else if (argc > 1 && !strcmp(argv[1], "check")) {
		first = 2;
		o->command = SC_CLI_CHECK;
	} else if (argc > 1 && !strcmp(argv[1], "fixture")) {
		static const char *const verbs[] = { "build", "list", "prune" };
		static const enum sc_cli_command commands[] = { SC_CLI_FIXTURE_BUILD, SC_CLI_FIXTURE_LIST, SC_CLI_FIXTURE_PRUNE };
		for (size_t i = 0; argc > 2 && i < SC_ELEMENTSOF(verbs); i++)
			if (!strcmp(argv[2], verbs[i]))
				o->command = commands[i];
		if (o->command == SC_CLI_RUN)
			return sc_error_setf(err, EINVAL, "fixture needs build, list or prune: simpcon-test fixture build|list|prune");
		first = 3;
	} else if (argc > 1 && !strcmp(argv[1], "shell")) {
		first = 2;
		o->command = SC_CLI_SHELL;
	} else if (argc > 1 && !strcmp(argv[1], "suite")) {
		first = 2;
		o->command = SC_CLI_SUITE;
	} else if (n1 > 2 && !strcmp(argv[1] + n1 - 2, ".t")) {
		o->command = SC_CLI_SUITE; /* simpcon-test FILE.t...: how automake's LOG_COMPILER calls it */
	} else if (argc > 1 && argv[1][0] != '-')
		return sc_error_setf(err, EINVAL, "unknown command '%s' (see simpcon-test --help)", argv[1]);
	/* "+": options end at CMD, so the command's own options stay its own */
	optind = 0;
	opterr = 0;
	int sub_argc = argc - first + 1;
	char **sub_argv = argv + first - 1;
	_cleanup_free_ bool *skip = calloc((size_t)sub_argc + 1, sizeof(*skip));
	_cleanup_free_ char **words = NULL; /* sub_argv with the caller's relative paths made absolute */
	if (!skip)
		return sc_error_set(err, ENOMEM, "parse the options");
	for (;;) {
		int index = 0, at = optind > 0 ? optind : 1;
		int opt = getopt_long(sub_argc, sub_argv, "+qvhj:", long_options, &index);
		if (opt == -1)
			break;
		/* "+" keeps argv in order: this option took the words from at to optind */
		for (int i = at; suite_only(opt) && i < optind; i++)
			skip[i] = true;
		if (opt == '?' || opt == ':')
			return unknown_option(sub_argv, optind, optopt, err);
		r = record_given(o, opt, index, optarg, err);
		if (r < 0)
			return r;
		if (opt == OPT_RO_BIND) {
			/* bubblewrap's spelling: two arguments, so paths may hold ':' */
			if (optind >= sub_argc)
				return sc_error_setf(err, EINVAL, "--ro-bind needs SRC and DST: --ro-bind SRC DST");
			const char *dest = sub_argv[optind++];
			if (!optarg[0])
				return sc_error_setf(err, EINVAL, "--ro-bind '' '%s': the source is empty", dest);
			if (dest[0] != '/')
				return sc_error_setf(err, EINVAL, "--ro-bind '%s' '%s': DST must be absolute", optarg, dest);
			r = add_mount(o, optarg, dest, true, err);
		} else {
			r = apply(o, opt, optarg, err);
		}
		if (r < 0)
			return r;
		if (host_path_option(opt) && optarg[0] && optarg[0] != '/' && strcmp(optarg, "-") &&
		    (r = absolute_word(o, sub_argv, sub_argc, at, optind, optarg, &words, err)) < 0)
			return r;
	}
	/* "simpcon-test [OPTIONS] FILE.t...": automake's LOG_COMPILER puts its flags first */
	if (first == 1 && o->command == SC_CLI_RUN && optind < sub_argc) {
		size_t len = strlen(sub_argv[optind]);
		if (len > 2 && !strcmp(sub_argv[optind] + len - 2, ".t"))
			o->command = SC_CLI_SUITE;
	}
	if (o->command == SC_CLI_SHELL)
		return shell_target(o, sub_argc, sub_argv, words, skip, err);
	if (o->command != SC_CLI_SUITE &&
	    (o->update || o->list || o->filter || o->shard_n || o->jobs || o->n_file_roots || o->trust_files || o->cram ||
	     o->shell))
		return sc_error_setf(err, EINVAL, "--update, --list, --filter, --shard, --jobs, --file-root, --trust-files, --cram and --shell apply to transcript files: "
					      "use 'simpcon-test suite [OPTIONS] FILE.t...'");
	if ((o->kernel || o->modules || o->qemu || o->append) && (r = kernel_options(o, err)) < 0)
		return r;
	if (o->command == SC_CLI_SUITE)
		return suite_files(o, sub_argc, sub_argv, words, skip, err);
	if ((o->command == SC_CLI_CHECK || o->command >= SC_CLI_FIXTURE_BUILD) && optind < sub_argc)
		return sc_error_setf(err, EINVAL, "unexpected argument '%s': see simpcon-test --help", sub_argv[optind]);
	if (o->command != SC_CLI_RUN)
		return 0;
	if (first == 1)
		return sc_error_setf(err, EINVAL, "no command: use 'simpcon-test run [OPTIONS] -- CMD' (see --help)");
	if (optind >= sub_argc)
		return sc_error_setf(err, EINVAL, "missing CMD: use 'simpcon-test run [OPTIONS] -- CMD [ARG...]'");
	o->config.argv = (const char *const *)(sub_argv + optind);
	return sc_expect_compile(&o->expect, err);
}

unsigned sc_cli_cpus(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set) > SC_CLI_JOBS_MAX ? SC_CLI_JOBS_MAX : (unsigned)CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > SC_CLI_JOBS_MAX ? SC_CLI_JOBS_MAX : (unsigned)n;
}

struct sc_fixture_config sc_cli_fixture_config(const struct sc_cli_options *o)
{
	return (struct sc_fixture_config){
		.busybox = o->busybox,
		.archive = o->archive,
		.cache_dir = o->cache_dir,
		.no_cache = o->no_cache,
		.archive_limit = o->archive_limit,
		.archive_entries = o->archive_entries,
		.archive_ratio = o->archive_ratio,
		.tmpdir = o->config.tmpdir,
		/* a run's --timeout bounds its wait for another build too */
		.lock_wait_ms = o->config.timeout_ms,
	};
}

void sc_cli_options_release(struct sc_cli_options *o)
{
	sc_expect_release(&o->expect);
	o->filter_re = sc_regex_free(o->filter_re);
	for (size_t i = 0; i < o->n_strings; i++)
		free(o->strings[i]);
	free(o->strings);
	free(o->mounts);
	free(o->env);
	free(o->run_args);
	free(o->given);
	free(o->file_roots);
	*o = (struct sc_cli_options){ 0 };
}
