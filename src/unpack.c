/* unpack.c - a root file system archive unpacked into an empty directory: the only file that
 * includes libarchive's headers.
 *
 * Archives come from anywhere, so three layers stand between an entry and the host, and a
 * mistake in one is not yet a hole (the classics: tar's "../", zip-slip, a symbolic link and
 * then an entry written through it, a hard link to a host file carrying data as in
 * CVE-2016-5418):
 *  1. every entry is checked here before anything is written: its name, its type, a link's
 *     target, and what it would replace;
 *  2. the directory an entry goes into is opened with openat2(RESOLVE_IN_ROOT |
 *     RESOLVE_NO_SYMLINKS | ...) from a descriptor on the destination and missing ones are
 *     made below such descriptors; regular files and hard links, where the data goes, are
 *     created and written here through them, so the kernel itself keeps the data inside;
 *  3. directories, symbolic links and allowed devices go through libarchive's
 *     archive_write_disk with its SECURE_SYMLINKS, SECURE_NODOTDOT and SECURE_NOABSOLUTEPATHS
 *     checks; it restores their permissions and times (directories' at close).
 * Once everything is in place each symbolic link is followed through the unpacked tree, so a
 * chain of links that each stay inside cannot lead out either. */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "syscalls.h"
#include "unpack.h"
#include "util.h"

/* Lookups below the destination: never through a symbolic link (libarchive's SECURE_SYMLINKS
 * rule, kernel-enforced), never out of it, never onto another mount. */
#define RESOLVE_INSIDE (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV)
/* No OWNER (the caller maps ids itself), XATTR, ACL or FFLAGS: none belong in a fixture.
 * NO_AUTODIR: the directories an entry goes into are made here, below checked descriptors. */
#define EXTRACT_FLAGS                                                                            \
	(ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_SYMLINKS |         \
	 ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS | ARCHIVE_EXTRACT_NO_AUTODIR)
#define LINK_HOPS_MAX 40 /* the kernel's limit on symbolic links followed in one lookup */
#define SHOWN_MAX 160    /* bytes of a name quoted in a message */

struct unpack {
	const char *archive_path;
	const struct sc_unpack_limits *limits;
	struct sc_error *err;
	int rootfd; /* the destination: every lookup starts here */
	struct archive *reader;
	struct archive *disk;
	uint64_t entries;
	uint64_t bytes;
	char parent[PATH_MAX]; /* the directory the last entry went into, open as parentfd */
	int parentfd;
	char **links; /* symbolic links unpacked, followed again once all are in place */
	size_t n_links;
};

/* ---- messages ------------------------------------------------------------------------------ */

/* Names are the archive's bytes: control characters become '?' so that a message stays one
 * line, and long names are cut. */
static const char *printable(const char *in, char *buf, size_t size)
{
	size_t n = 0;
	for (; *in && n + 4 < size; in++)
		buf[n++] = (unsigned char)*in < 0x20 || *in == 0x7f ? '?' : *in;
	if (*in) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

/* A refused entry: "archive 'rootfs.tar': entry '../x' escapes the root". */
__attribute__((format(printf, 4, 5))) static int refuse(struct unpack *u, int code, const char *entry,
							  const char *fmt, ...)
{
	char what[2 * SHOWN_MAX], archive[SHOWN_MAX], name[SHOWN_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return sc_error_setf(u->err, code, "archive '%s': entry '%s' %s",
			     printable(u->archive_path, archive, sizeof(archive)), printable(entry, name, sizeof(name)),
			     what);
}

/* A limit hit, the option that raises it before the entry's name, which may be long:
 * "archive 'a.tgz': unpacked size over ...: raise it with --archive-limit SIZE (at entry 'x')". */
__attribute__((format(printf, 3, 4))) static int over_limit(struct unpack *u, const char *entry, const char *fmt, ...)
{
	char what[2 * SHOWN_MAX], archive[SHOWN_MAX], name[SHOWN_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	printable(u->archive_path, archive, sizeof(archive));
	if (!entry)
		return sc_error_setf(u->err, EFBIG, "archive '%s': %s", archive, what);
	return sc_error_setf(u->err, EFBIG, "archive '%s': %s (at entry '%s')", archive, what,
			     printable(entry, name, sizeof(name)));
}

/* A failed system call on an entry: "archive 'a.tar': create entry 'bin/sh': no space left". */
static int entry_failed(struct unpack *u, int code, const char *entry, const char *op)
{
	char archive[SHOWN_MAX], name[SHOWN_MAX];
	return sc_error_set(u->err, code, "archive '%s': %s entry '%s'", printable(u->archive_path, archive, sizeof(archive)),
			    op, printable(entry, name, sizeof(name)));
}

/* A failure libarchive reported on a (the reader or the disk writer), for entry if not NULL. */
static int archive_failed(struct unpack *u, struct archive *a, const char *entry, const char *op)
{
	char archive[SHOWN_MAX], name[SHOWN_MAX], why[2 * SHOWN_MAX];
	const char *text = archive_error_string(a);
	printable(text ? text : "unknown error", why, sizeof(why));
	if (why[0] >= 'A' && why[0] <= 'Z' && (why[1] < 'A' || why[1] > 'Z'))
		why[0] = (char)(why[0] - 'A' + 'a');
	int code = archive_errno(a) > 0 ? archive_errno(a) : EINVAL;
	printable(u->archive_path, archive, sizeof(archive));
	if (!entry)
		return sc_error_setf(u->err, code, "archive '%s': %s", archive, why);
	return sc_error_setf(u->err, code, "archive '%s': %s entry '%s': %s", archive, op,
			     printable(entry, name, sizeof(name)), why);
}

static const char *type_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return "directory";
	case S_IFLNK:
		return "symbolic link";
	case S_IFREG:
		return "file";
	default:
		return "special file";
	}
}

/* ---- names --------------------------------------------------------------------------------- */

enum name_problem { NAME_OK, NAME_ABSOLUTE, NAME_ESCAPES, NAME_DOTDOT, NAME_TOO_LONG };

/* Normalises an entry name into out: "./a//b/" becomes "a/b", "." and "./" become "" (the
 * root). Absolute names and '..' components are refused, not stripped: an archive holding them
 * was not made to be unpacked into a directory, and stripping changes what it means. */
static enum name_problem clean_name(const char *raw, char out[PATH_MAX])
{
	if (raw[0] == '/')
		return NAME_ABSOLUTE;
	size_t n = 0;
	long depth = 0;
	bool dotdot = false;
	for (const char *p = raw; *p; p += strspn(p, "/")) {
		size_t len = strcspn(p, "/");
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			dotdot = true;
			if (--depth < 0)
				return NAME_ESCAPES;
		} else if (!(len == 1 && p[0] == '.')) {
			depth++;
			if (n + 1 + len >= PATH_MAX)
				return NAME_TOO_LONG;
			if (n > 0)
				out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
	}
	out[n] = '\0';
	return dotdot ? NAME_DOTDOT : NAME_OK;
}

/* Whether the target of a link at path (a clean name) stays inside the root, read as the
 * container will: relative to the link's directory, or from the root when absolute, so that
 * bin/sh -> /bin/busybox is fine. Other links met on the way are followed later. */
static bool target_stays_inside(const char *path, const char *target)
{
	long depth = 0;
	if (target[0] != '/')
		for (const char *p = path; (p = strchr(p, '/')); p++)
			depth++;
	for (const char *p = target; *p; p += strspn(p, "/")) {
		size_t len = strcspn(p, "/");
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (--depth < 0)
				return false;
		} else if (len > 0 && !(len == 1 && p[0] == '.')) {
			depth++;
		}
		p += len;
	}
	return true;
}

/* Splits a clean name into its directory (into dir, "" for the root) and its last component. */
static const char *split_name(const char *path, char dir[PATH_MAX])
{
	const char *slash = strrchr(path, '/');
	size_t len = slash ? (size_t)(slash - path) : 0;
	memcpy(dir, path, len);
	dir[len] = '\0';
	return slash ? slash + 1 : path;
}

/* ---- directories below the root ------------------------------------------------------------ */

static int open_inside(int dirfd, const char *path, int flags, mode_t mode)
{
	struct open_how how = { .flags = (uint64_t)flags | O_CLOEXEC, .mode = mode, .resolve = RESOLVE_INSIDE };
	int fd = sc_openat2(dirfd, path, &how);
	return fd < 0 ? -errno : fd;
}

/* The directory dir (a clean name, "" for the root itself). Returns a descriptor or -errno:
 * -ELOOP when a component is a symbolic link, -ENOTDIR when one is not a directory. */
static int open_dir(int rootfd, const char *dir)
{
	return open_inside(rootfd, dir[0] ? dir : ".", O_PATH | O_DIRECTORY, 0);
}

/* Makes the missing directories of dir, each below a descriptor opened as open_dir does, so a
 * component that is a symbolic link is never followed. Returns a descriptor on dir or -errno. */
static int make_dirs(int rootfd, const char *dir)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s", dir);
	_cleanup_close_ int fd = open_dir(rootfd, "");
	if (fd < 0)
		return fd;
	for (char *name = path;;) {
		char *slash = strchr(name, '/');
		if (slash)
			*slash = '\0';
		int next = open_inside(fd, name, O_PATH | O_DIRECTORY, 0);
		if (next == -ENOENT) {
			if (mkdirat(fd, name, 0755) < 0 && errno != EEXIST)
				return -errno;
			/* opened for reading only to fix the mode the umask took from */
			next = open_inside(fd, name, O_RDONLY | O_DIRECTORY, 0);
			if (next >= 0 && fchmod(next, 0755) < 0) {
				int r = -errno;
				close(next);
				return r;
			}
		}
		if (next < 0)
			return next;
		close(fd);
		fd = next;
		if (!slash)
			return TAKE_FD(fd);
		name = slash + 1;
	}
}

/* Opens (making it when missing) the directory the entry at path goes into. The descriptor is
 * kept in u for the next entry, which most often goes into the same directory. */
static int enter_parent(struct unpack *u, const char *path, int *ret_dirfd, const char **ret_name)
{
	char dir[PATH_MAX];
	const char *name = split_name(path, dir);
	if (u->parentfd < 0 || strcmp(u->parent, dir) != 0) {
		int fd = open_dir(u->rootfd, dir);
		if (fd == -ENOENT)
			fd = make_dirs(u->rootfd, dir);
		if (fd == -ELOOP)
			return refuse(u, EPERM, path, "is below a symbolic link");
		if (fd == -ENOTDIR)
			return refuse(u, ENOTDIR, path, "is below something that is not a directory");
		if (fd < 0)
			return entry_failed(u, -fd, path, "make the directory of");
		sc_closep(&u->parentfd);
		u->parentfd = fd;
		memcpy(u->parent, dir, strlen(dir) + 1);
	}
	*ret_dirfd = u->parentfd;
	*ret_name = name;
	return 0;
}

/* What may stand where an entry goes: nothing, a directory where a directory goes, a regular
 * file where a regular file goes (appended tar archives repeat names; the later copy wins).
 * Returns 0, 1 when a regular file is to be unlinked first, or a refusal. */
static int check_replace(struct unpack *u, int dirfd, const char *name, const char *path, mode_t type)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : entry_failed(u, errno, path, "look up");
	if (S_ISDIR(st.st_mode) && type == S_IFDIR)
		return 0;
	if (S_ISREG(st.st_mode) && type == S_IFREG)
		return 1;
	return refuse(u, EEXIST, path, "would replace an existing %s", type_name(st.st_mode));
}

/* Where a regular file or hard link named path goes, anything replaceable already removed. */
static int prepare_file(struct unpack *u, const char *path, int *ret_dirfd, const char **ret_name)
{
	int r = enter_parent(u, path, ret_dirfd, ret_name);
	if (r == 0)
		r = check_replace(u, *ret_dirfd, *ret_name, path, S_IFREG);
	if (r == 1 && unlinkat(*ret_dirfd, *ret_name, 0) < 0)
		return entry_failed(u, errno, path, "replace");
	return r < 0 ? r : 0;
}

/* ---- file data ----------------------------------------------------------------------------- */

/* "1G", "64M", "512K", or the bytes: sizes as the options take them. */
static const char *size_text(uint64_t bytes, char *buf, size_t size)
{
	static const char units[] = "GMK";
	for (int i = 0; i < 3; i++) {
		unsigned shift = 30 - 10 * (unsigned)i;
		if (bytes && bytes % ((uint64_t)1 << shift) == 0) {
			snprintf(buf, size, "%ju%c", (uintmax_t)(bytes >> shift), units[i]);
			return buf;
		}
	}
	snprintf(buf, size, "%ju", (uintmax_t)bytes);
	return buf;
}

/* Past the floor, the bytes unpacked against those of the archive read so far (compressed, as
 * on disk): a bomb is stopped after little more than the floor, not at the size limit. */
static int check_ratio(struct unpack *u, const char *path)
{
	uint64_t ratio = u->limits->max_ratio;
	if (!ratio || u->bytes <= SC_UNPACK_RATIO_FLOOR)
		return 0;
	la_int64_t read = archive_filter_bytes(u->reader, -1);
	uint64_t in = read > 0 ? (uint64_t)read : 1;
	if (u->bytes / in <= ratio)
		return 0;
	return over_limit(u, path,
			  "unpacks to more than %ju times what was read of it (%ju bytes from %ju): raise the "
			  "limit with --archive-ratio N, 0 for none",
			  (uintmax_t)ratio, (uintmax_t)u->bytes, (uintmax_t)in);
}

/* Charges the limits for a file growing from *end to new_end bytes. */
static int charge(struct unpack *u, const char *path, uint64_t *end, uint64_t new_end)
{
	if (new_end <= *end)
		return 0;
	uint64_t max = u->limits->max_total_bytes;
	if (new_end - *end > max - u->bytes) {
		char text[32];
		return over_limit(u, path, "unpacked size over the limit of %s (%ju bytes): raise it with --archive-limit SIZE",
				  size_text(max, text, sizeof(text)), (uintmax_t)max);
	}
	u->bytes += new_end - *end;
	*end = new_end;
	return check_ratio(u, path);
}

static int pwrite_all(int fd, const char *buf, size_t len, off_t offset)
{
	while (len > 0) {
		ssize_t n = pwrite(fd, buf, len, offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf += n;
		len -= (size_t)n;
		offset += n;
	}
	return 0;
}

/* Copies the entry's data into fd as libarchive decodes it, charging the limit for what really
 * arrives, never for what a header claims. Holes of sparse files count too: they are bytes a
 * later copy of the fixture writes. */
static int write_data(struct unpack *u, struct archive_entry *entry, const char *path, int fd)
{
	uint64_t end = 0;
	int r;
	for (;;) {
		const void *buf;
		size_t len;
		la_int64_t offset;
		r = archive_read_data_block(u->reader, &buf, &len, &offset);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			return archive_failed(u, u->reader, path, "read");
		if (offset < 0 || len > (uint64_t)INT64_MAX - (uint64_t)offset)
			return refuse(u, EINVAL, path, "has data at an impossible offset");
		if ((r = charge(u, path, &end, (uint64_t)offset + len)) < 0)
			return r;
		if ((r = pwrite_all(fd, buf, len, offset)) < 0)
			return entry_failed(u, -r, path, "write");
	}
	/* a sparse file's trailing hole */
	int64_t size = archive_entry_size_is_set(entry) ? archive_entry_size(entry) : 0;
	if (size > 0 && (uint64_t)size > end) {
		if ((r = charge(u, path, &end, (uint64_t)size)) < 0)
			return r;
		if (ftruncate(fd, size) < 0)
			return entry_failed(u, errno, path, "write");
	}
	return 0;
}

static int restore_file_metadata(struct unpack *u, struct archive_entry *entry, const char *path, int fd)
{
	if (fchmod(fd, archive_entry_perm(entry) & 07777) < 0)
		return entry_failed(u, errno, path, "chmod");
	/* as libarchive does for what it makes: a time the archive lacks is left as now */
	struct timespec times[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_OMIT } };
	if (archive_entry_mtime_is_set(entry))
		times[1] = (struct timespec){ archive_entry_mtime(entry), archive_entry_mtime_nsec(entry) % 1000000000 };
	if (archive_entry_atime_is_set(entry))
		times[0] = (struct timespec){ archive_entry_atime(entry), archive_entry_atime_nsec(entry) % 1000000000 };
	if (futimens(fd, times) < 0)
		return entry_failed(u, errno, path, "set the times of");
	return 0;
}

static int unpack_file(struct unpack *u, struct archive_entry *entry, const char *path)
{
	int dirfd;
	const char *name;
	int r = prepare_file(u, path, &dirfd, &name);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = open_inside(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
	if (fd < 0)
		return entry_failed(u, -fd, path, "create");
	if ((r = write_data(u, entry, path, fd)) < 0)
		return r;
	return restore_file_metadata(u, entry, path, fd);
}

/* ---- links --------------------------------------------------------------------------------- */

static int unpack_hardlink(struct unpack *u, struct archive_entry *entry, const char *path, const char *raw_target)
{
	char target[PATH_MAX], target_dir[PATH_MAX], shown[SHOWN_MAX];
	printable(raw_target, shown, sizeof(shown));
	enum name_problem problem = clean_name(raw_target, target);
	if (problem == NAME_TOO_LONG)
		return refuse(u, ENAMETOOLONG, path, "is a hard link to a name that is too long");
	if (problem != NAME_OK)
		return refuse(u, EPERM, path, "is a hard link to '%s', outside the root", shown);
	if (!strcmp(target, path))
		return refuse(u, EINVAL, path, "is a hard link to itself");
	const char *target_name = split_name(target, target_dir);
	_cleanup_close_ int target_dirfd = open_dir(u->rootfd, target_dir);
	struct stat st;
	int r = target_dirfd;
	if (r >= 0 && fstatat(target_dirfd, target[0] ? target_name : ".", &st, AT_SYMLINK_NOFOLLOW) < 0)
		r = -errno;
	if (r == -ELOOP)
		return refuse(u, EPERM, path, "is a hard link to '%s', below a symbolic link", shown);
	if (r == -ENOENT || r == -ENOTDIR)
		return refuse(u, ENOENT, path, "is a hard link to '%s', which is not an earlier entry", shown);
	if (r < 0)
		return entry_failed(u, -r, path, "look up the target of");
	if (S_ISLNK(st.st_mode)) {
		/* a hard link to a symlink is the same link in another place (busybox fixtures link
		 * their applets so): fine when its target reads the same from anywhere (absolute,
		 * from the root) or from the same directory; a relative one elsewhere could escape */
		char link_target[PATH_MAX], path_dir[PATH_MAX];
		ssize_t n = readlinkat(target_dirfd, target_name, link_target, sizeof(link_target) - 1);
		(void)split_name(path, path_dir);
		if (n <= 0 || (link_target[0] != '/' && strcmp(path_dir, target_dir)))
			return refuse(u, EPERM, path, "is a hard link to '%s', a relative symbolic link in another directory",
				      shown);
	} else if (!S_ISREG(st.st_mode)) {
		return refuse(u, EPERM, path, "is a hard link to '%s', which is not a regular file", shown);
	}

	int dirfd;
	const char *name;
	if ((r = prepare_file(u, path, &dirfd, &name)) < 0)
		return r;
	if (linkat(target_dirfd, target_name, dirfd, name, 0) < 0)
		return entry_failed(u, errno, path, "link");
	/* cpio carries a linked symlink's target as data: the link made above has it already */
	if (S_ISLNK(st.st_mode) || !archive_entry_size_is_set(entry) || archive_entry_size(entry) <= 0)
		return 0;
	/* cpio keeps the data of linked names with one of them: it belongs to them all */
	_cleanup_close_ int fd = open_inside(dirfd, name, O_WRONLY | O_TRUNC | O_NOFOLLOW, 0);
	if (fd < 0)
		return entry_failed(u, -fd, path, "open");
	if ((r = write_data(u, entry, path, fd)) < 0)
		return r;
	return restore_file_metadata(u, entry, path, fd);
}

/* Directories, symbolic links and devices: libarchive makes them, with its own checks, and
 * restores their permissions and times. */
static int unpack_with_libarchive(struct unpack *u, struct archive_entry *entry, const char *path, mode_t type)
{
	int dirfd;
	const char *name;
	int r = enter_parent(u, path, &dirfd, &name);
	if (r == 0)
		r = check_replace(u, dirfd, name, path, type);
	if (r < 0)
		return r;
	archive_entry_copy_pathname(entry, path);
	r = archive_write_header(u->disk, entry);
	if (r >= ARCHIVE_WARN)
		r = archive_write_finish_entry(u->disk);
	return r < ARCHIVE_WARN ? archive_failed(u, u->disk, path, "create") : 0;
}

static int unpack_symlink(struct unpack *u, struct archive_entry *entry, const char *path)
{
	const char *target = archive_entry_symlink(entry);
	char shown[SHOWN_MAX];
	if (!target || !*target)
		return refuse(u, EINVAL, path, "is a symbolic link without a target");
	if (!target_stays_inside(path, target))
		return refuse(u, EPERM, path, "is a symbolic link to '%s', outside the root",
			      printable(target, shown, sizeof(shown)));
	char **links = realloc(u->links, (u->n_links + 1) * sizeof(*links));
	if (!links)
		return sc_error_set(u->err, ENOMEM, "allocate the list of links");
	u->links = links;
	if (!(u->links[u->n_links] = strdup(path)))
		return sc_error_set(u->err, ENOMEM, "allocate the list of links");
	u->n_links++;
	return unpack_with_libarchive(u, entry, path, S_IFLNK);
}

/* 1 when following the link at path (a clean name) stays inside the root at every step, or
 * stops at a name that does not exist; 0 when a '..' climbs out of the root; or -errno. The
 * walk does what the kernel will do in the container: absolute targets restart at the root. */
static int link_stays_inside(int rootfd, const char *path)
{
	char dir[PATH_MAX] = ""; /* where the walk is: real directories only, "" for the root */
	char buf[PATH_MAX];
	/* the walk starts as a lookup of the link's own name from the root */
	_cleanup_free_ char *todo = strdup(path);
	if (!todo)
		return -ENOMEM;
	const char *p = todo;
	for (unsigned hops = 0;;) {
		p += strspn(p, "/");
		size_t len = strcspn(p, "/");
		if (len == 0)
			return 1;
		char name[NAME_MAX + 1];
		if (len > NAME_MAX)
			return 1; /* the lookup fails there: ENAMETOOLONG */
		memcpy(name, p, len);
		name[len] = '\0';
		p += len;
		if (!strcmp(name, "."))
			continue;
		if (!strcmp(name, "..")) {
			if (!dir[0])
				return 0;
			char *up = strrchr(dir, '/');
			*(up ? up : dir) = '\0';
			continue;
		}
		_cleanup_close_ int dirfd = open_dir(rootfd, dir);
		struct stat st;
		if (dirfd < 0)
			return dirfd;
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return errno == ENOENT ? 1 : -errno;
		if (S_ISDIR(st.st_mode)) {
			size_t n = strlen(dir);
			if (n + 1 + len >= sizeof(dir))
				return 1; /* ENAMETOOLONG */
			snprintf(dir + n, sizeof(dir) - n, "%s%s", n ? "/" : "", name);
			continue;
		}
		if (!S_ISLNK(st.st_mode) || ++hops > LINK_HOPS_MAX)
			return 1; /* a file ends the walk (or fails it: ENOTDIR); ELOOP */
		ssize_t n = readlinkat(dirfd, name, buf, sizeof(buf) - 1);
		if (n < 0)
			return -errno;
		buf[n] = '\0';
		char *next;
		if (asprintf(&next, "%s/%s", buf, p) < 0)
			return -ENOMEM;
		free(todo);
		todo = next;
		p = todo;
		if (*p == '/')
			dir[0] = '\0'; /* absolute: from the root; relative: on from the link's directory */
	}
}

/* Follows every symbolic link through the finished tree, so that a chain of links that each
 * stay inside (d/up -> .., then d/out -> up/..) cannot lead out either. */
static int check_links(struct unpack *u)
{
	for (size_t i = 0; i < u->n_links; i++) {
		int r = link_stays_inside(u->rootfd, u->links[i]);
		if (r < 0)
			return entry_failed(u, -r, u->links[i], "follow");
		if (r == 0)
			return refuse(u, EPERM, u->links[i], "is a symbolic link that leads outside the root through other links");
	}
	return 0;
}

/* ---- entries ------------------------------------------------------------------------------- */

static int unpack_entry(struct unpack *u, struct archive_entry *entry)
{
	const char *raw = archive_entry_pathname(entry);
	char path[PATH_MAX];
	if (!raw) {
		char archive[SHOWN_MAX];
		return sc_error_setf(u->err, EINVAL, "archive '%s': entry %ju has no name that can be read",
				     printable(u->archive_path, archive, sizeof(archive)), (uintmax_t)u->entries);
	}
	switch (clean_name(raw, path)) {
	case NAME_ABSOLUTE:
		return refuse(u, EPERM, raw, "has an absolute path");
	case NAME_ESCAPES:
		return refuse(u, EPERM, raw, "escapes the root");
	case NAME_DOTDOT:
		return refuse(u, EPERM, raw, "has a '..' component");
	case NAME_TOO_LONG:
		return refuse(u, ENAMETOOLONG, raw, "has a name that is too long");
	case NAME_OK:
		break;
	}
	/* no setuid or setgid programs from an archive; the sticky bit stays (tmp) */
	archive_entry_set_perm(entry, archive_entry_perm(entry) & ~(mode_t)(S_ISUID | S_ISGID));
	const char *hardlink = archive_entry_hardlink(entry);
	mode_t type = archive_entry_filetype(entry); /* 0 for tar's hard links */
	if (!path[0])
		return !hardlink && type == AE_IFDIR ? 0 : refuse(u, EEXIST, raw, "would replace the root directory");
	if (hardlink)
		return unpack_hardlink(u, entry, path, hardlink);
	switch (type) {
	case AE_IFREG:
		return unpack_file(u, entry, path);
	case AE_IFDIR:
		return unpack_with_libarchive(u, entry, path, S_IFDIR);
	case AE_IFLNK:
		return unpack_symlink(u, entry, path);
	case AE_IFCHR:
	case AE_IFBLK:
	case AE_IFIFO:
		if (!u->limits->allow_devices)
			return refuse(u, EPERM, raw, "is a %s, and devices are not allowed",
				      type == AE_IFIFO ? "fifo" : "device node");
		return unpack_with_libarchive(u, entry, path, type);
	case AE_IFSOCK:
		return refuse(u, EPERM, raw, "is a socket");
	default:
		return refuse(u, EINVAL, raw, "has an unknown file type");
	}
}

static int unpack_all(struct unpack *u)
{
	for (;;) {
		struct archive_entry *entry;
		int r = archive_read_next_header(u->reader, &entry);
		if (r == ARCHIVE_EOF)
			return 0;
		/* ARCHIVE_WARN is fine: e.g. a UTF-8 name this locale cannot show keeps its bytes */
		if (r < ARCHIVE_WARN)
			return archive_failed(u, u->reader, NULL, NULL);
		if (++u->entries > u->limits->max_entries)
			return over_limit(u, NULL, "more than the limit of %ju entries: raise it with --archive-entries N",
					  (uintmax_t)u->limits->max_entries);
		if ((r = unpack_entry(u, entry)) < 0)
			return r;
	}
}

/* ---- the destination ----------------------------------------------------------------------- */

/* 1 when the directory open as fd has no entries, 0 when it has, or -errno. */
static int dir_is_empty(int fd)
{
	int own = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = own < 0 ? NULL : fdopendir(own);
	if (!d) {
		int r = -errno;
		if (own >= 0)
			close(own);
		return r;
	}
	int empty = 1;
	for (struct dirent *de; empty && (de = readdir(d));)
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	closedir(d);
	return empty;
}

static int open_dest(const char *dest_dir, int *ret_fd, struct sc_error *err)
{
	_cleanup_close_ int fd = open(dest_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return sc_error_set(err, errno, "open destination '%s'", dest_dir);
	int probe = open_dir(fd, "");
	if (probe == -ENOSYS || probe == -EPERM) /* before Linux 5.6, or a seccomp filter that predates it */
		return sc_error_setf(err, ENOSYS, "unpack into '%s': openat2 is not available (Linux 5.6 or later)",
				     dest_dir);
	if (probe < 0)
		return sc_error_set(err, -probe, "open destination '%s'", dest_dir);
	close(probe);
	int r = dir_is_empty(fd);
	if (r < 0)
		return sc_error_set(err, -r, "read destination '%s'", dest_dir);
	if (r == 0)
		return sc_error_setf(err, ENOTEMPTY, "unpack into '%s': the directory is not empty", dest_dir);
	*ret_fd = TAKE_FD(fd);
	return 0;
}

static int open_reader(struct unpack *u, int fd)
{
	if (!(u->reader = archive_read_new()))
		return sc_error_set(u->err, ENOMEM, "allocate an archive reader");
	/* Named formats, not archive_read_support_format_all(): its mtree reader takes any text
	 * file for an archive of empty files, and the rar, lha, cab, 7-zip and ISO readers are
	 * attack surface a root file system never needs. Every filter: the content decides. */
	if (archive_read_support_format_tar(u->reader) != ARCHIVE_OK ||
	    archive_read_support_format_cpio(u->reader) != ARCHIVE_OK ||
	    archive_read_support_format_zip(u->reader) != ARCHIVE_OK ||
	    archive_read_support_filter_all(u->reader) < ARCHIVE_WARN ||
	    archive_read_open_fd(u->reader, fd, 64 * 1024) != ARCHIVE_OK)
		return archive_failed(u, u->reader, NULL, NULL);
	return 0;
}

static int open_disk(struct unpack *u)
{
	if (!(u->disk = archive_write_disk_new()))
		return sc_error_set(u->err, ENOMEM, "allocate an archive writer");
	if (archive_write_disk_set_options(u->disk, EXTRACT_FLAGS) != ARCHIVE_OK)
		return archive_failed(u, u->disk, NULL, NULL);
	return 0;
}

/* libarchive makes entries relative to the working directory, and at archive_write_close()
 * applies the deferred permissions and times of directories to the same relative names (seen
 * with 3.6.2): the working directory stays the destination until the writer is closed, or
 * those would land wherever the caller's working directory is. */
static int unpack_in_dest(struct unpack *u)
{
	_cleanup_close_ int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0)
		return sc_error_set(u->err, errno, "open the working directory");
	if (fchdir(u->rootfd) < 0)
		return sc_error_set(u->err, errno, "change into the destination");
	int r = unpack_all(u);
	if (r == 0)
		r = check_links(u);
	if (archive_write_close(u->disk) < ARCHIVE_WARN && r == 0)
		r = archive_failed(u, u->disk, NULL, NULL);
	archive_write_free(u->disk);
	u->disk = NULL;
	if (fchdir(cwd) < 0 && r == 0)
		r = sc_error_set(u->err, errno, "return to the working directory");
	return r;
}

static void unpack_release(struct unpack *u)
{
	if (u->disk)
		archive_write_free(u->disk);
	if (u->reader)
		archive_read_free(u->reader);
	for (size_t i = 0; i < u->n_links; i++)
		free(u->links[i]);
	free(u->links);
	sc_closep(&u->parentfd);
	sc_closep(&u->rootfd);
}

int sc_unpack_archive(const char *archive_path, const char *dest_dir, const struct sc_unpack_limits *limits,
		      struct sc_error *err)
{
	static const struct sc_unpack_limits defaults = SC_UNPACK_LIMITS_INIT;
	struct unpack u = {
		.archive_path = archive_path,
		.limits = limits ? limits : &defaults,
		.err = err,
		.rootfd = -1,
		.parentfd = -1,
	};
	/* opened before anything changes the working directory: a relative path stays the caller's */
	_cleanup_close_ int fd = open(archive_path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return sc_error_set(err, errno, "open archive '%s'", archive_path);
	int r = open_dest(dest_dir, &u.rootfd, err);
	if (r == 0)
		r = open_reader(&u, fd);
	if (r == 0)
		r = open_disk(&u);
	if (r == 0)
		r = unpack_in_dest(&u);
	if (r < 0 && u.rootfd >= 0) {
		/* leave the destination empty, as it was: a new descriptor, for its own read position */
		int all = openat(u.rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (all >= 0)
			(void)sc_rm_below(all);
	}
	unpack_release(&u);
	return r;
}
