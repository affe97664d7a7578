/* bind-idmap.c - the user namespace a bind is idmapped through, run by root.
 *
 * Threat: idmapped through the container's own user namespace, a bind maps every container id
 * to the same number on disk, so container root could chown a file in the host's tree to 0 or
 * to any other user's id (and, with a set-id bit, make a program that runs as them). Through a
 * namespace whose only mapping is the invoking user (and group) to container root, the
 * caller's files are container root's inside, container root's writes are the caller's on
 * disk, and every other id maps to nothing: the kernel refuses a chown to it (EINVAL) or a
 * write by another container uid (EOVERFLOW). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include "bind-idmap.h"
#include "error.h"
#include "util.h"

static int write_map(pid_t pid, const char *which, unsigned inside, unsigned outside, struct sc_error *err)
{
	char path[64], line[48];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, which);
	snprintf(line, sizeof(line), "%u %u 1\n", inside, outside);
	int r = sc_write_file(path, line);
	return r < 0 ? sc_error_set(err, -r, "write '%u %u 1' to '%s'", inside, outside, path) : 0;
}

int sc_bind_userns(uid_t caller_uid, gid_t caller_gid, uid_t root_uid, gid_t root_gid, int *ret_fd,
		   struct sc_error *err)
{
	struct sc_ns_holder holder;
	int r = sc_ns_holder_start(&holder, CLONE_NEWUSER), fd = -1;
	if (r < 0)
		r = sc_error_set(err, -r, "create the user namespace for idmapped binds");
	if (r == 0)
		r = write_map(holder.pid, "uid_map", (unsigned)caller_uid, (unsigned)root_uid, err);
	if (r == 0)
		r = write_map(holder.pid, "gid_map", (unsigned)caller_gid, (unsigned)root_gid, err);
	if (r == 0) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)holder.pid);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			r = sc_error_set(err, errno, "open '%s'", path);
	}
	sc_ns_holder_release(&holder); /* the fd keeps the namespace */
	if (r == 0)
		*ret_fd = fd;
	return r;
}
