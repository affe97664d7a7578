/* host-libs.c - --host-libs: the host's system directories in the container, so that its
 * programs run inside as on the host (README, "Fixtures"). mounts.c runs these steps after
 * /dev, before the caller's binds; every host path here is read-only, nosuid and nodev. */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "error.h"
#include "host-libs.h"
#include "mounts.h"
#include "syscalls.h"
#include "util.h"

/* The host's system directories, read-only, so dynamically linked programs of the host (or
 * built on it) run inside. A directory is bound; a symlink (merged /usr) is recreated where the
 * fixture has nothing of that name. */
static const char *const host_dirs[] = { "/usr", "/lib", "/lib64", "/lib32", "/libx32", "/bin", "/sbin" };

/* ...except the directories of commands the fixture has too: there the container sees both sets,
 * as a read-only overlay of the host's directory (what /bin is on the host, /usr/bin on a merged
 * /usr) over the fixture's. The host's program wins where both have one, so host programs and
 * scripts written for the host (#!/bin/bash, /bin/grep -P) run as on the host; busybox's applets
 * the host lacks stay on PATH. One name is the fixture's unless asked (--host-sh): sh, the
 * shell transcripts and `sh -c` were written for. */
static const char *const command_dirs[] = { "/usr/bin", "/usr/sbin", "/bin", "/sbin" };

/* What of the host's /etc its programs need to be themselves, read-only: the links of
 * update-alternatives (/usr/bin/awk -> /etc/alternatives/awk -> /usr/bin/mawk), and the loader's
 * cache, without which it searches only its built-in paths and misses /usr/local/lib and the
 * other ld.so.conf.d directories. Never /etc whole: passwd, group, hosts, hostname, resolv.conf
 * belong to the container, and nsswitch.conf, localtime, gitconfig would make a test depend on
 * the host's settings (glibc's defaults without them are the container's files and UTC). */
static const char *const host_etc[] = { "/etc/alternatives", "/etc/ld.so.cache" };
_Static_assert(SC_ELEMENTSOF(host_dirs) + SC_ELEMENTSOF(command_dirs) + SC_ELEMENTSOF(host_etc) + 1 /* sh's */ <=
		       SC_HOST_LIBS_MAX_POINTS,
	       "SC_HOST_LIBS_MAX_POINTS holds every point sc_host_libs_expected adds");

static bool host_is_dir(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The fixture's directory path, a real directory reached through no symlink (an archive's
 * /bin -> /etc must not make the host's /etc a layer): an O_PATH fd, or -1. */
static int fixture_dir(int fixture_fd, const char *path)
{
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS };
	return fixture_fd < 0 ? -1 : sc_openat2(fixture_fd, path + 1, &how);
}

/* Where the host keeps the commands of dir: itself, or where its symlink leads (/bin -> usr/bin). */
static bool host_command_dir(const char *dir, char host[static PATH_MAX])
{
	struct stat st;
	return realpath(dir, host) && stat(host, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Whether dir is one of command_dirs that both the host and the fixture have. */
static bool command_union(int fixture_fd, const char *dir)
{
	char host[PATH_MAX];
	bool listed = false;
	for (size_t i = 0; i < SC_ELEMENTSOF(command_dirs); i++)
		listed |= !strcmp(command_dirs[i], dir);
	_cleanup_close_ int fd = listed && host_command_dir(dir, host) ? fixture_dir(fixture_fd, dir) : -1;
	return fd >= 0;
}

/* The file the fixture's sh links to (busybox's /bin/busybox) when a command overlay shows the
 * host's file of that name instead (a host with busybox installed): the fixture's is bound over
 * it, so that sh stays the fixture's program, not only its name. Fills path and returns true. */
static bool sh_target_shadowed(int fixture_fd, bool host_sh, char path[static PATH_MAX])
{
	_cleanup_close_ int bin = host_sh ? -1 : fixture_dir(fixture_fd, "/bin");
	ssize_t n = bin < 0 ? -1 : readlinkat(bin, "sh", path, PATH_MAX - 1);
	if (n <= 0 || path[0] != '/')
		return false;
	path[n] = '\0';
	char dir[PATH_MAX], host[PATH_MAX], host_file[2 * PATH_MAX];
	char *slash = strrchr(path, '/');
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	struct stat st;
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS };
	_cleanup_close_ int file = sc_openat2(fixture_fd, path + 1, &how);
	if (file < 0 || fstat(file, &st) < 0 || !S_ISREG(st.st_mode) || !command_union(fixture_fd, dir) ||
	    !host_command_dir(dir, host))
		return false;
	snprintf(host_file, sizeof(host_file), "%s/%s", host, slash + 1);
	return lstat(host_file, &st) == 0;
}

char *sc_host_libs_expected(const char *rootfs, bool host_sh, const char **points, size_t *k, char *store)
{
	_cleanup_close_ int fixture = rootfs ? open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	for (size_t i = 0; i < SC_ELEMENTSOF(host_dirs); i++)
		if (host_is_dir(host_dirs[i]) && !command_union(fixture, host_dirs[i]))
			points[(*k)++] = host_dirs[i];
	for (size_t i = 0; i < SC_ELEMENTSOF(command_dirs); i++)
		if (command_union(fixture, command_dirs[i]))
			points[(*k)++] = command_dirs[i];
	struct stat st;
	for (size_t i = 0; i < SC_ELEMENTSOF(host_etc); i++)
		if (stat(host_etc[i], &st) == 0 && (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)))
			points[(*k)++] = host_etc[i];
	char sh_target[PATH_MAX];
	if (sh_target_shadowed(fixture, host_sh, sh_target)) {
		points[(*k)++] = store;
		store = stpcpy(store, sh_target) + 1;
	}
	return store;
}

void sc_host_layers_release(struct sc_host_layers *l)
{
	sc_closep(&l->fixture);
	sc_closep(&l->keep);
}

int sc_host_layers_open(int dirfd, const char *fixture, int layers, bool host_sh, struct sc_host_layers *ret,
			struct sc_error *err)
{
	ret->fixture = openat(dirfd, fixture, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (ret->fixture < 0)
		return sc_error_set(err, errno, "open the fixture for the host's command overlays");
	char target[PATH_MAX];
	_cleanup_close_ int bin = host_sh ? -1 : fixture_dir(ret->fixture, "/bin");
	ssize_t n = bin < 0 ? -1 : readlinkat(bin, "sh", target, sizeof(target) - 1);
	if (n <= 0)
		return 0;
	target[n] = '\0';
	if (mkdirat(layers, "keep", 0755) < 0 || symlinkat(target, layers, "keep/sh") < 0 ||
	    (ret->keep = openat(layers, "keep", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return sc_error_set(err, errno, "make the layer that keeps the fixture's /bin/sh");
	return 0;
}

/* A host path bound read-only at the same place: nothing on it runs set-id or opens a device. */
static int bind_host(int rootfd, const char *path, bool dir, unsigned extra, struct sc_error *err)
{
	_cleanup_close_ int fd = sc_mounts_open_in_root(rootfd, path, dir);
	_cleanup_close_ int tree = sc_open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | extra };
	if (fd < 0 || tree < 0 || sc_mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) < 0 ||
	    sc_move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return sc_error_set(err, errno, "bind the host's '%s' read-only", path);
	return 0;
}

static int mount_host_dir(int rootfd, const char *path, struct sc_error *err)
{
	if (host_is_dir(path))
		return bind_host(rootfd, path, true, 0, err);
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return 0; /* not on this host */
	target[n] = '\0';
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	_cleanup_close_ int existing = sc_openat2(rootfd, path + 1, &how);
	if (existing >= 0 || errno != ENOENT)
		return 0; /* the fixture's own wins */
	if (symlinkat(target, rootfd, path + 1) < 0 && errno != EEXIST)
		return sc_error_set(err, errno, "symlink '%s' -> '%s' in the container", path, target);
	return 0;
}

/* Without overlayfs (a kernel before 6.6 makes the root a copy, and may not have it) dir is
 * what it was before there were overlays: the host's under /usr, and where the host's /bin is
 * a directory of its own, else the fixture's (the root's, writable); bound on itself, read-only
 * where the host's, so the mount table is the one planned. */
static int mount_command_dir_plain(int rootfd, const char *dir, const char *host_path, struct sc_error *err)
{
	bool host = !strncmp(dir, "/usr/", 5) || host_is_dir(dir);
	unsigned clone = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE;
	_cleanup_close_ int at = sc_mounts_open_in_root(rootfd, dir, true);
	_cleanup_close_ int tree = at < 0 ? -1
				   : host ? sc_open_tree(AT_FDCWD, host_path, clone)
					  : sc_open_tree(at, "", clone | AT_EMPTY_PATH);
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (host ? MOUNT_ATTR_RDONLY : 0) };
	if (tree < 0 || sc_mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) < 0 ||
	    sc_move_mount(tree, "", at, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return sc_error_set(err, errno, "bind the %s '%s' on '%s' (no overlayfs here)",
				    host ? "host's" : "fixture's", host ? host_path : dir, dir);
	return 0;
}

/* The overlay of the host's commands over the fixture's at dir (command_dirs), topped by the
 * directory holding the fixture's sh where the host has an sh there too. Layers are named by
 * fd: the fixture's directory is opened beneath the fixture itself, never through the
 * container's root, where /usr is the host's by now. */
static int mount_command_dir(int rootfd, const struct sc_host_layers *layers, const char *dir, struct sc_error *err)
{
	char host_path[PATH_MAX], host_sh[PATH_MAX + 4];
	if (!host_command_dir(dir, host_path))
		return 0;
	_cleanup_close_ int fixture = fixture_dir(layers->fixture, dir);
	if (fixture < 0)
		return 0;
	_cleanup_close_ int host = open(host_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (host < 0)
		return sc_error_set(err, errno, "open the host's '%s'", host_path);
	struct stat st;
	snprintf(host_sh, sizeof(host_sh), "%s/sh", host_path);
	bool keep = layers->keep >= 0 && lstat(host_sh, &st) == 0;
	char options[128], keep_layer[32] = "";
	if (keep)
		snprintf(keep_layer, sizeof(keep_layer), "/proc/self/fd/%d:", layers->keep);
	snprintf(options, sizeof(options), "lowerdir=%s/proc/self/fd/%d:/proc/self/fd/%d,userxattr", keep_layer, host,
		 fixture);
	_cleanup_close_ int at = sc_mounts_open_in_root(rootfd, dir, true);
	if (at < 0)
		return sc_error_set(err, errno, "open '%s' in the container", dir);
	if (sc_mounts_mount_on_fd("overlay", at, "overlay", MS_RDONLY | MS_NOSUID | MS_NODEV, options) == 0)
		return 0;
	if (errno == ENODEV)
		return mount_command_dir_plain(rootfd, dir, host_path, err);
	return sc_error_set(err, errno, "mount the host's '%s' over the fixture's '%s'", host_path, dir);
}

/* The fixture's file at path (sh_target_shadowed) over the host's one the overlay shows there. */
static int mount_sh_target(int rootfd, const struct sc_host_layers *layers, const char *path, struct sc_error *err)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS };
	_cleanup_close_ int file = sc_openat2(layers->fixture, path + 1, &how);
	_cleanup_close_ int tree =
		file < 0 ? -1 : sc_open_tree(file, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
	_cleanup_close_ int at = sc_mounts_open_in_root(rootfd, path, false);
	if (tree < 0 || at < 0 || sc_mount_setattr(tree, "", AT_EMPTY_PATH, &attr) < 0 ||
	    sc_move_mount(tree, "", at, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return sc_error_set(err, errno, "bind the fixture's '%s' over the host's", path);
	return 0;
}

static int mount_host_etc(int rootfd, const char *path, struct sc_error *err)
{
	struct stat st;
	if (stat(path, &st) < 0 || !(S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)))
		return 0; /* not on this host */
	return bind_host(rootfd, path, S_ISDIR(st.st_mode), MOUNT_ATTR_NOEXEC, err);
}

int sc_host_libs_mount(int rootfd, const struct sc_host_layers *layers, struct sc_error *err)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < SC_ELEMENTSOF(host_dirs); i++)
		if (!command_union(layers->fixture, host_dirs[i]))
			r = mount_host_dir(rootfd, host_dirs[i], err);
	/* /usr/bin after /usr, whose bind it lies on */
	for (size_t i = 0; r == 0 && i < SC_ELEMENTSOF(command_dirs); i++)
		r = mount_command_dir(rootfd, layers, command_dirs[i], err);
	for (size_t i = 0; r == 0 && i < SC_ELEMENTSOF(host_etc); i++)
		r = mount_host_etc(rootfd, host_etc[i], err);
	char sh_target[PATH_MAX];
	if (r == 0 && layers->keep >= 0 && sh_target_shadowed(layers->fixture, false, sh_target))
		r = mount_sh_target(rootfd, layers, sh_target, err);
	return r;
}

