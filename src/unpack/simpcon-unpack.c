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
	OPT_MAX_BYTES = 256,
	OPT_MAX_ENTRIES,
	OPT_ALLOW_DEVICES,
	OPT_HELP,
};

static const struct option options[] = {
	{ "max-bytes", required_argument, NULL, OPT_MAX_BYTES },
	{ "max-entries", required_argument, NULL, OPT_MAX_ENTRIES },
	{ "allow-devices", no_argument, NULL, OPT_ALLOW_DEVICES },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *to)
{
	fprintf(to, "usage: simpcon-unpack [--max-bytes N] [--max-entries N] [--allow-devices] ARCHIVE DEST\n"
		    "  ARCHIVE  tar, cpio or zip, compressed or not (the content tells which)\n"
		    "  DEST     an existing empty directory; left empty when unpacking fails\n"
		    "  --max-bytes N      most file data to write, suffixes K, M, G (default 4G)\n"
		    "  --max-entries N    most entries (default 1000000)\n"
		    "  --allow-devices    make device nodes and fifos instead of refusing them\n");
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
		const char *name = c == OPT_MAX_BYTES ? "--max-bytes" : "--max-entries";
		switch (c) {
		case OPT_MAX_BYTES:
		case OPT_MAX_ENTRIES:
			if (parse_count(optarg, c == OPT_MAX_BYTES ? &limits.max_total_bytes : &limits.max_entries) < 0) {
				fprintf(stderr, "simpcon-unpack: %s '%s' is not a count (digits, K, M or G)\n", name, optarg);
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
