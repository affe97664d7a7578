/* syscalls.h - wrappers for the system calls libc does not wrap (or wraps only recently). */
#pragma once

#include <linux/mount.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* clone3 with fork semantics (no new stack): returns 0 in the child, the pid in the parent,
 * -1 with errno on failure. */
pid_t sc_clone3(struct clone_args *args);
int sc_pivot_root(const char *new_root, const char *put_old);
int sc_close_range(unsigned first, unsigned last, unsigned flags);
int sc_pidfd_send_signal(int pidfd, int sig);
int sc_open_tree(int dirfd, const char *path, unsigned flags);
int sc_move_mount(int from_dirfd, const char *from_path, int to_dirfd, const char *to_path, unsigned flags);
int sc_mount_setattr(int dirfd, const char *path, unsigned flags, struct mount_attr *attr);
struct open_how;
int sc_openat2(int dirfd, const char *path, struct open_how *how);
int sc_fsopen(const char *fstype, unsigned flags);
int sc_fsconfig(int fd, unsigned cmd, const char *key, const void *value, int aux);
int sc_fsmount(int fd, unsigned flags, unsigned attr_flags);
