/* idrange.c - root's container id range and its per-run slices (see idrange.h). */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "idmap.h"
#include "idrange.h"
#include "lockfile.h"
#include "util.h"

struct taken_list {
	struct sc_idrange_taken *v;
	size_t n, cap;
};

static int taken_add(struct taken_list *list, unsigned start, unsigned count, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int taken_add(struct taken_list *list, unsigned start, unsigned count, const char *fmt, ...)
{
	if (list->n == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 32;
		struct sc_idrange_taken *v = realloc(list->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		list->v = v;
		list->cap = cap;
	}
	struct sc_idrange_taken *t = &list->v[list->n++];
	t->start = start;
	t->count = count;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->what, sizeof(t->what), fmt, ap);
	va_end(ap);
	return 0;
}

/* The ids no container may have whatever the files say: host root, and the overflow ids the
 * kernel shows for unmapped ones (65534) and 16-bit programs take for -1 (65535). */
static int add_reserved(struct taken_list *list)
{
	int r = taken_add(list, 0, 1, "host root's id 0");
	return r < 0 ? r : taken_add(list, 65534, 2, "the overflow ids 65534-65535");
}

static bool is_root(const char *owner)
{
	return !strcmp(owner, "root") || !strcmp(owner, "0");
}

/* Calls fn for each well-formed line of a subid file, with its number. Stops at fn's error. */
static int each_subid(const char *text, int (*fn)(void *data, const char *owner, unsigned start, unsigned count,
						 unsigned line), void *data)
{
	unsigned number = 0;
	for (const char *line = text; line && *line;) {
		const char *end = strchrnul(line, '\n');
		char owner[256];
		unsigned start, count;
		number++;
		int r = sc_idmap_subid_line(line, (size_t)(end - line), owner, sizeof(owner), &start, &count)
				? fn(data, owner, start, count, number)
				: 0;
		if (r != 0)
			return r;
		line = *end ? end + 1 : end;
	}
	return 0;
}

struct subid_walk {
	struct taken_list *list;
	const char *file;
	bool skip_root;
	/* root's first entry, for root_entry */
	unsigned start, count, line;
};

static int add_subid_line(void *data, const char *owner, unsigned start, unsigned count, unsigned line)
{
	struct subid_walk *w = data;
	if (w->skip_root && is_root(owner))
		return 0;
	/* a name longer than any account's is cut, so that the file and line stay in the message */
	return taken_add(w->list, start, count, "'%.40s%s:%u:%u' (%s line %u)", owner, strlen(owner) > 40 ? "..." : "",
			 start, count, w->file, line);
}

static int add_subids(struct taken_list *list, const char *text, const char *file, bool skip_root)
{
	struct subid_walk w = { .list = list, .file = file, .skip_root = skip_root };
	return each_subid(text, add_subid_line, &w);
}

static int find_root_line(void *data, const char *owner, unsigned start, unsigned count, unsigned line)
{
	struct subid_walk *w = data;
	if (!is_root(owner))
		return 0;
	w->start = start;
	w->count = count;
	w->line = line;
	return 1; /* the first one counts, as for newuidmap */
}

/* Root's entry of a subid file: 1 and its range and line number, or 0 when it has none. */
static int root_entry(const char *text, struct subid_walk *ret)
{
	*ret = (struct subid_walk){ 0 };
	return each_subid(text, find_root_line, ret);
}

/* The start of field (counted from 0) of a colon-separated line, or end when it has fewer. */
static const char *field_of(const char *line, const char *end, unsigned field)
{
	const char *p = line;
	for (unsigned i = 0; i < field && p < end; i++) {
		const char *colon = memchr(p, ':', (size_t)(end - p));
		p = colon ? colon + 1 : end;
	}
	return p;
}

/* Adds the numeric field (2: uid or group gid, 3: passwd gid) of each /etc/passwd or
 * /etc/group line; a line without a number there is not an account. */
static int add_ids(struct taken_list *list, const char *text, const char *file, unsigned field, const char *kind)
{
	for (const char *line = text; line && *line;) {
		const char *end = strchrnul(line, '\n'), *p = field_of(line, end, field);
		char *after = NULL;
		unsigned long id = p < end && *p >= '0' && *p <= '9' ? strtoul(p, &after, 10) : ULONG_MAX;
		if (id <= 0xffffffffUL && (after == end || *after == ':')) {
			size_t name = strcspn(line, ":\n");
			int r = taken_add(list, (unsigned)id, 1, "%s %lu of '%.*s%s' (%s)", kind, id,
					  (int)(name > 40 ? 40 : name), line, name > 40 ? "..." : "", file);
			if (r < 0)
				return r;
		}
		line = *end ? end + 1 : end;
	}
	return 0;
}

static const struct sc_idrange_taken *overlap(const struct taken_list *list, unsigned start, unsigned count)
{
	for (size_t i = 0; i < list->n; i++) {
		const struct sc_idrange_taken *t = &list->v[i];
		if ((uint64_t)t->start < (uint64_t)start + count && (uint64_t)start < (uint64_t)t->start + t->count)
			return t;
	}
	return NULL;
}

/* What ids of one kind (uid or gid) root's own range must miss: other users' subordinate
 * ranges, the accounts' ids and the reserved ones. */
static int taken_of_kind(const struct sc_idrange_files *f, bool gid, struct taken_list *list)
{
	int r = add_reserved(list);
	if (r == 0)
		r = add_subids(list, gid ? f->subgid : f->subuid, gid ? "/etc/subgid" : "/etc/subuid", true);
	if (r == 0)
		r = add_ids(list, f->passwd, "/etc/passwd", gid ? 3 : 2, gid ? "gid" : "uid");
	if (r == 0 && gid)
		r = add_ids(list, f->group, "/etc/group", 2, "gid");
	return r;
}

/* Root's own entry, checked against everyone else's. */
static int own_pool(const struct sc_idrange_files *f, const struct subid_walk *u, const struct subid_walk *g,
		    struct sc_idrange_pool *pool, struct sc_error *err)
{
	const struct subid_walk *own[2] = { u, g };
	for (int gid = 0; gid < 2; gid++) {
		struct taken_list list = { 0 };
		int r = taken_of_kind(f, gid, &list);
		const struct sc_idrange_taken *t = r < 0 ? NULL : overlap(&list, own[gid]->start, own[gid]->count);
		if (t)
			r = sc_error_setf(err, EINVAL,
					  "root's range 'root:%u:%u' (%s line %u) overlaps %s, whose holder could signal "
					  "root's containers and change their files: give root a range no one else has in "
					  "/etc/subuid and /etc/subgid, or remove root's lines there to use simpcon-test's "
					  "own range (0x%x-0x%x)",
					  own[gid]->start, own[gid]->count, gid ? "/etc/subgid" : "/etc/subuid", own[gid]->line,
					  t->what, SC_IDRANGE_BASE, SC_IDRANGE_END - 1);
		else if (r < 0)
			r = sc_error_set(err, -r, "read root's id range");
		free(list.v);
		if (r < 0)
			return r;
	}
	unsigned least = u->count < g->count ? u->count : g->count;
	pool->own = true;
	pool->uid_start = u->start;
	pool->gid_start = g->start;
	pool->slice = least < SC_IDRANGE_SLICE ? least : SC_IDRANGE_SLICE;
	pool->slices = least / pool->slice;
	return 0;
}

/* simpcon-test's own range, less the slices that hold an id anyone is given. */
static int default_pool(const struct sc_idrange_files *f, struct sc_idrange_pool *pool, struct sc_error *err)
{
	struct taken_list list = { 0 };
	int r = add_reserved(&list);
	if (r == 0)
		r = add_subids(&list, f->subuid, "/etc/subuid", false);
	if (r == 0)
		r = add_subids(&list, f->subgid, "/etc/subgid", false);
	if (r == 0)
		r = add_ids(&list, f->passwd, "/etc/passwd", 2, "uid");
	if (r == 0)
		r = add_ids(&list, f->passwd, "/etc/passwd", 3, "gid");
	if (r == 0)
		r = add_ids(&list, f->group, "/etc/group", 2, "gid");
	if (r < 0) {
		free(list.v);
		return sc_error_set(err, -r, "read the ids in use");
	}
	*pool = (struct sc_idrange_pool){ .uid_start = SC_IDRANGE_BASE, .gid_start = SC_IDRANGE_BASE,
					  .slice = SC_IDRANGE_SLICE,
					  .slices = (SC_IDRANGE_END - SC_IDRANGE_BASE) / SC_IDRANGE_SLICE,
					  .taken = list.v, .n_taken = list.n };
	return 0;
}

int sc_idrange_pool(const struct sc_idrange_files *f, struct sc_idrange_pool *ret_pool, struct sc_error *err)
{
	struct subid_walk u, g;
	bool has_u = root_entry(f->subuid, &u) > 0, has_g = root_entry(f->subgid, &g) > 0;
	*ret_pool = (struct sc_idrange_pool){ 0 };
	if (has_u != has_g)
		return sc_error_setf(err, EINVAL,
				     "root has a range in %s (line %u) but none in %s: add one there too, or remove "
				     "root's line to use simpcon-test's own range (0x%x-0x%x)",
				     has_u ? "/etc/subuid" : "/etc/subgid", has_u ? u.line : g.line,
				     has_u ? "/etc/subgid" : "/etc/subuid", SC_IDRANGE_BASE, SC_IDRANGE_END - 1);
	return has_u ? own_pool(f, &u, &g, ret_pool, err) : default_pool(f, ret_pool, err);
}

static int by_start(const void *a, const void *b)
{
	unsigned x = ((const struct sc_idrange_taken *)a)->start, y = ((const struct sc_idrange_taken *)b)->start;
	return (x > y) - (x < y);
}

int sc_idrange_nested_pool(const struct sc_idrange_files *f, unsigned ids, struct sc_idrange_pool *ret_pool,
			   struct sc_error *err)
{
	struct sc_idrange_pool all;
	int r = default_pool(f, &all, err);
	if (r < 0)
		return r;
	/* the longest run of ids in 1..ids-1 that nothing listed holds: the gaps between the
	 * listed ranges, in order of their starts */
	qsort(all.taken, all.n_taken, sizeof(*all.taken), by_start);
	uint64_t next = 1, best = 0, best_len = 0;
	for (size_t i = 0; i <= all.n_taken; i++) {
		uint64_t start = i < all.n_taken ? all.taken[i].start : ids;
		uint64_t end = i < all.n_taken ? start + all.taken[i].count : ids;
		if (start > ids)
			start = ids;
		if (start > next && start - next > best_len) {
			best = next;
			best_len = start - next;
		}
		if (end > next)
			next = end;
	}
	sc_idrange_pool_release(&all);
	if (best_len == 0)
		return sc_error_setf(err, ENOSPC,
				     "this user namespace maps ids 0-%u, and every one but 0 is an account's or another "
				     "user's (/etc/passwd, /etc/group, /etc/subuid, /etc/subgid): give it a wider range",
				     ids - 1);
	unsigned slice = best_len >= 2 * SC_IDRANGE_SLICE ? SC_IDRANGE_SLICE : (unsigned)best_len;
	*ret_pool = (struct sc_idrange_pool){ .uid_start = (unsigned)best, .gid_start = (unsigned)best, .slice = slice,
					      .slices = (unsigned)(best_len / slice), .own = true };
	return 0;
}

bool sc_idrange_usable(const struct sc_idrange_pool *pool, unsigned k)
{
	if (k >= pool->slices)
		return false;
	struct taken_list list = { .v = pool->taken, .n = pool->n_taken };
	unsigned offset = k * pool->slice;
	return !overlap(&list, pool->uid_start + offset, pool->slice) &&
	       !overlap(&list, pool->gid_start + offset, pool->slice);
}

void sc_idrange_pool_release(struct sc_idrange_pool *pool)
{
	free(pool->taken);
	pool->taken = NULL;
	pool->n_taken = 0;
}

/* The lock files live where no other user can reach them: a lock another user could open, or
 * a directory they could write, would let them hold or steal root's slices. */
static int open_state_dir(const char *state_dir, struct sc_error *err)
{
	char culprit[PATH_MAX];
	int r = sc_mkdir_p(state_dir, 0700);
	if (r < 0)
		return sc_error_set(err, -r, "create '%s' for the id ranges of runs", state_dir);
	r = sc_dir_check_private(state_dir, culprit, sizeof(culprit));
	if (r == -EPERM || r == -EACCES)
		return sc_error_setf(err, EPERM,
				     "'%s' (the id ranges of runs) is not root's alone: '%s' is %s; remove it (rm -r %s)",
				     state_dir, culprit, r == -EPERM ? "another user's" : "writable by others", state_dir);
	if (r < 0)
		return sc_error_set(err, -r, "check '%s'", culprit);
	int fd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? sc_error_set(err, errno, "open '%s'", state_dir) : fd;
}

/* One pass over the slices: 0 with the first free one taken, -EWOULDBLOCK when every usable
 * one is held, -ENOSPC when none is usable, another -errno on failure. */
static int take_once(int dirfd, const struct sc_idrange_pool *pool, unsigned *ret_slice, int *ret_lock)
{
	bool any = false;
	for (unsigned k = 0; k < pool->slices; k++) {
		if (!pool->own && !sc_idrange_usable(pool, k))
			continue;
		any = true;
		char name[32];
		snprintf(name, sizeof(name), "%u.lock", pool->uid_start + k * pool->slice);
		int fd = sc_lockfile_take(dirfd, name, 0);
		if (fd == -EWOULDBLOCK)
			continue;
		if (fd < 0)
			return fd;
		*ret_slice = k;
		*ret_lock = fd;
		return 0;
	}
	return any ? -EWOULDBLOCK : -ENOSPC;
}

int sc_idrange_take(const char *state_dir, const struct sc_idrange_pool *pool, unsigned wait_ms,
		    unsigned *ret_slice, int *ret_lock, struct sc_error *err)
{
	_cleanup_close_ int dirfd = open_state_dir(state_dir, err);
	if (dirfd < 0)
		return dirfd;
	uint64_t deadline = sc_now_us() + (uint64_t)wait_ms * 1000;
	for (;;) {
		int r = take_once(dirfd, pool, ret_slice, ret_lock);
		if (r == 0)
			return 0;
		if (r == -ENOSPC)
			return sc_error_setf(err, ENOSPC,
					     "every slice of root's id range 0x%x-0x%x holds an id of /etc/subuid, "
					     "/etc/subgid, /etc/passwd or /etc/group: give root a range of its own there",
					     pool->uid_start, pool->uid_start + pool->slices * pool->slice - 1);
		if (r != -EWOULDBLOCK)
			return sc_error_set(err, -r, "take an id range in '%s'", state_dir);
		if (sc_now_us() >= deadline)
			return sc_error_setf(err, EBUSY,
					     "all %u id slices of root's range are held by other runs (fuser %s/*): wait for "
					     "them, or give root a larger range in /etc/subuid and /etc/subgid",
					     pool->slices, state_dir);
		usleep(20000);
	}
}
