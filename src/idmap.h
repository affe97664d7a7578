/* idmap.h - which host ids the container's ids map to, and writing the maps. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "simpcon.h"

struct sc_idmap {
	uid_t uid_host;    /* host id of container uid 0 */
	unsigned uid_count;
	gid_t gid_host;
	unsigned gid_count;
	bool rootless;     /* invoked by an unprivileged user: one id, setgroups denied */
	/* rootless with subordinate ids (sc_idmap_extend): container ids 1.. map to these, written
	 * by the setuid newuidmap/newgidmap; uid_count/gid_count then count them too */
	unsigned uid_sub_start, gid_sub_start, sub_count;
	int slice_lock;    /* run by root: the lock that makes this run's slice of root's range its own */
};

/* Parses one line (len bytes, followed by a newline or the end of the text) of /etc/subuid or
 * /etc/subgid, "owner:start:count": false unless both numbers are plain digits, count is not 0
 * and the range fits in 32 bits. owner receives the name, cut to owner_size - 1 bytes. */
bool sc_idmap_subid_line(const char *line, size_t len, char *owner, size_t owner_size, unsigned *ret_start,
			 unsigned *ret_count);

/* Finds the subordinate range of user (name or number) in the text of /etc/subuid or
 * /etc/subgid. Returns 0 and fills ret_start/ret_count, or -ENOENT when there is none. */
int sc_idmap_parse_subid(const char *text, const char *user_name, unsigned user_id, unsigned *ret_start,
			 unsigned *ret_count);

/* The map for the calling user: run by root (that may map every id, as in the initial user
 * namespace), a slice of root's id range (idrange.h) that no user and no other run has, held
 * until sc_idmap_release; run by root of a user namespace that maps a range, a slice of that
 * range (sc_idrange_nested_pool); run by a user, or by root of a namespace that maps one id,
 * container root is that user. */
int sc_idmap_default(struct sc_idmap *ret_map, struct sc_error *err);

/* Gives back what sc_idmap_default took (root's slice). */
void sc_idmap_release(struct sc_idmap *map);

/* Rootless: adds the user's subordinate ranges (/etc/subuid, /etc/subgid) as container ids
 * 1.., so a command may run as another uid; needs newuidmap and newgidmap (uidmap). */
int sc_idmap_extend(struct sc_idmap *map, struct sc_error *err);

/* Checks that the ids the command asked for exist inside the map. */
int sc_idmap_check_ids(const struct sc_idmap *map, uid_t uid, gid_t gid, struct sc_error *err);

/* Formats the uid_map / gid_map text, "0 100000 65536\n" (two lines when extended). */
void sc_idmap_format(const struct sc_idmap *map, bool gid, char *buf, size_t size);

/* Writes setgroups, uid_map and gid_map of process pid (the kernel requires setgroups "deny"
 * before an unprivileged gid_map). */
int sc_idmap_write(const struct sc_idmap *map, pid_t pid, struct sc_error *err);
