/* simpcon.h - run a command in an isolated Linux container and inspect the result.
 *
 * Every function returns 0 or a negative errno; on failure it also fills the caller's
 * struct sc_error (when not NULL) with a message that names the operation and the object.
 * The library keeps no global state, never prints and never exits. */
#ifndef SIMPCON_H
#define SIMPCON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SC_PUBLIC __attribute__((visibility("default")))

struct sc_error {
	int code;           /* positive errno of the failure */
	char message[512];  /* "pivot_root into '/tmp/x': invalid argument" */
};

/* A filesystem placed into the container: a bind mount of source (a host path) at dest, or a
 * fresh tmpfs at dest when source is NULL; with copy, a copy of the file source put at dest in
 * the container's writable layer (no mount; gone after the run). */
struct sc_mount {
	const char *source;
	const char *dest;
	bool readonly;
	bool copy;
};

/* Where the command's stdin, stdout and stderr go. */
enum sc_stdio {
	SC_STDIO_CAPTURE,     /* stdout and stderr captured into the result (stdin: stdin_file) */
	SC_STDIO_TERMINAL,    /* a pseudo-terminal of the container's own devpts, its controlling
	                         terminal (job control works), relayed to the caller's fds 0 (a
	                         terminal, whose size it takes) and 1 as they come: an interactive
	                         shell; nothing is captured */
	SC_STDIO_PASSTHROUGH, /* stdout and stderr written through to the caller's fds 1 and 2 as
	                         they come, not captured (stdin: stdin_file) */
};

enum sc_net {
	SC_NET_NONE, /* a new network namespace holding only lo, brought up */
	SC_NET_HOST, /* share the host's network namespace */
};

struct sc_config {
	const char *rootfs;           /* fixture root; never modified (writes land in a discarded layer) */
	const char *const *argv;      /* command and arguments, NULL-terminated; argv[0] looked up in PATH */
	const char *const *env;       /* NAME=VALUE added to the fixed environment, NULL-terminated, or
	                                 NULL; a later entry of a name replaces an earlier one */
	const char *hostname;         /* NULL: "simpcon" */
	const char *domainname;       /* NIS domain name inside; NULL: left as the new namespace has it */
	const char *chdir;            /* working directory inside; NULL: "/" */
	const char *stdin_file;       /* what the command reads on stdin: NULL: /dev/null; "-": the
	                                 caller's own stdin; else a host file (or fifo: its open
	                                 waits for a writer, within timeout_ms), opened with the
	                                 caller's permissions before the command starts */
	const struct sc_mount *mounts;
	size_t n_mounts;
	uid_t uid;                    /* ids of the command inside the container */
	gid_t gid;
	unsigned timeout_ms;          /* 0: no timeout; on expiry the whole container is SIGKILLed */
	enum sc_net net;
	size_t output_limit;          /* bytes kept per stream; the full length is still counted */
	int cancel_fd;                /* -1, or an fd that becomes readable to cancel the run */
	const char *tmpdir;           /* where the run directory goes; NULL: $TMPDIR, else /tmp */
	bool keep;                    /* keep the run directory (the container's writes) afterwards */
	/* Hardening, all on unless privileged: /proc masks and read-only knobs, no nested user
	 * namespaces, capabilities limited to a default set (docker's). Container root is never
	 * host root, privileged or not. */
	bool privileged;
	uint64_t cap_add;             /* bit N: Linux capability number N, kept in addition */
	uint64_t cap_drop;            /* dropped from the default set (or from all, if privileged) */
	bool host_libs;               /* the host's /usr, /lib, /lib64 (those that are directories)
	                                 bound read-only over the fixture, symlinks among them (merged
	                                 /usr) recreated where the fixture has none; /bin, /sbin,
	                                 /usr/bin, /usr/sbin the host's commands over the fixture's
	                                 (read-only overlays), sh the fixture's; /etc/alternatives and
	                                 /etc/ld.so.cache the host's, read-only */
	bool host_sh;                 /* with host_libs: sh (/bin/sh, /usr/bin/sh) the host's too */
	uint64_t pids_max;            /* 0: none; else at most this many processes in the container */
	uint64_t memory_max;          /* 0: none; else bytes of memory (cgroup v2/v1, else RLIMIT_AS) */
	unsigned cpu_seconds;         /* 0: none; else CPU seconds per process (RLIMIT_CPU, SIGKILL) */
	int64_t time_offset_s;        /* non-zero: a time namespace (Linux 5.6+) whose monotonic and
	                                 boottime clocks are moved by this many seconds */
	bool init;                    /* PID 1 is a small init (simpcon-init, run from an in-memory
	                                 copy) that forwards signals to the command, its child, and
	                                 reaps orphans; the command's death by signal N reads as exit
	                                 status 128 + N */
	const char *init_helper;      /* NULL: $SIMPCON_INIT, else the installed simpcon-init */
	uint64_t storage_max;         /* bytes each tmpfs of the run (the root's writes, /dev/shm,
	                                 each --tmpfs) holds at most: 0: memory_max when given, else
	                                 SC_STORAGE_DEFAULT; a full one fails writes with ENOSPC */
	const char *seccomp;          /* the system call filter: NULL: the default profile (none when
	                                 privileged); "unconfined": none; else a profile file (README,
	                                 "System call filter"). Set-id rules for binds stay in all cases */
	enum sc_stdio stdio;
	int resize_fd;                /* with SC_STDIO_TERMINAL: -1, or an fd that becomes readable
	                                 when the caller's terminal changed size (a signalfd for
	                                 SIGWINCH), whose new size the container's terminal then takes */
	bool stdin_empty_pipe;        /* with stdin_file NULL: stdin is a pipe that no one writes to
	                                 (a read sees end of file at once), as cram gives its commands,
	                                 instead of /dev/null */
};

#define SC_OUTPUT_LIMIT_DEFAULT ((size_t)1 << 20)
#define SC_STORAGE_DEFAULT ((uint64_t)1 << 30)
#define SC_CONFIG_INIT                                                                         \
	{                                                                                      \
		.timeout_ms = 60000, .net = SC_NET_NONE, .output_limit = SC_OUTPUT_LIMIT_DEFAULT, \
		.cancel_fd = -1, .resize_fd = -1,                                              \
	}

/* The isolation properties every run checks, inside the container and from the host. */
enum sc_check {
	SC_CHECK_PID,
	SC_CHECK_HOSTNAME,
	SC_CHECK_MOUNT,
	SC_CHECK_NET,
	SC_CHECK_IPC,
	SC_CHECK_USER,
	SC_CHECK_CGROUP,
	SC_CHECK_COUNT,
};

enum sc_verdict {
	SC_VERDICT_PASS,
	SC_VERDICT_FAIL,
	SC_VERDICT_SKIP,
};

struct sc_fixture;
struct sc_result;

struct sc_fixture_config {
	const char *busybox;       /* NULL: $SIMPCON_BUSYBOX, else configure's default, else PATH */
	const char *archive;       /* a root filesystem archive (tar, tar.gz/xz/zst/bz2, cpio, zip;
	                              the format is read from the content) instead of busybox */
	const char *cache_dir;     /* NULL: $SIMPCON_CACHE, $XDG_CACHE_HOME/simpcon, ~/.cache/simpcon
	                              (root: /var/cache/simpcon) */
	bool no_cache;             /* build a private copy, removed by sc_fixture_free */
	const char *tmpdir;        /* for no_cache; NULL: $TMPDIR, else /tmp */
	const char *unpack_helper; /* NULL: $SIMPCON_UNPACK, else the installed simpcon-unpack */
	unsigned lock_wait_ms;     /* how long to wait for another process's build of the same
	                              fixture before giving up with an error; 0: 120 s */
	/* An archive is untrusted: unpacking it stops with an error, and no entry is cached, past */
	uint64_t archive_limit;    /* this many bytes of file data; 0: 1 GiB */
	uint64_t archive_entries;  /* this many entries; 0: 100000 */
	uint64_t archive_ratio;    /* this many bytes unpacked per byte of the archive read, once past
	                              64 MiB (a compression bomb); 0: 100; SC_ARCHIVE_RATIO_NONE: no check */
};
#define SC_ARCHIVE_RATIO_NONE UINT64_MAX

/* Finds in the cache (or builds) the fixture config describes. Entries are keyed by content:
 * the same binary or archive under another name or path is the same entry. */
SC_PUBLIC int sc_fixture_new(const struct sc_fixture_config *config, struct sc_fixture **ret_fixture,
			     struct sc_error *err);
/* Prepares (or finds in the cache) a root filesystem made of the busybox binary at path (NULL:
 * $SIMPCON_BUSYBOX, else the configured default, else busybox on PATH) with its applet links and
 * a minimal /etc. cache_dir NULL picks $SIMPCON_CACHE, $XDG_CACHE_HOME/simpcon, ~/.cache/simpcon
 * (root: /var/cache/simpcon). */
SC_PUBLIC int sc_fixture_busybox(const char *path, const char *cache_dir, struct sc_fixture **ret_fixture,
				 struct sc_error *err);
/* The fixture's root directory, for sc_config.rootfs; valid until sc_fixture_free. */
SC_PUBLIC const char *sc_fixture_root(const struct sc_fixture *fixture);
/* Whether making the fixture built it (a cache miss, or no_cache) rather than finding it. */
SC_PUBLIC bool sc_fixture_was_built(const struct sc_fixture *fixture);
SC_PUBLIC struct sc_fixture *sc_fixture_free(struct sc_fixture *fixture);

/* Runs config->argv in a new container (user, pid, mount, uts, ipc, cgroup and, unless
 * SC_NET_HOST, net namespaces) and waits for it. A command that fails, is killed or times out
 * still returns 0: the result says what happened. A negative return means the harness itself
 * could not do its job (no user namespaces, a bind source that does not exist, ...). */
SC_PUBLIC int sc_run(const struct sc_config *config, struct sc_result **ret_result, struct sc_error *err);
SC_PUBLIC struct sc_result *sc_result_free(struct sc_result *result);

/* Exit status of the command, or -1 when a signal ended it. 127: not found in the fixture. */
SC_PUBLIC int sc_result_exit_status(const struct sc_result *result);
/* Signal that ended the command, or 0. */
SC_PUBLIC int sc_result_signal(const struct sc_result *result);
SC_PUBLIC bool sc_result_timed_out(const struct sc_result *result);
SC_PUBLIC uint64_t sc_result_duration_us(const struct sc_result *result);
/* Captured output: at most output_limit bytes (NUL-terminated for convenience, binary-safe by
 * ret_len); ret_total (may be NULL) receives the full length the command wrote. */
SC_PUBLIC const char *sc_result_stdout(const struct sc_result *result, size_t *ret_len, size_t *ret_total);
SC_PUBLIC const char *sc_result_stderr(const struct sc_result *result, size_t *ret_len, size_t *ret_total);
/* The run directory when config.keep was set (it holds upper/, the container's writes), or NULL. */
SC_PUBLIC const char *sc_result_run_dir(const struct sc_result *result);
/* The resource limits that were hit ("pids 50 (cgroup v1)"), or NULL. */
SC_PUBLIC const char *sc_result_limit_hit(const struct sc_result *result);
/* Why the command could not be started (e.g. "'nosuch' not found in the fixture"), or NULL. */
SC_PUBLIC const char *sc_result_exec_error(const struct sc_result *result);
/* Verdict of one isolation check; ret_detail (may be NULL) gets what was observed. */
SC_PUBLIC enum sc_verdict sc_result_check(const struct sc_result *result, enum sc_check check,
					  const char **ret_detail);
/* Stable short name of a check: "pid", "hostname", "mount", "net", "ipc", "user", "cgroup". */
SC_PUBLIC const char *sc_check_name(enum sc_check check);

#ifdef __cplusplus
}
#endif
#endif
