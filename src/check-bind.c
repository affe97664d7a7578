/* check-bind.c - check points for what a container can do to the host's files through a
 * writable bind: each runs the attack as container root and then looks at the host's copy. */
#include "config.h"

#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <linux/capability.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "caps.h"
#include "check-internal.h"
#include "error.h"
#include "run.h"
#include "util.h"

/* Runs script with a new directory of the suite's bound writable at /b; ret_dir gets it. */
static int attack_bind(struct suite *s, const char *name, const char *script, char *ret_dir, size_t size,
		       struct sc_result **ret)
{
	snprintf(ret_dir, size, "%s/%s", s->tmp, name);
	if (mkdir(ret_dir, 0755) < 0)
		return sc_error_set(s->err, errno, "create '%s'", ret_dir);
	struct sc_mount m = { .source = ret_dir, .dest = "/b" };
	struct sc_config c = SC_CONFIG_INIT;
	c.mounts = &m;
	c.n_mounts = 1;
	return sc_check_run_in(s, &c, ret, "sh", "-c", script, NULL);
}

/* What the host holds in dir: how many entries, how many not owned by the caller, how many
 * with a set-id bit. */
struct host_view {
	unsigned entries, foreign, setid;
};

static void look(const char *dir, struct host_view *v)
{
	*v = (struct host_view){ 0 };
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d)
		return;
	fd = -1; /* the DIR owns it */
	struct stat st;
	for (struct dirent *de; (de = readdir(d));) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		v->entries++;
		v->foreign += st.st_uid != geteuid();
		v->setid += (st.st_mode & (S_ISUID | S_ISGID)) != 0;
	}
	closedir(d);
}

int sc_check_bind_owner(struct suite *s, struct point *p)
{
	if (sc_check_binds_skip(s, p))
		return 0;
	char dir[128];
	struct sc_result *res = NULL;
	int r = attack_bind(s, "owner", "chmod 777 /b; echo x >/b/f; chown 4321 /b/f; chown 0:0 /b; "
					"su -s /bin/sh nobody -c 'echo y >/b/g' 2>/dev/null; true",
			    dir, sizeof(dir), &res);
	if (r < 0)
		return r;
	struct host_view v;
	look(dir, &v);
	bool ok = v.entries >= 1 && v.foreign == 0;
	sc_check_say(p, ok ? SC_VERDICT_PASS : SC_VERDICT_FAIL,
		     "after chown 4321 and a write as another uid: %u of %u files on the host owned by someone "
		     "other than uid %u",
		     v.foreign, v.entries, (unsigned)geteuid());
	sc_result_free(res);
	return 0;
}

int sc_check_bind_setid(struct suite *s, struct point *p)
{
	if (sc_check_binds_skip(s, p))
		return 0;
	char dir[128];
	struct sc_result *res = NULL;
	int r = attack_bind(s, "setid", "cp /bin/busybox /b/u; chmod 4755 /b/u; cp /bin/busybox /b/g; chmod 2755 /b/g; "
					"mkdir -m 2775 /b/d; install -m 4755 /bin/busybox /b/i; "
					"grep ' /b ' /proc/self/mountinfo | cut -d' ' -f6",
			    dir, sizeof(dir), &res);
	if (r < 0)
		return r;
	/* the bind's own options: "rw,nosuid,nodev,relatime" */
	char options[128];
	snprintf(options, sizeof(options), ",%s", sc_result_stdout(res, NULL, NULL));
	options[strcspn(options, "\n")] = '\0';
	sc_result_free(res);
	/* then every call that can set the bits, busybox makes some only; with no profile, so
	 * that the bind's own rules are what is seen */
	struct sc_mount m = { .source = dir, .dest = "/b" };
	struct sc_config c = SC_CONFIG_INIT;
	c.mounts = &m;
	c.n_mounts = 1;
	c.seccomp = "unconfined";
	res = NULL;
	if ((r = sc_check_probe(s, &c, &res, "setid", "/b", NULL)) < 0)
		return r;
	bool ring = strstr(sc_result_stdout(res, NULL, NULL), "io_uring_setup=made") != NULL;
	struct host_view v;
	look(dir, &v);
	bool nosuid = strstr(options, ",nosuid") != NULL, nodev = strstr(options, ",nodev") != NULL;
	bool ok = v.entries >= 2 && v.setid == 0 && nosuid && nodev && !ring;
	sc_check_say(p, ok ? SC_VERDICT_PASS : SC_VERDICT_FAIL,
		     "after chmod, mkdir, install and simpcon-probe's 13 calls with set-id modes: %u of %u files on the "
		     "host set-id; an io_uring %s; the bind's options '%s'%s",
		     v.setid, v.entries, ring ? "MADE" : "refused", options + 1, nosuid && nodev ? "" : " lack nosuid or nodev");
	sc_result_free(res);
	return 0;
}

/* Container root holding CAP_SYS_ADMIN tries every way to make a read-only bind writable. */
int sc_check_bind_readonly(struct suite *s, struct point *p)
{
	char dir[128], file[160];
	snprintf(dir, sizeof(dir), "%s/readonly", s->tmp);
	snprintf(file, sizeof(file), "%s/f", dir);
	_cleanup_close_ int fd = mkdir(dir, 0755) == 0 ? open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644) : -1;
	if (fd < 0 || sc_write_all(fd, "host\n", 5) < 0)
		return sc_error_set(s->err, errno, "create '%s'", file);
	struct sc_mount m = { .source = dir, .dest = "/r", .readonly = true };
	struct sc_config c = SC_CONFIG_INIT;
	c.mounts = &m;
	c.n_mounts = 1;
	c.cap_add = SC_CAP_BIT(21); /* SYS_ADMIN */
	struct sc_result *res = NULL;
	int r = sc_check_run_in(s, &c, &res, "sh", "-c",
				"mount -o remount,rw,bind /r 2>/dev/null && echo remounted; "
				"mkdir -p /x && mount --bind /r /x && mount -o remount,rw,bind /x 2>/dev/null && echo rebound; "
				"umount /r 2>/dev/null && echo unmounted; "
				"echo container >/r/f 2>/dev/null; echo container >/x/f 2>/dev/null; true",
				NULL);
	if (r < 0)
		return r;
	_cleanup_free_ char *text = NULL;
	(void)sc_read_file(file, &text, NULL);
	const char *out = sc_result_stdout(res, NULL, NULL);
	bool unchanged = text && !strcmp(text, "host\n");
	sc_check_say(p, unchanged && !*out ? SC_VERDICT_PASS : SC_VERDICT_FAIL,
		     "with CAP_SYS_ADMIN: remount rw, bind and remount, umount: %s; the host's file %s",
		     *out ? out : "all refused", unchanged ? "unchanged" : "WRITTEN");
	sc_result_free(res);
	return 0;
}

/* Container root writes a file capability (CAP_NET_RAW, effective) on a file in a writable
 * bind: the host's copy must not carry one that holds on the host. Run by root the bind maps
 * container root to host root, so a stored capability would be a root one (revision 2, or 3
 * with root id 0); run by a user it is stored for that user's own namespaces (root id: the
 * user), which the host never honours. */
int sc_check_bind_filecap(struct suite *s, struct point *p)
{
	if (sc_check_binds_skip(s, p))
		return 0;
	char dir[128], file[160];
	snprintf(dir, sizeof(dir), "%s/filecap", s->tmp);
	snprintf(file, sizeof(file), "%s/f", dir);
	_cleanup_close_ int fd = mkdir(dir, 0755) == 0 ? open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755) : -1;
	if (fd < 0)
		return sc_error_set(s->err, errno, "create '%s'", file);
	struct sc_mount m = { .source = dir, .dest = "/b" };
	struct sc_config c = SC_CONFIG_INIT;
	c.mounts = &m;
	c.n_mounts = 1;
	struct sc_result *res = NULL;
	int r = sc_check_probe(s, &c, &res, "setcap", "/b/f", NULL);
	if (r < 0)
		return r;
	char seen[64];
	sc_check_first_line(res, seen, sizeof(seen));
	sc_result_free(res);
	struct vfs_ns_cap_data cap = { 0 };
	ssize_t n = getxattr(file, "security.capability", &cap, sizeof(cap));
	uint32_t revision = n >= 4 ? le32toh(cap.magic_etc) & VFS_CAP_REVISION_MASK : 0;
	bool host_root = n >= 4 && (revision == VFS_CAP_REVISION_2 ||
				    (revision == VFS_CAP_REVISION_3 && n >= (ssize_t)sizeof(cap) && le32toh(cap.rootid) == 0));
	char stored[64] = "none";
	if (n >= 4)
		snprintf(stored, sizeof(stored), "revision %u%s", revision >> 24,
			 revision == VFS_CAP_REVISION_3 ? (host_root ? ", root id 0" : ", root id not 0") : "");
	sc_check_say(p, host_root ? SC_VERDICT_FAIL : SC_VERDICT_PASS,
		     "setxattr security.capability (cap_net_raw+ep) inside: %s; on the host's file: %s", seen, stored);
	return 0;
}

/* --host-libs: container root holding CAP_SYS_ADMIN tries every way to make the host's system
 * directories writable, or to have them run set-id programs or open devices; each must stay
 * read-only, nosuid, nodev (mountinfo's per-mount options), and the host's files unchanged.
 * /bin is left out: without overlayfs it is the fixture's, writable as the rest of the root. */
int sc_check_host_libs(struct suite *s, struct point *p)
{
	if (access("/usr/bin", F_OK) < 0) {
		sc_check_say(p, SC_VERDICT_SKIP, "the host has no /usr/bin");
		return 0;
	}
	struct sc_config c = SC_CONFIG_INIT;
	c.host_libs = true;
	c.cap_add = SC_CAP_BIT(21); /* SYS_ADMIN */
	struct sc_result *res = NULL;
	int r = sc_check_run_in(s, &c, &res, "sh", "-c",
				"for d in /usr /usr/bin /etc/alternatives; do [ -e $d ] || continue; "
				"mount -o remount,rw,bind $d 2>/dev/null && echo remounted $d; "
				"umount $d 2>/dev/null && echo unmounted $d; done; "
				"touch /usr/bin/.simpcon-check 2>/dev/null && echo wrote /usr/bin; "
				"while read -r _ _ _ _ at opts _; do case $at in "
				"/usr|/usr/*|/etc/alternatives|/etc/ld.so.cache) case $opts in "
				"ro,nosuid,nodev*) ;; *) echo $at $opts ;; esac ;; esac; done </proc/self/mountinfo",
				NULL);
	if (r < 0)
		return r;
	const char *out = sc_result_stdout(res, NULL, NULL);
	bool written = access("/usr/bin/.simpcon-check", F_OK) == 0;
	sc_check_say(p, !*out && !written ? SC_VERDICT_PASS : SC_VERDICT_FAIL,
		     "with CAP_SYS_ADMIN: remount rw, umount, a write: %s; every host mount read-only, nosuid, "
		     "nodev; the host's /usr/bin %s",
		     *out ? out : "all refused", written ? "WRITTEN" : "unchanged");
	sc_result_free(res);
	return 0;
}
