/* syscall-filter.h - seccomp filters the container's command runs under. */
#pragma once

#include <stdbool.h>

/* Which filters to install. */
struct sc_seccomp {
	bool no_setid; /* no set-user-id or set-group-id bit can be set (a bind is in place) */
};

/* Installs the filters what asks for in the calling process (after no_new_privs, just before
 * exec: they hold for the command and everything it starts). Returns 0 or -errno. */
int sc_seccomp_load(const struct sc_seccomp *what);
