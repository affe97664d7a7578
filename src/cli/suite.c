/* suite.c - running transcript files: one container per file, one shell session in it, one
 * TAP point per command after the file's isolation points. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture.h"
#include "container.h"
#include "error.h"
#include "file-policy.h"
#include "resources.h"
#include "junit.h"
#include "regex.h"
#include "run.h"
#include "suite.h"
#include "tmpdir.h"
#include "transcript.h"
#include "util.h"

/* Transcripts merge stderr into stdout and may print a lot before the point that matters. */
#define SC_SUITE_OUTPUT_LIMIT ((size_t)16 << 20)

/* A script longer than this does not go on the command line (execve's limit for one argument
 * is 128 KiB): it is copied into the container as a file, which removes itself. */
#define SC_SUITE_ARG_MAX (96 * 1024)
#define SC_SUITE_SCRIPT "/.simpcon-transcript"

/* Under --cram, a file whose shell exits with this status is skipped, as cram does. */
#define SC_CRAM_SKIP_STATUS 80

/* A file may give at most this many "simpcon:" lines; more is an error, never dropped. */
#define SC_SUITE_MAX_OPTION_LINES 64

/* The words the parsed options point into: kept until the file's run is over. */
struct file_args {
	char **argv;
	char **split[SC_SUITE_MAX_OPTION_LINES];
	size_t n_split;
	char script_file[PATH_MAX]; /* host copy of a long script, or "" */
	int script_lock;            /* with script_file: keeps it from being swept (tmpdir.h) */
	struct sc_mount *mounts;    /* the file's mounts plus the script's copy */
	char *cram[5];              /* --cram: TESTDIR=, TESTFILE=, TESTSHELL=, then the directories
				       bound at their own paths (or NULL): the working directory, the
				       file's */
};

struct file_job {
	const char *path;
	struct sc_transcript *t;
	struct sc_error parse_err;
	struct sc_transcript view; /* t with only the commands --filter selects (shallow) */
	unsigned points;
	/* the run (prepare_file to finish_file) */
	char *marker, *script;
	struct sc_cli_options fo;   /* the file's container options */
	bool have_options;
	struct file_args args;      /* the words fo points into */
	struct sc_fixture *fx;      /* a root of the file's own, or NULL */
	bool empty;                 /* --cram: an empty file, skipped as cram skips it (one point) */
	bool unrunnable;            /* the file's points fail with why */
	struct sc_error why;
	struct sc_result *res;      /* what the run gave */
	/* with -j: what its worker sent back */
	bool done;                  /* res, why (unrunnable) or harness_r is there */
	int harness_r;              /* the harness failed on it: -errno, harness_err says why */
	struct sc_error harness_err;
};

static int load(struct file_job *job, const struct sc_cli_options *o)
{
	int r = sc_transcript_load_flags(job->path, o->cram ? SC_TRANSCRIPT_CRAM : 0, &job->t, &job->parse_err);
	if (r < 0)
		return r;
	job->view = *job->t;
	if (o->filter_re) {
		job->view.commands = calloc(job->t->n_commands + 1, sizeof(*job->view.commands));
		if (!job->view.commands)
			return sc_error_set(&job->parse_err, ENOMEM, "filter '%s'", job->path);
		job->view.n_commands = 0;
		for (size_t i = 0; i < job->t->n_commands; i++) {
			_cleanup_free_ char *desc = sc_transcript_description(job->t, &job->t->commands[i], job->path);
			if (desc && sc_regex_match(o->filter_re, desc, strlen(desc)) > 0)
				job->view.commands[job->view.n_commands++] = job->t->commands[i];
		}
	}
	return 0;
}

static void job_release(struct file_job *job)
{
	if (job->t && job->view.commands != job->t->commands)
		free(job->view.commands);
	sc_transcript_free(job->t);
}

static void file_args_release(struct file_args *a)
{
	for (size_t i = 0; i < a->n_split; i++)
		sc_transcript_argv_free(a->split[i]);
	free(a->argv);
	free(a->mounts);
	for (size_t i = 0; i < SC_ELEMENTSOF(a->cram); i++)
		free(a->cram[i]);
	if (a->script_file[0]) {
		(void)unlink(a->script_file);
		sc_closep(&a->script_lock);
	}
	*a = (struct file_args){ 0 };
}

/* Writes a long script to a temporary file, to be copied in and run as sh's script file; its
 * first line removes it inside, so no command of the transcript ever sees it. */
static int script_to_file(const char *script, struct file_args *args, struct sc_error *err)
{
	const char *tmp = sc_tmpdir_default();
	int fd = sc_tmpdir_make(tmp, SC_TMPDIR_SCRIPT, args->script_file, sizeof(args->script_file));
	if (fd < 0) {
		args->script_file[0] = '\0';
		return sc_error_set(err, -fd, "create a script file in '%s'", tmp);
	}
	args->script_lock = fd; /* until file_args_release removes the file */
	static const char head[] = "rm -f " SC_SUITE_SCRIPT "\n";
	int r = sc_write_all(fd, head, sizeof(head) - 1);
	if (r == 0)
		r = sc_write_all(fd, script, strlen(script));
	return r < 0 ? sc_error_set(err, -r, "write '%s'", args->script_file) : 0;
}

/* Adds the copy of the script file to the parsed options' mounts. */
static int add_script_copy(struct sc_cli_options *fo, struct file_args *args, struct sc_error *err)
{
	size_t n = fo->config.n_mounts;
	args->mounts = calloc(n + 1, sizeof(*args->mounts));
	if (!args->mounts)
		return sc_error_set(err, ENOMEM, "add the script's copy");
	if (n)
		memcpy(args->mounts, fo->config.mounts, n * sizeof(*args->mounts));
	args->mounts[n] = (struct sc_mount){ .source = args->script_file, .dest = SC_SUITE_SCRIPT, .copy = true };
	fo->config.mounts = args->mounts;
	fo->config.n_mounts = n + 1;
	return 0;
}

/* Parses n words of container options alone, as "simpcon-test suite WORDS -- x.t" would (a
 * suite, so that its own options, too, are parsed and listed in ret->given). */
static int parse_alone(char *const *words, size_t n, struct sc_cli_options *ret, struct sc_error *err)
{
	_cleanup_free_ char **argv = calloc(n + 5, sizeof(*argv));
	if (!argv)
		return sc_error_set(err, ENOMEM, "parse the options");
	argv[0] = "simpcon-test";
	argv[1] = "suite";
	memcpy(argv + 2, words, n * sizeof(*argv));
	argv[n + 2] = "--";
	argv[n + 3] = "x.t";
	return sc_cli_parse((int)n + 4, argv, ret, err);
}

/* What the file's own lines may ask (file-policy.c), line by line, from the file's directory
 * (the cwd), against caller (the suite's container options) and suite's --file-root
 * directories: each line's host paths are confined there and kept, in the order the lines give
 * them, in fo (the options of the whole file): the mount sources after the caller's own, and
 * --stdin. fo NULL: only check (the whole file's options did not parse; a line may say why). */
static int confine_lines(const struct file_job *job, const struct sc_cli_options *suite,
			 const struct sc_cli_options *caller, char ***split, struct sc_cli_options *fo, struct sc_error *err)
{
	char dir[PATH_MAX];
	size_t next = caller->config.n_mounts;
	if (!getcwd(dir, sizeof(dir)))
		return sc_error_set(err, errno, "the directory of '%s'", job->path);
	for (size_t i = 0; i < job->t->n_options; i++) {
		size_t n = 0;
		while (split[i][n])
			n++;
		struct sc_cli_options line = { 0 };
		int r = parse_alone(split[i], n, &line, err);
		if (r == 0)
			r = sc_file_policy_check(caller, &line, err);
		/* the line's mounts follow its --bind, --ro-bind, --copy and --tmpfs in order */
		for (size_t g = 0, m = 0; r == 0 && g < line.n_given; g++) {
			const char *name = line.given[g].name;
			const char *path = !strcmp(name, "stdin") ? line.config.stdin_file : NULL;
			bool mount = !strcmp(name, "bind") || !strcmp(name, "ro-bind") || !strcmp(name, "copy") ||
				     !strcmp(name, "tmpfs");
			const struct sc_mount *asked = mount ? &line.config.mounts[m++] : NULL;
			size_t at = mount ? next++ : 0;
			if (asked)
				path = asked->source;
			if (!path || !strcmp(path, "-"))
				continue;
			char real[PATH_MAX];
			bool writable;
			r = sc_file_policy_confine(suite, dir, path, real, sizeof(real), &writable, err);
			if (r == 0 && asked && !asked->copy && !asked->readonly && !writable)
				r = sc_error_setf(err, EPERM,
						  "the bind of '%s' would be writable: a file's binds are read-only unless "
						  "the caller grants writes with --file-root DIR:rw (write SRC:DST:ro)",
						  path);
			char *kept = r == 0 && fo ? sc_cli_keep(fo, strdup(real)) : NULL;
			if (r == 0 && fo && !kept)
				r = sc_error_set(err, ENOMEM, "options of '%s'", job->path);
			else if (kept && asked && at < fo->config.n_mounts)
				fo->mounts[at].source = kept;
			else if (kept && !asked)
				fo->config.stdin_file = kept;
			if (r < 0) {
				char why[sizeof(err->message)];
				snprintf(why, sizeof(why), "%s", err->message);
				r = sc_error_setf(err, -r, "simpcon: --%s: %s", name, why);
			}
		}
		sc_cli_options_release(&line);
		if (r < 0) {
			char why[sizeof(err->message)];
			snprintf(why, sizeof(why), "%s", err->message);
			return sc_error_setf(err, -r, "%s:%u: %s", job->path, job->t->options[i].line, why);
		}
	}
	return 0;
}

/* cram 0.7's environment: its fixed variables (LANG, TZ... as its cleanenv sets them, TMPDIR
 * and the rest under CRAMTMP), then the file's own, kept in args. CRAMTMP is named as cram's
 * mkdtemp names it, "cramtests-" and 8 of [a-z0-9_], which files match with globs; it is the
 * same in every container. */
#define CRAM_TMP "/tmp/cramtests-isolated"
static const char *const cram_env[] = {
	"CRAMTMP=" CRAM_TMP, "TMPDIR=" CRAM_TMP "/tmp", "TEMP=" CRAM_TMP "/tmp", "TMP=" CRAM_TMP "/tmp",
	"LANG=C", "LC_ALL=C", "LANGUAGE=C", "TZ=GMT", "COLUMNS=80", "CDPATH=", "GREP_OPTIONS=",
};

/* The shell a file's commands run in. */
static const char *file_shell(const struct sc_cli_options *o)
{
	return o->shell ? o->shell : o->cram ? "/bin/sh" : "sh";
}

static bool beneath(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0' || !strcmp(dir, "/"));
}

/* TESTDIR (the file's directory, absolute, as cram's os.path.abspath gives it), TESTFILE (its
 * name) and TESTSHELL, as "NAME=VALUE" in args->cram; then what is bound read-only at its own
 * path: the working directory (cram runs from a project's root, and its files reach it as
 * $TESTDIR/..), and the file's directory, unless it lies beneath the working directory; never /,
 * the container's own root. */
static int cram_file_env(const struct file_job *job, const struct sc_cli_options *o, struct file_args *args,
			 struct sc_error *err)
{
	_cleanup_free_ char *copy = strdup(job->path), *name = strdup(job->path);
	char dir[PATH_MAX], cwd[PATH_MAX];
	if (!copy || !name)
		return sc_error_set(err, ENOMEM, "cram's environment for '%s'", job->path);
	if (!realpath(dirname(copy), dir))
		return sc_error_set(err, errno, "the directory of '%s'", job->path);
	if (!getcwd(cwd, sizeof(cwd)))
		return sc_error_set(err, errno, "the working directory");
	if (asprintf(&args->cram[0], "TESTDIR=%s", dir) < 0 || asprintf(&args->cram[1], "TESTFILE=%s", basename(name)) < 0 ||
	    asprintf(&args->cram[2], "TESTSHELL=%s", file_shell(o)) < 0 ||
	    (strcmp(cwd, "/") && !(args->cram[3] = strdup(cwd))) ||
	    (strcmp(dir, "/") && !(args->cram[3] && beneath(dir, cwd)) && !(args->cram[4] = strdup(dir))))
		return sc_error_set(err, ENOMEM, "cram's environment for '%s'", job->path);
	return 0;
}

/* Whether one of the caller's mounts shows the host's path at the same path inside. */
static bool caller_shows(const struct sc_cli_options *caller, const char *path)
{
	for (size_t i = 0; i < caller->config.n_mounts; i++) {
		const struct sc_mount *m = &caller->config.mounts[i];
		if (!m->copy && m->source && !strcmp(m->source, m->dest) && beneath(path, m->dest))
			return true;
	}
	return false;
}

/* The container options of a file: the suite's own (the caller's, parsed alone in caller),
 * then its "simpcon:" lines, parsed as the run command's, with relative paths taken from the
 * file's directory; unless the caller trusts the files, the lines may only narrow the
 * caller's options. */
static int file_options(const struct file_job *job, const struct sc_cli_options *o,
			const struct sc_cli_options *caller, const char *script,
			struct file_args *args, struct sc_cli_options *ret, struct sc_error *err)
{
	char **argv = NULL;
	size_t n = 0, cap = 0;
	int r = 0;
	bool located = false; /* err already names the file and the line */
	_cleanup_close_ int cwd = -1;
	_cleanup_free_ char *copy = NULL;
	*ret = (struct sc_cli_options){ 0 };
	if (job->t->n_options > SC_SUITE_MAX_OPTION_LINES)
		return sc_error_setf(err, E2BIG, "%s: %zu 'simpcon:' lines, at most %d are read: join options onto fewer lines",
				     job->path, job->t->n_options, SC_SUITE_MAX_OPTION_LINES);
	/* under --cram always a file, which every shell reads a command at a time, as cram's
	 * stdin: zsh parses a -c string whole, so an alias defined by one command was not there
	 * for the next */
	if ((o->cram || strlen(script) > SC_SUITE_ARG_MAX) && (r = script_to_file(script, args, err)) < 0)
		return r;
#define PUSH(s)                                                                             \
	do {                                                                                \
		if (n + 2 > cap) {                                                          \
			cap = cap ? cap * 2 : 32;                                           \
			char **more = realloc(argv, cap * sizeof(*argv));                   \
			if (!more) {                                                        \
				r = sc_error_set(err, ENOMEM, "options of '%s'", job->path); \
				goto out;                                                   \
			}                                                                   \
			argv = more;                                                        \
		}                                                                           \
		argv[n++] = (char *)(s);                                                    \
	} while (0)
	char ***split = args->split;
	size_t n_split = 0;
	PUSH("simpcon-test");
	PUSH("run");
	if (o->cram) {
		/* first, so that the caller's --env and the file's own replace them */
		if ((r = cram_file_env(job, o, args, err)) < 0)
			goto out;
		for (size_t i = 0; i < SC_ELEMENTSOF(cram_env); i++) {
			PUSH("--env");
			PUSH(cram_env[i]);
		}
		for (size_t i = 0; i < 3; i++) {
			PUSH("--env");
			PUSH(args->cram[i]);
		}
		/* cram runs the host's programs, and its /bin/sh: busybox's sh would run its own
		 * applets (grep, awk, ls) before any on PATH */
		PUSH("--host-sh");
	}
	for (size_t i = 0; i < o->n_run_args; i++)
		PUSH(o->run_args[i]); /* without the suite's own options (sc_cli_parse left them out) */
	for (size_t i = 0; i < job->t->n_options; i++) {
		if ((r = sc_transcript_split_options(job->t->options[i].text, &split[n_split], err)) < 0)
			goto out;
		for (char **a = split[n_split++]; *a; a++)
			PUSH(*a);
	}
	for (size_t i = 3; o->cram && i < 5; i++) {
		/* after the file's lines, whose mounts confine_lines counts from the caller's; not
		 * where the caller's own binds show it already (writable, maybe) */
		if (args->cram[i] && !caller_shows(caller, args->cram[i])) {
			PUSH("--ro-bind");
			PUSH(args->cram[i]);
			PUSH(args->cram[i]);
		}
	}
	PUSH("--");
	PUSH(file_shell(o));
	if (args->script_file[0]) {
		PUSH(SC_SUITE_SCRIPT); /* too long for one argument: a file copied in */
	} else {
		PUSH("-c");
		PUSH(script);
	}
	argv[n] = NULL;
	cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	copy = strdup(job->path);
	if (cwd < 0 || !copy || chdir(dirname(copy)) < 0) {
		r = sc_error_set(err, errno ? errno : ENOMEM, "enter the directory of '%s'", job->path);
		goto out;
	}
	r = sc_cli_parse((int)n, argv, ret, err);
	if (!o->trust_files) {
		struct sc_error refusal = { 0 };
		int q = confine_lines(job, o, caller, split, r == 0 ? ret : NULL, &refusal);
		if (q < 0) {
			*err = refusal;
			r = q;
			located = true;
		}
	}
	/* the caller's storage bound as it applies: a file's own --memory does not raise it */
	if (r == 0 && !o->trust_files && !ret->config.storage_max)
		ret->config.storage_max = sc_storage_size(&caller->config);
	if (r == 0 && args->script_file[0])
		r = add_script_copy(ret, args, err);
	if (r == 0 && o->cram)
		ret->config.stdin_empty_pipe = true;
	if (fchdir(cwd) < 0 && r == 0)
		r = sc_error_set(err, errno, "return to the working directory");
	if (r < 0 && !located) {
		char why[sizeof(err->message)];
		snprintf(why, sizeof(why), "%s", err->message);
		sc_error_setf(err, EINVAL, "%s: options: %s", job->path, why);
	}
out:
	/* the parsed options point into these words: they live as long as the file's run */
	args->argv = argv;
	args->n_split = n_split;
	return r;
#undef PUSH
}

/* Every point of a file that could not be run fails; the first says why. */
static unsigned fail_file(struct sc_tap *tap, const struct file_job *job, const struct sc_error *why)
{
	for (unsigned i = 0; i < job->points; i++) {
		char desc[PATH_MAX + 64];
		snprintf(desc, sizeof(desc), "%s: %s", job->path, i == 0 ? "could not run" : "not run");
		sc_tap_point(tap, false, desc, SC_TAP_NONE, NULL);
		if (i == 0) {
			sc_tap_yaml_begin(tap);
			sc_tap_yaml_string(tap, "message", why->message);
			sc_tap_yaml_end(tap);
		}
	}
	return job->points;
}

static int write_update(const struct file_job *job, const struct sc_transcript_result *res, struct sc_error *err)
{
	_cleanup_free_ char *text = NULL, *tmp = NULL;
	if (sc_transcript_update(job->t, res, &text) < 0 || asprintf(&tmp, "%s.XXXXXX", job->path) < 0)
		return sc_error_set(err, ENOMEM, "update '%s'", job->path);
	if (strlen(text) == job->t->len && !memcmp(text, job->t->text, job->t->len))
		return 0;
	_cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return sc_error_set(err, errno, "update '%s'", job->path);
	int r = sc_write_all(fd, text, strlen(text));
	if (r == 0 && (fchmod(fd, 0644) < 0 || rename(tmp, job->path) < 0))
		r = -errno;
	if (r < 0) {
		(void)unlink(tmp);
		return sc_error_set(err, -r, "update '%s'", job->path);
	}
	return 0;
}

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* The root a file runs on: the suite's fixture, the one the caller's options ask for, made for
 * the first file that needs it and kept until the last (with --no-cache a private copy, built
 * once); or, when a file's own lines ask for another (--trust-files), one of the file's own in
 * ret_own. */
static int file_root(const struct sc_cli_options *fo, const struct sc_cli_options *caller,
		     struct sc_fixture **shared, struct sc_fixture **ret_own, const char **ret_root, struct sc_error *err)
{
	struct sc_fixture_config want = sc_cli_fixture_config(fo), suite = sc_cli_fixture_config(caller);
	int r;
	if (!same_text(want.busybox, suite.busybox) || !same_text(want.archive, suite.archive) ||
	    !same_text(want.cache_dir, suite.cache_dir) || want.no_cache != suite.no_cache ||
	    want.archive_limit != suite.archive_limit || want.archive_entries != suite.archive_entries ||
	    want.archive_ratio != suite.archive_ratio) {
		if ((r = sc_fixture_new(&want, ret_own, err)) < 0)
			return r;
		*ret_root = sc_fixture_root(*ret_own);
		return 0;
	}
	if (!*shared && (r = sc_fixture_new(&suite, shared, err)) < 0)
		return r;
	*ret_root = sc_fixture_root(*shared);
	return 0;
}

static int add_quoted(char **buf, size_t *len, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *piece = s[i] == '\'' ? "'\\''" : NULL;
		size_t k = piece ? 4 : 1;
		char *more = realloc(*buf, *len + k + 1);
		if (!more)
			return -ENOMEM;
		*buf = more;
		memcpy(*buf + *len, piece ? piece : &s[i], k);
		*len += k;
		(*buf)[*len] = '\0';
	}
	return 0;
}

static int add_text(char **buf, size_t *len, const char *s)
{
	size_t n = strlen(s);
	char *more = realloc(*buf, *len + n + 1);
	if (!more)
		return -ENOMEM;
	*buf = more;
	memcpy(*buf + *len, s, n + 1);
	*len += n;
	return 0;
}

/* A word for a shell command line: as it is when nothing in it is special, else quoted. */
static int add_word(char **buf, size_t *len, const char *w)
{
	bool plain = *w != '\0';
	for (const char *p = w; *p && plain; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			strchr("@%+=:,./_-", *p);
	int r = add_text(buf, len, *len ? " " : "");
	if (r == 0 && plain)
		return add_text(buf, len, w);
	if (r == 0)
		r = add_text(buf, len, "'");
	if (r == 0)
		r = add_quoted(buf, len, w, strlen(w));
	return r == 0 ? add_text(buf, len, "'") : r;
}

/* "simpcon-test shell OPTIONS FILE": what opens a shell in the file's container, with the
 * suite's run options and the rules its lines were held to; NULL when memory runs out. */
static char *reproduce_command(const struct sc_cli_options *o, const char *path)
{
	char *s = NULL;
	size_t len = 0;
	int r = add_word(&s, &len, "simpcon-test");
	if (r == 0)
		r = add_word(&s, &len, "shell");
	for (size_t i = 0; r == 0 && i < o->n_run_args; i++)
		r = add_word(&s, &len, o->run_args[i]);
	for (size_t i = 0; r == 0 && i < o->n_file_roots; i++) {
		_cleanup_free_ char *root = NULL;
		if (asprintf(&root, "%s%s", o->file_roots[i].path, o->file_roots[i].writable ? ":rw" : "") < 0)
			r = -ENOMEM;
		if (r == 0)
			r = add_word(&s, &len, "--file-root");
		if (r == 0)
			r = add_word(&s, &len, root);
	}
	if (r == 0 && o->trust_files)
		r = add_word(&s, &len, "--trust-files");
	if (r == 0 && o->cram)
		r = add_word(&s, &len, "--cram");
	if (r == 0 && o->shell && (r = add_word(&s, &len, "--shell")) == 0)
		r = add_word(&s, &len, o->shell);
	if (r == 0)
		r = add_word(&s, &len, path);
	if (r < 0) {
		free(s);
		return NULL;
	}
	return s;
}

/* cram runs each file's commands in a fresh directory named for it under CRAMTMP, beside the
 * TMPDIR it gives them; its TESTSHELL is the shell's path as found on PATH (--shell dash gives
 * /usr/bin/dash, which a test that empties PATH still runs). */
static int cram_script(char **script)
{
	char *whole = NULL;
	if (asprintf(&whole,
		     "mkdir -p \"$TMPDIR\" \"$CRAMTMP/$TESTFILE\" && cd \"$CRAMTMP/$TESTFILE\" || exit 1\n"
		     /* a walk of PATH, not `command -v`: busybox's sh answers an applet's bare name */
		     "case $TESTSHELL in */*) ;; *) p=$PATH:; while [ -n \"$p\" ]; do d=${p%%%%:*}; p=${p#*:}; "
		     "if [ -x \"${d:-.}/$TESTSHELL\" ]; then TESTSHELL=${d:-.}/$TESTSHELL; break; fi; done; "
		     "unset p d ;; esac; export TESTSHELL\n%s",
		     *script) < 0)
		return -ENOMEM;
	free(*script);
	*script = whole;
	return 0;
}

/* Makes ready what the file's run needs: its script, its options, its root. Returns 0 (the file
 * is ready, or job->unrunnable says why its points fail), or a negative errno when the harness
 * itself failed (err says why). */
static int prepare_file(struct file_job *job, const struct sc_cli_options *o, const struct sc_cli_options *caller,
			struct sc_fixture **shared, struct sc_error *err)
{
	if (!job->t || job->empty) {
		job->why = job->parse_err;
		job->unrunnable = true;
		return 0;
	}
	if ((!job->marker && sc_transcript_marker_new(&job->marker) < 0) ||
	    sc_transcript_script(&job->view, job->marker, &job->script) < 0 || (o->cram && cram_script(&job->script) < 0))
		return sc_error_set(err, ENOMEM, "make the script of '%s'", job->path);
	job->have_options = true;
	if (file_options(job, o, caller, job->script, &job->args, &job->fo, &job->why) < 0) {
		job->unrunnable = true;
		return 0;
	}
	int r;
	if (!job->fo.config.rootfs && (r = file_root(&job->fo, caller, shared, &job->fx, &job->fo.config.rootfs, err)) < 0)
		return r;
	job->fo.config.output_limit = SC_SUITE_OUTPUT_LIMIT;
	job->fo.config.cancel_fd = o->config.cancel_fd;
	return 0;
}

/* A cram file whose shell exits 80 is skipped, whatever ran before: its commands' points are
 * skips. Returns 0, the number of them that failed. */
static unsigned skip_commands(struct sc_tap *tap, const struct file_job *job)
{
	for (size_t i = 0; i < job->view.n_commands; i++) {
		_cleanup_free_ char *desc = sc_transcript_description(&job->view, &job->view.commands[i], job->path);
		sc_tap_point(tap, true, desc ? desc : job->path, SC_TAP_SKIP, "the file exited 80 (cram's skip)");
	}
	return 0;
}

/* Reports a file that ran (job->res) or could not: its points, in the stream's order. Returns
 * the number of failed points, or a negative errno when the harness failed. */
static int report_file(struct sc_tap *tap, struct file_job *job, const struct sc_cli_options *o, struct sc_error *err)
{
	if (tap->junit)
		(void)sc_junit_suite(tap->junit, job->path);
	if (job->empty) {
		sc_tap_point(tap, true, job->path, SC_TAP_SKIP, "an empty file (cram skips it)");
		return 0;
	}
	if (job->unrunnable)
		return (int)fail_file(tap, job, &job->why);
	struct sc_result *res = job->res;
	struct sc_transcript_result *split = NULL;
	unsigned failed = sc_report_checks(tap, res, job->path, o->verbosity);
	if (o->cram && !res->timed_out && res->exit_status == SC_CRAM_SKIP_STATUS)
		return (int)(failed + skip_commands(tap, job));
	int r = sc_transcript_split_output(&job->view, job->marker, res->out.data ? res->out.data : "", res->out.len,
					   &split, err);
	if (r == 0) {
		_cleanup_free_ char *again = reproduce_command(o, job->path);
		failed += sc_transcript_report(tap, &job->view, split, job->path, again);
		if (res->timed_out)
			sc_tap_comment(tap, "the file's container timed out and was killed: the commands left were not run");
		if (o->update)
			r = write_update(job, split, err);
	}
	sc_transcript_result_free(split);
	return r < 0 ? r : (int)failed;
}

/* Frees what prepare_file and the run made (the transcript itself stays, for --list). */
static void finish_file(struct file_job *job)
{
	job->res = sc_result_free(job->res);
	job->fx = sc_fixture_free(job->fx);
	if (job->have_options)
		sc_cli_options_release(&job->fo);
	file_args_release(&job->args);
	free(job->marker);
	free(job->script);
	job->marker = job->script = NULL;
	job->have_options = false;
}

/* One file after the other, in this process. */
static int run_in_turn(struct sc_tap *tap, struct file_job *jobs, size_t n, const struct sc_cli_options *o,
		       const struct sc_cli_options *caller, struct sc_fixture **shared, unsigned *failed,
		       struct sc_error *err)
{
	int r = 0;
	for (size_t j = 0; j < n && r >= 0; j++) {
		r = prepare_file(&jobs[j], o, caller, shared, err);
		if (r == 0 && !jobs[j].unrunnable)
			r = sc_run(&jobs[j].fo.config, &jobs[j].res, err);
		if (r == 0 && (r = report_file(tap, &jobs[j], o, err)) >= 0)
			*failed += (unsigned)r;
		finish_file(&jobs[j]);
	}
	return r < 0 ? r : 0;
}

/* With -j: a pool of worker processes, forked once for the suite (a fork per file costs the
 * harness a copy-on-write fault, and on a VM an inter-processor TLB flush, for each page it
 * writes afterwards: measured, -j2 was then no faster than -j1). The harness sends a worker
 * the index of a file on its command pipe; the worker prepares and runs the file and sends back
 * one message on its result pipe: a struct worker_reply, then (kind WORKER_RAN) the result as
 * run.h packs it. Workers die with the harness (SIGTERM, which cancels their container: see
 * sc_capture_run) and end at the end of their command pipe. */
enum worker_kind {
	WORKER_RAN,        /* the file ran: its result follows */
	WORKER_UNRUNNABLE, /* its points fail, err says why */
	WORKER_FAILED,     /* the harness failed on it (-code), err says why */
};

struct worker_reply {
	int32_t kind, code;
	struct sc_error err;
	uint64_t size; /* of the packed result that follows */
};

struct worker {
	pid_t pid;
	int commands, results;  /* pipes: the index of a file to run, and the replies */
	size_t job;             /* the file it runs, or SIZE_MAX when idle */
	struct sc_output got;   /* a reply as it comes in */
};

static void worker_serve(struct file_job *jobs, size_t n, int commands, int results, const struct sc_cli_options *o,
			 const struct sc_cli_options *caller, struct sc_fixture **shared)
{
	uint32_t index;
	while (read(commands, &index, sizeof(index)) == (ssize_t)sizeof(index) && index < n) {
		struct file_job *job = &jobs[index];
		struct worker_reply reply = { 0 };
		int r = prepare_file(job, o, caller, shared, &reply.err);
		if (r == 0 && job->unrunnable) {
			reply.kind = WORKER_UNRUNNABLE;
			reply.err = job->why;
		} else if (r == 0 && (r = sc_run(&job->fo.config, &job->res, &reply.err)) == 0) {
			reply.kind = WORKER_RAN;
			reply.size = sc_result_packed_size(job->res);
		}
		if (r < 0) {
			reply.kind = WORKER_FAILED;
			reply.code = r;
		}
		if (sc_write_all(results, &reply, sizeof(reply)) < 0 ||
		    (reply.kind == WORKER_RAN && sc_result_send(results, job->res) < 0))
			_exit(1);
		finish_file(job);
	}
	_exit(0);
}

static int start_worker(struct worker *w, struct worker *pool, size_t n_pool, struct file_job *jobs, size_t n,
			const struct sc_cli_options *o, const struct sc_cli_options *caller, struct sc_fixture **shared,
			struct sc_error *err)
{
	int c[2], res[2];
	if (pipe2(c, O_CLOEXEC) < 0)
		return sc_error_set(err, errno, "make a pipe for a worker");
	if (pipe2(res, O_CLOEXEC) < 0) {
		int e = errno;
		close(c[0]);
		close(c[1]);
		return sc_error_set(err, e, "make a pipe for a worker");
	}
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		close(c[1]);
		close(res[0]);
		for (size_t i = 0; i < n_pool; i++)
			if (pool[i].pid > 0) {
				close(pool[i].commands);
				close(pool[i].results);
			}
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
			_exit(1);
		worker_serve(jobs, n, c[0], res[1], o, caller, shared);
	}
	int e = errno;
	close(c[0]);
	close(res[1]);
	if (pid < 0) {
		close(c[1]);
		close(res[0]);
		return sc_error_set(err, e, "start a worker");
	}
	*w = (struct worker){ .pid = pid, .commands = c[1], .results = res[0], .job = SIZE_MAX };
	sc_output_init(&w->got, SIZE_MAX);
	return 0;
}

/* A whole reply came from w: the file's state as the worker left it. */
static void take_reply(struct worker *w, struct file_job *job)
{
	struct worker_reply reply;
	memcpy(&reply, w->got.data, sizeof(reply));
	reply.err.message[sizeof(reply.err.message) - 1] = '\0';
	job->done = true;
	if (reply.kind == WORKER_UNRUNNABLE) {
		job->unrunnable = true;
		job->why = reply.err;
	} else if (reply.kind == WORKER_RAN) {
		int r = sc_result_receive(w->got.data + sizeof(reply), (size_t)reply.size, &job->res);
		if (r < 0)
			job->harness_r = sc_error_set(&job->harness_err, -r, "read the result of '%s' from its worker", job->path);
	} else {
		job->harness_r = reply.code < 0 ? reply.code : -EIO;
		job->harness_err = reply.err;
	}
	sc_output_release(&w->got);
	sc_output_init(&w->got, SIZE_MAX);
	w->job = SIZE_MAX;
}

/* Reads what came from a worker; a reply that is whole is taken. A worker whose pipe ends
 * mid-file died: the file fails the harness. */
static int read_worker(struct worker *w, struct file_job *jobs, struct sc_error *err)
{
	char buf[SC_CAPTURE_READ];
	ssize_t got = read(w->results, buf, sizeof(buf));
	if (got < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (got > 0) {
		if (sc_output_append(&w->got, buf, (size_t)got) < 0)
			return sc_error_set(err, ENOMEM, "keep a worker's reply");
		struct worker_reply reply;
		if (w->got.len >= sizeof(reply)) {
			memcpy(&reply, w->got.data, sizeof(reply));
			if (w->got.len == sizeof(reply) + reply.size && w->job != SIZE_MAX)
				take_reply(w, &jobs[w->job]);
			else if (w->got.len > sizeof(reply) + reply.size || w->job == SIZE_MAX)
				return sc_error_setf(err, EBADMSG, "a worker sent more than its reply");
		}
		return 0;
	}
	int status = 0;
	sc_closep(&w->results);
	sc_closep(&w->commands);
	w->results = w->commands = -1;
	while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
		;
	w->pid = 0;
	if (w->job != SIZE_MAX) {
		struct file_job *job = &jobs[w->job];
		job->done = true;
		job->harness_r = sc_error_setf(&job->harness_err, EIO, "the worker that ran '%s' %s %d", job->path,
					       WIFSIGNALED(status) ? "was killed by signal" : "ended with status",
					       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		w->job = SIZE_MAX;
	}
	return 0;
}

/* Files run at once, up to o->jobs, in a pool of workers; the harness reports them in
 * command-line order as the head of the line is done, and hands out the next files (at most a
 * few times o->jobs ahead of the head: a bound on the results held). A failure of the harness,
 * or its SIGINT/SIGTERM, stops new starts and every running file; the files before it are
 * reported, then the stream bails out. */
static int run_at_once(struct sc_tap *tap, struct file_job *jobs, size_t n, const struct sc_cli_options *o,
		       const struct sc_cli_options *caller, struct sc_fixture **shared, unsigned *failed,
		       struct sc_error *err)
{
	size_t n_pool = o->jobs < n ? o->jobs : n, next = 0, head = 0, ahead = (size_t)o->jobs * 4;
	struct worker *pool = calloc(n_pool, sizeof(*pool));
	bool cancelled = false, stopping = false;
	int r = 0;
	if (!pool)
		return sc_error_set(err, ENOMEM, "plan the workers");
	/* made before the workers, so that they share them: the suite's root, and each file's
	 * marker (which the harness needs to read the file's output) */
	for (size_t j = 0; j < n && r == 0; j++)
		if (jobs[j].t && sc_transcript_marker_new(&jobs[j].marker) < 0)
			r = sc_error_set(err, ENOMEM, "make the marker of '%s'", jobs[j].path);
	if (r == 0 && !caller->config.rootfs) {
		struct sc_fixture_config suite = sc_cli_fixture_config(caller);
		r = sc_fixture_new(&suite, shared, err);
	}
	for (size_t i = 0; i < n_pool && r == 0; i++)
		r = start_worker(&pool[i], pool, n_pool, jobs, n, o, caller, shared, err);
	if (r < 0)
		goto stop;
	while (head < n) {
		for (size_t i = 0; i < n_pool && !stopping; i++) {
			if (pool[i].pid <= 0 || pool[i].job != SIZE_MAX || next >= n || next >= head + ahead)
				continue;
			uint32_t index = (uint32_t)next;
			if (sc_write_all(pool[i].commands, &index, sizeof(index)) < 0) {
				r = sc_error_set(err, EPIPE, "hand '%s' to a worker", jobs[next].path);
				goto stop;
			}
			pool[i].job = next++;
		}
		for (; head < n && jobs[head].done; head++) {
			struct file_job *job = &jobs[head];
			if (job->harness_r < 0) {
				*err = job->harness_err;
				r = job->harness_r;
				goto stop;
			}
			int q = report_file(tap, job, o, err);
			finish_file(job);
			if (q < 0) {
				r = q;
				goto stop;
			}
			*failed += (unsigned)q;
			/* each file's points as soon as it is reported, not at the end */
			if (sc_tap_flush(tap) < 0) {
				r = sc_error_set(err, tap->error, "write the TAP stream");
				goto stop;
			}
		}
		if (head == n)
			break;
		bool running = false;
		struct pollfd p[SC_CLI_JOBS_MAX + 1];
		for (size_t i = 0; i < n_pool; i++) {
			p[i] = (struct pollfd){ .fd = pool[i].pid > 0 ? pool[i].results : -1, .events = POLLIN };
			running = running || (pool[i].pid > 0 && pool[i].job != SIZE_MAX);
		}
		if (!running) {
			/* stopped (or every worker gone) before the head of the line ran */
			r = sc_error_setf(err, ECANCELED, "%s before '%s' ran",
					  cancelled ? "interrupted" : "no worker left", jobs[head].path);
			goto stop;
		}
		p[n_pool] = (struct pollfd){ .fd = cancelled ? -1 : o->config.cancel_fd, .events = POLLIN };
		if (poll(p, n_pool + 1, -1) < 0 && errno != EINTR) {
			r = sc_error_set(err, errno, "wait for the workers");
			goto stop;
		}
		if (p[n_pool].revents && !cancelled) {
			cancelled = stopping = true;
			for (size_t i = 0; i < n_pool; i++)
				if (pool[i].pid > 0 && pool[i].job != SIZE_MAX)
					(void)kill(pool[i].pid, SIGTERM);
		}
		for (size_t i = 0; i < n_pool; i++)
			if (p[i].revents && pool[i].pid > 0 && (r = read_worker(&pool[i], jobs, err)) < 0)
				goto stop;
	}
stop:
	/* the workers end at the end of their command pipe; one still running a file is told to
	 * stop it, and waited for: it removes its container */
	for (size_t i = 0; i < n_pool; i++) {
		if (pool[i].pid <= 0)
			continue;
		sc_closep(&pool[i].commands);
		if (pool[i].job != SIZE_MAX)
			(void)kill(pool[i].pid, SIGTERM);
		sc_closep(&pool[i].results);
		while (waitpid(pool[i].pid, NULL, 0) < 0 && errno == EINTR)
			;
		sc_output_release(&pool[i].got);
	}
	free(pool);
	for (size_t j = head; j < n; j++)
		finish_file(&jobs[j]);
	return r < 0 ? r : 0;
}

static bool in_shard(const struct sc_cli_options *o, size_t index)
{
	return o->shard_n == 0 || index % o->shard_n == o->shard_k - 1;
}

static int list_points(struct file_job *jobs, size_t n)
{
	for (size_t j = 0; j < n; j++) {
		if (!jobs[j].t) {
			printf("%s: could not run (%s)\n", jobs[j].path, jobs[j].parse_err.message);
			continue;
		}
		for (int c = 0; c < SC_CHECK_COUNT; c++)
			printf("%s: isolation: %s\n", jobs[j].path, sc_check_name((enum sc_check)c));
		for (size_t i = 0; i < jobs[j].view.n_commands; i++) {
			_cleanup_free_ char *desc = sc_transcript_description(jobs[j].t, &jobs[j].view.commands[i], jobs[j].path);
			printf("%s\n", desc ? desc : jobs[j].path);
		}
	}
	return fflush(stdout) == 0 ? 0 : 3;
}

int sc_cli_suite(struct sc_cli_options *o, struct sc_tap *tap, unsigned *ret_failed, struct sc_error *err)
{
	struct file_job *jobs = calloc(o->n_files + 1, sizeof(*jobs));
	size_t n = 0;
	unsigned total = 0, failed = 0;
	int r = 0;
	struct sc_cli_options caller = { 0 }; /* the suite's container options alone */
	struct sc_fixture *shared = NULL;     /* the fixture they ask for, once a file needs it */
	if (!jobs)
		return sc_error_set(err, ENOMEM, "plan the suite");
	for (size_t i = 0; i < o->n_files; i++) {
		if (!in_shard(o, i))
			continue;
		struct file_job *job = &jobs[n++];
		job->path = o->files[i];
		job->points = load(job, o) < 0 ? SC_CHECK_COUNT + 1u : SC_CHECK_COUNT + (unsigned)job->view.n_commands;
		job->empty = o->cram && job->t && job->t->len == 0;
		if (!job->t || job->empty)
			job->points = 1;
		total += job->points;
	}
	if (o->list) {
		r = list_points(jobs, n);
		goto out;
	}
	sc_tap_version(tap);
	if (total == 0) {
		char why[64];
		snprintf(why, sizeof(why), "no file in shard %u/%u", o->shard_k, o->shard_n);
		sc_tap_skip_all(tap, why);
		goto out;
	}
	/* a machine where no container can be made (a CI job's container under Docker's seccomp
	 * profile, say) skips each file with the cause, as automake's harness reads it, unless CI
	 * demands that the tests really run */
	char why[1024];
	if (sc_container_userns_possible(why, sizeof(why)) == 0) {
		const char *must = getenv("SIMPCON_MUST_WORK");
		if (must && !strcmp(must, "1")) {
			r = sc_error_setf(err, EPERM, "%s (SIMPCON_MUST_WORK=1: a skip is a failure)", why);
			goto out;
		}
		sc_tap_skip_all(tap, why);
		goto out;
	}
	sc_tap_plan(tap, total);
	sc_tap_flush(tap);
	/* once for the suite: the words are absolute already, the same from every file's directory */
	if ((r = parse_alone(o->run_args, o->n_run_args, &caller, err)) < 0)
		goto out;
	if (o->jobs > 1 && n > 1)
		r = run_at_once(tap, jobs, n, o, &caller, &shared, &failed, err);
	else
		r = run_in_turn(tap, jobs, n, o, &caller, &shared, &failed, err);
out:
	sc_fixture_free(shared);
	sc_cli_options_release(&caller);
	for (size_t j = 0; j < n; j++)
		job_release(&jobs[j]);
	free(jobs);
	*ret_failed = failed;
	return r;
}

/* ---- shell FILE.t[:LINE] ---------------------------------------------------------------- */

struct sc_cli_shell_file {
	struct file_job job;
	struct sc_cli_options caller;
	struct sc_fixture *shared;
	const char *argv[3];
	const char **env;
};

/* The line of the file's first command that fails, run as a suite runs it; UINT_MAX when every
 * command passes. */
static int first_failing(struct sc_cli_shell_file *f, const struct sc_cli_options *o, unsigned *ret_line,
			 struct sc_error *err)
{
	struct file_job run = { .path = f->job.path, .t = f->job.t, .view = f->job.view };
	struct sc_transcript_result *split = NULL;
	int r = prepare_file(&run, o, &f->caller, &f->shared, err);
	if (r == 0 && run.unrunnable)
		r = sc_error_setf(err, run.why.code ? run.why.code : EINVAL, "%s", run.why.message);
	if (r == 0)
		r = sc_run(&run.fo.config, &run.res, err);
	if (r == 0)
		r = sc_transcript_split_output(&run.view, run.marker, run.res->out.data ? run.res->out.data : "",
					       run.res->out.len, &split, err);
	*ret_line = UINT_MAX;
	for (size_t i = 0; r == 0 && i < run.view.n_commands; i++) {
		const struct sc_transcript_outcome *out = i < split->n_outcomes ? &split->outcomes[i] : NULL;
		if (!out || !sc_transcript_command_matches(&run.view.commands[i], out)) {
			*ret_line = run.view.commands[i].line;
			break;
		}
	}
	sc_transcript_result_free(split);
	finish_file(&run);
	return r;
}

/* What the shell sources first ($ENV): each command before line shown as the file writes it
 * ("$ " and "> " lines), then run, in the shell itself, so that its variables, functions and
 * directory stay. */
static int replay_script(const struct sc_transcript *t, unsigned line, char **ret)
{
	char *s = NULL;
	size_t len = 0;
	int r = add_text(&s, &len, "unset ENV\n");
	for (size_t i = 0; r == 0 && i < t->n_commands && t->commands[i].line < line; i++) {
		const char *text = t->commands[i].text;
		for (const char *l = text; r == 0 && l;) {
			const char *nl = strchr(l, '\n');
			r = add_text(&s, &len, l == text ? "printf '%s\\n' '$ " : "printf '%s\\n' '> ");
			if (r == 0)
				r = add_quoted(&s, &len, l, nl ? (size_t)(nl - l) : strlen(l));
			if (r == 0)
				r = add_text(&s, &len, "'\n");
			l = nl ? nl + 1 : NULL;
		}
		if (r == 0)
			r = add_text(&s, &len, text);
		if (r == 0)
			r = add_text(&s, &len, "\n");
	}
	if (r < 0) {
		free(s);
		return r;
	}
	*ret = s;
	return 0;
}

int sc_cli_shell_file_open(struct sc_cli_options *o, struct sc_cli_shell_file **ret, struct sc_config **ret_config,
			   struct sc_error *err)
{
	struct sc_cli_shell_file *f = calloc(1, sizeof(*f));
	*ret = f;
	if (!f)
		return sc_error_set(err, ENOMEM, "prepare the shell");
	struct file_job *job = &f->job;
	job->path = o->shell_file;
	if (load(job, o) < 0 || !job->t)
		return sc_error_setf(err, job->parse_err.code ? job->parse_err.code : EINVAL, "%s", job->parse_err.message);
	int r = parse_alone(o->run_args, o->n_run_args, &f->caller, err);
	unsigned line = o->shell_line;
	if (r == 0 && line == 0) {
		r = first_failing(f, o, &line, err);
		if (r == 0 && line == UINT_MAX)
			fprintf(stderr, "simpcon-test: every command of '%s' passes: the shell starts after the last\n", job->path);
		else if (r == 0)
			fprintf(stderr, "simpcon-test: %s:%u is the first command that fails: the shell starts before it\n",
				job->path, line);
	}
	_cleanup_free_ char *script = NULL;
	if (r == 0 && (replay_script(job->t, line, &script) < 0 || (o->cram && cram_script(&script) < 0)))
		r = sc_error_set(err, ENOMEM, "make the replay of '%s'", job->path);
	if (r < 0)
		return r;
	job->have_options = true;
	if (file_options(job, o, &f->caller, script, &job->args, &job->fo, &job->why) < 0) {
		*err = job->why;
		return -(job->why.code ? job->why.code : EINVAL);
	}
	/* the replay is a file, always: $ENV names it (it removes itself first) */
	if (!job->args.script_file[0] &&
	    ((r = script_to_file(script, &job->args, err)) < 0 || (r = add_script_copy(&job->fo, &job->args, err)) < 0))
		return r;
	if (!job->fo.config.rootfs &&
	    (r = file_root(&job->fo, &f->caller, &f->shared, &job->fx, &job->fo.config.rootfs, err)) < 0)
		return r;
	size_t n = 0;
	while (job->fo.config.env && job->fo.config.env[n])
		n++;
	if (!(f->env = calloc(n + 2, sizeof(*f->env))))
		return sc_error_set(err, ENOMEM, "prepare the shell");
	if (n)
		memcpy(f->env, job->fo.config.env, n * sizeof(*f->env));
	f->env[n] = "ENV=" SC_SUITE_SCRIPT;
	job->fo.config.env = f->env;
	f->argv[0] = "/bin/sh";
	f->argv[1] = "-i";
	job->fo.config.argv = f->argv;
	job->fo.config.cancel_fd = o->config.cancel_fd; /* the harness's SIGHUP, SIGINT, SIGTERM */
	*ret_config = &job->fo.config;
	return 0;
}

void sc_cli_shell_file_close(struct sc_cli_shell_file *f)
{
	if (!f)
		return;
	finish_file(&f->job);
	job_release(&f->job);
	sc_fixture_free(f->shared);
	sc_cli_options_release(&f->caller);
	free(f->env);
	free(f);
}
