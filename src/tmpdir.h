/* tmpdir.h - what the harness makes in $TMPDIR: locked while its maker lives, swept once it died.
 *
 * A harness killed with SIGKILL cannot remove what it made there (a --no-cache fixture of a few
 * MiB, a suite's long script, check's scratch directory). Each such file or directory carries a
 * flock, taken before anyone else could open it (mkdtemp and mkstemp make them 0700 and 0600)
 * and held on an fd its maker keeps until it removes it: a lock anyone can take is a lock no
 * living process holds, since the kernel drops a flock with the last fd of its holder. That
 * holds across pid namespaces and pid reuse, where "no process has this pid" proves nothing.
 * $TMPDIR may be shared with other users: only names made here, of the caller's, reached through
 * no symlink, are ever touched. */
#pragma once

#include <stddef.h>

enum sc_tmpdir_kind {
	SC_TMPDIR_FIXTURE, /* "simpcon-fixture-XXXXXX/": a --no-cache fixture */
	SC_TMPDIR_SCRIPT,  /* "simpcon-script-XXXXXX": a transcript's script too long for argv */
	SC_TMPDIR_CHECK,   /* "simpcon-check-XXXXXX/": what simpcon-test check binds and marks */
	SC_TMPDIR_KERNEL,  /* "simpcon-kernel-XXXXXX/": check --kernel's initramfs and serial logs */
};

/* Makes a new directory or file of kind in tmpdir, after sweeping what dead processes left
 * there. ret_path (size bytes) receives its path. Returns an fd that holds its lock until closed
 * (O_CLOEXEC; a file's is open for reading and writing, a directory's for reading), or -errno.
 * Remove what the path names before closing the fd. */
int sc_tmpdir_make(const char *tmpdir, enum sc_tmpdir_kind kind, char *ret_path, size_t size);

/* Removes from tmpdir every name sc_tmpdir_make made whose maker is gone: of the caller's, a
 * directory or a regular file as made, and unlocked. Returns how many it removed. */
unsigned sc_tmpdir_sweep(const char *tmpdir);

/* $TMPDIR when set and not empty, else /tmp. */
const char *sc_tmpdir_default(void);
