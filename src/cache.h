/* cache.h - the fixture cache: entries keyed by content, built once, shared by parallel runs.
 *
 * An entry "<kind>-<content hash>" holds root/; it is built in a temporary directory inside the
 * cache and renamed into place, under a flock, so readers see nothing or a complete root and
 * eight cold runs build it once. The content hash covers the source file's bytes, the layout
 * version and the owner the entry is made for (the caller, who owns its files). An index
 * "index/<kind>-<stat hash>" (a symlink to the entry, keyed by the file's device, inode, size
 * and times) spares warm runs the hashing: a warm lookup is a stat of the source, a readlink
 * and a stat of the entry. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "simpcon.h"

struct sc_cache_source {
	const char *kind;            /* "busybox", "archive": the entry's name prefix */
	const char *path;            /* the file the entry is made from */
	unsigned layout;             /* bumped when the builder's output changes */
	/* Fills root (an empty directory that exists) from path; returns 0 or -errno with err set. */
	int (*build)(const char *root, const struct sc_cache_source *source, struct sc_error *err);
	const void *data;            /* for build */
	/* NULL, or a cheap check of a cached root against the source's stat: an entry that fails
	 * it (damaged by hand or by a crash) is removed and built again */
	bool (*valid)(const char *root, const struct stat *source);
	unsigned lock_wait_ms;       /* 0: SC_CACHE_LOCK_WAIT_MS */
};

/* Finds the entry for source in cache_dir, building it if needed. ret_root: its root (malloc).
 * Returns 1 when this call built it, 0 when it was there. */
int sc_cache_get(const char *cache_dir, const struct sc_cache_source *source, char **ret_root, struct sc_error *err);

/* Builds source into a new directory under tmpdir, outside any cache (--no-cache): ret_dir is
 * the directory to remove afterwards, ret_root its root, ret_lock the fd that keeps the
 * directory from being swept as a dead run's (tmpdir.h), to close once it is removed. */
int sc_cache_build_temporary(const char *tmpdir, const struct sc_cache_source *source, char **ret_dir,
			     char **ret_root, int *ret_lock, struct sc_error *err);

struct sc_cache_entry {
	char name[128];     /* "busybox-<hash>" */
	uint64_t bytes;     /* disk usage of its files */
	time_t built;       /* mtime of the entry */
};

/* Calls fn for every entry of the cache. */
int sc_cache_list(const char *cache_dir, void (*fn)(const struct sc_cache_entry *entry, void *data), void *data,
		  struct sc_error *err);

/* Removes every entry (each under its lock, so a build in progress is waited for), the index,
 * and what dead builds left: .build- directories and lock files of entries never made (those
 * of a live build stay). ret_removed gets the number of entries removed. */
int sc_cache_prune(const char *cache_dir, unsigned *ret_removed, struct sc_error *err);
