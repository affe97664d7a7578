/* simpcon-initramfs.c - writes the initramfs of `simpcon-test check --kernel`: a cpio archive in
 * the kernel's "newc" format, from a manifest of what goes in.
 *
 * A program of its own, like simpcon-unpack, so that simpcon-test never links libarchive
 * (whose loading costs every container start about 1.4 ms, and which has no static build of
 * its compressors on Debian to link into the static simpcon-test).
 *
 * The manifest, one entry a line, fields separated by one space, the last field running to the
 * end of the line (so a host path may hold spaces); DEST is a path in the archive:
 *   dir MODE DEST              a directory
 *   file MODE DEST SRC         the host file SRC
 *   unpacked MODE DEST SRC     SRC decompressed when it is compressed (xz, zstd, gzip...): the
 *                              kernel's modules as Debian ships them, for busybox insmod, which
 *                              reads only plain ones
 *   slink DEST TARGET          a symbolic link
 *   tree DEST SRC              the host directory SRC below DEST: directories, regular files
 *                              and symbolic links, modes kept
 * MODE is octal. Every entry belongs to root. Exit status: 0 written; 1 failed, with one line
 * "simpcon-initramfs: MESSAGE" on stderr and no OUTPUT left; 2 usage. */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* a module is a few MiB at most; a bound keeps a mistaken SRC from filling the memory */
#define UNPACKED_MAX (256u << 20)

struct writer {
	struct archive *archive;
	struct archive_entry *entry;
	int64_t next_ino; /* newc has no hard links here: every entry gets an inode of its own */
	char message[512];
};

static int fail(struct writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct writer *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->message, sizeof(w->message), fmt, ap);
	va_end(ap);
	return -1;
}

/* The header of one entry; dest loses its leading '/' (the archive's names are relative). */
static int header(struct writer *w, const char *dest, mode_t type, mode_t mode, int64_t size, const char *target)
{
	while (*dest == '/')
		dest++;
	archive_entry_clear(w->entry);
	archive_entry_set_pathname(w->entry, *dest ? dest : ".");
	archive_entry_set_filetype(w->entry, type);
	archive_entry_set_perm(w->entry, mode & 07777);
	archive_entry_set_ino64(w->entry, w->next_ino++);
	archive_entry_set_nlink(w->entry, type == AE_IFDIR ? 2 : 1);
	archive_entry_set_size(w->entry, size);
	if (target)
		archive_entry_set_symlink(w->entry, target);
	if (archive_write_header(w->archive, w->entry) != ARCHIVE_OK)
		return fail(w, "write '%s': %s", dest, archive_error_string(w->archive));
	return 0;
}

static int data(struct writer *w, const char *dest, const void *buf, size_t len)
{
	if (len && archive_write_data(w->archive, buf, len) != (la_ssize_t)len)
		return fail(w, "write '%s': %s", dest, archive_error_string(w->archive));
	return 0;
}

static int add_file(struct writer *w, mode_t mode, const char *dest, const char *src)
{
	int fd = open(src, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int saved = fd < 0 ? errno : EINVAL;
		if (fd >= 0)
			close(fd);
		return fail(w, "read '%s' for '%s': %s", src, dest, strerror(saved));
	}
	int r = header(w, dest, AE_IFREG, mode, st.st_size, NULL);
	char buf[65536];
	int64_t left = st.st_size;
	while (r == 0 && left > 0) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0) {
			r = fail(w, "read '%s': %s", src, n < 0 ? strerror(errno) : "it shrank while being read");
			break;
		}
		/* the size in the header is a promise: a file that grew is cut at it */
		if (n > left)
			n = (ssize_t)left;
		r = data(w, dest, buf, (size_t)n);
		left -= n;
	}
	close(fd);
	return r;
}

/* The content of src through libarchive's decompressors ("raw" format: the stream itself, of
 * whatever compression, or none). The header needs the size first, so it is read whole. */
static int add_unpacked(struct writer *w, mode_t mode, const char *dest, const char *src)
{
	struct archive *in = archive_read_new();
	struct archive_entry *e;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int r = -1;
	if (!in)
		return fail(w, "read '%s': out of memory", src);
	archive_read_support_filter_all(in);
	archive_read_support_format_raw(in);
	if (archive_read_open_filename(in, src, 65536) != ARCHIVE_OK || archive_read_next_header(in, &e) != ARCHIVE_OK) {
		fail(w, "read '%s': %s", src, archive_error_string(in));
		goto out;
	}
	for (;;) {
		if (cap - len < 65536) {
			char *more = cap + 65536 > UNPACKED_MAX ? NULL : realloc(buf, cap += 1u << 20);
			if (!more) {
				fail(w, "decompress '%s': more than %u MiB, or out of memory", src, UNPACKED_MAX >> 20);
				goto out;
			}
			buf = more;
		}
		la_ssize_t n = archive_read_data(in, buf + len, cap - len);
		if (n < 0) {
			fail(w, "decompress '%s': %s", src, archive_error_string(in));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	r = header(w, dest, AE_IFREG, mode, (int64_t)len, NULL);
	if (r == 0)
		r = data(w, dest, buf, len);
out:
	archive_read_free(in);
	free(buf);
	return r;
}

/* Everything below the directory src, at dest: what a test suite brings into the machine. */
static int add_tree(struct writer *w, const char *dest, const char *src)
{
	DIR *d = opendir(src);
	if (!d)
		return fail(w, "read directory '%s': %s", src, strerror(errno));
	struct stat st;
	int r = fstat(dirfd(d), &st) < 0 ? fail(w, "stat '%s': %s", src, strerror(errno))
					 : header(w, dest, AE_IFDIR, st.st_mode, 0, NULL);
	for (struct dirent *de; r == 0 && (de = readdir(d));) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char *from = NULL, *to = NULL;
		if (asprintf(&from, "%s/%s", src, de->d_name) < 0 || asprintf(&to, "%s/%s", dest, de->d_name) < 0) {
			free(from);
			closedir(d);
			return fail(w, "read directory '%s': out of memory", src);
		}
		char target[4096];
		ssize_t n;
		if (lstat(from, &st) < 0)
			r = fail(w, "stat '%s': %s", from, strerror(errno));
		else if (S_ISDIR(st.st_mode))
			r = add_tree(w, to, from);
		else if (S_ISREG(st.st_mode))
			r = add_file(w, st.st_mode, to, from);
		else if (S_ISLNK(st.st_mode) && (n = readlink(from, target, sizeof(target) - 1)) > 0) {
			target[n] = '\0';
			r = header(w, to, AE_IFLNK, 0777, 0, target);
		}
		/* sockets, fifos and devices have no place in a suite's files */
		free(from);
		free(to);
	}
	closedir(d);
	return r;
}

/* One manifest line ("verb field... last"): splits off the fields before the last. */
static int entry(struct writer *w, char *line)
{
	char *verb = strsep(&line, " ");
	bool has_mode = !strcmp(verb, "dir") || !strcmp(verb, "file") || !strcmp(verb, "unpacked");
	char *mode_text = has_mode ? strsep(&line, " ") : NULL;
	char *dest = line ? strsep(&line, " ") : NULL;
	char *end = NULL;
	mode_t mode = mode_text ? (mode_t)strtoul(mode_text, &end, 8) : 0;
	if (!dest || !*dest || (has_mode && (end == mode_text || *end)) || (strcmp(verb, "dir") && (!line || !*line)))
		return fail(w, "manifest line '%s ...' is not VERB [MODE] DEST [SOURCE]", verb);
	if (!strcmp(verb, "dir"))
		return header(w, dest, AE_IFDIR, mode, 0, NULL);
	if (!strcmp(verb, "file"))
		return add_file(w, mode, dest, line);
	if (!strcmp(verb, "unpacked"))
		return add_unpacked(w, mode, dest, line);
	if (!strcmp(verb, "slink"))
		return header(w, dest, AE_IFLNK, 0777, 0, line);
	if (!strcmp(verb, "tree"))
		return add_tree(w, dest, line);
	return fail(w, "manifest verb '%s' is not dir, file, unpacked, slink or tree", verb);
}

static int write_all(struct writer *w, FILE *manifest, const char *output)
{
	archive_write_set_format_cpio_newc(w->archive);
	archive_write_add_filter_none(w->archive);
	/* one write per 512 bytes would cost a system call per block for nothing */
	archive_write_set_bytes_per_block(w->archive, 65536);
	archive_write_set_bytes_in_last_block(w->archive, 1);
	if (archive_write_open_filename(w->archive, output) != ARCHIVE_OK)
		return fail(w, "create '%s': %s", output, archive_error_string(w->archive));
	char *line = NULL;
	size_t size = 0;
	ssize_t n;
	int r = 0;
	while (r == 0 && (n = getline(&line, &size, manifest)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (line[0] && line[0] != '#')
			r = entry(w, line);
	}
	free(line);
	if (r == 0 && archive_write_close(w->archive) != ARCHIVE_OK)
		r = fail(w, "finish '%s': %s", output, archive_error_string(w->archive));
	return r;
}

int main(int argc, char **argv)
{
	if (argc != 3 || argv[1][0] == '-') {
		fputs("usage: simpcon-initramfs MANIFEST OUTPUT\n"
		      "  writes OUTPUT, a newc cpio archive (an initramfs), from MANIFEST's entries:\n"
		      "  dir MODE DEST | file MODE DEST SRC | unpacked MODE DEST SRC | slink DEST TARGET |\n"
		      "  tree DEST SRC\n",
		      stderr);
		return 2;
	}
	struct writer w = { .archive = archive_write_new(), .entry = archive_entry_new(), .next_ino = 1 };
	FILE *manifest = fopen(argv[1], "re");
	int r;
	if (!w.archive || !w.entry)
		r = fail(&w, "out of memory");
	else if (!manifest)
		r = fail(&w, "read manifest '%s': %s", argv[1], strerror(errno));
	else
		r = write_all(&w, manifest, argv[2]);
	if (manifest)
		fclose(manifest);
	if (w.entry)
		archive_entry_free(w.entry);
	if (w.archive)
		archive_write_free(w.archive);
	if (r < 0) {
		(void)unlink(argv[2]);
		fprintf(stderr, "simpcon-initramfs: %s\n", w.message);
		return 1;
	}
	return 0;
}
