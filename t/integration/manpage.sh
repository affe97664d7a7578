#!/bin/sh
# doc/simpcon-test.1 against the program: every option --help lists is documented, every
# option the page documents exists, and groff reads the page without a warning.
. "$top_srcdir/t/lib.sh"
[ -x "$SIMPCON" ] || bail "simpcon-test not built at $SIMPCON"
tmpdir_make
plan 4
page="$top_srcdir/doc/simpcon-test.1"
[ -r "$page" ] || bail "no man page at $page"

# the long options, one per line, as --help and as the page (where '-' is written '\-') name
# them, less those of other programs both mention (configure, tap-driver.sh, busybox)
others='^--(with-busybox|ignore-exit|list-full)$'
"$SIMPCON" --help 2>&1 | grep -o -e '--[a-z][a-z-]*' | grep -Ev "$others" | sort -u >"$T_TMP/help"
sed 's/\\-/-/g' "$page" | grep -o -e '--[a-z][a-z-]*' | grep -Ev "$others" | sort -u >"$T_TMP/page"
[ "$(wc -l <"$T_TMP/help")" -ge 40 ]
ok $? "--help names $(wc -l <"$T_TMP/help") long options"
missing=$(comm -23 "$T_TMP/help" "$T_TMP/page" | tr '\n' ' ')
[ -z "$missing" ]; ok $? "the man page documents every option of --help${missing:+ (missing: $missing)}"
stale=$(comm -13 "$T_TMP/help" "$T_TMP/page" | tr '\n' ' ')
[ -z "$stale" ]; ok $? "every option the man page names exists${stale:+ (not in --help: $stale)}"

if command -v groff >/dev/null; then
	LC_ALL=C groff -man -ww -z -Tutf8 "$page" >"$T_TMP/groff" 2>&1
	rc=$?
	[ $rc = 0 ] && [ ! -s "$T_TMP/groff" ]
	ok $? "groff reads the page without a warning$( [ -s "$T_TMP/groff" ] && printf ': %s' "$(head -n 3 "$T_TMP/groff" | tr '\n' ' ')")"
elif [ "${SIMPCON_MUST_WORK:-0}" = 1 ]; then
	ok 1 "groff reads the page without a warning (no groff: apt-get install groff-base)"
else
	skip "groff reads the page without a warning" "no groff (groff-base)"
fi
