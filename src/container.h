/* container.h - cloning the container's PID 1 and everything it does before exec. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "resources.h"
#include "mounts.h"
#include "probe.h"
#include "syscall-filter.h"
#include "simpcon.h"

struct sc_child_plan {
	struct sc_mount_plan mounts;
	const char *hostname;
	const char *domainname;
	const char *chdir;
	char *const *argv;
	char *const *envp;
	uid_t uid;
	gid_t gid;
	bool new_net;
	bool privileged;
	uint64_t cap_add, cap_drop;
	int64_t time_offset_s;
	const struct sc_limits *limits;
	int stdout_fd, stderr_fd; /* write ends for the command's output */
	int sync_fd;              /* SOCK_SEQPACKET: the parent's go, with detached mount trees */
	int report_fd;            /* O_CLOEXEC pipe: struct sc_report messages; EOF at exec */
	int init_fd;              /* -1, or a sealed memfd holding simpcon-init: executed as PID 1
	                             with the command as its argument (--init) */
	int stdin_fd;             /* the command's stdin; -1: stdin_path, else /dev/null */
	const char *stdin_path;   /* a host file for stdin, opened by the child before the mounts */
	bool stdin_empty_pipe;    /* without stdin_fd and stdin_path: a pipe with no writer, not /dev/null */
	int terminal_fd;          /* SC_STDIO_TERMINAL: the socket the pty's master goes to, else -1 */
	int parent_fds[5];        /* the parent's ends (sync, pipes' read ends, terminal), -1 unused: closed
	                             in the child at once, so the parent's death reads as EOF */
	const struct sc_probe_expect *expect;
};

/* Why this machine refuses a new user namespace (clone failed with code): the sysctl, the
 * AppArmor restriction or the seccomp filter responsible, with its fix, as text in buf. */
const char *sc_container_userns_cause(int code, char *buf, size_t size);
/* The AppArmor restriction on unprivileged user namespaces, when it holds for this process
 * (their capabilities are then denied, so setup fails with EPERM or EACCES), as text in buf;
 * NULL when it does not. */
const char *sc_container_apparmor_cause(char *buf, size_t size);
/* Whether this process can make a user namespace at all (a child tries): 1, or 0 with the
 * refusal and its cause in why, or -errno. */
int sc_container_userns_possible(char *why, size_t size);
/* Clones PID 1 of a new container (user, pid, mount, uts, ipc, cgroup and, when new_net, net
 * namespaces). The child waits for sc_container_release, then sets itself up and execs.
 * Returns 0 and fills ret_pid/ret_pidfd in the parent; never returns in the child. */
int sc_container_clone(const struct sc_child_plan *plan, pid_t *ret_pid, int *ret_pidfd, struct sc_error *err);

#define SC_STORAGE_MAX 66 /* "/", /dev/shm and a --tmpfs per mount */

/* The container paths whose tmpfs holds the command's writes, in the order the child hands
 * them over: "/" (the overlay, unless kept on disk), /dev/shm, each writable --tmpfs. */
size_t sc_container_storage_paths(const struct sc_mount_plan *plan, const char **paths, size_t max);
/* After the run, in the parent: the fds the child handed over (up to max, O_PATH); the count. */
int sc_container_storage_fds(int sync_fd, int *fds, size_t max);

/* After sc_container_release: the seccomp filter the child installs just before exec (len 0:
 * none). */
int sc_container_send_filter(int sync_fd, const struct sc_seccomp_bpf *bpf, struct sc_error *err);

/* Lets the child go, handing it root_tree (a detached mount of the fixture root for the overlay's
 * lower layer, or -1: the child opens the root itself) and n detached mount trees (one per user
 * mount, -1 for none). */
int sc_container_release(int sync_fd, int root_tree, const int *trees, size_t n, struct sc_error *err);
