/* simpcon-unpack.c - unpacks a root file system archive into an empty directory.
 *
 * A program of its own so that simpcon-test never links libarchive, whose loading would cost
 * every container start about 1.4 ms: the fixture code runs this only on a cold cache.
 * Exit status: 0 unpacked; 1 failed, with one line "simpcon-unpack: MESSAGE" on stderr and
 * the destination left empty; 2 usage. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unpack.h"

enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
};

enum {
	OPT_LIMIT = 256,
	OPT_ENTRIES,
	OPT_RATIO,
	OPT_ALLOW_DEVICES,
	OPT_HELP,
};

/* named as simpcon-test's options, which its messages name */
static const struct option options[] = {
	{ "archive-limit", required_argument, NULL, OPT_LIMIT },
	{ "archive-entries", required_argument, NULL, OPT_ENTRIES },
	{ "archive-ratio", required_argument, NULL, OPT_RATIO },
	{ "allow-devices", no_argument, NULL, OPT_ALLOW_DEVICES },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *to)
{
	fprintf(to,
		"usage: simpcon-unpack [--archive-limit SIZE] [--archive-entries N] [--archive-ratio N]\n"
		"                      [--allow-devices] ARCHIVE DEST\n"
		"  ARCHIVE  tar, cpio or zip, compressed or not (the content tells which)\n"
		"  DEST     an existing empty directory; left empty when unpacking fails\n"
		"  --archive-limit SIZE  most file data to write, suffixes K, M, G (default %juM)\n"
		"  --archive-entries N   most entries (default %ju)\n"
		"  --archive-ratio N     most bytes written per byte of ARCHIVE read, once past %juM\n"
		"                        (default %ju; 0: none)\n"
		"  --allow-devices       make device nodes and fifos instead of refusing them\n",
		(uintmax_t)(SC_UNPACK_MAX_BYTES_DEFAULT >> 20), (uintmax_t)SC_UNPACK_MAX_ENTRIES_DEFAULT,
		(uintmax_t)(SC_UNPACK_RATIO_FLOOR >> 20), (uintmax_t)SC_UNPACK_MAX_RATIO_DEFAULT);
}

/* Decimal digits with an optional binary suffix: 512, 64K, 10M, 4G. */
static int parse_count(const char *text, uint64_t *ret)
{
	if (text[0] < '0' || text[0] > '9')
		return -1;
	char *end;
	errno = 0;
	unsigned long long n = strtoull(text, &end, 10);
	if (errno)
		return -1;
	unsigned shift = 0;
	if (*end == 'K')
		shift = 10;
	else if (*end == 'M')
		shift = 20;
	else if (*end == 'G')
		shift = 30;
	if (shift)
		end++;
	if (*end || (shift && n > (UINT64_MAX >> shift)))
		return -1;
	*ret = (uint64_t)n << shift;
	return 0;
}

/* Messages quote names from the archive; whatever control character is left, stderr gets one line. */
static void print_error(const char *message)
{
	fputs("simpcon-unpack: ", stderr);
	for (const char *p = message; *p; p++)
		fputc((unsigned char)*p < 0x20 ? '?' : *p, stderr);
	fputc('\n', stderr);
}

int main(int argc, char **argv)
{
	struct sc_unpack_limits limits = SC_UNPACK_LIMITS_INIT;
	opterr = 0;
	for (int c; (c = getopt_long(argc, argv, "+:", options, NULL)) != -1;) {
		uint64_t *limit = c == OPT_LIMIT ? &limits.max_total_bytes
				  : c == OPT_ENTRIES ? &limits.max_entries
				  : &limits.max_ratio;
		switch (c) {
		case OPT_LIMIT:
		case OPT_ENTRIES:
		case OPT_RATIO:
			if (parse_count(optarg, limit) < 0) {
				fprintf(stderr, "simpcon-unpack: --%s '%s' is not a count (digits, K, M or G)\n",
					options[c - OPT_LIMIT].name, optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_ALLOW_DEVICES:
			limits.allow_devices = true;
			break;
		case OPT_HELP:
			usage(stdout);
			return EXIT_OK;
		case ':':
			fprintf(stderr, "simpcon-unpack: '%s' needs a value\n", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			fprintf(stderr, "simpcon-unpack: unknown option '%s'\n", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "simpcon-unpack: %s ARCHIVE and DEST\n", argc - optind < 2 ? "missing" : "only");
		usage(stderr);
		return EXIT_USAGE;
	}
	struct sc_error err = { 0 };
	if (sc_unpack_archive(argv[optind], argv[optind + 1], &limits, &err) < 0) {
		print_error(err.message);
		return EXIT_FAILED;
	}
	return EXIT_OK;
}
