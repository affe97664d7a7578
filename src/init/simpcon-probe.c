/* simpcon-probe.c - attacks `simpcon-test check` makes from inside a container, where busybox
 * has no tool for them. Like simpcon-init, the harness executes it from a sealed in-memory
 * copy, so no host file is ever run inside; static, for a fixture with no loader.
 *
 *   simpcon-probe denied          tries each call the default seccomp profile denies and that
 *                                 a test would use to reach the kernel's surface; one line
 *                                 "call=ERRNO-NAME" (it failed) or "call=made" each
 *   simpcon-probe keyring SERIAL  reads and describes key SERIAL (planted in the harness's
 *                                 session keyring): "read=..." and "describe=...", each an
 *                                 errno name or "made"
 *   simpcon-probe chroot          the classic chroot escape (chroot into a subdirectory, climb
 *                                 with "..", chroot "."): "escape=contained" when "/" after
 *                                 it is the container's root, else "escape=ESCAPED" and what
 *                                 the new "/" holds
 *   simpcon-probe setid DIR       makes files and directories with a set-user-id or set-group-id
 *                                 bit in DIR by every call that can (creat, open, openat,
 *                                 O_TMPFILE, openat2, mkdir, mkdirat, mknod, mknodat, chmod,
 *                                 fchmod, fchmodat, fchmodat2) and asks for an io_uring: one
 *                                 "call=..." line each; the host then looks at DIR
 *   simpcon-probe setcap FILE     writes a file capability (cap_net_raw, effective) on FILE:
 *                                 "setcap=made" or the errno name
 *   simpcon-probe forks N         starts up to N children that wait, until a fork is refused:
 *                                 "forks=M ERRNO-NAME" (or "forks=N" when none was)
 *   simpcon-probe clocks          "monotonic=S boottime=S": what a time namespace moves
 *   simpcon-probe fill KIND FILE  makes inotify instances or POSIX message queues (KIND
 *                                 inotify or mqueue) until one is refused, writes "made=N
 *                                 ERRNO-NAME" to FILE and holds them until killed: a
 *                                 container taking all it can of a per-user kernel resource
 *   simpcon-probe one KIND        makes one and prints "KIND=made" or the errno name: run on
 *                                 the host meanwhile, it sees what the container left
 *
 * Exit status 0 when the probe ran (the verdict is in the output), 2 on a usage error. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <dirent.h>
#include <endian.h>
#include <linux/capability.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/userfaultfd.h>
#include <mqueue.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_memfd_secret
#define SYS_memfd_secret 447
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif

static void say(const char *name, long r)
{
	if (r >= 0) {
		printf("%s=made\n", name);
		return;
	}
	const char *e = strerrorname_np(errno);
	printf("%s=%s\n", name, e ? e : "error");
}

/* A call's result: 0 or more made it, -1 with errno failed; whatever it made is closed. */
static long closed(long fd)
{
	if (fd >= 0)
		close((int)fd);
	return fd;
}

static int denied(void)
{
	struct io_uring_params params = { 0 };
	say("io_uring_setup", closed(syscall(SYS_io_uring_setup, 1, &params)));
	say("userfaultfd", closed(syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY)));
	say("keyctl", syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
	say("add_key", syscall(SYS_add_key, "user", "simpcon-probe", "x", 1, KEY_SPEC_PROCESS_KEYRING));
	say("socket_packet", closed(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0)));
	say("memfd_secret", closed(syscall(SYS_memfd_secret, O_CLOEXEC)));
	/* a child does the unshare: this process stays as it was for the next probe */
	pid_t child = fork();
	if (child == 0)
		_exit(unshare(CLONE_NEWUSER) == 0 ? 0 : errno);
	int status = 0;
	if (child < 0 || waitpid(child, &status, 0) < 0 || !WIFEXITED(status)) {
		say("unshare_user", -1);
	} else {
		errno = WEXITSTATUS(status);
		say("unshare_user", errno ? -1 : 0);
	}
	return 0;
}

static int keyring(const char *serial_text)
{
	char *end;
	long serial = strtol(serial_text, &end, 10);
	if (!*serial_text || *end) {
		fprintf(stderr, "simpcon-probe: keyring: '%s' is not a key serial number\n", serial_text);
		return 2;
	}
	char payload[64];
	say("read", syscall(SYS_keyctl, KEYCTL_READ, serial, payload, sizeof(payload)));
	char description[64];
	say("describe", syscall(SYS_keyctl, KEYCTL_DESCRIBE, serial, description, sizeof(description)));
	return 0;
}

static int chroot_escape(void)
{
	struct stat before, after;
	char dir[] = "/tmp/simpcon-probe-XXXXXX";
	if (stat("/", &before) < 0 || !mkdtemp(dir)) {
		printf("escape=cannot-try (%s)\n", strerror(errno));
		return 0;
	}
	/* the working directory stays outside the new root, so ".." is not stopped by it */
	if (chdir("/") < 0 || chroot(dir) < 0) {
		say("escape_chroot", -1);
		return 0;
	}
	for (int i = 0; i < 256; i++)
		if (chdir("..") < 0)
			break;
	if (chroot(".") < 0 || chdir("/") < 0 || stat("/", &after) < 0) {
		say("escape_chroot_dot", -1);
		return 0;
	}
	if (after.st_dev == before.st_dev && after.st_ino == before.st_ino) {
		puts("escape=contained");
		return 0;
	}
	printf("escape=ESCAPED to:");
	DIR *d = opendir("/");
	for (struct dirent *e; d && (e = readdir(d));)
		if (e->d_name[0] != '.')
			printf(" %s", e->d_name);
	if (d)
		closedir(d);
	putchar('\n');
	return 0;
}

/* One more of KIND, left open; -1 with errno when refused. */
static int make_one(const char *kind)
{
	if (!strcmp(kind, "inotify"))
		return inotify_init1(IN_CLOEXEC);
	static unsigned n;
	char name[64];
	snprintf(name, sizeof(name), "/simpcon-probe-%d-%u", (int)getpid(), n++);
	mqd_t q = mq_open(name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600, NULL);
	/* unlinked at once: the queue lives, and is charged, while its descriptor is open */
	if (q != (mqd_t)-1)
		(void)mq_unlink(name);
	return (int)q;
}

static int fill(const char *kind, const char *path)
{
	unsigned made = 0;
	while (made < 100000 && make_one(kind) >= 0)
		made++;
	const char *e = strerrorname_np(errno);
	FILE *f = fopen(path, "we");
	if (!f || fprintf(f, "made=%u %s\n", made, e ? e : "error") < 0 || fclose(f) != 0) {
		fprintf(stderr, "simpcon-probe: write '%s': %s\n", path, strerror(errno));
		return 1;
	}
	for (;;)
		pause();
}

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* A plain file made in DIR for a mode change to work on; -1 when it cannot be. */
static int plain(int dir, const char *name)
{
	return openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
}

static int setid(const char *path)
{
	int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0 || fchdir(dir) < 0) {
		fprintf(stderr, "simpcon-probe: setid: '%s': %s\n", path, strerror(errno));
		return 2;
	}
	say("creat", closed(creat("creat", 04755)));
	say("open", closed(open("open", O_WRONLY | O_CREAT | O_CLOEXEC, 04755)));
	say("openat", closed(openat(dir, "openat", O_WRONLY | O_CREAT | O_CLOEXEC, 02755)));
	int tmp = open(".", O_WRONLY | O_TMPFILE | O_CLOEXEC, 04755);
	char fdpath[64];
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", tmp);
	say("o_tmpfile", tmp < 0 ? -1 : linkat(AT_FDCWD, fdpath, dir, "tmpfile", AT_SYMLINK_FOLLOW));
	closed(tmp);
	struct { uint64_t flags, mode, resolve; } how = { O_WRONLY | O_CREAT | O_CLOEXEC, 04755, 0 };
	say("openat2", closed(syscall(SYS_openat2, dir, "openat2", &how, sizeof(how))));
	say("mkdir", mkdir("mkdir", 02755));
	say("mkdirat", mkdirat(dir, "mkdirat", 02755));
	say("mknod", mknod("mknod", S_IFIFO | 04755, 0));
	say("mknodat", mknodat(dir, "mknodat", S_IFIFO | 02755, 0));
	say("chmod", closed(plain(dir, "chmod")) < 0 ? -1 : chmod("chmod", 04755));
	int f = plain(dir, "fchmod");
	say("fchmod", f < 0 ? -1 : fchmod(f, 04755));
	closed(f);
	say("fchmodat", closed(plain(dir, "fchmodat")) < 0 ? -1 : fchmodat(dir, "fchmodat", 02755, 0));
	say("fchmodat2", closed(plain(dir, "fchmodat2")) < 0 ? -1 : syscall(SYS_fchmodat2, dir, "fchmodat2", 04755, 0));
	struct io_uring_params params = { 0 };
	say("io_uring_setup", closed(syscall(SYS_io_uring_setup, 1, &params)));
	return 0;
}

static bool is_kind(const char *kind)
{
	return !strcmp(kind, "inotify") || !strcmp(kind, "mqueue");
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "denied"))
		return denied();
	if (argc == 3 && !strcmp(argv[1], "keyring"))
		return keyring(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "chroot"))
		return chroot_escape();
	if (argc == 3 && !strcmp(argv[1], "forks")) {
		long want = strtol(argv[2], NULL, 10), made = 0;
		for (; made < want; made++) {
			pid_t child = fork();
			if (child < 0)
				break;
			if (child == 0) {
				pause(); /* gone with PID 1 */
				_exit(0);
			}
		}
		const char *e = made < want ? strerrorname_np(errno) : NULL;
		printf("forks=%ld%s%s\n", made, e ? " " : "", e ? e : "");
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "setid"))
		return setid(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "setcap")) {
		struct vfs_cap_data cap = { .magic_etc = htole32(VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE) };
		cap.data[0].permitted = htole32(1u << CAP_NET_RAW);
		say("setcap", setxattr(argv[2], "security.capability", &cap, XATTR_CAPS_SZ_2, 0));
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "clocks")) {
		struct timespec mono, boot;
		clock_gettime(CLOCK_MONOTONIC, &mono);
		clock_gettime(CLOCK_BOOTTIME, &boot);
		printf("monotonic=%lld.%09ld boottime=%lld.%09ld\n", (long long)mono.tv_sec, mono.tv_nsec,
		       (long long)boot.tv_sec, boot.tv_nsec);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "fill") && is_kind(argv[2]))
		return fill(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "one") && is_kind(argv[2])) {
		say(argv[2], make_one(argv[2]));
		return 0;
	}
	fputs("usage: simpcon-probe denied | keyring SERIAL | chroot | setid DIR | setcap FILE | forks N | clocks |\n"
	      "       fill inotify|mqueue FILE |\n"
	      "       one inotify|mqueue\n",
	      stderr);
	return 2;
}
