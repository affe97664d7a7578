/* cache.c - the content-keyed fixture cache (see cache.h). */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
/* the header alone: no shared library to load on every start */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "cache.h"
#include "error.h"
#include "lockfile.h"
#include "tmpdir.h"
#include "util.h"

/* What, besides the bytes, makes two entries different. */
struct key_header {
	uint64_t layout, uid, gid;
	char kind[16];
};

static struct key_header header_of(const struct sc_cache_source *s)
{
	struct key_header h = { .layout = s->layout, .uid = geteuid(), .gid = getegid() };
	snprintf(h.kind, sizeof(h.kind), "%s", s->kind);
	return h;
}

static void stat_key(const struct sc_cache_source *s, const struct stat *st, char *buf, size_t size)
{
	struct {
		struct key_header h;
		uint64_t dev, ino, size, mtime_s, mtime_ns, ctime_s, ctime_ns;
	} k = { header_of(s),
		st->st_dev,
		st->st_ino,
		(uint64_t)st->st_size,
		(uint64_t)st->st_mtim.tv_sec,
		(uint64_t)st->st_mtim.tv_nsec,
		(uint64_t)st->st_ctim.tv_sec,
		(uint64_t)st->st_ctim.tv_nsec };
	snprintf(buf, size, "%s-%016llx", s->kind, (unsigned long long)XXH3_64bits(&k, sizeof(k)));
}

static int content_key(const struct sc_cache_source *s, char *buf, size_t size, struct sc_error *err)
{
	_cleanup_close_ int fd = open(s->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sc_error_set(err, errno, "open '%s'", s->path);
	XXH3_state_t *state = XXH3_createState();
	if (!state)
		return sc_error_set(err, ENOMEM, "hash '%s'", s->path);
	struct key_header h = header_of(s);
	XXH3_128bits_reset(state);
	XXH3_128bits_update(state, &h, sizeof(h));
	char chunk[1 << 16];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		XXH3_128bits_update(state, chunk, (size_t)n);
	int saved = errno;
	XXH128_hash_t hash = XXH3_128bits_digest(state);
	XXH3_freeState(state);
	if (n < 0)
		return sc_error_set(err, saved, "read '%s'", s->path);
	snprintf(buf, size, "%s-%016llx%016llx", s->kind, (unsigned long long)hash.high64, (unsigned long long)hash.low64);
	return 0;
}

/* Run by root, the cache holds what root executes: another user who could change it (or a
 * directory above it) could swap in an entry of their own. Returns 0, or -EPERM with err
 * naming the directory at fault and the fix. */
static int check_trusted(const char *cache, struct sc_error *err)
{
	char culprit[PATH_MAX];
	int r = sc_dir_check_private(cache, culprit, sizeof(culprit));
	if (r == -EPERM || r == -EACCES)
		return sc_error_setf(err, EPERM,
				     "cache directory '%s': '%s' is %s, who could replace the fixtures root runs: %s %s, "
				     "or set SIMPCON_CACHE to a directory only root can change",
				     cache, culprit, r == -EPERM ? "another user's" : "writable by others",
				     r == -EPERM ? "chown root:" : "chmod go-w", culprit);
	return r < 0 ? sc_error_set(err, -r, "cache directory '%s': '%s'", cache, culprit) : 0;
}

/* Creates the cache when missing (0700: it holds what root executes, and no one else needs to
 * read it) and, run by root, checks that no one else can change it. */
static int open_cache(const char *cache, struct sc_error *err)
{
	struct stat st;
	int r = stat(cache, &st) < 0 && errno == ENOENT ? sc_mkdir_p(cache, 0700) : 0;
	if (r < 0)
		return sc_error_set(err, -r, "create cache directory '%s' (set SIMPCON_CACHE to a writable directory)", cache);
	return geteuid() == 0 ? check_trusted(cache, err) : 0;
}

/* Whether an entry can be used as it is: a directory of the caller's that no one else can
 * write (one left from a time its cache was open to others is rebuilt), which its source's
 * check finds whole. */
static bool entry_usable(const char *entry, const char *root, const struct sc_cache_source *s,
			 const struct stat *source)
{
	struct stat st;
	return lstat(entry, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() && !(st.st_mode & 022) &&
	       (!s->valid || s->valid(root, source));
}

/* Builds into tmp/root (tmp: an empty directory), removing tmp when that fails. */
static int build_root(const char *tmp, const struct sc_cache_source *s, struct sc_error *err)
{
	char root[PATH_MAX + 16];
	snprintf(root, sizeof(root), "%s/root", tmp);
	int r = mkdir(root, 0755) < 0 ? sc_error_set(err, errno, "create '%s'", root) : 0;
	if (r == 0)
		r = s->build(root, s, err);
	if (r < 0)
		(void)sc_rm_rf(tmp);
	return r;
}

/* Builds into dir/PREFIXXXXXXX/root, returning that temporary directory in tmp. */
static int build_in(const char *dir, const char *prefix, const struct sc_cache_source *s, char *tmp, size_t size,
		    struct sc_error *err)
{
	snprintf(tmp, size, "%s/%sXXXXXX", dir, prefix);
	if (!mkdtemp(tmp))
		return sc_error_set(err, errno, "create a build directory in '%s'", dir);
	if (chmod(tmp, 0755) < 0) {
		int r = sc_error_set(err, errno, "chmod '%s'", tmp);
		(void)sc_rm_rf(tmp);
		return r;
	}
	return build_root(tmp, s, err);
}

/* Points the index name at entry name: a symlink made beside it and renamed over it. */
static void index_entry(const char *cache, const char *index_name, const char *entry_name)
{
	char dir[PATH_MAX], link[PATH_MAX + 160], tmp[PATH_MAX + 180], target[200];
	snprintf(dir, sizeof(dir), "%s/index", cache);
	(void)mkdir(dir, 0755);
	snprintf(link, sizeof(link), "%s/%s", dir, index_name);
	snprintf(tmp, sizeof(tmp), "%s.%d", link, (int)getpid());
	snprintf(target, sizeof(target), "../%s", entry_name);
	(void)unlink(tmp);
	if (symlink(target, tmp) == 0 && rename(tmp, link) < 0)
		(void)unlink(tmp);
}

/* How long a run waits for another process's build of the same entry (a busybox fixture
 * builds in milliseconds, a large archive in seconds): past it, a stopped or hung builder is
 * named rather than waited for silently. */
#define SC_CACHE_LOCK_WAIT_MS 120000u

/* Takes entry's build lock ("<entry>.lock" beside it), waiting wait_ms at most (0: the
 * default) for another holder. */
static int lock_entry(const char *entry, unsigned wait_ms, struct sc_error *err)
{
	char dir[PATH_MAX], lock[PATH_MAX + 8];
	/* entries are "<cache>/<name>" */
	snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(entry, '/') - entry), entry);
	snprintf(lock, sizeof(lock), "%s.lock", entry);
	_cleanup_close_ int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return sc_error_set(err, errno, "open cache '%s'", dir);
	if (!wait_ms)
		wait_ms = SC_CACHE_LOCK_WAIT_MS;
	int fd = sc_lockfile_take(dirfd, strrchr(lock, '/') + 1, sc_now_us() + (uint64_t)wait_ms * 1000);
	if (fd == -EWOULDBLOCK)
		return sc_error_setf(err, ETIMEDOUT,
				     "lock '%s' held for %u ms by another build of this fixture: a stopped or hung "
				     "simpcon-test? (fuser %s)", lock, wait_ms, lock);
	if (fd == -EPERM)
		return sc_error_setf(err, EPERM, "lock '%s' is not yours and cannot be replaced: remove it (rm %s)", lock,
				     lock);
	if (fd < 0)
		return sc_error_set(err, -fd, "lock '%s'", lock);
	return fd;
}

/* Under an entry's lock no other builder of it runs: what earlier builders of it left (killed
 * mid-build) can go. */
static void sweep_builds(const char *cache, const char *entry_name)
{
	DIR *d = opendir(cache);
	if (!d)
		return;
	char prefix[160];
	snprintf(prefix, sizeof(prefix), ".build-%s-", entry_name);
	for (struct dirent *de; (de = readdir(d));)
		if (!strncmp(de->d_name, prefix, strlen(prefix)))
			(void)sc_rm_rf_at(dirfd(d), de->d_name);
	closedir(d);
}

/* Builds entry (which does not exist yet) under its lock; a concurrent builder that won the
 * lock leaves it complete, and this one finds it on the re-check. */
static int build_entry(const char *cache, const char *entry, const struct sc_cache_source *s, struct sc_error *err)
{
	struct stat st;
	_cleanup_close_ int lock = lock_entry(entry, s->lock_wait_ms, err);
	if (lock < 0)
		return lock;
	if (stat(entry, &st) == 0)
		return 0;
	const char *entry_name = strrchr(entry, '/') + 1;
	sweep_builds(cache, entry_name);
	char tmp[PATH_MAX], prefix[160];
	snprintf(prefix, sizeof(prefix), ".build-%s-", entry_name);
	int r = build_in(cache, prefix, s, tmp, sizeof(tmp), err);
	if (r == 0 && rename(tmp, entry) < 0) {
		r = sc_error_set(err, errno, "rename '%s' to '%s'", tmp, entry);
		(void)sc_rm_rf(tmp);
	}
	if (r < 0) {
		/* no entry for the lock to guard (an archive refused, a full disk): its file goes,
		 * under the lock, so a waiter gives it up for a new one (lockfile.h) */
		char lock_path[PATH_MAX + 8];
		snprintf(lock_path, sizeof(lock_path), "%s.lock", entry);
		(void)unlink(lock_path);
	}
	return r < 0 ? r : 1;
}

/* An entry that is not usable (a file deleted or truncated by hand or by a crash, or not the
 * caller's) is moved aside and removed under its lock, then built again. */
static int repair_entry(const char *cache, const char *entry, const char *root, const struct sc_cache_source *s,
			const struct stat *source, struct sc_error *err)
{
	char aside[PATH_MAX + 200];
	_cleanup_close_ int lock = lock_entry(entry, s->lock_wait_ms, err);
	if (lock < 0)
		return lock;
	if (entry_usable(entry, root, s, source))
		return 0; /* repaired by another run meanwhile */
	snprintf(aside, sizeof(aside), "%s/.build-%s-damaged-%d", cache, strrchr(entry, '/') + 1, (int)getpid());
	if (rename(entry, aside) < 0)
		return sc_error_set(err, errno, "move damaged fixture '%s' aside", entry);
	(void)sc_rm_rf(aside);
	return 1;
}

int sc_cache_get(const char *cache, const struct sc_cache_source *s, char **ret_root, struct sc_error *err)
{
	char index_name[128], entry_name[128], entry[PATH_MAX + 160], link[PATH_MAX + 160];
	struct stat st, source;
	if (stat(s->path, &source) < 0)
		return sc_error_set(err, errno, "stat '%s'", s->path);
	int r = open_cache(cache, err);
	if (r < 0)
		return r;
	stat_key(s, &source, index_name, sizeof(index_name));
	snprintf(link, sizeof(link), "%s/index/%s", cache, index_name);
	ssize_t n = readlink(link, entry_name, sizeof(entry_name) - 1);
	if (n > 3 && !strncmp(entry_name, "../", 3)) {
		entry_name[n] = '\0';
		memmove(entry_name, entry_name + 3, (size_t)n - 2);
	} else if ((r = content_key(s, entry_name, sizeof(entry_name), err)) < 0) {
		return r;
	}
	snprintf(entry, sizeof(entry), "%s/%s", cache, entry_name);
	if (asprintf(ret_root, "%s/root", entry) < 0)
		return sc_error_set(err, ENOMEM, "allocate the fixture path");
	/* warm: a stat of the source, a readlink, a stat of the entry and the source's check */
	if (entry_usable(entry, *ret_root, s, &source))
		return n > 3 ? 0 : (index_entry(cache, index_name, entry_name), 0);
	if (lstat(entry, &st) == 0 && (r = repair_entry(cache, entry, *ret_root, s, &source, err)) < 0)
		goto fail;
	if ((r = build_entry(cache, entry, s, err)) < 0)
		goto fail;
	index_entry(cache, index_name, entry_name);
	return r; /* 1 when this call built the entry */
fail:
	free(*ret_root);
	*ret_root = NULL;
	return r;
}

int sc_cache_build_temporary(const char *tmpdir, const struct sc_cache_source *s, char **ret_dir, char **ret_root,
			     int *ret_lock, struct sc_error *err)
{
	char tmp[PATH_MAX];
	/* locked while this process lives: a killed run's copy is swept by the next one */
	_cleanup_close_ int lock = sc_tmpdir_make(tmpdir, SC_TMPDIR_FIXTURE, tmp, sizeof(tmp));
	if (lock < 0)
		return sc_error_set(err, -lock, "create a fixture directory in '%s' (set TMPDIR to a writable directory)",
				    tmpdir);
	int r = build_root(tmp, s, err);
	if (r < 0)
		return r;
	if (!(*ret_dir = strdup(tmp)) || asprintf(ret_root, "%s/root", tmp) < 0) {
		free(*ret_dir);
		(void)sc_rm_rf(tmp);
		return sc_error_set(err, ENOMEM, "allocate the fixture path");
	}
	*ret_lock = TAKE_FD(lock);
	return 0;
}

static uint64_t disk_usage(int parent, const char *name)
{
	struct stat st;
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	uint64_t bytes = (uint64_t)st.st_blocks * 512;
	if (!S_ISDIR(st.st_mode))
		return bytes;
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return bytes;
	}
	for (struct dirent *de; (de = readdir(d));)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			bytes += disk_usage(dirfd(d), de->d_name);
	closedir(d);
	return bytes;
}

/* Entry directories: "<kind>-<hex>", no dot, not the index. */
static bool is_entry(const struct dirent *de)
{
	return de->d_name[0] != '.' && strcmp(de->d_name, "index") && !strchr(de->d_name, '.') &&
	       strchr(de->d_name, '-');
}

int sc_cache_list(const char *cache, void (*fn)(const struct sc_cache_entry *, void *), void *data,
		  struct sc_error *err)
{
	DIR *d = opendir(cache);
	if (!d)
		return errno == ENOENT ? 0 : sc_error_set(err, errno, "open cache '%s'", cache);
	for (struct dirent *de; (de = readdir(d));) {
		struct stat st;
		if (!is_entry(de) || fstatat(dirfd(d), de->d_name, &st, 0) < 0 || !S_ISDIR(st.st_mode))
			continue;
		struct sc_cache_entry e = { .bytes = disk_usage(dirfd(d), de->d_name), .built = st.st_mtime };
		snprintf(e.name, sizeof(e.name), "%s", de->d_name);
		fn(&e, data);
	}
	closedir(d);
	return 0;
}

/* The entry a leftover of a build belongs to: ".build-<entry>-XXXXXX" and
 * ".build-<entry>-damaged-PID", or "<entry>.lock", where entries are "<kind>-<hex>". Returns
 * false for other names (".build-XXXXXX", as the first cache named them). */
static bool leftover_of(const char *name, char *entry, size_t size)
{
	const char *start = name, *end;
	if (!strncmp(name, ".build-", 7)) {
		start = name + 7;
		const char *dash = strchr(start, '-');
		end = dash ? strchr(dash + 1, '-') : NULL;
	} else {
		size_t n = strlen(name);
		end = n > 5 && !strcmp(name + n - 5, ".lock") ? name + n - 5 : NULL;
	}
	if (!end || end == start || (size_t)(end - start) >= size)
		return false;
	snprintf(entry, size, "%.*s", (int)(end - start), start);
	return entry[0] != '.' && !strchr(entry, '.') && strchr(entry, '-');
}

/* What a dead builder of an entry left: its .build- directory (build, or NULL), and its lock
 * file when no entry came of it. Only under the entry's lock, and only when it is free: a live
 * build holds it, and what that build has is in use. */
static void prune_leftover(int cachefd, const char *entry, const char *build)
{
	char lock[160];
	struct stat st;
	snprintf(lock, sizeof(lock), "%s.lock", entry);
	_cleanup_close_ int fd = sc_lockfile_take(cachefd, lock, 0);
	if (fd < 0)
		return;
	if (build)
		(void)sc_rm_rf_at(cachefd, build);
	if (fstatat(cachefd, entry, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
		(void)unlinkat(cachefd, lock, 0);
}

int sc_cache_prune(const char *cache, unsigned *ret_removed, struct sc_error *err)
{
	unsigned removed = 0;
	*ret_removed = 0;
	DIR *d = opendir(cache);
	if (!d)
		return errno == ENOENT ? 0 : sc_error_set(err, errno, "open cache '%s'", cache);
	int r = geteuid() == 0 ? check_trusted(cache, err) : 0;
	if (r < 0) {
		closedir(d);
		return r;
	}
	(void)sc_rm_rf_at(dirfd(d), "index");
	for (struct dirent *de; r == 0 && (de = readdir(d));) {
		char entry[PATH_MAX + 260], owner[128];
		snprintf(entry, sizeof(entry), "%s/%s", cache, de->d_name);
		bool build = !strncmp(de->d_name, ".build-", 7);
		if (leftover_of(de->d_name, owner, sizeof(owner))) {
			prune_leftover(dirfd(d), owner, build ? de->d_name : NULL);
			continue;
		}
		if (build) {
			(void)sc_rm_rf_at(dirfd(d), de->d_name); /* named so by an older version */
			continue;
		}
		if (!is_entry(de))
			continue;
		_cleanup_close_ int lock = lock_entry(entry, 0, err);
		if (lock < 0) {
			r = lock;
			break;
		}
		int q = sc_rm_rf_at(dirfd(d), de->d_name);
		if (q < 0) {
			r = sc_error_set(err, -q, "remove '%s'", entry);
		} else {
			char lock_path[PATH_MAX + 270];
			snprintf(lock_path, sizeof(lock_path), "%s.lock", entry);
			(void)unlink(lock_path);
			removed++;
		}
	}
	closedir(d);
	*ret_removed = removed;
	return r;
}
