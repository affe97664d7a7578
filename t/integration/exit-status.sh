#!/bin/sh
# --failure-status and --skip-status: the exit status other harnesses read (meson takes any
# status but 0 for an error of the harness; CTest takes SKIP_RETURN_CODE for a skipped test),
# while the TAP stream is the same and the harness's own failure stays 3.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
plan 10
T="$top_srcdir/fixtures/transcripts"

sc run --expect-stdout nope -- true
[ "$T_RC" = 1 ]; ok $? "run: a failed point exits 1 by default"
sc run --failure-status 0 --expect-stdout nope -- true
[ "$T_RC" = 0 ] && has "$T_OUT" '^not ok 9 - stdout'; ok $? "run --failure-status 0: exit 0, the point still not ok"
sc run --failure-status 9 --skip-status 77 -- true
[ "$T_RC" = 0 ]; ok $? "run: every point ok exits 0 whatever the two options say"
sc run --failure-status 0 --busybox /nonexistent -- true
[ "$T_RC" = 3 ] && has "$T_OUT" '^Bail out!'; ok $? "run --failure-status 0: a harness failure still exits 3"

sc suite --failure-status 0 "$T/failing.t" "$T/basics.t"
[ "$T_RC" = 0 ] && has "$T_OUT" '^not ok .*failing.t:5'; ok $? "suite --failure-status 0: a failing file exits 0, its point not ok"
sc suite --shard 2/2 "$T/basics.t"
[ "$T_RC" = 0 ] && has_line "$T_OUT" '1..0 # SKIP no file in shard 2/2'; ok $? "suite: a stream skipped whole exits 0 by default"
sc suite --skip-status 77 --shard 2/2 "$T/basics.t"
[ "$T_RC" = 77 ]; ok $? "suite --skip-status 77: a stream skipped whole exits 77"
sc suite --skip-status 77 "$T/basics.t"
[ "$T_RC" = 0 ]; ok $? "suite --skip-status 77: a file that ran exits 0"

printf 'simpcon: --failure-status 0\n  $ false\n' >"$T_TMP/widen.t"
sc suite "$T_TMP/widen.t"
[ "$T_RC" = 1 ] && has "$T_OUT" 'failure-status is refused in a file'; ok $? "a file's simpcon: line cannot set --failure-status"
sc shell --failure-status 0 -- true
[ "$T_RC" = 2 ] && has "$T_ERR" 'no meaning for shell'; ok $? "shell refuses the two options"
