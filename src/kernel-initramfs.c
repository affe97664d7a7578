/* kernel-initramfs.c - the contents of the initramfs of `check --kernel` (see kernel-initramfs.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "kernel-initramfs.h"
#include "util.h"

/* Modules check needs that a distribution kernel may build as modules: loop for the ext4 disk
 * below, overlay for check's overlay points. */
static const char *const wanted_modules[] = { "loop", "overlay" };

/* /init, a busybox sh script. The variables SIMPCON_ARGS, SIMPCON_AS_USER and SIMPCON_MODULES
 * are set on the lines before it. */
static const char init_script[] =
	"export PATH=/usr/sbin:/usr/bin:/sbin:/bin\n"
	"bb=/bin/busybox\n"
	"$bb mkdir -p /proc && $bb mount -t proc proc /proc\n"
	"case \" $($bb cat /proc/cmdline) \" in *\" simpcon.no-switch \"*) : >/.simpcon-moved; $bb --install -s ;; esac\n"
	"$bb umount /proc\n"
	"if [ ! -e /.simpcon-moved ]; then\n"
	"\t# pivot_root cannot leave the initramfs (EINVAL), and check's containers pivot_root:\n"
	"\t# everything moves to a tmpfs, which becomes the root\n"
	"\t$bb mkdir -p /proc /dev /newroot\n"
	"\t$bb mount -t proc proc /proc\n"
	"\t$bb mount -t devtmpfs devtmpfs /dev\n"
	"\texec </dev/console >/dev/console 2>&1\n"
	"\t$bb --install -s\n"
	"\tmount -t tmpfs -o mode=0755 tmpfs /newroot\n"
	"\tfor f in /*; do case $f in /proc|/dev|/newroot) ;; *) cp -a \"$f\" /newroot/ ;; esac; done\n"
	"\tmkdir -p /newroot/proc /newroot/sys /newroot/dev /newroot/tmp /newroot/var\n"
	"\t: >/newroot/.simpcon-moved\n"
	"\tumount /dev /proc\n"
	"\texec switch_root /newroot /init\n"
	"fi\n"
	"mount -t proc proc /proc\n"
	"mount -t sysfs sysfs /sys\n"
	"mount -t devtmpfs devtmpfs /dev\n"
	"exec </dev/console >/dev/console 2>&1\n"
	"mkdir -p /dev/shm && mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm\n"
	"cmdline=$(cat /proc/cmdline)\n"
	"knob() { case \" $cmdline \" in *\" simpcon.$1 \"*) return 0 ;; esac; return 1; }\n"
	"for m in $SIMPCON_MODULES; do\n"
	"\tif [ $m = overlay ] && knob no-overlay; then continue; fi\n"
	"\tinsmod /lib/modules/$m.ko || echo \"simpcon init: insmod $m failed\"\n"
	"done\n"
	"knob no-cgroup || mount -t cgroup2 cgroup2 /sys/fs/cgroup\n"
	"knob userns=0 && echo 0 >/proc/sys/user/max_user_namespaces\n"
	"knob root-0700 && chmod 0700 /\n"
	"ip link set lo up\n"
	"chmod 1777 /tmp\n"
	"# the cache and TMPDIR on ext4: before Linux 6.3 a tmpfs cannot be mounted idmapped, as a\n"
	"# fixture of root's is; busybox mke2fs wants a block device, hence the loop device\n"
	"dd if=/dev/zero of=/disk.img bs=1M count=0 seek=1024 2>/dev/null\n"
	"disk=$(losetup -f) && losetup \"$disk\" /disk.img && mke2fs -q \"$disk\" && mount -t ext4 \"$disk\" /var ||\n"
	"\techo 'simpcon init: no ext4 disk for /var: check runs on the tmpfs'\n"
	"mkdir -p /var/tmp /var/home/user /var/work\n"
	"chmod 1777 /var/tmp\n"
	"export TMPDIR=/var/tmp HOME=/root SIMPCON_BUSYBOX=/bin/busybox\n"
	"export SIMPCON_INIT=/usr/libexec/simpcon/simpcon-init SIMPCON_PROBE=/usr/libexec/simpcon/simpcon-probe\n"
	"as_caller() {\n"
	"\tif [ \"$SIMPCON_AS_USER\" = 1 ]; then HOME=/var/home/user su -p -s /bin/sh user -c 'exec \"$0\" \"$@\"' \"$@\"\n"
	"\telse \"$@\"; fi\n"
	"}\n"
	"[ \"$SIMPCON_AS_USER\" = 1 ] && chown 1000:1000 /var/home/user /var/work\n"
	"cd /var/work\n"
	"as_caller /usr/bin/simpcon-test check $SIMPCON_ARGS </dev/null >/dev/ttyS1\n"
	"echo \"" SC_KERNEL_EXIT_MARK "$?\" >/dev/ttyS1\n"
	"if [ -e /extra/run ]; then\n"
	"\techo '" SC_KERNEL_EXTRA_MARK "' >/dev/ttyS1\n"
	"\tas_caller sh /extra/run </dev/null >/dev/ttyS1 2>&1\n"
	"\techo \"" SC_KERNEL_EXTRA_EXIT_MARK "$?\" >/dev/ttyS1\n"
	"fi\n"
	"sync\n"
	"poweroff -f\n";

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
			     "user:x:1000:1000:user:/var/home/user:/bin/sh\n";
static const char group[] = "root:x:0:\n"
			    "user:x:1000:\n";

bool sc_initramfs_is_modules_dir(const char *dir)
{
	char path[4096];
	struct stat st;
	for (const char *const *name = (const char *const[]){ "modules.dep", "modules.order", NULL }; *name; name++)
		if (snprintf(path, sizeof(path), "%s/%s", dir, *name) < (int)sizeof(path) && stat(path, &st) == 0 &&
		    S_ISREG(st.st_mode))
			return true;
	return false;
}

/* Whether the path names module name: "kernel/fs/overlayfs/overlay.ko.xz" is "overlay"; '-' and
 * '_' are the same in a module's name. */
static bool names_module(const char *path, size_t len, const char *name)
{
	const char *base = memrchr(path, '/', len);
	base = base ? base + 1 : path;
	size_t n = strlen(name);
	if ((size_t)(path + len - base) < n + 3 || strncmp(base + n, ".ko", 3))
		return false;
	for (size_t i = 0; i < n; i++)
		if (base[i] != name[i] && !((base[i] == '-' || base[i] == '_') && (name[i] == '-' || name[i] == '_')))
			return false;
	return true;
}

struct module_list {
	FILE *manifest;
	const char *dir;
	char names[512]; /* the load order, space separated */
};

/* Adds the module at path (relative to the modules directory) once, as /lib/modules/NAME.ko,
 * decompressed. */
static void add_module(struct module_list *l, const char *path, size_t len)
{
	const char *base = memrchr(path, '/', len);
	base = base ? base + 1 : path;
	size_t n = (size_t)(strstr(base, ".ko") - base);
	char name[128];
	if (n >= sizeof(name))
		return;
	memcpy(name, base, n);
	name[n] = '\0';
	for (const char *p = l->names; (p = strstr(p, name)); p += n)
		if ((p == l->names || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return;
	fprintf(l->manifest, "unpacked 0644 /lib/modules/%s.ko %s/%.*s\n", name, l->dir, (int)len, path);
	size_t used = strlen(l->names);
	snprintf(l->names + used, sizeof(l->names) - used, "%s%s", used ? " " : "", name);
}

/* modules.dep: "kernel/a.ko.xz: kernel/dep1.ko.xz kernel/dep2.ko.xz", the dependencies of a
 * module as modprobe loads them, last first. */
static bool from_modules_dep(struct module_list *l, const char *text, const char *name)
{
	for (const char *line = text; *line; line += strcspn(line, "\n") + (line[strcspn(line, "\n")] == '\n')) {
		size_t colon = strcspn(line, ":\n");
		if (line[colon] != ':' || !names_module(line, colon, name))
			continue;
		const char *deps = line + colon + 1, *end = deps + strcspn(deps, "\n");
		/* the dependencies, from the last word to the first */
		for (const char *word_end = end; word_end > deps;) {
			while (word_end > deps && word_end[-1] == ' ')
				word_end--;
			const char *word = word_end;
			while (word > deps && word[-1] != ' ')
				word--;
			if (word < word_end)
				add_module(l, word, (size_t)(word_end - word));
			word_end = word;
		}
		add_module(l, line, colon);
		return true;
	}
	return false;
}

/* modules.order without modules.dep (a package unpacked with dpkg-deb -x: depmod makes
 * modules.dep when the package is installed): the path without its compression suffix, and no
 * dependencies known, which loop and overlay do not have. */
static bool from_modules_order(struct module_list *l, const char *text, const char *name)
{
	for (const char *line = text; *line; line += strcspn(line, "\n") + (line[strcspn(line, "\n")] == '\n')) {
		size_t len = strcspn(line, "\n");
		if (!names_module(line, len, name))
			continue;
		for (const char *const *suffix = (const char *const[]){ "", ".xz", ".zst", ".gz", NULL }; *suffix; suffix++) {
			char path[4096], rel[4096];
			struct stat st;
			snprintf(rel, sizeof(rel), "%.*s%s", (int)len, line, *suffix);
			if (snprintf(path, sizeof(path), "%s/%s", l->dir, rel) < (int)sizeof(path) && stat(path, &st) == 0) {
				add_module(l, rel, strlen(rel));
				return true;
			}
		}
	}
	return false;
}

/* The wanted modules the kernel has as modules; one built in (modules.builtin) or missing is
 * left to check, which says what the kernel lacks. */
static int modules(FILE *manifest, const char *dir, char *ret_names, size_t size, struct sc_error *err)
{
	struct module_list l = { .manifest = manifest, .dir = dir };
	char path[4096];
	_cleanup_free_ char *dep = NULL, *order = NULL;
	snprintf(path, sizeof(path), "%s/modules.dep", dir);
	int r = sc_read_file_max(path, 64u << 20, &dep, NULL);
	if (r < 0 && r != -ENOENT)
		return sc_error_set(err, -r, "read '%s'", path);
	snprintf(path, sizeof(path), "%s/modules.order", dir);
	if (!dep && (r = sc_read_file_max(path, 64u << 20, &order, NULL)) < 0)
		return sc_error_set(err, -r, "read '%s' (is --modules a kernel's lib/modules/VERSION?)", path);
	for (size_t i = 0; i < SC_ELEMENTSOF(wanted_modules); i++)
		(void)(dep ? from_modules_dep(&l, dep, wanted_modules[i]) : from_modules_order(&l, order, wanted_modules[i]));
	snprintf(ret_names, size, "%s", l.names);
	return 0;
}

static int write_text(const char *dir, const char *name, const char *text, struct sc_error *err)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int r = fd < 0 ? -errno : sc_write_all(fd, text, strlen(text));
	return r < 0 ? sc_error_set(err, -r, "write '%s'", path) : 0;
}

/* The manifest's fixed part: the tree, the programs, the generated files. */
static void programs(FILE *m, const struct sc_initramfs_plan *p, const char *dir)
{
	static const char *const dirs[] = { "/bin", "/sbin", "/usr", "/usr/bin", "/usr/sbin", "/usr/libexec",
					    "/usr/libexec/simpcon", "/etc", "/lib", "/lib/modules", "/root",
					    "/proc", "/sys", "/dev", "/tmp", "/var" };
	for (size_t i = 0; i < SC_ELEMENTSOF(dirs); i++)
		fprintf(m, "dir %s %s\n", !strcmp(dirs[i], "/root") ? "0700" : "0755", dirs[i]);
	fprintf(m, "file 0755 /bin/busybox %s\n", p->busybox);
	fprintf(m, "file 0755 /usr/bin/simpcon-test %s\n", p->self);
	fprintf(m, "file 0755 /usr/libexec/simpcon/simpcon-init %s\n", p->init_helper);
	fprintf(m, "file 0755 /usr/libexec/simpcon/simpcon-probe %s\n", p->probe_helper);
	fprintf(m, "file 0755 /init %s/init\n", dir);
	fprintf(m, "file 0644 /etc/passwd %s/passwd\n", dir);
	fprintf(m, "file 0644 /etc/group %s/group\n", dir);
	if (p->extra)
		fprintf(m, "tree /extra %s\n", p->extra);
}

int sc_initramfs_manifest(const struct sc_initramfs_plan *p, const char *dir, struct sc_error *err)
{
	char path[4096], names[512] = "";
	snprintf(path, sizeof(path), "%s/manifest", dir);
	FILE *m = fopen(path, "wex");
	if (!m)
		return sc_error_set(err, errno, "create '%s'", path);
	programs(m, p, dir);
	int r = p->modules ? modules(m, p->modules, names, sizeof(names), err) : 0;
	if (fclose(m) != 0 && r == 0)
		r = sc_error_set(err, errno, "write '%s'", path);
	_cleanup_free_ char *init = NULL;
	if (r == 0 && asprintf(&init, "#!/bin/busybox sh\n# /init of simpcon-test check --kernel\n"
				      "SIMPCON_ARGS='%s'\nSIMPCON_AS_USER=%d\nSIMPCON_MODULES='%s'\n%s",
			       p->check_args, p->as_user, names, init_script) < 0)
		r = sc_error_set(err, ENOMEM, "write the initramfs's /init");
	if (r == 0)
		r = write_text(dir, "init", init, err);
	if (r == 0)
		r = write_text(dir, "passwd", passwd, err);
	if (r == 0)
		r = write_text(dir, "group", group, err);
	return r;
}
