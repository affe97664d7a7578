/* check-kernel.h - `simpcon-test check --kernel IMAGE`: check on another kernel, booted under
 * QEMU from a generated initramfs, its TAP relayed as if check had run here. */
#pragma once

#include <stdbool.h>

#include "report.h"
#include "simpcon.h"
#include "tap.h"

struct sc_kernel_options {
	const char *image;   /* the kernel (a bzImage: a package's boot/vmlinuz-VERSION) */
	const char *modules; /* its lib/modules/VERSION, or NULL: guessed beside the image */
	const char *qemu;    /* NULL: qemu-system-x86_64 on PATH */
	const char *append;  /* more of the kernel command line, or NULL */
	const char *busybox; /* as --busybox; NULL: the default one */
	bool privileged;     /* check's own options, passed on */
	enum sc_verbosity verbosity;
	int cancel_fd;       /* readable when the caller must stop (a signalfd), or -1 */
};

/* Boots the kernel and runs check in it, as root when the caller is root, else as an
 * unprivileged user. check's TAP goes to tap->fd as it came; when the machine gave none, or
 * stopped before check ended (a panic, the timeout), a failed point whose YAML holds the tail
 * of the console follows, then "Bail out!". What an extra suite printed (the directory
 * $SIMPCON_KERNEL_EXTRA, see the README) goes to extra_fd. ret_status receives check's exit
 * status (0, 1, 3; 3 also when check did not end), made 1 when check passed but the extra
 * suite failed. Returns 0, or -errno with err naming the problem and the fix when no machine
 * could be booted (nothing was written then). When the machine gave no complete TAP, err
 * also receives the reason, for stderr. */
int sc_kernel_check(struct sc_tap *tap, const struct sc_kernel_options *options, int extra_fd, int *ret_status,
		    struct sc_error *err);
