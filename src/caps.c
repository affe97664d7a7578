/* caps.c - capability names and dropping what the container does not keep. */
#include "config.h"

#include <errno.h>
#include <linux/capability.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "util.h"

static const char *const names[] = {
	"CAP_CHOWN",           "CAP_DAC_OVERRIDE",   "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID",          "CAP_KILL",           "CAP_SETGID",          "CAP_SETUID",
	"CAP_SETPCAP",         "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN",       "CAP_NET_RAW",        "CAP_IPC_LOCK",        "CAP_IPC_OWNER",
	"CAP_SYS_MODULE",      "CAP_SYS_RAWIO",      "CAP_SYS_CHROOT",      "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",       "CAP_SYS_ADMIN",      "CAP_SYS_BOOT",        "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE",    "CAP_SYS_TIME",       "CAP_SYS_TTY_CONFIG",  "CAP_MKNOD",
	"CAP_LEASE",           "CAP_AUDIT_WRITE",    "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",
	"CAP_MAC_OVERRIDE",    "CAP_MAC_ADMIN",      "CAP_SYSLOG",          "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND",   "CAP_AUDIT_READ",     "CAP_PERFMON",         "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

const char *sc_caps_name(unsigned cap)
{
	return cap < SC_ELEMENTSOF(names) ? names[cap] : NULL;
}

int sc_caps_parse(const char *name, uint64_t *ret_mask)
{
	if (!strcasecmp(name, "ALL")) {
		*ret_mask = SC_CAPS_ALL;
		return 0;
	}
	for (unsigned cap = 0; cap < SC_ELEMENTSOF(names); cap++)
		if (!strcasecmp(name, names[cap]) || !strcasecmp(name, names[cap] + 4)) {
			*ret_mask = SC_CAP_BIT(cap);
			return 0;
		}
	return -EINVAL;
}

int sc_caps_limit(uint64_t keep)
{
	/* the bounding set is what an exec as root can regain: drop there first */
	for (unsigned cap = 0; cap < 64; cap++) {
		if (keep & SC_CAP_BIT(cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			if (errno == EINVAL)
				break; /* past the kernel's last capability */
			return -errno;
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return -errno;
	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	if (syscall(SYS_capget, &header, data) < 0)
		return -errno;
	for (int i = 0; i < 2; i++) {
		uint32_t k = (uint32_t)(keep >> (32 * i));
		data[i].effective &= k;
		data[i].permitted &= k;
		data[i].inheritable = data[i].permitted;
	}
	return syscall(SYS_capset, &header, data) < 0 ? -errno : 0;
}

bool sc_caps_effective_has(unsigned cap)
{
	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	if (cap >= 64 || syscall(SYS_capget, &header, data) < 0)
		return false;
	return (data[cap / 32].effective >> (cap % 32)) & 1;
}

uint64_t sc_caps_kept(bool privileged, uint64_t add, uint64_t drop)
{
	return (privileged ? SC_CAPS_ALL : SC_CAPS_DEFAULT | add) & ~drop;
}
