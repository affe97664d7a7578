/* fixture.c - the busybox fixture and its cache.
 *
 * An entry is built in a temporary directory inside the cache and renamed into place, so a
 * reader sees either nothing or a complete root; builders serialise on a flock so parallel
 * cold runs build it once. A warm lookup is one stat of the binary and one of the entry. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <xxhash.h>

#include "error.h"
#include "fixture.h"
#include "idmap.h"
#include "util.h"

/* Bump when the layout below changes: old entries are then simply not found. */
#define SC_FIXTURE_LAYOUT 1

struct sc_fixture {
	char *root;
};

static const struct {
	const char *path;
	mode_t mode;
} layout_dirs[] = {
	{ "bin", 0755 },  { "sbin", 0755 }, { "usr", 0755 },     { "usr/bin", 0755 }, { "usr/sbin", 0755 },
	{ "etc", 0755 },  { "proc", 0555 }, { "dev", 0755 },     { "sys", 0555 },     { "tmp", 01777 },
	{ "root", 0700 }, { "home", 0755 }, { "run", 0755 },     { "var", 0755 },     { "var/tmp", 01777 },
	{ "mnt", 0755 },
};

static const struct {
	const char *path;
	const char *text;
} layout_files[] = {
	{ "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n" },
	{ "etc/group", "root:x:0:\nnogroup:x:65534:\n" },
	{ "etc/hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost\n" },
	{ "etc/resolv.conf", "" },
};

static bool is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int find_on_path(const char *name, char *buf, size_t size)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");
		if (n > 0 && snprintf(buf, size, "%.*s/%s", (int)n, p, name) < (int)size && is_file(buf))
			return 0;
		p += n + (p[n] == ':');
	}
	return -ENOENT;
}

int sc_fixture_find_busybox(const char *path, char *buf, size_t size, struct sc_error *err)
{
	const char *from = "--busybox";
	if (!path || !*path) {
		path = getenv("SIMPCON_BUSYBOX");
		from = "SIMPCON_BUSYBOX";
	}
	if ((!path || !*path) && SC_DEFAULT_BUSYBOX[0] && is_file(SC_DEFAULT_BUSYBOX)) {
		path = SC_DEFAULT_BUSYBOX;
		from = "configure --with-busybox";
	}
	if (!path || !*path) {
		if (find_on_path("busybox", buf, size) == 0)
			return 0;
		return sc_error_setf(err, ENOENT,
				     "busybox not found: install busybox-static (apt-get install busybox-static), "
				     "or give --busybox PATH or SIMPCON_BUSYBOX");
	}
	if (!is_file(path))
		return sc_error_setf(err, ENOENT, "busybox '%s' (from %s) is not a file: install busybox-static or fix %s",
				     path, from, from);
	if (snprintf(buf, size, "%s", path) >= (int)size)
		return sc_error_setf(err, ENAMETOOLONG, "busybox path '%s' is too long", path);
	return 0;
}

int sc_fixture_cache_dir(const char *cache_dir, char *buf, size_t size, struct sc_error *err)
{
	const char *env;
	int n;
	if (cache_dir && *cache_dir)
		n = snprintf(buf, size, "%s", cache_dir);
	else if ((env = getenv("SIMPCON_CACHE")) && *env)
		n = snprintf(buf, size, "%s", env);
	else if (geteuid() == 0)
		n = snprintf(buf, size, "/var/cache/simpcon");
	else if ((env = getenv("XDG_CACHE_HOME")) && *env)
		n = snprintf(buf, size, "%s/simpcon", env);
	else if ((env = getenv("HOME")) && *env)
		n = snprintf(buf, size, "%s/.cache/simpcon", env);
	else
		return sc_error_setf(err, ENOENT, "no cache directory: set SIMPCON_CACHE or HOME");
	/* entries, locks and build directories add up to 64 bytes to this path */
	if (n >= (int)size || (size_t)n + 64 >= PATH_MAX)
		return sc_error_setf(err, ENAMETOOLONG, "cache directory path '%.80s...' is too long", buf);
	int r = sc_mkdir_p(buf, 0755);
	if (r < 0)
		return sc_error_set(err, -r, "create cache directory '%s' (set SIMPCON_CACHE to a writable directory)", buf);
	return 0;
}

/* The key names the binary (device, inode, size, mtime) and the owner the entry is made for. */
static uint64_t busybox_key(const struct stat *st, const struct sc_idmap *map)
{
	struct {
		uint64_t layout, dev, ino, size, sec, nsec, uid, gid;
	} k = { SC_FIXTURE_LAYOUT,
		st->st_dev,
		st->st_ino,
		(uint64_t)st->st_size,
		(uint64_t)st->st_mtim.tv_sec,
		(uint64_t)st->st_mtim.tv_nsec,
		map->uid_host,
		map->gid_host };
	return XXH3_64bits(&k, sizeof(k));
}

static int copy_file(const char *from, int dirfd, const char *to, mode_t mode)
{
	_cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	_cleanup_close_ int out = openat(dirfd, to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (out < 0)
		return -errno;
	struct stat st;
	if (fstat(in, &st) < 0)
		return -errno;
	for (off_t left = st.st_size; left > 0;) {
		ssize_t n = sendfile(out, in, NULL, (size_t)left);
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		left -= n;
	}
	return fchmod(out, mode) < 0 ? -errno : 0;
}

/* The applet list comes from the binary itself, run on the host ("busybox --list-full"), so
 * nothing runs inside a container to make the links. */
static int applet_list(const char *busybox, char **ret_text)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	char *const argv[] = { (char *)busybox, (char *)"--list-full", NULL };
	char *const envp[] = { (char *)"LC_ALL=C", NULL };
	pid_t pid;
	int r = posix_spawn(&pid, busybox, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (r != 0) {
		close(p[0]);
		return -r;
	}
	char path[32];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	r = sc_read_file(path, ret_text, NULL);
	close(p[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
		free(*ret_text);
		return -ENOEXEC;
	}
	return r;
}

static int make_links(int rootfd, const char *busybox)
{
	_cleanup_free_ char *list = NULL;
	int r = applet_list(busybox, &list);
	if (r < 0)
		return r;
	size_t made = 0;
	for (char *save = NULL, *line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* entries look like "usr/bin/awk"; anything else is not an applet path */
		if (line[0] == '/' || strstr(line, "..") || !strchr(line, '/') || !strcmp(line, "bin/busybox"))
			continue;
		if (symlinkat("/bin/busybox", rootfd, line) < 0 && errno != EEXIST)
			return -errno;
		made++;
	}
	return made > 0 ? 0 : -ENOEXEC;
}

static int chown_tree(int dirfd, const char *name, uid_t uid, gid_t gid);

static int chown_entries(int fd, uid_t uid, gid_t gid)
{
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	int r = 0;
	for (struct dirent *de; r == 0 && (de = readdir(d));)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			r = chown_tree(dirfd(d), de->d_name, uid, gid);
	closedir(d);
	return r;
}

static int chown_tree(int dirfd, const char *name, uid_t uid, gid_t gid)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	/* fchownat clears the set-id bits and the mode is restored after */
	if (fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return 0;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : chown_entries(fd, uid, gid);
}

static int build_root(const char *root, const char *busybox, const struct sc_idmap *map, struct sc_error *err)
{
	if (mkdir(root, 0755) < 0)
		return sc_error_set(err, errno, "create '%s'", root);
	_cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return sc_error_set(err, errno, "open '%s'", root);
	for (size_t i = 0; i < SC_ELEMENTSOF(layout_dirs); i++)
		if (mkdirat(rootfd, layout_dirs[i].path, 0755) < 0 ||
		    fchmodat(rootfd, layout_dirs[i].path, layout_dirs[i].mode, 0) < 0)
			return sc_error_set(err, errno, "create '%s/%s'", root, layout_dirs[i].path);
	for (size_t i = 0; i < SC_ELEMENTSOF(layout_files); i++) {
		_cleanup_close_ int fd = openat(rootfd, layout_files[i].path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0 || sc_write_all(fd, layout_files[i].text, strlen(layout_files[i].text)) < 0)
			return sc_error_set(err, errno, "write '%s/%s'", root, layout_files[i].path);
	}
	int r = copy_file(busybox, rootfd, "bin/busybox", 0755);
	if (r < 0)
		return sc_error_set(err, -r, "copy '%s' into the fixture", busybox);
	if ((r = make_links(rootfd, busybox)) < 0)
		return sc_error_set(err, -r, "make the applet links of '%s' (is it a busybox binary?)", busybox);
	/* run by root, container root is a subordinate id: the fixture must be its own */
	if (!map->rootless && (r = chown_tree(AT_FDCWD, root, map->uid_host, map->gid_host)) < 0)
		return sc_error_set(err, -r, "chown '%s' to %u:%u", root, (unsigned)map->uid_host, (unsigned)map->gid_host);
	if (fchmodat(rootfd, "tmp", 01777, 0) < 0 || fchmodat(rootfd, "var/tmp", 01777, 0) < 0)
		return sc_error_set(err, errno, "chmod '%s/tmp'", root);
	return 0;
}

/* Builds entry (a path that does not exist yet) under the lock; a concurrent builder that won
 * the lock leaves it complete, and this one finds it on the re-check. */
static int build_entry(const char *cache, const char *entry, const char *busybox, const struct sc_idmap *map,
		       struct sc_error *err)
{
	char lock[PATH_MAX], tmp[PATH_MAX], root[PATH_MAX];
	struct stat st;
	snprintf(lock, sizeof(lock), "%s.lock", entry);
	_cleanup_close_ int lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (lockfd < 0)
		return sc_error_set(err, errno, "open lock '%s'", lock);
	while (flock(lockfd, LOCK_EX) < 0)
		if (errno != EINTR)
			return sc_error_set(err, errno, "lock '%s'", lock);
	if (stat(entry, &st) == 0)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s/.build-XXXXXX", cache);
	if (!mkdtemp(tmp))
		return sc_error_set(err, errno, "create a build directory in '%s'", cache);
	snprintf(root, sizeof(root), "%s/root", tmp);
	int r = chmod(tmp, 0755) < 0 ? sc_error_set(err, errno, "chmod '%s'", tmp) : 0;
	if (r == 0)
		r = build_root(root, busybox, map, err);
	if (r == 0 && rename(tmp, entry) < 0)
		r = sc_error_set(err, errno, "rename '%s' to '%s'", tmp, entry);
	if (r < 0)
		(void)sc_rm_rf(tmp);
	return r;
}

int sc_fixture_busybox(const char *path, const char *cache_dir, struct sc_fixture **ret_fixture, struct sc_error *err)
{
	char busybox[PATH_MAX], cache[PATH_MAX], entry[PATH_MAX + 64];
	struct sc_idmap map;
	struct stat st;
	int r = sc_fixture_find_busybox(path, busybox, sizeof(busybox), err);
	if (r < 0)
		return r;
	if (stat(busybox, &st) < 0)
		return sc_error_set(err, errno, "stat '%s'", busybox);
	if ((r = sc_idmap_default(&map, err)) < 0 || (r = sc_fixture_cache_dir(cache_dir, cache, sizeof(cache), err)) < 0)
		return r;
	snprintf(entry, sizeof(entry), "%s/busybox-%016llx", cache, (unsigned long long)busybox_key(&st, &map));
	struct stat est;
	if (stat(entry, &est) < 0 && (r = build_entry(cache, entry, busybox, &map, err)) < 0)
		return r;
	struct sc_fixture *f = calloc(1, sizeof(*f));
	if (!f || asprintf(&f->root, "%s/root", entry) < 0) {
		free(f);
		return sc_error_set(err, ENOMEM, "allocate the fixture");
	}
	*ret_fixture = f;
	return 0;
}

const char *sc_fixture_root(const struct sc_fixture *fixture)
{
	return fixture->root;
}

struct sc_fixture *sc_fixture_free(struct sc_fixture *fixture)
{
	if (fixture) {
		free(fixture->root);
		free(fixture);
	}
	return NULL;
}
