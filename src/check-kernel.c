/* check-kernel.c - check on another kernel: the initramfs made by simpcon-initramfs, the kernel
 * booted under QEMU, check's TAP read back from the second serial port (see check-kernel.h). */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check-kernel.h"
#include "error.h"
#include "fixture.h"
#include "kernel-initramfs.h"
#include "tmpdir.h"
#include "util.h"

/* A boot with check takes one to two minutes under TCG on two cores; a machine that is still
 * running after this is stuck, not slow. */
#define TIMEOUT_TCG_S 600
#define TIMEOUT_KVM_S 300
/* how much of the console the YAML shows: the end, where a panic or init's complaint is */
#define CONSOLE_TAIL 6000

struct boot {
	const struct sc_kernel_options *o;
	char dir[PATH_MAX];        /* the scratch directory, removed at the end */
	char qemu[PATH_MAX];
	char modules[PATH_MAX];    /* empty: no modules */
	bool kvm;
	unsigned timeout_s;
	int qemu_status;           /* as waitpid gives it */
	bool timed_out;
};

static bool executable_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

static int find_qemu(struct boot *b, struct sc_error *err)
{
	const char *given = b->o->qemu;
	if (given) {
		errno = 0;
		if (!executable_file(given))
			return sc_error_set(err, errno ? errno : EACCES,
					    "QEMU '%s' (install qemu-system-x86: apt-get install qemu-system-x86, "
					    "or give --qemu PATH)", given);
		snprintf(b->qemu, sizeof(b->qemu), "%s", given);
		return 0;
	}
	const char *path = getenv("PATH");
	for (const char *p = path && *path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");
		if (n > 0 && snprintf(b->qemu, sizeof(b->qemu), "%.*s/qemu-system-x86_64", (int)n, p) < (int)sizeof(b->qemu) &&
		    executable_file(b->qemu))
			return 0;
		p += n + (p[n] == ':');
	}
	return sc_error_setf(err, ENOENT, "qemu-system-x86_64 not found on PATH: install qemu-system-x86 "
					  "(apt-get install qemu-system-x86), or give --qemu PATH");
}

static int check_image(const char *image, struct sc_error *err)
{
	_cleanup_close_ int fd = open(image, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0 && !S_ISREG(st.st_mode))
		errno = EISDIR;
	if (fd < 0 || !S_ISREG(st.st_mode))
		return sc_error_set(err, errno, "kernel image '%s' (give a kernel such as boot/vmlinuz-VERSION of an "
						"unpacked linux-image package)", image);
	return 0;
}

/* --modules, else the layout of a package unpacked with dpkg-deb -x: IMAGE is
 * ROOT/boot/vmlinuz-VERSION and the modules are ROOT/lib/modules/VERSION. */
static int find_modules(struct boot *b, struct sc_error *err)
{
	const char *given = b->o->modules;
	if (given) {
		if (!sc_initramfs_is_modules_dir(given))
			return sc_error_setf(err, ENOENT, "--modules '%s' is not a kernel's modules directory: it has neither "
							  "modules.dep nor modules.order (give lib/modules/VERSION)", given);
		snprintf(b->modules, sizeof(b->modules), "%s", given);
		return 0;
	}
	const char *image = b->o->image, *base = strrchr(image, '/');
	base = base ? base + 1 : image;
	size_t root = (size_t)(base - image);
	if (strncmp(base, "vmlinuz-", 8) || root < 5 || strncmp(image + root - 5, "boot/", 5))
		return 0;
	snprintf(b->modules, sizeof(b->modules), "%.*slib/modules/%s", (int)(root - 5), image, base + 8);
	if (!sc_initramfs_is_modules_dir(b->modules))
		b->modules[0] = '\0';
	return 0;
}

/* Whether the ELF program at path needs no loader (no PT_INTERP): only such a program runs in
 * the initramfs, which has no libraries. 1 static, 0 dynamic, or -errno. */
static int elf_static(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf64_Ehdr eh;
	if (fd < 0)
		return -errno;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr))
		return -ENOEXEC;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) != sizeof(ph))
			return -ENOEXEC;
		if (ph.p_type == PT_INTERP)
			return 0;
	}
	return 1;
}

static int static_program(const char *what, const char *path, const char *fix, struct sc_error *err)
{
	int r = elf_static(path);
	if (r < 0)
		return sc_error_set(err, -r, "%s '%s' (%s)", what, path, fix);
	if (r == 0)
		return sc_error_setf(err, ENOEXEC, "%s '%s' is linked dynamically, and the machine has no libraries: %s",
				     what, path, fix);
	return 0;
}

/* What goes into the initramfs besides the generated files. */
static int gather(struct boot *b, struct sc_initramfs_plan *p, char self[PATH_MAX], char busybox[PATH_MAX],
		  char init[PATH_MAX], char probe[PATH_MAX], struct sc_error *err)
{
	ssize_t n = readlink("/proc/self/exe", self, PATH_MAX - 1);
	if (n < 0)
		return sc_error_set(err, errno, "find the running simpcon-test (/proc/self/exe)");
	self[n] = '\0';
	int r = static_program("simpcon-test", self, "check --kernel needs it static: configure without "
						     "--disable-static-cli and --enable-sanitizers", err);
	if (r == 0 && (r = sc_fixture_find_busybox(b->o->busybox, busybox, PATH_MAX, err)) == 0)
		r = static_program("busybox", busybox, "install busybox-static, or give --busybox PATH", err);
	const char *helper = sc_helper_path(NULL, "SIMPCON_INIT", SC_INIT_HELPER, "simpcon-init", init, PATH_MAX);
	if (helper != init)
		snprintf(init, PATH_MAX, "%s", helper);
	if (r == 0)
		r = static_program("simpcon-init", init, "set SIMPCON_INIT, or reinstall", err);
	helper = sc_helper_path(NULL, "SIMPCON_PROBE", SC_PROBE_HELPER, "simpcon-probe", probe, PATH_MAX);
	if (helper != probe)
		snprintf(probe, PATH_MAX, "%s", helper);
	if (r == 0)
		r = static_program("simpcon-probe", probe, "set SIMPCON_PROBE, or reinstall", err);
	if (r < 0)
		return r;
	const char *extra = getenv("SIMPCON_KERNEL_EXTRA");
	struct stat st;
	if (extra && *extra && (stat(extra, &st) < 0 || !S_ISDIR(st.st_mode)))
		return sc_error_set(err, errno ? errno : ENOTDIR, "SIMPCON_KERNEL_EXTRA '%s' (give a directory, or unset it)", extra);
	const struct sc_kernel_options *o = b->o;
	*p = (struct sc_initramfs_plan){
		.self = self, .init_helper = init, .probe_helper = probe, .busybox = busybox,
		.modules = b->modules[0] ? b->modules : NULL, .extra = extra && *extra ? extra : NULL,
		.check_args = o->verbosity == SC_VERBOSITY_QUIET     ? (o->privileged ? "-q --privileged" : "-q")
			      : o->verbosity == SC_VERBOSITY_VERBOSE ? (o->privileged ? "-v --privileged" : "-v")
			      : o->privileged                        ? "--privileged" : "",
		.as_user = geteuid() != 0,
	};
	return 0;
}

/* Runs argv with stdin /dev/null and stdout and stderr into the file log; the child dies with
 * the caller (PR_SET_PDEATHSIG) and gets the signals the caller blocked for its signalfd. */
static pid_t spawn(char *const argv[], const char *log)
{
	pid_t parent = getpid(), pid = fork();
	if (pid != 0)
		return pid;
	sigset_t none;
	sigemptyset(&none);
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int out = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent || in < 0 || out < 0 || dup2(in, 0) < 0 ||
	    dup2(out, 1) < 0 || dup2(out, 2) < 0 || sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		_exit(127);
	execv(argv[0], argv);
	dprintf(2, "exec '%s': %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Waits for pid at most timeout_ms (0: no limit), or until cancel_fd is readable; kills it
 * then. Returns 0 (ret_status filled), -ETIMEDOUT or -EINTR (killed and reaped), or -errno. */
static int wait_child(pid_t pid, unsigned long timeout_ms, int cancel_fd, int *ret_status)
{
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	uint64_t deadline = timeout_ms ? sc_now_us() + (uint64_t)timeout_ms * 1000 : UINT64_MAX;
	int r = 0;
	while (pidfd >= 0) {
		struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = cancel_fd, .events = POLLIN } };
		uint64_t now = sc_now_us();
		if (now >= deadline) {
			r = -ETIMEDOUT;
			break;
		}
		int n = poll(p, cancel_fd >= 0 ? 2 : 1, timeout_ms ? (int)((deadline - now) / 1000) + 1 : -1);
		if (n < 0 && errno != EINTR) {
			r = -errno;
			break;
		}
		if (n > 0 && p[1].revents) {
			r = -EINTR;
			break;
		}
		if (n > 0 && p[0].revents)
			break;
	}
	if (r < 0)
		(void)kill(pid, SIGKILL);
	while (waitpid(pid, ret_status, 0) < 0)
		if (errno != EINTR)
			return r < 0 ? r : -errno;
	return r;
}

static int build_initramfs(struct boot *b, const struct sc_initramfs_plan *p, struct sc_error *err)
{
	char helper_buf[PATH_MAX], manifest[PATH_MAX + 16], output[PATH_MAX + 16], log[PATH_MAX + 16];
	const char *helper = sc_helper_path(NULL, "SIMPCON_INITRAMFS", SC_INITRAMFS_HELPER, "simpcon-initramfs",
					    helper_buf, sizeof(helper_buf));
	if (!executable_file(helper))
		return sc_error_set(err, ENOENT, "initramfs helper '%s' (set SIMPCON_INITRAMFS, or reinstall)", helper);
	int r = sc_initramfs_manifest(p, b->dir, err);
	if (r < 0)
		return r;
	snprintf(manifest, sizeof(manifest), "%s/manifest", b->dir);
	snprintf(output, sizeof(output), "%s/initramfs.cpio", b->dir);
	snprintf(log, sizeof(log), "%s/initramfs.log", b->dir);
	char *const argv[] = { (char *)helper, manifest, output, NULL };
	pid_t pid = spawn(argv, log);
	int status = 0;
	if (pid < 0)
		return sc_error_set(err, errno, "run '%s'", helper);
	if ((r = wait_child(pid, 0, b->o->cancel_fd, &status)) < 0)
		return sc_error_set(err, -r, "make the initramfs");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	_cleanup_free_ char *why = NULL;
	(void)sc_read_file_max(log, 4096, &why, NULL);
	if (why)
		why[strcspn(why, "\n")] = '\0';
	return sc_error_setf(err, EIO, "make the initramfs: %s", why && *why ? why : "the helper failed");
}

/* A path for a QEMU option value, where ',' must be doubled. */
static void qemu_path(char *buf, size_t size, const char *prefix, const char *path)
{
	size_t n = (size_t)snprintf(buf, size, "%s", prefix);
	for (const char *p = path; *p && n + 2 < size; p++) {
		buf[n++] = *p;
		if (*p == ',')
			buf[n++] = ',';
	}
	buf[n < size ? n : size - 1] = '\0';
}

static int run_qemu(struct boot *b, struct sc_error *err)
{
	char initrd[PATH_MAX + 32], console[PATH_MAX + 32], tap[PATH_MAX + 32], log[PATH_MAX + 16];
	_cleanup_free_ char *cmdline = NULL;
	snprintf(initrd, sizeof(initrd), "%s/initramfs.cpio", b->dir);
	qemu_path(console, sizeof(console), "file:", b->dir);
	strncat(console, "/console.log", sizeof(console) - strlen(console) - 1);
	qemu_path(tap, sizeof(tap), "file:", b->dir);
	strncat(tap, "/tap.out", sizeof(tap) - strlen(tap) - 1);
	snprintf(log, sizeof(log), "%s/qemu.log", b->dir);
	/* panic=-1 and -no-reboot: a panic ends QEMU at once instead of waiting for the timeout;
	 * loglevel=6: a boot that stops early shows where (it costs no measurable time under TCG) */
	if (asprintf(&cmdline, "console=ttyS0 panic=-1 loglevel=6%s%s", b->o->append ? " " : "",
		     b->o->append ? b->o->append : "") < 0)
		return sc_error_set(err, ENOMEM, "make the kernel command line");
	/* TCG with its default CPU: what Debian's kernels and static glibc programs run on */
	char *const argv[] = { b->qemu, (char *)"-m", (char *)"2048", (char *)"-smp", (char *)"2",
			       (char *)"-nographic", (char *)"-no-reboot", (char *)"-monitor", (char *)"none",
			       (char *)"-display", (char *)"none", (char *)"-kernel", (char *)b->o->image,
			       (char *)"-initrd", initrd, (char *)"-append", cmdline, (char *)"-serial", console,
			       (char *)"-serial", tap, (char *)"-accel", (char *)(b->kvm ? "kvm" : "tcg"),
			       b->kvm ? (char *)"-cpu" : NULL, (char *)"host", NULL };
	pid_t pid = spawn(argv, log);
	if (pid < 0)
		return sc_error_set(err, errno, "run '%s'", b->qemu);
	int r = wait_child(pid, (unsigned long)b->timeout_s * 1000, b->o->cancel_fd, &b->qemu_status);
	if (r == -ETIMEDOUT)
		b->timed_out = true;
	else if (r < 0)
		return sc_error_set(err, -r, "boot '%s' under QEMU", b->o->image);
	return 0;
}

/* The file at name in the scratch directory, without the '\r' a serial line puts before each
 * '\n'; an empty string when there is none. */
static char *read_serial(const struct boot *b, const char *name)
{
	char path[PATH_MAX + 32];
	char *text = NULL;
	snprintf(path, sizeof(path), "%s/%s", b->dir, name);
	if (sc_read_file_max(path, 256u << 20, &text, NULL) < 0)
		return strdup("");
	char *to = text;
	for (const char *from = text; *from; from++)
		if (*from != '\r')
			*to++ = *from;
	*to = '\0';
	return text;
}

/* The line starting with prefix, from text on, or NULL. */
static const char *find_line(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);
	for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		if (!strncmp(line, prefix, n))
			return line;
	return NULL;
}

static unsigned count_points(const char *text, const char *end)
{
	unsigned n = 0;
	for (const char *line = text; line && line < end; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		n += !strncmp(line, "ok ", 3) || !strncmp(line, "not ok ", 7);
	return n;
}

/* check gave no complete stream: a failed point with what the machine said, and Bail out!. */
static void boot_failed(struct sc_tap *tap, struct boot *b, const char *serial, bool started, unsigned points,
			struct sc_error *err)
{
	_cleanup_free_ char *console = read_serial(b, "console.log"), *qemu = read_serial(b, "qemu.log");
	char reason[PATH_MAX + 200];
	if (b->timed_out)
		snprintf(reason, sizeof(reason), "the kernel '%s' did not finish check within %u s (%s): console below",
			 b->o->image, b->timeout_s, b->kvm ? "KVM" : "TCG");
	else
		snprintf(reason, sizeof(reason), "the kernel '%s' %s: console below", b->o->image,
			 started ? "stopped before check ended" : "gave no TAP (it did not boot, or its /init failed)");
	if (!started) {
		sc_tap_version(tap);
		sc_tap_plan(tap, 1);
	}
	tap->count = points;
	sc_tap_point(tap, false, started ? "check ran to its end under the kernel" : "the kernel booted and ran check",
		     SC_TAP_NONE, NULL);
	sc_tap_yaml_begin(tap);
	sc_tap_yaml_string(tap, "message", reason);
	if (b->timed_out)
		sc_tap_yaml_int(tap, "timeout_s", b->timeout_s);
	else if (WIFEXITED(b->qemu_status))
		sc_tap_yaml_int(tap, "qemu_exit_status", WEXITSTATUS(b->qemu_status));
	size_t len = strlen(console);
	const char *tail = len > CONSOLE_TAIL ? strchr(console + len - CONSOLE_TAIL, '\n') : NULL;
	tail = tail ? tail + 1 : console;
	sc_tap_yaml_text(tap, "console", tail, strlen(tail), len);
	/* what the second serial line carried, when it was not TAP (a Bail out! before the version
	 * line, say) */
	if (!started && *serial)
		sc_tap_yaml_text(tap, "serial", serial, strlen(serial) > 4000 ? 4000 : strlen(serial), strlen(serial));
	if (*qemu)
		sc_tap_yaml_text(tap, "qemu", qemu, strlen(qemu) > 4000 ? 4000 : strlen(qemu), strlen(qemu));
	sc_tap_yaml_end(tap);
	sc_tap_bail(tap, reason);
	(void)sc_error_setf(err, EIO, "%s", reason);
}

/* check's TAP to tap->fd, the extra suite's part to extra_fd; check's status. */
static int relay(struct sc_tap *tap, struct boot *b, int extra_fd, struct sc_error *err)
{
	_cleanup_free_ char *out = read_serial(b, "tap.out");
	const char *start = find_line(out, "TAP version");
	const char *mark = start ? find_line(start, SC_KERNEL_EXIT_MARK) : NULL;
	if (!mark) {
		if (start)
			(void)sc_write_all(tap->fd, start, strlen(start));
		boot_failed(tap, b, out, start != NULL, start ? count_points(start, start + strlen(start)) : 0, err);
		return 3;
	}
	if (sc_write_all(tap->fd, start, (size_t)(mark - start)) < 0)
		return 3;
	int status = atoi(mark + strlen(SC_KERNEL_EXIT_MARK));
	const char *extra = find_line(mark, SC_KERNEL_EXTRA_MARK "\n");
	if (!extra)
		return status;
	extra += strlen(SC_KERNEL_EXTRA_MARK "\n");
	const char *extra_end = find_line(extra, SC_KERNEL_EXTRA_EXIT_MARK);
	(void)sc_write_all(extra_fd, extra, extra_end ? (size_t)(extra_end - extra) : strlen(extra));
	int extra_status = extra_end ? atoi(extra_end + strlen(SC_KERNEL_EXTRA_EXIT_MARK)) : 1;
	if (extra_status != 0) {
		dprintf(extra_fd, "simpcon-test: /extra/run %s\n", extra_end ? "failed" : "did not finish");
		if (status == 0)
			status = 1;
	}
	return status;
}

static int boot(struct sc_tap *tap, struct boot *b, int extra_fd, int *ret_status, struct sc_error *err)
{
	char self[PATH_MAX], busybox[PATH_MAX], init[PATH_MAX], probe[PATH_MAX];
	struct sc_initramfs_plan plan;
	int r = gather(b, &plan, self, busybox, init, probe, err);
	if (r == 0)
		r = build_initramfs(b, &plan, err);
	if (r == 0)
		r = run_qemu(b, err);
	if (r < 0)
		return r;
	sc_tap_flush(tap);
	*ret_status = relay(tap, b, extra_fd, err);
	return 0;
}

int sc_kernel_check(struct sc_tap *tap, const struct sc_kernel_options *o, int extra_fd, int *ret_status,
		    struct sc_error *err)
{
	struct boot b = { .o = o };
	int r = check_image(o->image, err);
	if (r == 0)
		r = find_qemu(&b, err);
	if (r == 0)
		r = find_modules(&b, err);
	if (r < 0)
		return r;
	_cleanup_close_ int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	b.kvm = kvm >= 0;
	b.timeout_s = b.kvm ? TIMEOUT_KVM_S : TIMEOUT_TCG_S;
	_cleanup_close_ int lock = sc_tmpdir_make(sc_tmpdir_default(), SC_TMPDIR_KERNEL, b.dir, sizeof(b.dir));
	if (lock < 0)
		return sc_error_set(err, -lock, "make a scratch directory in '%s' (set TMPDIR)", sc_tmpdir_default());
	r = boot(tap, &b, extra_fd, ret_status, err);
	(void)sc_rm_rf(b.dir);
	return r;
}
