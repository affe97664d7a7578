/* probe.h - isolation checks, made inside the container (just before exec, in the process that
 * becomes the command) and from the host (before and after the run). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "simpcon.h"

#define SC_PROBE_DETAIL_MAX 200

/* The one message type on the report pipe, child -> parent. Written with one write of less
 * than PIPE_BUF bytes, so it arrives whole. */
enum sc_report_kind {
	SC_REPORT_PROBES = 1,   /* verdict/detail filled */
	SC_REPORT_SETUP_ERROR,  /* a container setup step failed: code + text */
	SC_REPORT_EXEC_ERROR,   /* execve failed: code + text */
};

struct sc_report {
	uint32_t kind;
	int32_t code;
	char text[256];
	uint8_t verdict[SC_CHECK_COUNT];
	char detail[SC_CHECK_COUNT][SC_PROBE_DETAIL_MAX];
};

/* What the inside probes compare against; filled by the parent before clone. */
struct sc_probe_expect {
	const char *hostname;
	const char *const *mount_points; /* every mount point the table must hold, and no other */
	size_t n_mount_points;
	char uid_map[64], gid_map[64];   /* "0 100000 65536\n" */
	bool zero_is_root[2];            /* uid, gid: whether id 0 of the caller's namespace is the host's
	                                    root (the initial namespace, or one mapping its 0 onto 0) */
	bool new_net;
	ino_t host_ns[SC_CHECK_COUNT];   /* the host's namespace inodes (pid, uts, mnt, net, ipc, user, cgroup) */
};

/* Namespace file name under /proc/self/ns for a check ("pid", "uts", "mnt", ...). */
const char *sc_probe_ns_name(enum sc_check check);
/* Records the caller's namespace inodes into expect->host_ns. */
void sc_probe_host_namespaces(struct sc_probe_expect *expect);
/* Runs every inside check; fills report->verdict and report->detail. */
void sc_probe_inside(const struct sc_probe_expect *expect, struct sc_report *report);

/* Pure checks, exposed for unit tests. Each returns true when the property holds and writes
 * what it saw (or what is wrong) into detail. */
bool sc_probe_check_mounts(const char *mountinfo, const char *const *expected, size_t n_expected, char *detail,
			   size_t size);
bool sc_probe_check_cgroup(const char *proc_cgroup, char *detail, size_t size);
bool sc_probe_check_netdev(const char *proc_net_dev, char *detail, size_t size);
bool sc_probe_check_map(const char *map_text, const char *expected, bool zero_is_root, char *detail, size_t size);

/* Host-side state before the run, compared after it. */
struct sc_host_snapshot {
	char hostname[256];
	char *mountinfo;
};
int sc_probe_host_before(struct sc_host_snapshot *snap);
/* Whether no mount point in the host's mountinfo is one of paths or below one. */
bool sc_probe_check_host_mounts(const char *mountinfo, const char *const *paths, size_t n_paths, char *detail,
				size_t size);
/* Folds the host's view into the report: hostname unchanged, no mount on or below paths (the
 * run directory and the fixture), and no process of the PID namespace with inode pid_ns, whose
 * PID 1 had host pid first, left. */
void sc_probe_host_after(const struct sc_host_snapshot *snap, const char *const *paths, size_t n_paths, ino_t pid_ns,
			 pid_t first, struct sc_report *report);
void sc_host_snapshot_release(struct sc_host_snapshot *snap);
