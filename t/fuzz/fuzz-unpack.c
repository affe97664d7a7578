/* fuzz-unpack.c - libFuzzer target for the archive unpacker, the filter between untrusted
 * archives and the host's file system.
 *
 * The input is an archive (any format or compression libarchive reads). It is unpacked into a
 * fresh directory inside a sandbox directory that also holds a sentinel beside it. Beyond
 * crashes, leaks and undefined behaviour: nothing may appear outside the destination (the
 * sentinel directory stays empty), a refused archive leaves the destination empty, and no
 * symlink that was made leads outside the destination. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unpack.h"
#include "util.h"

#define CHECK(cond, what)                                            \
	do {                                                         \
		if (!(cond)) {                                       \
			fprintf(stderr, "fuzz-unpack: %s\n", what); \
			abort();                                     \
		}                                                    \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t entries(const char *dir)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	if (!d)
		return 0;
	for (struct dirent *de; (de = readdir(d));)
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char box[] = "/tmp/fuzz-unpack-XXXXXX";
	char archive[64], dest[64], outside[64];
	CHECK(mkdtemp(box), "mkdtemp");
	snprintf(archive, sizeof(archive), "%s/in", box);
	snprintf(dest, sizeof(dest), "%s/dest", box);
	snprintf(outside, sizeof(outside), "%s/outside", box);
	CHECK(mkdir(dest, 0755) == 0 && mkdir(outside, 0755) == 0, "mkdir");
	int fd = open(archive, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	CHECK(fd >= 0 && sc_write_all(fd, data, size) == 0, "write the archive");
	close(fd);

	/* small limits: a bomb is found in a few bytes of input */
	struct sc_unpack_limits limits = { .max_total_bytes = 1 << 20, .max_entries = 1000 };
	struct sc_error err = { 0 };
	int r = sc_unpack_archive(archive, dest, &limits, &err);
	CHECK(entries(outside) == 0, "an entry was written outside the destination");
	CHECK(entries(box) == 3, "something appeared beside the destination");
	if (r < 0) {
		CHECK(entries(dest) == 0, "a refused archive left entries behind");
		CHECK(err.message[0] && !strchr(err.message, '\n'), "a refusal without a one-line message");
	}
	CHECK(sc_rm_rf(box) == 0, "remove the sandbox");
	return 0;
}
