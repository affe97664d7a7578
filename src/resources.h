/* resources.h - resource limits for a container: pids, memory and CPU time.
 *
 * Each limit goes where this machine can enforce it: a cgroup v2 controller when the unified
 * hierarchy has it (and it can be delegated), else the cgroup v1 hierarchy that has it (hybrid
 * machines), else an rlimit as the last resort (RLIMIT_NPROC, RLIMIT_AS). CPU time is always
 * RLIMIT_CPU: a hard limit the kernel enforces with SIGKILL, which even PID 1 cannot ignore. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "simpcon.h"

enum sc_limit_kind {
	SC_LIMIT_PIDS,
	SC_LIMIT_MEMORY,
	SC_LIMIT_CPU,
	SC_LIMIT_COUNT,
};

enum sc_limit_via {
	SC_LIMIT_NONE,
	SC_LIMIT_CGROUP2,
	SC_LIMIT_CGROUP1,
	SC_LIMIT_RLIMIT,
};

struct sc_limits {
	uint64_t value[SC_LIMIT_COUNT];      /* 0: no limit; pids, bytes, seconds */
	enum sc_limit_via via[SC_LIMIT_COUNT];
	char cgroup[SC_LIMIT_COUNT][512];    /* the cgroup directory made for the run, or "" */
	size_t cgroup_path[SC_LIMIT_COUNT];  /* where in it the path /proc/PID/cgroup shows begins */
};

/* Kernel resources counted per user (inotify and fanotify objects, message queue bytes,
 * pending signals, locked shared memory) are charged, through the container's user namespace,
 * to the user who runs it: the container gets a quarter of what that user may have, so a run
 * that takes all it can still leaves the host's user three quarters. */
#define SC_USER_CEILINGS 4
struct sc_user_ceilings {
	size_t n;
	const char *name[SC_USER_CEILINGS]; /* under /proc/sys/user/ */
	char value[SC_USER_CEILINGS][24];
};
/* Before the clone: the user.* sysctls for the container's user namespace, from the harness's
 * own (a namespace that sets none has the kernel's defaults above it). */
void sc_limits_user_ceilings(struct sc_user_ceilings *ret);

/* The storage bound: every tmpfs holding the command's writes gets size= bytes and one inode
 * per 4 KiB of it (files of nothing still take kernel memory), at least 1024. */
uint64_t sc_storage_inodes(uint64_t size);
/* The bound c asks for: storage_max, else memory_max, else SC_STORAGE_DEFAULT. */
uint64_t sc_storage_size(const struct sc_config *c);
/* After the run: which of the tmpfs (fds, O_PATH, one per name) are full, as text ("storage
 * 8388608 bytes per tmpfs: '/dev/shm' full") into buf; false when none is. */
bool sc_storage_hit(const int *fds, const char *const *names, size_t n, uint64_t size, char *buf, size_t bufsize);

/* Before the clone: creates the cgroups the limits need and decides, for each limit, where it
 * goes; a limit no cgroup takes (for this user) is left to rlimits (sc_limits_rlimits). */
int sc_limits_prepare(struct sc_limits *limits, struct sc_error *err);
/* After the clone, before the container runs anything: moves pid into the cgroups. */
int sc_limits_attach(const struct sc_limits *limits, pid_t pid, struct sc_error *err);
/* In the child, before exec: the rlimits for the limits that fell back to them, the CPU time
 * limit, and a quarter of the caller's per-user rlimits (message queue bytes, pending signals,
 * locked memory). Returns 0 or -errno. */
int sc_limits_rlimits(const struct sc_limits *limits);
/* After the run: which limits were hit, as text ("pids 50 (cgroup v1)"), into buf. cpu_us is
 * the CPU time the container used, signal what ended it (-1: the harness killed it). Returns
 * true when one was hit. */
bool sc_limits_hit(const struct sc_limits *limits, uint64_t cpu_us, int signal, char *buf, size_t size);
/* The limits in words, for the report: "pids 50 (cgroup v1), cpu 2 s (rlimit)". */
void sc_limits_describe(const struct sc_limits *limits, char *buf, size_t size);
/* Removes the cgroups (the container is gone by then). */
void sc_limits_release(struct sc_limits *limits);
