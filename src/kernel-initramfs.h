/* kernel-initramfs.h - what the initramfs of `simpcon-test check --kernel` holds: this very
 * program, its helpers, busybox, the modules check needs, and an /init that prepares the
 * machine the way check expects a host to be and runs check on the second serial port.
 *
 * The knobs /init reads from the kernel command line (for the negative tests):
 *   simpcon.userns=0     0 into /proc/sys/user/max_user_namespaces before check
 *   simpcon.no-overlay   the overlay module is not loaded
 *   simpcon.no-cgroup    no cgroup2 on /sys/fs/cgroup
 * What /init writes on ttyS1: check's TAP, then "# simpcon-kernel-exit N" (check's exit
 * status); when the initramfs has /extra/run, then "# simpcon-kernel-extra", its output, and
 * "# simpcon-kernel-extra-exit N". */
#pragma once

#include <stdbool.h>

#include "simpcon.h"

#define SC_KERNEL_EXIT_MARK "# simpcon-kernel-exit "
#define SC_KERNEL_EXTRA_MARK "# simpcon-kernel-extra"
#define SC_KERNEL_EXTRA_EXIT_MARK "# simpcon-kernel-extra-exit "

struct sc_initramfs_plan {
	const char *self;         /* the static simpcon-test to run inside */
	const char *init_helper;  /* simpcon-init */
	const char *probe_helper; /* simpcon-probe */
	const char *busybox;      /* a static busybox */
	const char *modules;      /* a kernel's lib/modules/VERSION, or NULL: nothing loaded */
	const char *extra;        /* a directory put at /extra, or NULL */
	const char *check_args;   /* check's options inside, plain words ("-q --privileged") */
	bool as_user;             /* check runs as uid 1000 (rootless), else as root */
};

/* Writes into the directory dir the generated files (init, passwd, group) and "manifest", the
 * list simpcon-initramfs reads. Returns 0, or -errno with err naming the problem. */
int sc_initramfs_manifest(const struct sc_initramfs_plan *plan, const char *dir, struct sc_error *err);

/* Whether dir looks like a kernel's lib/modules/VERSION: it has modules.dep (made by depmod)
 * or modules.order (what a package unpacked with dpkg-deb -x has). */
bool sc_initramfs_is_modules_dir(const char *dir);
