/* syscall-filter.c - the seccomp filter the container's command runs under, compiled by
 * libseccomp in the harness and installed by the container's PID 1 just before exec. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "syscall-filter.h"
#include "util.h"

#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452 /* Linux 6.6; new calls have one number on every architecture */
#endif
#ifndef __O_TMPFILE
#define __O_TMPFILE 020000000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#define NS_FLAGS_BUT_USER                                                                                  \
	((uint64_t)(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET | \
		    CLONE_NEWTIME))

/* The default profile: what a test has no business calling, each denial with why. Every call
 * fails with its errno; nothing is killed, so a test that tries one sees an ordinary error.
 * A call the kernel or libseccomp does not know on this architecture is skipped.
 *
 * Considered and left allowed: ptrace and process_vm_* (the PID namespace already hides every
 * process outside; strace and gdb work), personality (exec domains are gone since Linux 4.1;
 * gdb turns address randomisation off with it; libseccomp cannot compare one argument against
 * a set of allowed values), chroot (a pivot_root-ed container cannot leave its root with it;
 * `check` tries), and raw IP sockets (ping, in a network namespace of its own). */
enum gate {
	ALWAYS,
	NO_SYS_ADMIN, /* unless the command keeps CAP_SYS_ADMIN (--cap-add, --privileged) */
};
enum test {
	CALL,    /* every call */
	ANY_BIT, /* the argument has any bit of value set (one rule per bit) */
	EQUALS,  /* the argument is value */
};
static const struct denial {
	const char *name;
	int err;
	enum gate gate;
	enum test test;
	unsigned arg;
	uint64_t value;
	const char *why;
} denials[] = {
	{ "io_uring_setup", EPERM, ALWAYS, CALL, 0, 0, "the kernel does the ring's work past every filter; much new attack surface" },
	{ "io_uring_enter", EPERM, ALWAYS, CALL, 0, 0, "as io_uring_setup" },
	{ "io_uring_register", EPERM, ALWAYS, CALL, 0, 0, "as io_uring_setup" },
	{ "userfaultfd", EPERM, ALWAYS, CALL, 0, 0, "stops the kernel at a chosen page fault: how kernel races are won" },
	{ "bpf", EPERM, ALWAYS, CALL, 0, 0, "programs the kernel runs; its verifier is a frequent source of exploits" },
	{ "perf_event_open", EPERM, ALWAYS, CALL, 0, 0, "the host's performance counters; side channels, kernel bugs" },
	{ "add_key", EPERM, ALWAYS, CALL, 0, 0, "keys are not namespaced: the key store is shared with the host's users" },
	{ "keyctl", EPERM, ALWAYS, CALL, 0, 0, "as add_key" },
	{ "request_key", EPERM, ALWAYS, CALL, 0, 0, "as add_key; it can also start a host helper" },
	{ "open_by_handle_at", EPERM, ALWAYS, CALL, 0, 0, "opens a file by handle, past the container's root" },
	{ "memfd_secret", EPERM, ALWAYS, CALL, 0, 0, "memory unmapped from the kernel itself; no test needs it" },
	{ "kexec_load", EPERM, ALWAYS, CALL, 0, 0, "boots another kernel" },
	{ "kexec_file_load", EPERM, ALWAYS, CALL, 0, 0, "boots another kernel" },
	{ "init_module", EPERM, ALWAYS, CALL, 0, 0, "loads code into the host's kernel" },
	{ "finit_module", EPERM, ALWAYS, CALL, 0, 0, "loads code into the host's kernel" },
	{ "delete_module", EPERM, ALWAYS, CALL, 0, 0, "unloads the host's kernel modules" },
	{ "syslog", EPERM, ALWAYS, CALL, 0, 0, "the host's kernel log (readable by anyone where dmesg_restrict is 0)" },
	{ "acct", EPERM, ALWAYS, CALL, 0, 0, "process accounting is the host's" },
	{ "swapon", EPERM, ALWAYS, CALL, 0, 0, "swap is the host's" },
	{ "swapoff", EPERM, ALWAYS, CALL, 0, 0, "swap is the host's" },
	{ "settimeofday", EPERM, ALWAYS, CALL, 0, 0, "the wall clock is the host's (a time namespace moves only monotonic and boottime)" },
	{ "clock_settime", EPERM, ALWAYS, CALL, 0, 0, "as settimeofday" },
	{ "stime", EPERM, ALWAYS, CALL, 0, 0, "as settimeofday" },
	{ "iopl", EPERM, ALWAYS, CALL, 0, 0, "the host's I/O ports" },
	{ "ioperm", EPERM, ALWAYS, CALL, 0, 0, "the host's I/O ports" },
	{ "quotactl", EPERM, ALWAYS, CALL, 0, 0, "quotas are the host's file systems'" },
	{ "quotactl_fd", EPERM, ALWAYS, CALL, 0, 0, "as quotactl" },
	{ "lookup_dcookie", EPERM, ALWAYS, CALL, 0, 0, "obsolete profiling interface" },
	{ "nfsservctl", EPERM, ALWAYS, CALL, 0, 0, "obsolete" },
	{ "uselib", EPERM, ALWAYS, CALL, 0, 0, "obsolete loader interface" },
	{ "vm86", EPERM, ALWAYS, CALL, 0, 0, "obsolete; kernel surface no test needs" },
	{ "vm86old", EPERM, ALWAYS, CALL, 0, 0, "as vm86" },
	{ "socket", EPERM, ALWAYS, EQUALS, 0, AF_PACKET, "raw access to network devices, a frequent source of kernel exploits" },
	{ "clone", EPERM, ALWAYS, ANY_BIT, 0, CLONE_NEWUSER, "a new user namespace gives back every capability, over the whole namespaced kernel surface" },
	{ "unshare", EPERM, ALWAYS, ANY_BIT, 0, CLONE_NEWUSER, "as clone" },
	{ "clone3", ENOSYS, ALWAYS, CALL, 0, 0, "its flags are in memory no filter reads; libc falls back to clone on ENOSYS" },
	{ "clone", EPERM, NO_SYS_ADMIN, ANY_BIT, 0, NS_FLAGS_BUT_USER, "new namespaces need CAP_SYS_ADMIN, which the command does not keep" },
	{ "unshare", EPERM, NO_SYS_ADMIN, ANY_BIT, 0, NS_FLAGS_BUT_USER, "as clone" },
	{ "setns", EPERM, NO_SYS_ADMIN, CALL, 0, 0, "as clone" },
	{ "mount", EPERM, NO_SYS_ADMIN, CALL, 0, 0, "mounting needs CAP_SYS_ADMIN, which the command does not keep" },
	{ "umount", EPERM, NO_SYS_ADMIN, CALL, 0, 0, "as mount" },
	{ "umount2", EPERM, NO_SYS_ADMIN, CALL, 0, 0, "as mount" },
	{ "pivot_root", EPERM, NO_SYS_ADMIN, CALL, 0, 0, "as mount" },
	{ "fsopen", EPERM, NO_SYS_ADMIN, CALL, 0, 0, "as mount" },
	{ "fsconfig", EPERM, NO_SYS_ADMIN, CALL, 0, 0, "as mount" },
	{ "fsmount", EPERM, NO_SYS_ADMIN, CALL, 0, 0, "as mount" },
	{ "fspick", EPERM, NO_SYS_ADMIN, CALL, 0, 0, "as mount" },
	{ "move_mount", EPERM, NO_SYS_ADMIN, CALL, 0, 0, "as mount" },
	{ "open_tree", EPERM, NO_SYS_ADMIN, CALL, 0, 0, "as mount" },
	{ "mount_setattr", EPERM, NO_SYS_ADMIN, CALL, 0, 0, "as mount" },
};

/* A rule for a call this architecture or libseccomp does not know cannot match either. */
static int add_rule(scmp_filter_ctx ctx, int err, int nr, unsigned n, const struct scmp_arg_cmp *cmp)
{
	if (nr == __NR_SCMP_ERROR)
		return 0;
	int r = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO((unsigned)err), nr, n, cmp);
	return r == -EDOM || r == -EFAULT ? 0 : r;
}

static bool allowed(const struct sc_seccomp_profile *profile, int nr)
{
	for (size_t i = 0; profile && i < profile->n_allow; i++)
		if (profile->allow[i] == nr)
			return true;
	return false;
}

static int add_denial(scmp_filter_ctx ctx, const struct denial *d, int nr)
{
	struct scmp_arg_cmp cmp;
	switch (d->test) {
	case CALL:
		return add_rule(ctx, d->err, nr, 0, NULL);
	case EQUALS:
		cmp = SCMP_CMP(d->arg, SCMP_CMP_EQ, d->value);
		return add_rule(ctx, d->err, nr, 1, &cmp);
	case ANY_BIT:
		for (unsigned bit = 0; bit < 64; bit++) {
			uint64_t b = (uint64_t)1 << bit;
			if (!(d->value & b))
				continue;
			cmp = SCMP_CMP(d->arg, SCMP_CMP_MASKED_EQ, b, b);
			int r = add_rule(ctx, d->err, nr, 1, &cmp);
			if (r < 0)
				return r;
		}
		return 0;
	}
	return -EINVAL;
}

static int add_defaults(scmp_filter_ctx ctx, const struct sc_seccomp *what)
{
	for (size_t i = 0; i < SC_ELEMENTSOF(denials); i++) {
		const struct denial *d = &denials[i];
		int nr = seccomp_syscall_resolve_name(d->name);
		if ((d->gate == NO_SYS_ADMIN && what->sys_admin) || allowed(what->profile, nr))
			continue;
		int r = add_denial(ctx, d, nr);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Threat: a bind is the host's own file system. Container root owns, through it, files of the
 * invoking user (root's, when make check runs as root), so a set-user-id or set-group-id bit it
 * sets there makes a set-id program on the host for every local user to run. As systemd's
 * RestrictSUIDSGID=, every call that sets a mode fails with EPERM when the mode has S_ISUID or
 * S_ISGID: the bits cannot be set, by chmod or when a file is made. No profile takes these
 * back: they belong to the bind, not to the profile. */
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
			struct scmp_arg_cmp cmp[2] = {
				SCMP_CMP(setid_rules[i].mode_arg, SCMP_CMP_MASKED_EQ, bits[b], bits[b]),
			};
			int r = 0;
			if (setid_rules[i].flags_arg < 0) {
				r = add_rule(ctx, EPERM, setid_rules[i].nr, 1, cmp);
			} else {
				for (size_t c = 0; c < SC_ELEMENTSOF(creating) && r == 0; c++) {
					cmp[1] = SCMP_CMP((unsigned)setid_rules[i].flags_arg, SCMP_CMP_MASKED_EQ, creating[c],
							  creating[c]);
					r = add_rule(ctx, EPERM, setid_rules[i].nr, 2, cmp);
				}
			}
			if (r < 0)
				return r;
		}
	}
	/* openat2 takes its mode in a struct no filter can read: without it, libc falls back to
	 * openat, which the rules above cover; an io_uring's openat, mkdirat and the like run in
	 * the kernel, past the filter */
	int r = add_rule(ctx, ENOSYS, SCMP_SYS(openat2), 0, NULL);
	static const int rings[] = { SCMP_SYS(io_uring_setup), SCMP_SYS(io_uring_enter), SCMP_SYS(io_uring_register) };
	for (size_t i = 0; i < SC_ELEMENTSOF(rings) && r == 0; i++)
		r = add_rule(ctx, EPERM, rings[i], 0, NULL);
	return r;
}

/* The 32-bit ABIs a 64-bit kernel also runs: the rules hold there too, instead of a fixture's
 * 32-bit program dying on its first call. Not x32: Debian's kernels turn it off, and a third
 * architecture costs a fifth of the filter's compile time on every run. */
static int add_compat_arches(scmp_filter_ctx ctx)
{
	static const uint32_t compat[] = {
#if defined(__x86_64__)
		SCMP_ARCH_X86,
#elif defined(__aarch64__)
		SCMP_ARCH_ARM,
#endif
		0,
	};
	for (size_t i = 0; compat[i]; i++) {
		int r = seccomp_arch_add(ctx, compat[i]);
		if (r < 0 && r != -EEXIST)
			return r;
	}
	return 0;
}

static int export(scmp_filter_ctx ctx, struct sc_seccomp_bpf *ret)
{
	_cleanup_close_ int fd = memfd_create("simpcon-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return r;
	off_t size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % (off_t)sizeof(struct sock_filter) || size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS)
		return -E2BIG;
	struct sock_filter *code = malloc((size_t)size);
	if (!code)
		return -ENOMEM;
	if (pread(fd, code, (size_t)size, 0) != size) {
		free(code);
		return -EIO;
	}
	ret->code = code;
	ret->len = (unsigned short)(size / (off_t)sizeof(struct sock_filter));
	return 0;
}

int sc_seccomp_build(const struct sc_seccomp *what, struct sc_seccomp_bpf *ret, struct sc_error *err)
{
	*ret = (struct sc_seccomp_bpf){ 0 };
	const struct sc_seccomp_profile *p = what->profile;
	if (!what->defaults && !what->no_setid && !(p && (p->defaults || p->n_deny)))
		return 0;
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return sc_error_set(err, ENOMEM, "build the seccomp filter");
	int r = add_compat_arches(ctx);
	if (r == 0 && (what->defaults || (p && p->defaults)))
		r = add_defaults(ctx, what);
	for (size_t i = 0; r == 0 && p && i < p->n_deny; i++)
		if (!allowed(p, p->deny[i].nr))
			r = add_rule(ctx, p->deny[i].err, p->deny[i].nr, 0, NULL);
	if (r == 0 && what->no_setid)
		r = add_setid_rules(ctx);
	if (r == 0)
		r = export(ctx, ret);
	seccomp_release(ctx);
	if (r < 0)
		return sc_error_set(err, -r, "build the seccomp filter");
	return 0;
}

void sc_seccomp_bpf_release(struct sc_seccomp_bpf *bpf)
{
	free(bpf->code);
	*bpf = (struct sc_seccomp_bpf){ 0 };
}

int sc_seccomp_install(const struct sc_seccomp_bpf *bpf)
{
	if (bpf->len == 0)
		return 0;
	struct sock_fprog prog = { .len = bpf->len, .filter = bpf->code };
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0 ? -errno : 0;
}

/* An errno by name (EPERM) or number (1). */
static int parse_errno(const char *word)
{
	char *end;
	long n = strtol(word, &end, 10);
	if (*word && !*end)
		return n > 0 && n < 4096 ? (int)n : -1;
	for (int e = 1; e < 4096; e++) {
		const char *name = strerrorname_np(e);
		if (name && !strcmp(name, word))
			return e;
	}
	return -1;
}

static int push(void *array, size_t *n, size_t size, const void *item)
{
	void **a = array;
	void *grown = reallocarray(*a, *n + 1, size);
	if (!grown)
		return -ENOMEM;
	*a = grown;
	memcpy((char *)grown + *n * size, item, size);
	(*n)++;
	return 0;
}

static int profile_line(char *line, const char *path, unsigned lineno, struct sc_seccomp_profile *p,
			struct sc_error *err)
{
	char *words[4];
	size_t n = 0;
	char *hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	for (char *save, *w = strtok_r(line, " \t\r", &save); w; w = strtok_r(NULL, " \t\r", &save))
		if (n < SC_ELEMENTSOF(words))
			words[n++] = w;
		else
			return sc_error_setf(err, EINVAL, "seccomp profile '%s', line %u: too many words", path, lineno);
	if (n == 0)
		return 0;
	if (!strcmp(words[0], "@default") && n == 1) {
		p->defaults = true;
		return 0;
	}
	bool deny = !strcmp(words[0], "deny");
	if (!(deny && (n == 2 || n == 3)) && !(!strcmp(words[0], "allow") && n == 2))
		return sc_error_setf(err, EINVAL,
				     "seccomp profile '%s', line %u: expected '@default', 'deny CALL [ERRNO]' or "
				     "'allow CALL'",
				     path, lineno);
	int nr = seccomp_syscall_resolve_name(words[1]);
	if (nr == __NR_SCMP_ERROR)
		return sc_error_setf(err, EINVAL,
				     "seccomp profile '%s', line %u: unknown system call '%s' (names as in syscalls(2))",
				     path, lineno, words[1]);
	if (!deny)
		return push(&p->allow, &p->n_allow, sizeof(int), &nr) < 0 ? sc_error_set(err, ENOMEM, "read the profile") : 0;
	struct sc_seccomp_rule rule = { .nr = nr, .err = n == 3 ? parse_errno(words[2]) : EPERM };
	if (rule.err < 0)
		return sc_error_setf(err, EINVAL,
				     "seccomp profile '%s', line %u: unknown errno '%s' (a name such as EPERM, or a "
				     "number)",
				     path, lineno, words[2]);
	return push(&p->deny, &p->n_deny, sizeof(rule), &rule) < 0 ? sc_error_set(err, ENOMEM, "read the profile") : 0;
}

int sc_seccomp_profile_read(const char *path, struct sc_seccomp_profile *ret, struct sc_error *err)
{
	*ret = (struct sc_seccomp_profile){ 0 };
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = sc_read_file(path, &text, &len);
	if (r < 0)
		return sc_error_set(err, -r, "seccomp profile '%s' (--seccomp)", path);
	if (strlen(text) != len)
		return sc_error_setf(err, EINVAL, "seccomp profile '%s': not a text file", path);
	unsigned lineno = 0;
	for (char *line = text; *line;) {
		char *end = strchrnul(line, '\n');
		char *next = *end ? end + 1 : end;
		*end = '\0';
		lineno++;
		r = profile_line(line, path, lineno, ret, err);
		line = next;
		if (r < 0) {
			sc_seccomp_profile_release(ret);
			return r;
		}
	}
	return 0;
}

void sc_seccomp_profile_release(struct sc_seccomp_profile *profile)
{
	free(profile->deny);
	free(profile->allow);
	*profile = (struct sc_seccomp_profile){ 0 };
}
