/* caps.h - the capability set the container's command keeps. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define SC_CAP_BIT(cap) ((uint64_t)1 << (cap))
#define SC_CAPS_ALL UINT64_MAX

/* docker's default set: enough for package managers, servers on low ports and setuid tools
 * inside the container; nothing that administers the kernel (SYS_ADMIN, NET_ADMIN, SYS_PTRACE,
 * SYS_MODULE, ...). Numbers from linux/capability.h. */
#define SC_CAPS_DEFAULT                                                                                 \
	(SC_CAP_BIT(0) /* CHOWN */ | SC_CAP_BIT(1) /* DAC_OVERRIDE */ | SC_CAP_BIT(3) /* FOWNER */ |      \
	 SC_CAP_BIT(4) /* FSETID */ | SC_CAP_BIT(5) /* KILL */ | SC_CAP_BIT(6) /* SETGID */ |             \
	 SC_CAP_BIT(7) /* SETUID */ | SC_CAP_BIT(8) /* SETPCAP */ | SC_CAP_BIT(10) /* NET_BIND_SERVICE */ | \
	 SC_CAP_BIT(13) /* NET_RAW */ | SC_CAP_BIT(18) /* SYS_CHROOT */ | SC_CAP_BIT(27) /* MKNOD */ |    \
	 SC_CAP_BIT(29) /* AUDIT_WRITE */ | SC_CAP_BIT(31) /* SETFCAP */)

/* The capabilities the container's command keeps: all when privileged, else the default set
 * and add; drop goes in both cases. */
uint64_t sc_caps_kept(bool privileged, uint64_t add, uint64_t drop);
/* Parses "CAP_NET_ADMIN", "net_admin" or "ALL" into a mask. Returns 0 or -EINVAL. */
int sc_caps_parse(const char *name, uint64_t *ret_mask);
/* The name of capability number cap ("CAP_SYS_ADMIN"), or NULL. */
const char *sc_caps_name(unsigned cap);
/* Whether the calling process has capability number cap in its effective set. */
bool sc_caps_effective_has(unsigned cap);
/* Limits the calling process to keep: bounding, ambient, inheritable, permitted, effective.
 * Returns 0 or -errno. */
int sc_caps_limit(uint64_t keep);
