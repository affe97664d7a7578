/* idrange.h - the host ids root's containers run as: a range no one else is given, and one
 * slice of it per run.
 *
 * Whoever holds a container's host ids can signal and ptrace its processes and change the
 * files it writes; so run by root, container ids are never host root's (a 0 -> 0 map lets a
 * test write the host's /proc/sys), never a range /etc/subuid or /etc/subgid gives a user
 * (Debian's useradd hands the first user 100000:65536), never an id of /etc/passwd or
 * /etc/group, and never another run's.
 *
 * The range is root's own entry in /etc/subuid and /etc/subgid when it overlaps no one else's
 * (an overlap is an error naming both entries), else SC_IDRANGE_BASE..SC_IDRANGE_END less
 * every slice that overlaps an id listed in those files. Each run takes a slice (65536 ids:
 * container ids 0-65535, nobody's 65534 among them) and holds a flock on its lock file in
 * SC_IDRANGE_STATE_DIR until it ends; the kernel drops the lock when the run's process dies, so
 * a killed run's slice is free again at once, with nothing to clean up. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "simpcon.h"

/* systemd's table of ids (systemd.io/UIDS-GIDS) gives 0x70000000-0x7ffdffff to no one: above
 * the container ranges of systemd-nspawn (0x80000-0x6fffffff), below its foreign range
 * (0x7ffe0000) and below 2^31, past which some programs read an id as a negative number. */
#define SC_IDRANGE_BASE 0x70000000u
#define SC_IDRANGE_END 0x7ffe0000u
#define SC_IDRANGE_SLICE 65536u
#define SC_IDRANGE_STATE_DIR "/run/simpcon/idrange"
/* How long a run waits for a slice when every one is taken by other runs. */
#define SC_IDRANGE_WAIT_MS 120000u

/* The texts of the files the range is checked against (NULL: the file is missing). */
struct sc_idrange_files {
	const char *subuid, *subgid, *passwd, *group;
};

/* Ids someone is given, and how to name them in a message. */
struct sc_idrange_taken {
	unsigned start, count;
	char what[128]; /* "'alice:100000:65536' (/etc/subuid line 2)", "uid 1000 of 'bob' (/etc/passwd)" */
};

/* Where root's containers get their ids: slice k is host uids uid_start + k * slice (and gids
 * gid_start + k * slice), slice ids long. */
struct sc_idrange_pool {
	unsigned uid_start, gid_start, slice, slices;
	bool own;                        /* root's entry of /etc/subuid and /etc/subgid */
	struct sc_idrange_taken *taken;  /* what the slices must miss (the default range only) */
	size_t n_taken;
};

/* Works out root's pool from the files. Returns 0, or -EINVAL with err naming the entries in
 * conflict and the fix (root's entry overlaps another's, or is in only one of the files). */
int sc_idrange_pool(const struct sc_idrange_files *files, struct sc_idrange_pool *ret_pool, struct sc_error *err);

/* Root of a user namespace that maps ids 0..ids-1 (a CI job's container): the pool is the
 * longest run of those ids, from 1 on, that no account, group or subordinate range of the
 * files holds (nor the overflow ids), in slices of SC_IDRANGE_SLICE when two fit, else one.
 * Returns 0, or -ENOSPC with err set when no id is free. */
int sc_idrange_nested_pool(const struct sc_idrange_files *files, unsigned ids, struct sc_idrange_pool *ret_pool,
			   struct sc_error *err);

/* Whether slice k overlaps none of the ids the pool must miss. */
bool sc_idrange_usable(const struct sc_idrange_pool *pool, unsigned k);

/* Frees what sc_idrange_pool allocated; accepts a zeroed pool. */
void sc_idrange_pool_release(struct sc_idrange_pool *pool);

/* Takes the lowest usable slice no other run holds, its lock file in state_dir (created 0700,
 * and refused unless root's alone), waiting up to wait_ms when all are held. Returns 0 with
 * ret_slice and ret_lock (the locked fd: the slice is this process's until it is closed or the
 * process dies), or -errno with err set. */
int sc_idrange_take(const char *state_dir, const struct sc_idrange_pool *pool, unsigned wait_ms,
		    unsigned *ret_slice, int *ret_lock, struct sc_error *err);
