/* syscall-filter.c - seccomp filters the container's command runs under, built with libseccomp. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "syscall-filter.h"
#include "util.h"

#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452 /* Linux 6.6; new calls have one number on every architecture */
#endif
#ifndef __O_TMPFILE
#define __O_TMPFILE 020000000
#endif

/* Threat: a bind is the host's own file system. Container root owns, through it, files of the
 * invoking user (root's, when make check runs as root), so a set-user-id or set-group-id bit it
 * sets there makes a set-id program on the host for every local user to run. As systemd's
 * RestrictSUIDSGID=, every call that sets a mode fails with EPERM when the mode has S_ISUID or
 * S_ISGID: the bits cannot be set, by chmod or when a file is made. */
static const struct {
	int nr;
	unsigned mode_arg;
	int flags_arg; /* the open flags, when the mode counts only with O_CREAT or O_TMPFILE; -1 */
} setid_rules[] = {
	{ SCMP_SYS(chmod), 1, -1 },
	{ SCMP_SYS(fchmod), 1, -1 },
	{ SCMP_SYS(fchmodat), 2, -1 },
	{ SCMP_SYS(fchmodat2), 2, -1 }, /* Linux 6.6 */
	{ SCMP_SYS(mkdir), 1, -1 },
	{ SCMP_SYS(mkdirat), 2, -1 },
	{ SCMP_SYS(mknod), 1, -1 },
	{ SCMP_SYS(mknodat), 2, -1 },
	{ SCMP_SYS(creat), 1, -1 },
	{ SCMP_SYS(open), 2, 1 },
	{ SCMP_SYS(openat), 3, 2 },
};

static int add_setid_rules(scmp_filter_ctx ctx)
{
	static const unsigned bits[] = { S_ISUID, S_ISGID };
	static const unsigned creating[] = { O_CREAT, __O_TMPFILE };
	for (size_t i = 0; i < SC_ELEMENTSOF(setid_rules); i++) {
		for (size_t b = 0; b < SC_ELEMENTSOF(bits); b++) {
			struct scmp_arg_cmp mode = SCMP_CMP((unsigned)setid_rules[i].mode_arg, SCMP_CMP_MASKED_EQ, bits[b], bits[b]);
			int r = 0;
			if (setid_rules[i].flags_arg < 0) {
				r = seccomp_rule_add_exact(ctx, SCMP_ACT_ERRNO(EPERM), setid_rules[i].nr, 1, mode);
			} else {
				for (size_t c = 0; c < SC_ELEMENTSOF(creating) && r == 0; c++) {
					struct scmp_arg_cmp flags = SCMP_CMP((unsigned)setid_rules[i].flags_arg, SCMP_CMP_MASKED_EQ,
									     creating[c], creating[c]);
					r = seccomp_rule_add_exact(ctx, SCMP_ACT_ERRNO(EPERM), setid_rules[i].nr, 2, flags, mode);
				}
			}
			/* a call this architecture or libseccomp does not know cannot be made either */
			if (r < 0 && r != -EDOM && r != -EFAULT)
				return r;
		}
	}
	/* openat2 takes its mode in a struct no filter can read: without it, libc falls back to
	 * openat, which the rules above cover; an io_uring's openat, mkdirat and the like run in
	 * the kernel, past the filter */
	static const int unfilterable[] = { SCMP_SYS(openat2), SCMP_SYS(io_uring_setup), SCMP_SYS(io_uring_enter),
					    SCMP_SYS(io_uring_register) };
	for (size_t i = 0; i < SC_ELEMENTSOF(unfilterable); i++) {
		int r = seccomp_rule_add_exact(ctx, SCMP_ACT_ERRNO(ENOSYS), unfilterable[i], 0);
		if (r < 0 && r != -EDOM && r != -EFAULT)
			return r;
	}
	return 0;
}

int sc_seccomp_load(const struct sc_seccomp *what)
{
	if (!what->no_setid)
		return 0;
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return -ENOMEM;
	/* no_new_privs is set already, and by the caller, in the order the kernel requires */
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (r == 0)
		r = add_setid_rules(ctx);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}
