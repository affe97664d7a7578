/* bind-idmap.h - the user namespace a bind is idmapped through, run by root. */
#pragma once

#include <sys/types.h>

#include "simpcon.h"

/* Creates a user namespace whose only mappings are caller_uid to root_uid and caller_gid to
 * root_gid (container root's host ids), for MOUNT_ATTR_IDMAP: through it a file the caller
 * owns on disk is container root's, and container root's writes land as the caller's. Needs
 * CAP_SETUID and CAP_SETGID over both ids (root). Returns 0 and an O_CLOEXEC fd of the
 * namespace in ret_fd, or a negative errno. */
int sc_bind_userns(uid_t caller_uid, gid_t caller_gid, uid_t root_uid, gid_t root_gid, int *ret_fd,
		   struct sc_error *err);
