/* rootcopy.h - the fixture copied into the root where the run's tmpfs cannot be an overlay's
 * upper layer (Linux before 6.6: no user.* xattrs on tmpfs). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Whether the directory (the overlay's upper layer to be) cannot hold the user.* xattrs an
 * overlay in a user namespace needs, so the root must be a copy. */
bool sc_rootcopy_needed(int upper_fd);

/* Copies the tree under the directory fd from into the directory fd to: directories, files
 * (hard links kept), symlinks, fifos, with their owners, modes and times; device nodes and
 * sockets are left out. Returns 0, or -errno with the entry that failed in failed. */
int sc_rootcopy(int from, int to, char *failed, size_t size);
