#!/bin/sh
# Large transcripts: a command of 100,002 lines and an output of 100,000 run as written; a file
# beyond a limit is one failed point whose message names it, the limit and the way out, and
# the other files of the suite still run.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
plan 7

big="$T_TMP/big.t"
{
	echo "A long command, a long output."
	echo '  $ echo \'
	seq 100000 | sed 's/.*/  > x \\/'
	echo '  > done'
	printf '  '; seq 100000 | sed 's/.*/x/' | tr '\n' ' '; echo done
	echo '  $ seq 100000'
	seq 100000 | sed 's/^/  /'
	echo '  $ echo end'
	echo '  end'
} >"$big"

"$SIMPCON" --list "$big" >"$T_TMP/list" 2>&1
[ "$(wc -l <"$T_TMP/list")" = 10 ] && grep -qx "$big:2: echo \\\\" "$T_TMP/list" &&
	grep -qx "$big:100005: seq 100000" "$T_TMP/list" && grep -qx "$big:200006: echo end" "$T_TMP/list"
ok $? "--list: the 10 points of a 200,007-line file, each at its line"

capture big -q "$big"
[ "$(cat "$T_TMP/big.rc")" = 0 ] && grep -qx '1\.\.10' "$T_TMP/big" && [ "$(grep -c '^ok' "$T_TMP/big")" = 10 ]
ok $? "the 100,002-line command and the 100,000-line output match: 10 points, all ok"
[ -z "$(ls -A "$TMPDIR")" ]; ok $? "nothing is left in TMPDIR"

# 64 MiB and a byte, sparse: refused before a byte of it is read
truncate -s $((64 * 1024 * 1024 + 1)) "$T_TMP/huge.t"
seq 1000001 | sed 's/.*/a comment/' >"$T_TMP/lines.t"
printf '  $ echo small\n  small\n' >"$T_TMP/small.t"
capture limits -q "$T_TMP/huge.t" "$T_TMP/lines.t" "$T_TMP/small.t"
[ "$(cat "$T_TMP/limits.rc")" = 1 ] && grep -qx '1\.\.10' "$T_TMP/limits" &&
	grep -qx "not ok 1 - $T_TMP/huge.t: could not run" "$T_TMP/limits" &&
	grep -qxF "  message: \"$T_TMP/huge.t: more than 64 MiB, the most a transcript may hold (split it into several files)\"" "$T_TMP/limits" &&
	grep -qx "not ok 2 - $T_TMP/lines.t: could not run" "$T_TMP/limits" &&
	grep -qxF "  message: \"$T_TMP/lines.t:1000001: more than 1000000 lines, the most a transcript may hold (split it into several files)\"" "$T_TMP/limits"
ok $? "a file over 64 MiB and one over 1,000,000 lines: one failed point each, the limit and the fix named"
[ "$(grep -c '^ok' "$T_TMP/limits")" = 8 ] && grep -q '^ok 10 - .*small.t:1: echo small$' "$T_TMP/limits" &&
	[ -z "$(ls -A "$TMPDIR")" ]
ok $? "the suite's other file still runs, and nothing is left in TMPDIR"
[ "$(driver_result "$T_TMP/limits" --ignore-exit)" = FAIL ]; ok $? "tap-driver.sh reads FAIL, not ERROR"

"$SIMPCON" --list "$T_TMP/huge.t" >"$T_TMP/huge.list" 2>&1
[ "$(cat "$T_TMP/huge.list")" = "$T_TMP/huge.t: could not run ($T_TMP/huge.t: more than 64 MiB, the most a transcript may hold (split it into several files))" ]
ok $? "--list: the refusal in one line"
