/* syscall-filter.h - the seccomp filter the container's command runs under: the default
 * profile's denials, a profile file's, and the set-id rules a bind needs. */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* A profile file's rules (see README, "System call filter"). */
struct sc_seccomp_profile {
	bool defaults;       /* "@default": the built-in denials first */
	struct sc_seccomp_rule {
		int nr;      /* libseccomp's number (native, or its pseudo number) */
		int err;     /* errno the call fails with */
	} *deny;
	size_t n_deny;
	int *allow;          /* calls no rule denies, built-in or not */
	size_t n_allow;
};

/* What the filter holds. */
struct sc_seccomp {
	bool defaults;       /* the built-in denials */
	bool sys_admin;      /* the command keeps CAP_SYS_ADMIN: mount and namespace calls stay */
	bool no_setid;       /* no set-user-id or set-group-id bit can be set (a bind is in place) */
	const struct sc_seccomp_profile *profile; /* a profile file's rules, or NULL */
};

/* A compiled filter: len 0 for none. */
struct sc_seccomp_bpf {
	struct sock_filter *code;
	unsigned short len;
};

/* Reads a profile file; errors name the file, the line and the fix. */
int sc_seccomp_profile_read(const char *path, struct sc_seccomp_profile *ret, struct sc_error *err);
void sc_seccomp_profile_release(struct sc_seccomp_profile *profile);

/* Compiles what asks for (the calling process keeps no filter); an empty *ret when nothing is
 * to be denied. */
int sc_seccomp_build(const struct sc_seccomp *what, struct sc_seccomp_bpf *ret, struct sc_error *err);
void sc_seccomp_bpf_release(struct sc_seccomp_bpf *bpf);

/* Installs a compiled filter in the calling process, which must have no_new_privs set; last,
 * just before exec, so that it holds for the command and everything it starts. 0 or -errno;
 * no allocation (the child of a clone calls it). */
int sc_seccomp_install(const struct sc_seccomp_bpf *bpf);
