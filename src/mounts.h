/* mounts.h - the container's mount plan, run in the child between clone and exec. */
#pragma once

#include <stddef.h>

#include "resources.h"
#include "simpcon.h"

/* Host paths are opened by sc_mounts_open while the child still has the invoking user's
 * credentials: run by root, the child then becomes a subordinate uid that may not be able to
 * walk to them (a TMPDIR or a bind source under a 0700 directory). */
struct sc_mount_plan {
	const char *rundir;             /* --keep: the host directory for the layers; NULL: a tmpfs */
	int rundir_fd;
	const char *rootfs;             /* the fixture, overlaid read-only */
	int rootfs_fd;                  /* the overlay's lower layer: an O_PATH fd of rootfs, or the
	                                   idmapped mount of it the parent made (run by root) */
	bool rootfs_idmapped;           /* rootfs_fd is that detached idmapped mount */
	const struct sc_mount *mounts;  /* user binds and tmpfs, in order */
	size_t n_mounts;
	const int *source_fds;          /* per mount: O_PATH fd of its source, or -1 for a tmpfs */
	const int *prepared;            /* per mount: a detached tree made by the parent, or -1 */
	bool keep;                      /* layers on the run directory's disk instead of a tmpfs */
	bool privileged;                /* no /proc masks, nested user namespaces allowed */
	bool host_libs;                 /* the host's /usr, /lib... read-only over the fixture */
	bool host_sh;                   /* with host_libs: the host's sh, not the fixture's */
	unsigned proc_present;          /* which /proc entries to harden exist (sc_mounts_find_proc) */
	bool lock;                      /* lock every mount's flags and what lies under it: container
	                                   root keeps CAP_SYS_ADMIN, which could undo them */
	const struct sc_user_ceilings *ceilings; /* written to the new /proc/sys/user, or NULL */
	uint64_t tmpfs_size;            /* size= of every tmpfs that holds the run's writes; 0: none */
};

/* Which of the /proc entries the hardening masks or makes read-only this kernel has, as a mask
 * for sc_mount_plan.proc_present: looked up once in the host's /proc, for the expected mount
 * list and for the child, which would otherwise look them up again. */
unsigned sc_mounts_find_proc(void);

/* Opens rundir, rootfs (unless rootfs_fd holds the parent's idmapped mount of it) and every
 * bind source as O_PATH fds in the child's own mount namespace
 * (an fd opened before the clone names the host's mounts, which the child cannot attach to).
 * source_fds has room for n_mounts entries and becomes plan->source_fds. */
int sc_mounts_open(struct sc_mount_plan *plan, int *source_fds, struct sc_error *err);

/* Builds the root (overlay of the fixture on a tmpfs), /proc, /dev, the user mounts, then
 * pivot_root into it and drops the old root. Leaves the cwd at the new "/". */
int sc_mounts_setup(const struct sc_mount_plan *plan, struct sc_error *err);

/* The mount points the container's table will hold after sc_mounts_setup, for the mount probe.
 * ret_points is one allocation (free it); the strings point into plan or static storage, except
 * normalised destinations, which are stored after the array. */
int sc_mounts_expected(const struct sc_mount_plan *plan, const char ***ret_points, size_t *ret_n);

/* Normalises a container path: absolute, no "." or ".." components, no repeated or trailing
 * slashes. Returns 0 or -EINVAL. */
int sc_mounts_normalize_dest(const char *dest, char *buf, size_t size);

/* Opens path (relative to the root at rootfd, never leaving it) as O_PATH, creating it and
 * missing parents: a directory, or an empty file when dir is false. Returns the fd or -1. */
int sc_mounts_open_in_root(int rootfd, const char *path, bool dir);

/* mount(2) onto what fd refers to (as /proc/self/fd/N). */
int sc_mounts_mount_on_fd(const char *source, int fd, const char *fstype, unsigned long flags, const char *data);
