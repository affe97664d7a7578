/* regex-guard.c - keeps the fuzz targets off a known glibc blow-up, linked with
 * -Wl,--wrap=regcomp into the targets whose input reaches regcomp (fuzz-transcript, fuzz-options).
 *
 * glibc's regcomp copies the subtree under a '+' or an interval "{m,n}" (a+ becomes aa*), so
 * stacked or nested repetitions grow exponentially: "a" with 20 '+' after it takes 700 MB, and
 * with 24 it crashes inside regcomp when malloc fails. That is reported in README.md; left to
 * itself, the fuzzer finds it again in seconds and stops before it reaches anything else. So
 * a pattern whose worst-case copy factor (the product, over its repetitions, of 2 for '+' and
 * n+1 for "{m,n}") exceeds LIMIT is refused as REG_ESPACE, the error regcomp gives when out of
 * memory, which the callers already report; every other pattern goes to the real regcomp. */
#include "config.h"

#include <ctype.h>
#include <regex.h>
#include <stdlib.h>

#define LIMIT 4096

int __real_regcomp(regex_t *preg, const char *regex, int cflags);
int __wrap_regcomp(regex_t *preg, const char *regex, int cflags);

/* An upper bound of how many times glibc may copy a piece of the pattern. */
static unsigned long copy_factor(const char *p)
{
	unsigned long factor = 1;
	for (; *p && factor <= LIMIT; p++) {
		unsigned long f = 1;
		if (*p == '\\' && p[1]) {
			p++;
		} else if (*p == '+') {
			f = 2;
		} else if (*p == '{' && isdigit((unsigned char)p[1])) {
			char *end;
			f = strtoul(p + 1, &end, 10) + 1;
			if (*end == ',' && isdigit((unsigned char)end[1]))
				f = strtoul(end + 1, &end, 10) + 1;
			else if (*end == ',')
				f++; /* "{m,}": m copies and a star */
		}
		factor *= f > LIMIT ? LIMIT + 1 : f;
	}
	return factor;
}

int __wrap_regcomp(regex_t *preg, const char *regex, int cflags)
{
	if (copy_factor(regex) > LIMIT)
		return REG_ESPACE;
	return __real_regcomp(preg, regex, cflags);
}
