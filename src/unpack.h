/* unpack.h - unpacking a root file system archive into an empty directory, safely.
 *
 * Only the simpcon-unpack helper links this (and libarchive): the run path never pays for
 * loading libarchive. Not named archive.h, which would shadow libarchive's own header for
 * every file compiled with -I src. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "simpcon.h"

/* Against bombs: an archive is untrusted input, and what it unpacks to stays in the fixture
 * cache until pruned. Each limit, when hit, is named in the error with the simpcon-test option
 * (and simpcon-unpack option) that raises it. */
struct sc_unpack_limits {
	uint64_t max_total_bytes; /* file data written, holes of sparse files included */
	uint64_t max_entries;     /* archive entries of any type, the refused one included */
	/* file data written per byte of the archive read (compressed), checked once past
	 * SC_UNPACK_RATIO_FLOOR bytes, as scanners of archives stop zip bombs; 0: none */
	uint64_t max_ratio;
	bool allow_devices; /* character and block devices and fifos (devices need privilege) */
};

/* A root file system with a toolchain is a few hundred MiB; Debian's minbase about 10,000
 * entries. Real roots compress 3 to 10 times (xz of binaries), an image of zeros 1000 times:
 * below the floor any ratio goes, so that small archives of zeros still unpack. */
#define SC_UNPACK_MAX_BYTES_DEFAULT ((uint64_t)1 << 30)
#define SC_UNPACK_MAX_ENTRIES_DEFAULT ((uint64_t)100000)
#define SC_UNPACK_MAX_RATIO_DEFAULT ((uint64_t)100)
#define SC_UNPACK_RATIO_FLOOR ((uint64_t)64 << 20)
#define SC_UNPACK_LIMITS_INIT                                                                   \
	{                                                                                       \
		.max_total_bytes = SC_UNPACK_MAX_BYTES_DEFAULT,                                 \
		.max_entries = SC_UNPACK_MAX_ENTRIES_DEFAULT,                                   \
		.max_ratio = SC_UNPACK_MAX_RATIO_DEFAULT, .allow_devices = false,               \
	}

/* Unpacks the archive at archive_path (tar, pax, cpio or zip, optionally compressed with gzip,
 * bzip2, xz, zstd, lz4, ...; the format is read from the content, not the name) into dest_dir,
 * which must be an existing, empty directory. limits NULL means SC_UNPACK_LIMITS_INIT.
 *
 * Nothing outside dest_dir is written, created or read through a link. Refused, naming the
 * entry: absolute names and '..' components (not stripped), entries below a symbolic link,
 * symbolic links that lead out of dest_dir (absolute targets count from dest_dir, as the
 * container will see them, so "/bin/busybox" is fine), hard links to anything but an earlier
 * regular file inside, an entry that would replace anything but a directory with a directory
 * or a regular file with a regular file, devices and fifos unless allowed, sockets, and going
 * over a limit (the message names it and the option that raises it). Permissions (without
 * setuid and setgid) and modification times are restored; ownership, xattrs, ACLs and file
 * flags are not.
 *
 * Changes the working directory for the duration of the call (libarchive extracts relative to
 * it): not for threaded callers. On failure dest_dir is left empty. Returns 0 or -errno. */
int sc_unpack_archive(const char *archive_path, const char *dest_dir, const struct sc_unpack_limits *limits,
		      struct sc_error *err);
