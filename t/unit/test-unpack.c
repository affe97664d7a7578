/* test-unpack.c - sc_unpack_archive: a busybox-like tree in every format, and the hostile
 * archives it must refuse without creating, writing or linking anything outside the root.
 *
 * Each test works in a fresh directory under /tmp: dest/ (the root), outside/ beside it (the
 * target of every escape, holding one file, "secret", that must stay as it is), and the
 * archive, written with libarchive's writer. Escapes aim at outside/, never at /etc. */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "unpack.h"
#include "util.h"

#define assert_contains(haystack, needle)                                                       \
	do {                                                                                    \
		if (!strstr((haystack), (needle)))                                              \
			fail_msg("'%s' does not contain '%s'", (haystack), (needle));           \
	} while (0)

#define MTIME 1700000000
#define SECRET "secret\n"

/* ---- archives written for the tests -------------------------------------------------------- */

struct spec {
	char type;          /* 'd' directory, 'f' file, 'l' symbolic link, 'h' hard link, 'c' device, 'p' fifo */
	const char *path;
	const char *target; /* a link's target */
	const char *data;   /* a file's contents, or NULL for size zero bytes */
	mode_t perm;
	size_t size;
};

#define DIR_(p, m) { .type = 'd', .path = (p), .perm = (m) }
#define FILE_(p, d, m) { .type = 'f', .path = (p), .data = (d), .perm = (m) }
#define ZEROS(p, n) { .type = 'f', .path = (p), .perm = 0644, .size = (n) }
#define SYMLINK(p, t) { .type = 'l', .path = (p), .target = (t), .perm = 0777 }
#define HARDLINK(p, t) { .type = 'h', .path = (p), .target = (t), .perm = 0644 }
#define DEVICE(p) { .type = 'c', .path = (p), .perm = 0666 }
#define FIFO(p) { .type = 'p', .path = (p), .perm = 0644 }

static int set_format(struct archive *a, const char *format)
{
	if (!strcmp(format, "tar"))
		return archive_write_set_format_pax_restricted(a);
	if (!strcmp(format, "cpio"))
		return archive_write_set_format_cpio_newc(a);
	if (!strcmp(format, "zip"))
		return archive_write_set_format_zip(a);
	return ARCHIVE_FATAL;
}

static size_t spec_size(const struct spec *s)
{
	return s->data ? strlen(s->data) : s->size;
}

/* Index of the entry a hard link at i points to, or i itself. */
static size_t link_origin(const struct spec *specs, size_t n, size_t i)
{
	if (specs[i].type == 'h')
		for (size_t j = 0; j < n; j++)
			if (specs[j].type == 'f' && !strcmp(specs[j].path, specs[i].target))
				return j;
	return i;
}

static bool has_links_to(const struct spec *specs, size_t n, size_t i)
{
	for (size_t j = 0; j < n; j++)
		if (j != i && link_origin(specs, n, j) == i)
			return true;
	return false;
}

static void write_entry(struct archive *a, const struct spec *specs, size_t n, size_t i)
{
	static const mode_t types[] = { ['d'] = AE_IFDIR, ['f'] = AE_IFREG, ['l'] = AE_IFLNK,
					['h'] = AE_IFREG, ['c'] = AE_IFCHR, ['p'] = AE_IFIFO };
	const struct spec *s = &specs[i];
	struct archive_entry *e = archive_entry_new();
	assert_non_null(e);
	archive_entry_copy_pathname(e, s->path);
	/* cpio tells hard links by inode number: linked entries share one, and each has the data */
	size_t origin = link_origin(specs, n, i);
	archive_entry_set_mode(e, types[(unsigned char)s->type] | specs[origin].perm);
	archive_entry_set_mtime(e, MTIME, 0);
	archive_entry_set_ino(e, (int64_t)origin + 1);
	archive_entry_set_nlink(e, origin != i || has_links_to(specs, n, i) ? 2 : 1);
	/* neither is restored: files belong to the caller and carry no extended attributes */
	archive_entry_set_uid(e, 4321);
	archive_entry_set_gid(e, 4321);
	if (s->type == 'l')
		archive_entry_copy_symlink(e, s->target);
	else
		archive_entry_xattr_add_entry(e, "user.simpcon", "x", 1);
	if (s->type == 'h')
		archive_entry_copy_hardlink(e, s->target);
	if (s->type == 'c')
		archive_entry_set_rdev(e, makedev(1, 3));
	const struct spec *data = &specs[origin];
	archive_entry_set_size(e, s->type == 'f' || s->type == 'h' ? (int64_t)spec_size(data) : 0);
	int r = archive_write_header(a, e);
	if (r < ARCHIVE_WARN)
		fail_msg("write header '%s': %s", s->path, archive_error_string(a));
	if (data->data && (s->type == 'f' || s->type == 'h'))
		(void)archive_write_data(a, data->data, strlen(data->data));
	static const char zeros[64 * 1024];
	for (size_t left = data->data ? 0 : spec_size(data); left > 0 && s->type == 'f';) {
		size_t chunk = left < sizeof(zeros) ? left : sizeof(zeros);
		assert_int_equal(archive_write_data(a, zeros, chunk), (la_ssize_t)chunk);
		left -= chunk;
	}
	archive_entry_free(e);
}

/* Writes specs as an archive at path: format "tar" (pax), "cpio" (newc) or "zip", compressed
 * with filter ("gzip", "xz", "zstd", "bzip2") unless it is NULL. */
static void write_archive(const char *path, const char *format, const char *filter, const struct spec *specs,
			  size_t n)
{
	struct archive *a = archive_write_new();
	assert_non_null(a);
	assert_int_equal(set_format(a, format), ARCHIVE_OK);
	if (filter && archive_write_add_filter_by_name(a, filter) != ARCHIVE_OK)
		fail_msg("filter %s: %s", filter, archive_error_string(a));
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++)
		write_entry(a, specs, n, i);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

/* ---- the directories of one test ------------------------------------------------------------- */

struct dirs {
	char tmp[64];
	char dest[128];
	char outside[128];
	char secret[160];
	char archive[128];
	char cwd[PATH_MAX];
};

static void write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(sc_write_all(fd, text, strlen(text)), 0);
	close(fd);
}

static int setup(void **state)
{
	struct dirs *d = calloc(1, sizeof(*d));
	if (!d)
		return -1;
	snprintf(d->tmp, sizeof(d->tmp), "/tmp/sc-unpack-XXXXXX");
	if (!mkdtemp(d->tmp))
		return -1;
	snprintf(d->dest, sizeof(d->dest), "%s/dest", d->tmp);
	snprintf(d->outside, sizeof(d->outside), "%s/outside", d->tmp);
	snprintf(d->secret, sizeof(d->secret), "%s/secret", d->outside);
	snprintf(d->archive, sizeof(d->archive), "%s/rootfs.archive", d->tmp);
	if (mkdir(d->dest, 0755) < 0 || mkdir(d->outside, 0755) < 0 || !getcwd(d->cwd, sizeof(d->cwd)))
		return -1;
	write_text(d->secret, SECRET);
	*state = d;
	return 0;
}

/* Directories an archive made read-only must be writable again to be removed. */
static int make_writable(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type == FTW_D || type == FTW_DNR)
		(void)chmod(path, (st->st_mode & 07777) | 0700);
	return 0;
}

static int teardown(void **state)
{
	struct dirs *d = *state;
	(void)nftw(d->tmp, make_writable, 16, FTW_PHYS);
	int r = sc_rm_rf(d->tmp);
	free(d);
	return r;
}

static char *path_in(const struct dirs *d, const char *name)
{
	static char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s/%s", d->dest, name);
	return buf;
}

static size_t count_entries(const char *dir)
{
	DIR *dh = opendir(dir);
	assert_non_null(dh);
	size_t n = 0;
	for (struct dirent *de; (de = readdir(dh));)
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(dh);
	return n;
}

/* outside/ holds exactly what setup put there: one file, its text, no second name. */
static void assert_outside_untouched(const struct dirs *d)
{
	assert_int_equal(count_entries(d->outside), 1);
	struct stat st;
	assert_int_equal(lstat(d->secret, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_nlink, 1);
	char *text = NULL;
	assert_int_equal(sc_read_file(d->secret, &text, NULL), 0);
	assert_string_equal(text, SECRET);
	free(text);
	assert_int_equal(count_entries(d->tmp), 3); /* dest, outside, the archive */
}

static void assert_cwd_unchanged(const struct dirs *d)
{
	char now[PATH_MAX];
	assert_non_null(getcwd(now, sizeof(now)));
	assert_string_equal(now, d->cwd);
}

static int unpack(const struct dirs *d, const struct sc_unpack_limits *limits, struct sc_error *err)
{
	int r = sc_unpack_archive(d->archive, d->dest, limits, err);
	assert_cwd_unchanged(d);
	return r;
}

/* The archive of specs is refused with a message containing expected, and nothing is left in
 * the root or added outside it. */
static void assert_refused_with(const struct dirs *d, const char *format, const struct spec *specs, size_t n,
				const struct sc_unpack_limits *limits, const char *expected)
{
	write_archive(d->archive, format, NULL, specs, n);
	struct sc_error err = { 0 };
	int r = unpack(d, limits, &err);
	if (r == 0)
		fail_msg("unpacked, but should be refused with '%s'", expected);
	assert_int_equal(err.code, -r);
	assert_contains(err.message, expected);
	assert_null(strchr(err.message, '\n'));
	assert_int_equal(count_entries(d->dest), 0);
	assert_outside_untouched(d);
}

#define assert_refused(d, specs, expected) \
	assert_refused_with((d), "tar", (specs), SC_ELEMENTSOF(specs), NULL, (expected))

static void assert_unpacks(const struct dirs *d, const struct sc_unpack_limits *limits)
{
	struct sc_error err = { 0 };
	if (unpack(d, limits, &err) < 0)
		fail_msg("unpack: %s", err.message);
	assert_outside_untouched(d);
}

/* Owned by the caller, whatever the archive says, and without the archive's xattrs. */
static void assert_owned_plain(const struct dirs *d, const char *name)
{
	struct stat st;
	assert_int_equal(lstat(path_in(d, name), &st), 0);
	assert_int_equal(st.st_uid, geteuid());
	assert_int_equal(st.st_gid, getegid());
	char value[8];
	assert_true(lgetxattr(path_in(d, name), "user.simpcon", value, sizeof(value)) < 0);
}

static void assert_link(const struct dirs *d, const char *name, const char *target)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(path_in(d, name), buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, target);
}

static void assert_file(const struct dirs *d, const char *name, const char *text, mode_t perm)
{
	struct stat st;
	assert_int_equal(lstat(path_in(d, name), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, perm);
	assert_int_equal(st.st_mtime, MTIME);
	char *got = NULL;
	assert_int_equal(sc_read_file(path_in(d, name), &got, NULL), 0);
	assert_string_equal(got, text);
	free(got);
}

static void assert_dir(const struct dirs *d, const char *name, mode_t perm)
{
	struct stat st;
	assert_int_equal(lstat(path_in(d, name), &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, perm);
}

/* ---- a good tree in every format ------------------------------------------------------------- */

static const struct spec busybox_tree[] = {
	DIR_("./", 0755),
	DIR_("bin", 0755),
	FILE_("bin/busybox", "#!busybox\n", 04755), /* setuid: cleared */
	SYMLINK("bin/sh", "/bin/busybox"),          /* absolute: normal inside a container */
	HARDLINK("bin/ls", "bin/busybox"),
	DIR_("etc", 0755),
	FILE_("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0644),
	SYMLINK("etc/mtab", "../proc/self/mounts"), /* relative, dangling until proc is mounted */
	DIR_("proc", 0555),                          /* read-only, and more below it */
	FILE_("proc/.keep", "", 0444),
	DIR_("tmp", 01777),
	DIR_("shared", 02775),                       /* setgid: cleared */
	SYMLINK("usr/bin/env", "../../bin/busybox"), /* usr/ and usr/bin/ only implied */
	FILE_("usr/share/doc/README", "hello\n", 0444),
	DIR_("usr/bin", 0711),                       /* after its content: permissions applied still */
};

static void unpack_busybox_tree(void **state, const char *format, const char *filter)
{
	struct dirs *d = *state;
	write_archive(d->archive, format, filter, busybox_tree, SC_ELEMENTSOF(busybox_tree));
	assert_unpacks(d, NULL);
	assert_file(d, "bin/busybox", "#!busybox\n", 0755);
	assert_link(d, "bin/sh", "/bin/busybox");
	assert_file(d, "bin/ls", "#!busybox\n", 0755);
	struct stat bb, ls;
	assert_int_equal(lstat(path_in(d, "bin/busybox"), &bb), 0);
	assert_int_equal(lstat(path_in(d, "bin/ls"), &ls), 0);
	if (strcmp(format, "zip") != 0) /* zip has no hard links: libarchive writes a copy */
		assert_int_equal(bb.st_ino, ls.st_ino);
	assert_file(d, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0644);
	assert_link(d, "etc/mtab", "../proc/self/mounts");
	assert_dir(d, "proc", 0555);
	assert_file(d, "proc/.keep", "", 0444);
	assert_dir(d, "tmp", 01777);
	assert_dir(d, "shared", 0775);
	assert_link(d, "usr/bin/env", "../../bin/busybox");
	assert_dir(d, "usr", 0755);
	assert_dir(d, "usr/bin", 0711);
	assert_file(d, "usr/share/doc/README", "hello\n", 0444);
	struct stat st;
	assert_int_equal(lstat(path_in(d, "proc"), &st), 0);
	assert_int_equal(st.st_mtime, MTIME);
	assert_owned_plain(d, "bin/busybox");
	assert_owned_plain(d, "bin/sh");
	assert_owned_plain(d, "etc");
}

static void test_tar(void **state)
{
	unpack_busybox_tree(state, "tar", NULL);
}

static void test_tar_gz(void **state)
{
	unpack_busybox_tree(state, "tar", "gzip");
}

static void test_tar_xz(void **state)
{
	unpack_busybox_tree(state, "tar", "xz");
}

static void test_tar_zst(void **state)
{
	unpack_busybox_tree(state, "tar", "zstd");
}

static void test_tar_bz2(void **state)
{
	unpack_busybox_tree(state, "tar", "bzip2");
}

static void test_cpio(void **state)
{
	unpack_busybox_tree(state, "cpio", NULL);
}

static void test_zip(void **state)
{
	unpack_busybox_tree(state, "zip", NULL);
}

/* The content decides the format: a tar.gz named .zip is a tar.gz. */
static void test_format_from_content(void **state)
{
	struct dirs *d = *state;
	snprintf(d->archive, sizeof(d->archive), "%s/rootfs.zip", d->tmp);
	write_archive(d->archive, "tar", "gzip", busybox_tree, SC_ELEMENTSOF(busybox_tree));
	assert_unpacks(d, NULL);
	assert_link(d, "bin/sh", "/bin/busybox");
}

/* An appended tar repeats a name: the later copy of a regular file wins. */
static void test_later_file_wins(void **state)
{
	static const struct spec specs[] = { FILE_("a", "one\n", 0644), FILE_("a", "two\n", 0600) };
	struct dirs *d = *state;
	write_archive(d->archive, "tar", NULL, specs, SC_ELEMENTSOF(specs));
	assert_unpacks(d, NULL);
	assert_file(d, "a", "two\n", 0600);
}

static void test_fifo_when_allowed(void **state)
{
	static const struct spec specs[] = { DIR_("run", 0755), FIFO("run/initctl") };
	struct dirs *d = *state;
	struct sc_unpack_limits limits = SC_UNPACK_LIMITS_INIT;
	limits.allow_devices = true;
	write_archive(d->archive, "tar", NULL, specs, SC_ELEMENTSOF(specs));
	assert_unpacks(d, &limits);
	struct stat st;
	assert_int_equal(lstat(path_in(d, "run/initctl"), &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
}

/* ---- names --------------------------------------------------------------------------------- */

static void test_dotdot(void **state)
{
	static const struct spec specs[] = { DIR_("bin", 0755), FILE_("../outside/evil", "x", 0644) };
	assert_refused(*state, specs, "entry '../outside/evil' escapes the root");
}

static void test_dotdot_deeper(void **state)
{
	static const struct spec specs[] = { FILE_("bin/../../outside/evil", "x", 0644) };
	assert_refused(*state, specs, "entry 'bin/../../outside/evil' escapes the root");
}

static void test_dotdot_inside(void **state)
{
	static const struct spec specs[] = { FILE_("bin/../evil", "x", 0644) };
	assert_refused(*state, specs, "entry 'bin/../evil' has a '..' component");
}

static void test_absolute(void **state)
{
	struct dirs *d = *state;
	char evil[192];
	snprintf(evil, sizeof(evil), "%s/evil", d->outside);
	const struct spec specs[] = { FILE_(evil, "x", 0644) };
	char expected[256];
	snprintf(expected, sizeof(expected), "entry '%s' has an absolute path", evil);
	assert_refused(d, specs, expected);
}

static void test_zip_slip(void **state)
{
	static const struct spec specs[] = { FILE_("ok", "fine", 0644), FILE_("../outside/evil", "x", 0644) };
	assert_refused_with(*state, "zip", specs, SC_ELEMENTSOF(specs), NULL, "entry '../outside/evil' escapes the root");
}

static void test_cpio_dotdot(void **state)
{
	static const struct spec specs[] = { FILE_("../outside/evil", "x", 0644) };
	assert_refused_with(*state, "cpio", specs, SC_ELEMENTSOF(specs), NULL, "entry '../outside/evil' escapes the root");
}

/* A name with a newline still makes a one-line message. */
static void test_control_characters_in_name(void **state)
{
	static const struct spec specs[] = { FILE_("../evil\nok 1 - fake", "x", 0644) };
	assert_refused(*state, specs, "entry '../evil?ok 1 - fake' escapes the root");
}

static void test_root_replaced(void **state)
{
	static const struct spec specs[] = { SYMLINK(".", "/") };
	assert_refused(*state, specs, "entry '.' would replace the root directory");
}

/* ---- symbolic links ------------------------------------------------------------------------ */

static void test_symlink_escape(void **state)
{
	static const struct spec specs[] = { SYMLINK("evil", "../outside") };
	assert_refused(*state, specs, "entry 'evil' is a symbolic link to '../outside', outside the root");
}

static void test_symlink_escape_deep(void **state)
{
	static const struct spec specs[] = { SYMLINK("a/b/evil", "../../../outside/secret") };
	assert_refused(*state, specs, "outside the root");
}

static void test_symlink_absolute_dotdot(void **state)
{
	static const struct spec specs[] = { SYMLINK("evil", "/../outside") };
	assert_refused(*state, specs, "entry 'evil' is a symbolic link to '/../outside', outside the root");
}

/* Each link stays inside on its own; followed through the other, the second leads out. */
static void test_symlink_chain(void **state)
{
	static const struct spec specs[] = { SYMLINK("d/up", ".."), SYMLINK("d/out", "up/../outside") };
	assert_refused(*state, specs, "entry 'd/out' is a symbolic link that leads outside the root through other links");
}

static void test_symlink_chain_reversed(void **state)
{
	static const struct spec specs[] = { SYMLINK("d/out", "up/../outside"), SYMLINK("d/up", "..") };
	assert_refused(*state, specs, "entry 'd/out' is a symbolic link that leads outside the root");
}

static void test_symlink_chain_absolute(void **state)
{
	static const struct spec specs[] = { SYMLINK("d/top", "/"), SYMLINK("d/out", "top/../outside") };
	assert_refused(*state, specs, "entry 'd/out' is a symbolic link that leads outside the root");
}

/* A link to an absolute path is allowed (inside the container it points into the fixture),
 * but nothing is ever written through it: here that would land in outside/. */
static void test_write_through_symlink(void **state)
{
	struct dirs *d = *state;
	const struct spec specs[] = { SYMLINK("a", d->outside), FILE_("a/evil", "x", 0644) };
	assert_refused(d, specs, "entry 'a/evil' is below a symbolic link");
}

static void test_write_through_symlink_deeper(void **state)
{
	struct dirs *d = *state;
	const struct spec specs[] = { DIR_("x", 0755), SYMLINK("x/a", d->tmp), FILE_("x/a/outside/evil", "x", 0644) };
	assert_refused(d, specs, "entry 'x/a/outside/evil' is below a symbolic link");
}

static void test_mkdir_through_symlink(void **state)
{
	struct dirs *d = *state;
	const struct spec specs[] = { SYMLINK("a", d->outside), DIR_("a/evil", 0755) };
	assert_refused(d, specs, "entry 'a/evil' is below a symbolic link");
}

static void test_symlink_through_symlink(void **state)
{
	struct dirs *d = *state;
	const struct spec specs[] = { SYMLINK("a", d->outside), SYMLINK("a/evil", "/etc/passwd") };
	assert_refused(d, specs, "entry 'a/evil' is below a symbolic link");
}

/* Even a link that stays inside is not written through (libarchive's SECURE_SYMLINKS rule). */
static void test_write_through_inner_symlink(void **state)
{
	static const struct spec specs[] = { DIR_("usr/bin", 0755), SYMLINK("bin", "usr/bin"), FILE_("bin/true", "", 0755) };
	assert_refused(*state, specs, "entry 'bin/true' is below a symbolic link");
}

/* ---- hard links ---------------------------------------------------------------------------- */

static void test_hardlink_outside(void **state)
{
	static const struct spec specs[] = { HARDLINK("evil", "../outside/secret") };
	assert_refused(*state, specs, "entry 'evil' is a hard link to '../outside/secret', outside the root");
}

static void test_hardlink_absolute(void **state)
{
	struct dirs *d = *state;
	const struct spec specs[] = { HARDLINK("evil", d->secret) };
	assert_refused(d, specs, "outside the root");
}

static void test_hardlink_missing(void **state)
{
	static const struct spec specs[] = { HARDLINK("evil", "etc/shadow") };
	assert_refused(*state, specs, "entry 'evil' is a hard link to 'etc/shadow', which is not an earlier entry");
}

static void test_hardlink_through_symlink(void **state)
{
	struct dirs *d = *state;
	const struct spec specs[] = { SYMLINK("out", d->outside), HARDLINK("evil", "out/secret") };
	assert_refused(d, specs, "entry 'evil' is a hard link to 'out/secret', below a symbolic link");
}

static void test_hardlink_to_symlink(void **state)
{
	/* the copy would resolve from another directory: ../outside from a/ is the root */
	static const struct spec specs[] = { SYMLINK("a/up", "../bin"), HARDLINK("evil", "a/up") };
	assert_refused(*state, specs, "entry 'evil' is a hard link to 'a/up', a relative symbolic link in another directory");
}

static void test_hardlink_to_absolute_symlink(void **state)
{
	/* how busybox fixtures link their applets: one symlink, hard links to it everywhere */
	struct dirs *d = *state;
	static const struct spec specs[] = { DIR_("bin", 0755), DIR_("usr", 0755), DIR_("usr/bin", 0755),
					     SYMLINK("bin/sh", "/bin/busybox"), HARDLINK("usr/bin/awk", "bin/sh") };
	write_archive(d->archive, "tar", NULL, specs, SC_ELEMENTSOF(specs));
	assert_unpacks(d, NULL);
	assert_link(d, "usr/bin/awk", "/bin/busybox");
}

static void test_hardlink_to_directory(void **state)
{
	static const struct spec specs[] = { DIR_("etc", 0755), HARDLINK("evil", "etc") };
	assert_refused(*state, specs, "which is not a regular file");
}

/* ---- replacing what is there --------------------------------------------------------------- */

static void test_symlink_replaces_directory(void **state)
{
	struct dirs *d = *state;
	const struct spec specs[] = { DIR_("etc", 0755), FILE_("etc/passwd", "x", 0644), SYMLINK("etc", d->outside),
				      FILE_("etc/shadow", "x", 0600) };
	assert_refused(d, specs, "entry 'etc' would replace an existing directory");
}

static void test_file_replaces_directory(void **state)
{
	static const struct spec specs[] = { DIR_("etc", 0755), FILE_("etc", "x", 0644) };
	assert_refused(*state, specs, "entry 'etc' would replace an existing directory");
}

static void test_file_replaces_symlink(void **state)
{
	struct dirs *d = *state;
	const struct spec specs[] = { SYMLINK("passwd", d->secret), FILE_("passwd", "owned\n", 0644) };
	assert_refused(d, specs, "entry 'passwd' would replace an existing symbolic link");
}

static void test_hardlink_replaces_symlink(void **state)
{
	struct dirs *d = *state;
	const struct spec specs[] = { FILE_("a", "x", 0644), SYMLINK("b", d->secret), HARDLINK("b", "a") };
	assert_refused(d, specs, "entry 'b' would replace an existing symbolic link");
}

static void test_directory_replaces_file(void **state)
{
	static const struct spec specs[] = { FILE_("etc", "x", 0644), DIR_("etc", 0755) };
	assert_refused(*state, specs, "entry 'etc' would replace an existing file");
}

/* ---- devices, limits, and what is not an archive --------------------------------------------- */

static void test_device_refused(void **state)
{
	static const struct spec specs[] = { DIR_("dev", 0755), DEVICE("dev/null") };
	assert_refused(*state, specs, "entry 'dev/null' is a device node, and devices are not allowed");
}

static void test_fifo_refused(void **state)
{
	static const struct spec specs[] = { FIFO("initctl") };
	assert_refused(*state, specs, "entry 'initctl' is a fifo, and devices are not allowed");
}

static void test_size_limit(void **state)
{
	static const struct spec specs[] = { ZEROS("a", 300 * 1024), ZEROS("b", 300 * 1024) };
	struct sc_unpack_limits limits = SC_UNPACK_LIMITS_INIT;
	limits.max_total_bytes = 512 * 1024;
	assert_refused_with(*state, "tar", specs, SC_ELEMENTSOF(specs), &limits,
			    "unpacked size over the limit of 512K (524288 bytes): raise it with --archive-limit SIZE "
			    "(at entry 'b')");
}

/* A few kilobytes of zstd that expand to 64 MiB: stopped at the limit, not at the header. */
static void test_size_bomb(void **state)
{
	static const struct spec specs[] = { ZEROS("bomb", 64 << 20) };
	struct dirs *d = *state;
	write_archive(d->archive, "tar", "zstd", specs, SC_ELEMENTSOF(specs));
	struct stat st;
	assert_int_equal(stat(d->archive, &st), 0);
	assert_true(st.st_size < 64 * 1024);
	struct sc_unpack_limits limits = SC_UNPACK_LIMITS_INIT;
	limits.max_total_bytes = 1 << 20;
	struct sc_error err = { 0 };
	assert_int_equal(unpack(d, &limits, &err), -EFBIG);
	assert_contains(err.message, "unpacked size over the limit of 1M");
	assert_int_equal(count_entries(d->dest), 0);
	assert_outside_untouched(d);
}

static void test_size_exactly_at_limit(void **state)
{
	static const struct spec specs[] = { ZEROS("a", 1000), ZEROS("b", 24) };
	struct dirs *d = *state;
	struct sc_unpack_limits limits = SC_UNPACK_LIMITS_INIT;
	limits.max_total_bytes = 1024;
	write_archive(d->archive, "tar", NULL, specs, SC_ELEMENTSOF(specs));
	assert_unpacks(d, &limits);
}

static void test_entry_limit(void **state)
{
	struct dirs *d = *state;
	struct spec specs[20];
	char names[20][8];
	for (size_t i = 0; i < SC_ELEMENTSOF(specs); i++) {
		snprintf(names[i], sizeof(names[i]), "f%zu", i);
		specs[i] = (struct spec)FILE_(names[i], "x", 0644);
	}
	struct sc_unpack_limits limits = SC_UNPACK_LIMITS_INIT;
	limits.max_entries = 10;
	assert_refused_with(d, "tar", specs, SC_ELEMENTSOF(specs), &limits,
			    "more than the limit of 10 entries: raise it with --archive-entries N");
}

/* Past the floor, unpacking more than max_ratio times what was read of the archive is a bomb,
 * stopped there, long before the size limit; below the floor, any ratio goes. */
static void test_ratio_bomb(void **state)
{
	static const struct spec specs[] = { ZEROS("bomb", SC_UNPACK_RATIO_FLOOR + (16 << 20)) };
	struct dirs *d = *state;
	write_archive(d->archive, "tar", "zstd", specs, SC_ELEMENTSOF(specs));
	struct sc_error err = { 0 };
	assert_int_equal(unpack(d, NULL, &err), -EFBIG);
	assert_contains(err.message, "unpacks to more than 100 times what was read of it");
	assert_contains(err.message, "raise the limit with --archive-ratio N, 0 for none (at entry 'bomb')");
	assert_int_equal(count_entries(d->dest), 0);
	assert_outside_untouched(d);
}

static void test_ratio_below_floor(void **state)
{
	static const struct spec specs[] = { ZEROS("zeros", SC_UNPACK_RATIO_FLOOR - 1024), FILE_("x", "x", 0644) };
	struct dirs *d = *state;
	write_archive(d->archive, "tar", "zstd", specs, SC_ELEMENTSOF(specs));
	assert_unpacks(d, NULL);
}

static void test_ratio_none(void **state)
{
	static const struct spec specs[] = { ZEROS("zeros", SC_UNPACK_RATIO_FLOOR + (16 << 20)) };
	struct dirs *d = *state;
	write_archive(d->archive, "tar", "zstd", specs, SC_ELEMENTSOF(specs));
	struct sc_unpack_limits limits = SC_UNPACK_LIMITS_INIT;
	limits.max_ratio = 0;
	assert_unpacks(d, &limits);
}

/* Whatever fails, the root is left empty: read-only directories made before the failure too. */
static void test_failure_after_read_only_directories(void **state)
{
	static const struct spec specs[] = { DIR_("ro", 0555), FILE_("ro/file", "x", 0444), DIR_("ro/sub", 0),
					     FILE_("ro/.hidden", "x", 0000), SYMLINK("bad", "../outside") };
	assert_refused(*state, specs, "entry 'bad' is a symbolic link to '../outside', outside the root");
}

/* mtree is text; archive_read_support_format_all() would take this for an archive whose
 * entries libarchive may fill from the host's files. */
static void test_mtree_refused(void **state)
{
	struct dirs *d = *state;
	char text[256];
	snprintf(text, sizeof(text), "#mtree\n./copy type=file contents=%s\n", d->secret);
	write_text(d->archive, text);
	struct sc_error err = { 0 };
	assert_true(unpack(d, NULL, &err) < 0);
	assert_contains(err.message, "unrecognized archive format");
	assert_int_equal(count_entries(d->dest), 0);
}

static void test_not_an_archive(void **state)
{
	struct dirs *d = *state;
	write_text(d->archive, "just some text\n");
	struct sc_error err = { 0 };
	assert_true(unpack(d, NULL, &err) < 0);
	assert_contains(err.message, "archive '");
	assert_contains(err.message, "rootfs.archive': unrecognized archive format");
}

static void test_truncated(void **state)
{
	struct dirs *d = *state;
	write_archive(d->archive, "tar", "gzip", busybox_tree, SC_ELEMENTSOF(busybox_tree));
	struct stat st;
	assert_int_equal(stat(d->archive, &st), 0);
	assert_int_equal(truncate(d->archive, st.st_size / 2), 0);
	struct sc_error err = { 0 };
	assert_true(unpack(d, NULL, &err) < 0);
	assert_contains(err.message, "archive '");
	assert_int_equal(count_entries(d->dest), 0);
	assert_outside_untouched(d);
}

static void test_dest_not_empty(void **state)
{
	struct dirs *d = *state;
	write_archive(d->archive, "tar", NULL, busybox_tree, SC_ELEMENTSOF(busybox_tree));
	write_text(path_in(d, "mine"), "keep\n");
	struct sc_error err = { 0 };
	assert_int_equal(unpack(d, NULL, &err), -ENOTEMPTY);
	assert_contains(err.message, "is not empty");
	assert_int_equal(count_entries(d->dest), 1);
}

static void test_missing_archive(void **state)
{
	struct dirs *d = *state;
	struct sc_error err = { 0 };
	assert_int_equal(unpack(d, NULL, &err), -ENOENT);
	assert_contains(err.message, "open archive '");
	assert_contains(err.message, "no such file or directory");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_tar),
		T(test_tar_gz),
		T(test_tar_xz),
		T(test_tar_zst),
		T(test_tar_bz2),
		T(test_cpio),
		T(test_zip),
		T(test_format_from_content),
		T(test_later_file_wins),
		T(test_fifo_when_allowed),
		T(test_dotdot),
		T(test_dotdot_deeper),
		T(test_dotdot_inside),
		T(test_absolute),
		T(test_zip_slip),
		T(test_cpio_dotdot),
		T(test_control_characters_in_name),
		T(test_root_replaced),
		T(test_symlink_escape),
		T(test_symlink_escape_deep),
		T(test_symlink_absolute_dotdot),
		T(test_symlink_chain),
		T(test_symlink_chain_reversed),
		T(test_symlink_chain_absolute),
		T(test_write_through_symlink),
		T(test_write_through_symlink_deeper),
		T(test_mkdir_through_symlink),
		T(test_symlink_through_symlink),
		T(test_write_through_inner_symlink),
		T(test_hardlink_outside),
		T(test_hardlink_absolute),
		T(test_hardlink_missing),
		T(test_hardlink_through_symlink),
		T(test_hardlink_to_symlink),
		T(test_hardlink_to_absolute_symlink),
		T(test_hardlink_to_directory),
		T(test_symlink_replaces_directory),
		T(test_file_replaces_directory),
		T(test_file_replaces_symlink),
		T(test_hardlink_replaces_symlink),
		T(test_directory_replaces_file),
		T(test_device_refused),
		T(test_fifo_refused),
		T(test_size_limit),
		T(test_size_bomb),
		T(test_size_exactly_at_limit),
		T(test_entry_limit),
		T(test_ratio_bomb),
		T(test_ratio_below_floor),
		T(test_ratio_none),
		T(test_failure_after_read_only_directories),
		T(test_mtree_refused),
		T(test_not_an_archive),
		T(test_truncated),
		T(test_dest_not_empty),
		T(test_missing_archive),
	};
	return cmocka_run_group_tests_name("unpack", tests, NULL, NULL);
}
