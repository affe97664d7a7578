/* mounts.c - the container's mount plan.
 *
 * The steps run top to bottom in the order the kernel requires. Destinations inside the new
 * root are opened with RESOLVE_IN_ROOT, so a symlink in the fixture can never make a mount or
 * a mkdir land on the host's side of the tree. */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

#include "error.h"
#include "host-libs.h"
#include "mountinfo.h"
#include "mounts.h"
#include "rootcopy.h"
#include "syscalls.h"
#include "util.h"

static const char *const dev_nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };

/* /proc entries a container has no business with, as docker and runc hide them: kernel memory
 * and symbols, other users' keys, timers that leak host activity. Files get /dev/null bound
 * over them, directories an empty read-only tmpfs. */
static const char *const proc_masked[] = {
	"/proc/kcore",       "/proc/keys", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
	"/proc/latency_stats", "/proc/acpi", "/proc/scsi",       "/proc/asound",
};
/* Knobs of the whole machine, kept readable but made read-only. */
static const char *const proc_readonly[] = {
	"/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs",
};

/* Bits of sc_mount_plan.proc_present: proc_readonly's entries, then proc_masked's. */
#define PROC_READONLY_BIT(i) (1u << (i))
#define PROC_MASKED_BIT(i) (1u << (SC_ELEMENTSOF(proc_readonly) + (i)))
_Static_assert(SC_ELEMENTSOF(proc_readonly) + SC_ELEMENTSOF(proc_masked) <= 32, "proc_present has 32 bits");

unsigned sc_mounts_find_proc(void)
{
	unsigned present = 0;
	for (size_t i = 0; i < SC_ELEMENTSOF(proc_readonly); i++)
		if (access(proc_readonly[i], F_OK) == 0)
			present |= PROC_READONLY_BIT(i);
	for (size_t i = 0; i < SC_ELEMENTSOF(proc_masked); i++)
		if (access(proc_masked[i], F_OK) == 0)
			present |= PROC_MASKED_BIT(i);
	return present;
}

int sc_mounts_normalize_dest(const char *dest, char *buf, size_t size)
{
	if (!dest || dest[0] != '/' || size < 2)
		return -EINVAL;
	size_t used = 0;
	for (const char *p = dest; *p;) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if (n == 0)
			break;
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return -EINVAL;
		if (used + 1 + n + 1 > size)
			return -ENAMETOOLONG;
		buf[used++] = '/';
		memcpy(buf + used, p, n);
		used += n;
		p += n;
	}
	if (used == 0)
		buf[used++] = '/';
	buf[used] = '\0';
	return 0;
}

int sc_mounts_expected(const struct sc_mount_plan *plan, const char ***ret_points, size_t *ret_n)
{
	size_t n = 5 + SC_ELEMENTSOF(dev_nodes) + SC_ELEMENTSOF(proc_masked) + SC_ELEMENTSOF(proc_readonly) +
		   SC_HOST_LIBS_MAX_POINTS + plan->n_mounts;
	size_t text = SC_HOST_LIBS_MAX_TEXT;
	for (size_t i = 0; i < plan->n_mounts; i++)
		text += strlen(plan->mounts[i].dest) + 2;
	const char **points = malloc(n * sizeof(*points) + text);
	if (!points)
		return -ENOMEM;
	char *store = (char *)(points + n);
	size_t k = 0;
	points[k++] = "/";
	points[k++] = "/proc";
	points[k++] = "/dev";
	static const char *const dev_paths[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty" };
	for (size_t i = 0; i < SC_ELEMENTSOF(dev_paths); i++)
		points[k++] = dev_paths[i];
	points[k++] = "/dev/pts";
	points[k++] = "/dev/shm";
	for (size_t i = 0; !plan->privileged && i < SC_ELEMENTSOF(proc_readonly); i++)
		if (plan->proc_present & PROC_READONLY_BIT(i))
			points[k++] = proc_readonly[i];
	for (size_t i = 0; !plan->privileged && i < SC_ELEMENTSOF(proc_masked); i++)
		if (plan->proc_present & PROC_MASKED_BIT(i))
			points[k++] = proc_masked[i];
	if (plan->host_libs)
		store = sc_host_libs_expected(plan->rootfs, plan->host_sh, points, &k, store);
	for (size_t i = 0; i < plan->n_mounts; i++) {
		if (plan->mounts[i].copy)
			continue; /* a file in the layer, not a mount */
		size_t room = strlen(plan->mounts[i].dest) + 2;
		if (sc_mounts_normalize_dest(plan->mounts[i].dest, store, room) < 0) {
			free(points);
			return -EINVAL;
		}
		points[k++] = store;
		store += strlen(store) + 1;
	}
	*ret_points = points;
	*ret_n = k;
	return 0;
}

int sc_mounts_open_in_root(int rootfd, const char *path, bool dir)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	while (*path == '/')
		path++;
	int fd = sc_openat2(rootfd, *path ? path : ".", &how);
	if (fd >= 0 || errno != ENOENT)
		return fd;
	char parent[PATH_MAX];
	if (snprintf(parent, sizeof(parent), "%s", path) >= (int)sizeof(parent)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	char *slash = strrchr(parent, '/');
	const char *base = slash ? slash + 1 : parent;
	if (slash)
		*slash = '\0';
	_cleanup_close_ int pfd = slash ? sc_mounts_open_in_root(rootfd, parent, true) : sc_openat2(rootfd, ".", &how);
	if (pfd < 0)
		return -1;
	/* O_PATH fds cannot create; reopen the parent as a real directory */
	char self[64];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", pfd);
	_cleanup_close_ int dfd = open(self, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	if (dir) {
		if (mkdirat(dfd, base, 0755) < 0 && errno != EEXIST)
			return -1;
	} else {
		int f = openat(dfd, base, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (f < 0 && errno != EEXIST)
			return -1;
		if (f >= 0)
			close(f);
	}
	return sc_openat2(rootfd, path, &how);
}

/* the kernel resolves /proc/self/fd/N to what the fd refers to */
int sc_mounts_mount_on_fd(const char *source, int fd, const char *fstype, unsigned long flags, const char *data)
{
	char target[64];
	snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
	return mount(source, target, fstype, flags, data);
}

static int fd_path(char *buf, size_t size, int fd, const char *below)
{
	return snprintf(buf, size, "/proc/self/fd/%d%s%s", fd, below ? "/" : "", below ? below : "");
}

/* A fresh tmpfs on the run directory (or the directory itself, when kept) for the layers. */
static int layers_dir(const struct sc_mount_plan *plan, struct sc_error *err)
{
	if (plan->keep) {
		int fd = fcntl(plan->rundir_fd, F_DUPFD_CLOEXEC, 3);
		return fd < 0 ? sc_error_set(err, errno, "open '%s'", plan->rundir) : fd;
	}
	char size[32], inodes[32];
	snprintf(size, sizeof(size), "%llu", (unsigned long long)plan->tmpfs_size);
	snprintf(inodes, sizeof(inodes), "%llu", (unsigned long long)sc_storage_inodes(plan->tmpfs_size));
	_cleanup_close_ int fs = sc_fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0 || sc_fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0 ||
	    (plan->tmpfs_size && (sc_fsconfig(fs, FSCONFIG_SET_STRING, "size", size, 0) < 0 ||
				  sc_fsconfig(fs, FSCONFIG_SET_STRING, "nr_inodes", inodes, 0) < 0)) ||
	    sc_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return sc_error_set(err, errno, "create the tmpfs for the run's layers");
	int mnt = sc_fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	if (mnt < 0)
		return sc_error_set(err, errno, "mount the tmpfs for the run's layers");
	if (sc_move_mount(mnt, "", plan->rundir_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
		int r = sc_error_set(err, errno, "attach the layers' tmpfs on '%s'", plan->rundir ? plan->rundir : "/tmp");
		close(mnt);
		return r;
	}
	return mnt;
}

/* A copy of the fixture as the root, where the run's tmpfs cannot be an overlay's upper layer
 * (rootcopy.c): the directory made a mount of its own, as pivot_root needs. */
static int copy_root(const struct sc_mount_plan *plan, int layers, struct sc_error *err)
{
	_cleanup_close_ int from = plan->rootfs_idmapped ? openat(layers, "lower", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
						       : openat(plan->rootfs_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int to = openat(layers, "root", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (from < 0 || to < 0)
		return sc_error_set(err, errno, "open the fixture '%s' to copy it into the container's root", plan->rootfs);
	char failed[256];
	int r = sc_rootcopy(from, to, failed, sizeof(failed));
	if (r < 0)
		return sc_error_set(err, -r,
				    "copy the fixture '%s' into the container's root at '%s' (this kernel's tmpfs holds "
				    "no user xattrs, Linux < 6.6, so the root is a copy, not an overlay%s)",
				    plan->rootfs, failed, r == -ENOSPC ? ": raise --storage above the fixture's size" : "");
	_cleanup_close_ int tree = sc_open_tree(layers, "root", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0 || sc_move_mount(tree, "", layers, "root", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return sc_error_set(err, errno, "make the copied root a mount");
	return 0;
}

/* The root: the fixture as the lower layer of an overlay whose upper layer lives on a tmpfs
 * mounted in this mount namespace only, so the fixture is never modified and nothing of the
 * run reaches the host's disk (with --keep, the layers are the run directory on disk). Where
 * that tmpfs cannot hold the overlay's xattrs, a copy of the fixture on it. Returns the
 * root's fd. */
static int mount_root(const struct sc_mount_plan *plan, struct sc_host_layers *ret_host, struct sc_error *err)
{
	_cleanup_close_ int layers = layers_dir(plan, err);
	if (layers < 0)
		return layers;
	if (mkdirat(layers, "upper", 0755) < 0 || mkdirat(layers, "work", 0755) < 0 || mkdirat(layers, "root", 0755) < 0)
		return sc_error_set(err, errno, "create the run's layers");
	char lower[64], upper[64], work[64], root[64], options[256];
	if (plan->rootfs_idmapped) {
		/* overlayfs takes no detached mount as a layer (EPERM): attached beside the layers, it
		 * is gone from view with the old root after pivot_root */
		if (mkdirat(layers, "lower", 0755) < 0 ||
		    sc_move_mount(plan->rootfs_fd, "", layers, "lower", MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return sc_error_set(err, errno, "attach the idmapped fixture root '%s'", plan->rootfs);
		fd_path(lower, sizeof(lower), layers, "lower");
	} else {
		fd_path(lower, sizeof(lower), plan->rootfs_fd, NULL);
	}
	fd_path(upper, sizeof(upper), layers, "upper");
	fd_path(work, sizeof(work), layers, "work");
	fd_path(root, sizeof(root), layers, "root");
	_cleanup_close_ int upper_fd = openat(layers, "upper", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (upper_fd < 0)
		return sc_error_set(err, errno, "open the run's upper layer");
	int r = 0;
	/* the fixture, for --host-libs's overlays: the idmapped mount of it, or the directory */
	if (plan->host_libs && (r = sc_host_layers_open(plan->rootfs_idmapped ? layers : plan->rootfs_fd,
							 plan->rootfs_idmapped ? "lower" : ".", layers, plan->host_sh,
							 ret_host, err)) < 0)
		return r;
	if (sc_rootcopy_needed(upper_fd)) {
		r = copy_root(plan, layers, err);
	} else {
		snprintf(options, sizeof(options), "lowerdir=%s,upperdir=%s,workdir=%s,userxattr", lower, upper, work);
		if (mount("overlay", root, "overlay", MS_NODEV, options) < 0)
			r = sc_error_set(err, errno,
					 errno == ENODEV ? "mount an overlay of '%s' as the container's root: this kernel has "
							   "no overlayfs (load it: modprobe overlay; build it: CONFIG_OVERLAY_FS)"
							 : "mount an overlay of '%s' as the container's root",
					 plan->rootfs);
	}
	if (r < 0)
		return r;
	int rootfd = openat(layers, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return rootfd < 0 ? sc_error_set(err, errno, "open the container's root") : rootfd;
}

/* The first mount over a part of a proc mount of this namespace (Docker's masks of /proc/kcore
 * and the like, bwrap's read-only /proc/irq): what makes the kernel refuse a new proc. */
static bool proc_covered(char *buf, size_t size)
{
	_cleanup_free_ char *mi = NULL;
	struct sc_mount_table t;
	if (sc_read_file("/proc/self/mountinfo", &mi, NULL) < 0 || sc_mountinfo_parse(mi, &t) < 0)
		return false;
	bool found = false;
	for (size_t i = 0; i < t.count && !found; i++)
		for (size_t j = 0; j < t.count && !found; j++) {
			const char *proc = t.entries[j].mount_point, *over = t.entries[i].mount_point;
			size_t n = strlen(proc);
			if (!strcmp(t.entries[j].fstype, "proc") && i != j && !strncmp(over, proc, n) &&
			    over[n] == '/') {
				snprintf(buf, size, "%s", over);
				found = true;
			}
		}
	sc_mount_table_release(&t);
	return found;
}

/* A user namespace may mount proc only while a fully visible proc exists in its mount
 * namespace, so this happens before pivot_root drops the host's /proc. */
static int mount_proc(int rootfd, struct sc_error *err)
{
	_cleanup_close_ int fd = sc_mounts_open_in_root(rootfd, "/proc", true);
	if (fd < 0)
		return sc_error_set(err, errno, "create '/proc' in the fixture");
	if (sc_mounts_mount_on_fd("proc", fd, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		int e = errno;
		char covered[PATH_MAX];
		if (e == EPERM && proc_covered(covered, sizeof(covered)))
			return sc_error_setf(err, e,
					     "mount proc: '%s' is mounted over, and a new proc needs one fully visible (an "
					     "engine masks /proc: give the job's container --security-opt "
					     "systempaths=unconfined, or privileged)",
					     covered);
		return sc_error_set(err, e, "mount proc on '/proc'");
	}
	return 0;
}

/* Nested user namespaces are off: a test has no need for them, and they are where most
 * kernel privilege escalations of the last years started. The limit is opened before
 * /proc/sys is made read-only and written once the mounts are locked (which needs one nested
 * namespace); it is the container's own user namespace's, whichever namespace writes it.
 * Returns the fd, -ENOENT without CONFIG_USER_NS (nothing to deny), or -errno. */
static int open_userns_limit(int rootfd, struct sc_error *err)
{
	struct open_how how = { .flags = O_WRONLY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS };
	int fd = sc_openat2(rootfd, "proc/sys/user/max_user_namespaces", &how);
	if (fd < 0 && errno == ENOENT)
		return -ENOENT;
	return fd < 0 ? sc_error_set(err, errno, "open /proc/sys/user/max_user_namespaces") : fd;
}

/* The container's per-user ceilings, in the user.* sysctls of its own user namespace; written
 * while its /proc/sys is still writable (a knob this kernel lacks is skipped). */
static int write_ceilings(int rootfd, const struct sc_user_ceilings *c, struct sc_error *err)
{
	for (size_t i = 0; c && i < c->n; i++) {
		char path[64];
		snprintf(path, sizeof(path), "proc/sys/user/%s", c->name[i]);
		struct open_how how = { .flags = O_WRONLY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS };
		_cleanup_close_ int fd = sc_openat2(rootfd, path, &how);
		if (fd < 0 && errno == ENOENT)
			continue;
		int r = fd < 0 ? -errno : sc_write_all(fd, c->value[i], strlen(c->value[i]));
		if (r < 0)
			return sc_error_set(err, -r, "set /proc/sys/user/%s to %s", c->name[i], c->value[i]);
	}
	return 0;
}

static int proc_mask(int rootfd, const char *path, struct sc_error *err)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS };
	_cleanup_close_ int fd = sc_openat2(rootfd, path, &how);
	if (fd < 0)
		return sc_error_set(err, errno, "open '%s' in the container", path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return sc_error_set(err, errno, "stat '%s' in the container", path);
	if (S_ISDIR(st.st_mode)) {
		if (sc_mounts_mount_on_fd("tmpfs", fd, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
					  "size=0,mode=0555") < 0)
			return sc_error_set(err, errno, "mask '%s'", path);
		return 0;
	}
	_cleanup_close_ int tree = sc_open_tree(AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0 || sc_move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return sc_error_set(err, errno, "mask '%s'", path);
	return 0;
}

static int proc_make_readonly(int rootfd, const char *path, struct sc_error *err)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS };
	_cleanup_close_ int fd = sc_openat2(rootfd, path, &how);
	if (fd < 0)
		return sc_error_set(err, errno, "open '%s' in the container", path);
	_cleanup_close_ int tree = sc_open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC };
	if (tree < 0 || sc_mount_setattr(tree, "", AT_EMPTY_PATH, &attr) < 0 ||
	    sc_move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return sc_error_set(err, errno, "make '%s' read-only", path);
	return 0;
}

static int harden_proc(int rootfd, unsigned present, struct sc_error *err)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < SC_ELEMENTSOF(proc_readonly); i++)
		if (present & PROC_READONLY_BIT(i))
			r = proc_make_readonly(rootfd, proc_readonly[i], err);
	for (size_t i = 0; r == 0 && i < SC_ELEMENTSOF(proc_masked); i++)
		if (present & PROC_MASKED_BIT(i))
			r = proc_mask(rootfd, proc_masked[i], err);
	return r;
}

/* Bind-mounts the host's device node onto an empty file; mknod is not allowed in a user
 * namespace and would not be wanted anyway. */
static int bind_dev_node(int devfd, const char *name, struct sc_error *err)
{
	char host[32];
	snprintf(host, sizeof(host), "/dev/%s", name);
	int f = openat(devfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (f < 0)
		return sc_error_set(err, errno, "create '/dev/%s'", name);
	close(f);
	_cleanup_close_ int tree = sc_open_tree(AT_FDCWD, host, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return sc_error_set(err, errno, "clone '%s'", host);
	if (sc_move_mount(tree, "", devfd, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return sc_error_set(err, errno, "bind '%s' into the container", host);
	return 0;
}

/* "mode=1777,size=N": a tmpfs the command writes to, holding at most the run's storage bound. */
static const char *tmpfs_options(const struct sc_mount_plan *plan, char buf[static 64])
{
	if (plan->tmpfs_size)
		snprintf(buf, 64, "mode=1777,size=%llu,nr_inodes=%llu", (unsigned long long)plan->tmpfs_size,
			 (unsigned long long)sc_storage_inodes(plan->tmpfs_size));
	else
		snprintf(buf, 64, "mode=1777");
	return buf;
}

static int mount_dev(int rootfd, const struct sc_mount_plan *plan, struct sc_error *err)
{
	_cleanup_close_ int fd = sc_mounts_open_in_root(rootfd, "/dev", true);
	if (fd < 0)
		return sc_error_set(err, errno, "create '/dev' in the fixture");
	if (sc_mounts_mount_on_fd("tmpfs", fd, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k") < 0)
		return sc_error_set(err, errno, "mount tmpfs on '/dev'");
	/* reopen: fd still refers to the directory under the new tmpfs */
	_cleanup_close_ int devfd = sc_mounts_open_in_root(rootfd, "/dev", true);
	char self[64];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", devfd);
	_cleanup_close_ int dir = devfd < 0 ? -1 : open(self, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return sc_error_set(err, errno, "open '/dev' in the container");
	for (size_t i = 0; i < SC_ELEMENTSOF(dev_nodes); i++) {
		int r = bind_dev_node(dir, dev_nodes[i], err);
		if (r < 0)
			return r;
	}
	static const char *const links[][2] = {
		{ "pts/ptmx", "ptmx" },          { "/proc/self/fd", "fd" },       { "/proc/self/fd/0", "stdin" },
		{ "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" },
	};
	for (size_t i = 0; i < SC_ELEMENTSOF(links); i++)
		if (symlinkat(links[i][0], dir, links[i][1]) < 0)
			return sc_error_set(err, errno, "symlink '/dev/%s'", links[i][1]);
	if (mkdirat(dir, "pts", 0755) < 0 || mkdirat(dir, "shm", 01777) < 0)
		return sc_error_set(err, errno, "create '/dev/pts' and '/dev/shm'");
	_cleanup_close_ int pts = sc_mounts_open_in_root(rootfd, "/dev/pts", true);
	if (pts < 0 || sc_mounts_mount_on_fd("devpts", pts, "devpts", MS_NOSUID | MS_NOEXEC,
					     "newinstance,ptmxmode=0666,mode=0620") < 0)
		return sc_error_set(err, errno, "mount devpts on '/dev/pts'");
	char options[64];
	_cleanup_close_ int shm = sc_mounts_open_in_root(rootfd, "/dev/shm", true);
	if (shm < 0 ||
	    sc_mounts_mount_on_fd("tmpfs", shm, "tmpfs", MS_NOSUID | MS_NODEV, tmpfs_options(plan, options)) < 0)
		return sc_error_set(err, errno, "mount tmpfs on '/dev/shm'");
	return 0;
}

/* --copy: the file's bytes and mode into the container's writable layer, as container root. */
static int copy_in(int rootfd, const struct sc_mount *m, int source_fd, struct sc_error *err)
{
	struct stat st;
	if (fstat(source_fd, &st) < 0)
		return sc_error_set(err, errno, "copy source '%s'", m->source);
	if (!S_ISREG(st.st_mode))
		return sc_error_setf(err, EINVAL, "copy source '%s' is not a file: use --bind for directories", m->source);
	_cleanup_close_ int placeholder = sc_mounts_open_in_root(rootfd, m->dest, false);
	char self[64];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", placeholder);
	_cleanup_close_ int out = placeholder < 0 ? -1 : open(self, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (out < 0)
		return sc_error_set(err, errno, "create '%s' in the container", m->dest);
	for (off_t left = st.st_size; left > 0;) {
		ssize_t n = sendfile(out, source_fd, NULL, (size_t)left);
		if (n <= 0)
			return sc_error_set(err, n < 0 ? errno : EIO, "copy '%s' to '%s'", m->source, m->dest);
		left -= n;
	}
	if (fchmod(out, st.st_mode & 07777 & ~(mode_t)(S_ISUID | S_ISGID)) < 0)
		return sc_error_set(err, errno, "chmod '%s' in the container", m->dest);
	return 0;
}

static int mount_user(int rootfd, const struct sc_mount_plan *plan, const struct sc_mount *m, int source_fd,
		      int prepared, struct sc_error *err)
{
	char options[64];
	if (m->copy)
		return copy_in(rootfd, m, source_fd, err);
	if (!m->source) {
		_cleanup_close_ int fd = sc_mounts_open_in_root(rootfd, m->dest, true);
		if (fd < 0)
			return sc_error_set(err, errno, "create '%s' in the container", m->dest);
		if (sc_mounts_mount_on_fd("tmpfs", fd, "tmpfs", MS_NOSUID | MS_NODEV | (m->readonly ? MS_RDONLY : 0),
				tmpfs_options(plan, options)) < 0)
			return sc_error_set(err, errno, "mount tmpfs on '%s'", m->dest);
		return 0;
	}
	struct stat st;
	if (fstat(prepared >= 0 ? prepared : source_fd, &st) < 0)
		return sc_error_set(err, errno, "bind source '%s'", m->source);
	_cleanup_close_ int fd = sc_mounts_open_in_root(rootfd, m->dest, S_ISDIR(st.st_mode));
	if (fd < 0)
		return sc_error_set(err, errno, "create '%s' in the container", m->dest);
	_cleanup_close_ int tree = prepared;
	if (tree < 0) {
		tree = sc_open_tree(source_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
		if (tree < 0)
			return sc_error_set(err, errno, "clone mount tree of '%s'", m->source);
		/* nothing on a bind runs with set-id effect or opens a device (as run.c's trees) */
		struct mount_attr attr = { .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
							(m->readonly ? MOUNT_ATTR_RDONLY : 0) };
		if (sc_mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) < 0)
			return sc_error_set(err, errno, "make '%s' nosuid, nodev%s", m->source, m->readonly ? ", read-only" : "");
	}
	if (sc_move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return sc_error_set(err, errno, "bind '%s' on '%s'", m->source, m->dest);
	return 0;
}

/* pivot_root(".", ".") stacks the old root on top of the new one, and the detach takes it
 * away: no directory for the old root is needed, and none stays visible. */
static int pivot(int rootfd, struct sc_error *err)
{
	if (fchdir(rootfd) < 0)
		return sc_error_set(err, errno, "enter the new root");
	if (sc_pivot_root(".", ".") < 0) {
		int e = errno;
		_cleanup_free_ char *mi = NULL;
		/* the first line is the namespace's root mount */
		bool initramfs = e == EINVAL && sc_read_file("/proc/self/mountinfo", &mi, NULL) == 0 &&
				 strstr(mi, " - rootfs ") && strstr(mi, " - rootfs ") < strchrnul(mi, '\n');
		return sc_error_set(err, e, "pivot_root into the new root%s",
				    initramfs ? " (the host's / is the initramfs, which pivot_root cannot leave: "
						"switch_root to a tmpfs first, as an init does before it runs anything)"
					      : "");
	}
	if (umount2(".", MNT_DETACH) < 0)
		return sc_error_set(err, errno, "detach the old root");
	if (chdir("/") < 0)
		return sc_error_set(err, errno, "chdir '/'");
	return 0;
}

/* Why an open by the container's root failed with EACCES: the first directory on the way it
 * cannot search (its ids are unprivileged ids of the host, "others" to root's 0700 directories),
 * as text for the error. */
static const char *why_denied(const char *path, char *buf, size_t size)
{
	char prefix[PATH_MAX];
	buf[0] = '\0';
	for (size_t n = 1; path[0] == '/' && n <= strlen(path) && n < sizeof(prefix); n++) {
		if (path[n] != '/' && path[n] != '\0' && n > 1)
			continue;
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(n == 1 ? 1 : n), path);
		struct stat st;
		if (stat(prefix, &st) == 0 && S_ISDIR(st.st_mode) && access(prefix, X_OK) < 0) {
			/* its owner shows as the overflow id here: no host id but the container's maps */
			snprintf(buf, size, ": '%s' (mode %04o) cannot be searched by the container's ids: chmod o+x '%s'",
				 prefix, (unsigned)(st.st_mode & 07777), prefix);
			break;
		}
	}
	return buf;
}

int sc_mounts_open(struct sc_mount_plan *plan, int *source_fds, struct sc_error *err)
{
	char why[PATH_MAX + 256];
	/* without a run directory the layers' tmpfs goes over this mount namespace's own copy of
	 * /tmp: the host never sees it, and every host path is opened here, before it is covered */
	const char *layers = plan->rundir ? plan->rundir : "/tmp";
	plan->rundir_fd = open(layers, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int e = errno;
	if (plan->rundir_fd < 0)
		return sc_error_set(err, e, "open '%s' for the run's layers%s", layers,
				    e == EACCES ? why_denied(layers, why, sizeof(why)) : "");
	if (plan->rootfs_fd < 0)
		plan->rootfs_fd = open(plan->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	e = errno;
	if (plan->rootfs_fd < 0)
		return sc_error_set(err, e, "open fixture root '%s'%s", plan->rootfs,
				    e == EACCES ? why_denied(plan->rootfs, why, sizeof(why)) : "");
	for (size_t i = 0; i < plan->n_mounts; i++) {
		source_fds[i] = -1;
		if (plan->mounts[i].source && (!plan->prepared || plan->prepared[i] < 0)) {
			source_fds[i] = open(plan->mounts[i].source, (plan->mounts[i].copy ? O_RDONLY : O_PATH) | O_CLOEXEC);
			e = errno;
			if (source_fds[i] < 0)
				return sc_error_set(err, e, "bind source '%s'%s", plan->mounts[i].source,
						    e == EACCES ? why_denied(plan->mounts[i].source, why, sizeof(why)) : "");
		}
	}
	plan->source_fds = source_fds;
	return 0;
}

/* Mount flags (read-only, nosuid, nodev) and what lies under a mount are locked only when a
 * mount namespace is copied into one owned by another user namespace; the trees here were
 * made in the container's own, so container root holding CAP_SYS_ADMIN could remount a
 * read-only bind writable, or unmount a /proc mask. So: a helper in a nested user namespace
 * copies this namespace (locked), PID 1 enters that copy and copies it once more, into one its
 * own user namespace owns again (the helper's would give container root its owner's rights).
 * Runs after pivot_root, as the only process of the container. */
static int lock_mounts(struct sc_error *err)
{
	struct sc_ns_holder helper;
	int r = sc_ns_holder_start(&helper, CLONE_NEWUSER | CLONE_NEWNS);
	if (r < 0)
		return sc_error_set(err, -r,
				    "lock the container's mounts (CAP_SYS_ADMIN is kept): create a nested user "
				    "namespace (is it restricted here, e.g. by AppArmor?)");
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)helper.pid);
	_cleanup_close_ int copy = open(path, O_RDONLY | O_CLOEXEC);
	if (copy < 0)
		r = sc_error_set(err, errno, "open '%s'", path);
	sc_ns_holder_release(&helper);
	if (r == 0 && setns(copy, CLONE_NEWNS) < 0)
		r = sc_error_set(err, errno, "enter the locked copy of the mount namespace");
	if (r == 0 && unshare(CLONE_NEWNS) < 0)
		r = sc_error_set(err, errno, "copy the locked mount namespace");
	if (r == 0 && chdir("/") < 0)
		r = sc_error_set(err, errno, "chdir '/'");
	return r;
}

static int setup_steps(const struct sc_mount_plan *plan, struct sc_error *err)
{
	/* nothing mounted in the container may propagate back to the host */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return sc_error_set(err, errno, "make '/' private");
	__attribute__((cleanup(sc_host_layers_release))) struct sc_host_layers host = SC_HOST_LAYERS_INIT;
	_cleanup_close_ int rootfd = mount_root(plan, &host, err);
	if (rootfd < 0)
		return rootfd;
	int r = mount_proc(rootfd, err);
	if (r < 0 || (r = write_ceilings(rootfd, plan->ceilings, err)) < 0)
		return r;
	_cleanup_close_ int limit = -1;
	if (!plan->privileged && (limit = open_userns_limit(rootfd, err)) < 0 && limit != -ENOENT)
		return limit;
	if ((!plan->privileged && (r = harden_proc(rootfd, plan->proc_present, err)) < 0) ||
	    (r = mount_dev(rootfd, plan, err)) < 0 ||
	    (plan->host_libs && (r = sc_host_libs_mount(rootfd, &host, err)) < 0))
		return r;
	for (size_t i = 0; i < plan->n_mounts; i++) {
		r = mount_user(rootfd, plan, &plan->mounts[i], plan->source_fds ? plan->source_fds[i] : -1,
			       plan->prepared ? plan->prepared[i] : -1, err);
		if (r < 0)
			return r;
	}
	if ((r = pivot(rootfd, err)) < 0 || (plan->lock && (r = lock_mounts(err)) < 0))
		return r;
	if (limit >= 0 && (r = sc_write_all(limit, "0", 1)) < 0)
		return sc_error_set(err, -r, "set /proc/sys/user/max_user_namespaces to 0");
	return 0;
}

int sc_mounts_setup(const struct sc_mount_plan *plan, struct sc_error *err)
{
	int r = setup_steps(plan, err);
	/* the steps name their files as /proc/self/fd/N, whose lookup starts at the host's / */
	char why[PATH_MAX + 256];
	if (r == -EACCES && err && why_denied("/proc/self", why, sizeof(why))[0]) {
		char was[sizeof(err->message)];
		snprintf(was, sizeof(was), "%s", err->message);
		sc_error_setf(err, EACCES, "%s%s", was, why);
	}
	return r;
}
