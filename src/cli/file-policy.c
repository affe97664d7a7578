/* file-policy.c - the rules for a transcript's "simpcon:" lines, in one place.
 *
 * Threat: a project's .t files are as untrusted as the code they test, and `make check` often
 * runs as root. Parsed as ordinary run options after the caller's, a file's lines could run a
 * program of its own on the host (--busybox is executed to list its applets), bind /etc or
 * /root, read root-only files (--stdin, --copy are opened with the harness's permissions),
 * turn the hardening off, or lift the caller's limits. So every option a file may give is
 * listed here with the reason it cannot reach past the caller; anything not listed is refused
 * (fail closed), and the caller opts out only explicitly (--trust-files). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "caps.h"
#include "file-policy.h"
#include "resources.h"
#include "syscalls.h"
#include "util.h"

enum rule {
	RULE_INSIDE,  /* changes only the container's own view */
	RULE_NARROW,  /* allowed up to what the caller allowed */
	RULE_PATH,    /* a host path: confined beneath the file roots (sc_file_policy_confine) */
	RULE_REFUSE,  /* reaches the host: the caller's alone */
};

static const struct {
	const char *name;
	enum rule rule;
	const char *why; /* for RULE_REFUSE: what the option would give a file */
} rules[] = {
	{ "hostname", RULE_INSIDE, NULL },    /* the container's uts namespace */
	{ "domainname", RULE_INSIDE, NULL },
	{ "env", RULE_INSIDE, NULL },
	{ "chdir", RULE_INSIDE, NULL },
	{ "uid", RULE_INSIDE, NULL },         /* ids inside, within the caller's map */
	{ "gid", RULE_INSIDE, NULL },
	{ "init", RULE_INSIDE, NULL },        /* the sealed in-memory simpcon-init */
	{ "tmpfs", RULE_INSIDE, NULL },       /* a fresh tmpfs: hides, never reveals */
	{ "time-offset", RULE_INSIDE, NULL }, /* the container's time namespace */
	{ "host-libs", RULE_INSIDE, NULL },   /* system directories, read-only, world-readable */
	{ "host-sh", RULE_INSIDE, NULL },     /* the same, with the host's sh */
	{ "cap-drop", RULE_INSIDE, NULL },    /* fewer capabilities */
	{ "name", RULE_INSIDE, NULL },
	{ "expect-exit", RULE_INSIDE, NULL },
	{ "expect-stdout", RULE_INSIDE, NULL },
	{ "expect-stderr", RULE_INSIDE, NULL },
	{ "expect-stdout-match", RULE_INSIDE, NULL },
	{ "expect-stderr-match", RULE_INSIDE, NULL },
	{ "quiet", RULE_INSIDE, NULL },
	{ "verbose", RULE_INSIDE, NULL },
	{ "timeout", RULE_NARROW, NULL },
	{ "pids", RULE_NARROW, NULL },
	{ "memory", RULE_NARROW, NULL },
	{ "storage", RULE_NARROW, NULL },
	{ "cpu-time", RULE_NARROW, NULL },
	{ "output-limit", RULE_NARROW, NULL },
	{ "net", RULE_NARROW, NULL },         /* host: the host's listeners and abstract sockets */
	{ "cap-add", RULE_NARROW, NULL },     /* within the caller's set */
	{ "privileged", RULE_NARROW, NULL },  /* only where the caller already is */
	{ "bind", RULE_PATH, NULL },
	{ "ro-bind", RULE_PATH, NULL },
	{ "copy", RULE_PATH, NULL },
	{ "stdin", RULE_PATH, NULL },
	{ "busybox", RULE_REFUSE, "it is executed on the host, before any container exists" },
	{ "archive", RULE_REFUSE, "it is unpacked into the caller's fixture cache" },
	{ "rootfs", RULE_REFUSE, "it names any host directory as the container's root" },
	{ "cache", RULE_REFUSE, "it writes fixtures where the file says" },
	{ "no-cache", RULE_REFUSE, "it builds a fixture on the host" },
	/* not narrowed like the container's limits: they size the fixture of the caller's
	 * --archive, which a file can neither choose nor have unpacked for itself */
	{ "archive-limit", RULE_REFUSE, "it sizes the caller's --archive fixture" },
	{ "archive-entries", RULE_REFUSE, "it sizes the caller's --archive fixture" },
	{ "archive-ratio", RULE_REFUSE, "it sizes the caller's --archive fixture" },
	{ "keep", RULE_REFUSE, "it leaves the container's writes on the host" },
	{ "junit", RULE_REFUSE, "it writes a host file" },
	{ "failure-status", RULE_REFUSE, "it changes the exit status the caller's harness reads" },
	{ "skip-status", RULE_REFUSE, "it changes the exit status the caller's harness reads" },
	{ "file-root", RULE_REFUSE, "it widens the host paths files may use" },
	{ "trust-files", RULE_REFUSE, "it lifts these rules" },
	{ "seccomp", RULE_REFUSE, "it replaces the system call filter" },
};

static int refuse(struct sc_error *err, const char *name, const char *why)
{
	return sc_error_setf(err, EPERM,
			     "simpcon: --%s is refused in a file (%s): give it on the command line, or let files "
			     "widen what the caller allows with --trust-files",
			     name, why);
}

static int too_much(struct sc_error *err, const char *name, const char *asked, const char *allowed)
{
	return sc_error_setf(err, EPERM,
			     "simpcon: --%s %s asks more than the caller's --%s %s (a file can only narrow "
			     "the caller's limits): raise it on the command line",
			     name, asked, name, allowed);
}

/* A limit where 0 means none: value within ceiling. */
static bool within(uint64_t value, uint64_t ceiling)
{
	return ceiling == 0 || (value != 0 && value <= ceiling);
}

static int check_narrow(const struct sc_cli_options *caller, const struct sc_cli_options *line, const char *name,
			const char *arg, struct sc_error *err)
{
	const struct sc_config *c = &caller->config, *l = &line->config;
	char allowed[32];
	if (!strcmp(name, "timeout")) {
		snprintf(allowed, sizeof(allowed), "%g", c->timeout_ms / 1000.0);
		return within(l->timeout_ms, c->timeout_ms) ? 0 : too_much(err, name, arg, allowed);
	}
	if (!strcmp(name, "pids") || !strcmp(name, "memory") || !strcmp(name, "cpu-time")) {
		uint64_t v = name[0] == 'p' ? l->pids_max : name[0] == 'm' ? l->memory_max : l->cpu_seconds;
		uint64_t ceiling = name[0] == 'p' ? c->pids_max : name[0] == 'm' ? c->memory_max : c->cpu_seconds;
		snprintf(allowed, sizeof(allowed), "%llu", (unsigned long long)ceiling);
		return within(v, ceiling) ? 0 : too_much(err, name, arg, allowed);
	}
	if (!strcmp(name, "storage")) {
		/* the caller's bound as it applies: given, else its --memory, else the default */
		uint64_t ceiling = sc_storage_size(c);
		snprintf(allowed, sizeof(allowed), "%llu", (unsigned long long)ceiling);
		return l->storage_max <= ceiling ? 0 : too_much(err, name, arg, allowed);
	}
	if (!strcmp(name, "output-limit")) {
		snprintf(allowed, sizeof(allowed), "%zu", c->output_limit);
		return l->output_limit <= c->output_limit ? 0 : too_much(err, name, arg, allowed);
	}
	if (!strcmp(name, "net"))
		return l->net == SC_NET_NONE || c->net == SC_NET_HOST ? 0 : too_much(err, name, arg, "none");
	if (!strcmp(name, "privileged"))
		return c->privileged ? 0 : refuse(err, name, "it turns the hardening off");
	/* cap-add: only what the caller's container has anyway */
	uint64_t caller_caps = sc_caps_kept(c->privileged, c->cap_add, c->cap_drop);
	if (l->cap_add & ~caller_caps)
		return sc_error_setf(err, EPERM,
				     "simpcon: --cap-add %s asks a capability the caller's container does not have: "
				     "give --cap-add on the command line",
				     arg);
	return 0;
}

int sc_file_policy_check(const struct sc_cli_options *caller, const struct sc_cli_options *line, struct sc_error *err)
{
	for (size_t i = 0; i < line->n_given; i++) {
		const char *name = line->given[i].name, *arg = line->given[i].arg ? line->given[i].arg : "";
		size_t k = 0;
		while (k < SC_ELEMENTSOF(rules) && strcmp(rules[k].name, name))
			k++;
		if (k == SC_ELEMENTSOF(rules))
			return refuse(err, name, "it is not among the options a file may give");
		int r = 0;
		switch (rules[k].rule) {
		case RULE_INSIDE:
			/* "--env NAME" copies the harness's value: a CI job's tokens, the caller's HOME */
			if (!strcmp(name, "env") && !strchr(arg, '='))
				r = refuse(err, name, "NAME without a value copies the harness's own environment");
			break;
		case RULE_PATH:
			/* the harness's own stdin is the caller's terminal or make's */
			if (!strcmp(name, "stdin") && !strcmp(arg, "-"))
				r = refuse(err, name, "'-' is the harness's own stdin");
			break;
		case RULE_NARROW: r = check_narrow(caller, line, name, arg, err); break;
		case RULE_REFUSE: r = refuse(err, name, rules[k].why); break;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* Opens path beneath root: the kernel refuses ".." above it, absolute symlinks and symlinks
 * that leave it (RESOLVE_BENEATH, Linux 5.6), and /proc's magic links. */
static int open_beneath(const char *root, const char *path, char *ret_path, size_t size)
{
	size_t n = strcmp(root, "/") ? strlen(root) : 0;
	if (strncmp(path, root, n) || (path[n] != '/' && path[n] != '\0'))
		return -EXDEV;
	const char *rel = path + n;
	while (*rel == '/')
		rel++;
	_cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -errno;
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };
	_cleanup_close_ int fd = sc_openat2(rootfd, *rel ? rel : ".", &how);
	if (fd < 0)
		return -errno;
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t len = readlink(link, ret_path, size - 1);
	if (len < 0 || (size_t)len >= size - 1)
		return len < 0 ? -errno : -ENAMETOOLONG;
	ret_path[len] = '\0';
	return 0;
}

int sc_file_policy_confine(const struct sc_cli_options *suite, const char *file_dir, const char *path,
			   char *ret_path, size_t size, bool *ret_writable, struct sc_error *err)
{
	/* beneath any root will do; writable when beneath one the caller made writable */
	int r = open_beneath(file_dir, path, ret_path, size);
	*ret_writable = false;
	for (size_t i = 0; i < suite->n_file_roots; i++) {
		char resolved[PATH_MAX];
		int q = open_beneath(suite->file_roots[i].path, path, resolved, sizeof(resolved));
		if (q == 0 && (r != 0 || suite->file_roots[i].writable)) {
			snprintf(ret_path, size, "%s", resolved);
			*ret_writable = *ret_writable || suite->file_roots[i].writable;
			r = 0;
		}
	}
	if (r == -EXDEV || r == -ELOOP)
		return sc_error_setf(err, EPERM,
				     "'%s' is not beneath the file's directory '%s' or a --file-root, or is reached "
				     "through a symlink or '..' out of it: the caller grants more with --file-root DIR",
				     path, file_dir);
	if (r < 0)
		return sc_error_set(err, -r, "'%s'", path);
	return 0;
}
