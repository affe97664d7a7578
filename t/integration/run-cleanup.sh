#!/bin/sh
# Nothing is left behind: mounts, processes, run directories, on every exit path.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
plan 7

snapshot() { cut -d' ' -f5 /proc/self/mountinfo | sort; }
mounts_before=$(snapshot)

# a sleep of this test's own length: another suite running beside it (root's, a user's) has its
# own, so pgrep cannot mistake that suite's containers for this one's
nap="31.$$"
i=0 failed=0
while [ $i -lt 200 ]; do
	"$SIMPCON" run -q -- sh -c "sleep $nap & echo \$\$" >/dev/null 2>&1 || failed=$((failed + 1))
	i=$((i + 1))
done
[ $failed = 0 ]; ok $? "200 runs in a row all pass"
[ "$(snapshot)" = "$mounts_before" ]; ok $? "the host's mount table is as before"
[ -z "$(ls -A "$TMPDIR")" ]; ok $? "TMPDIR is as before (empty)"
! pgrep -f "sleep $nap" >/dev/null; ok $? "no process of the 200 containers is left"

# SIGTERM to the harness: the container dies, the run directory goes, Bail out! explains.
"$SIMPCON" run -- sh -c 'echo started; sleep 303.3' >"$T_TMP/term" 2>&1 &
pid=$!
n=0
while [ $n -lt 100 ] && [ -z "$(ls -A "$TMPDIR")" ]; do sleep 0.05; n=$((n + 1)); done
sleep 0.2
kill -TERM $pid
wait $pid
rc=$?
[ $rc = 3 ] && grep -q '^Bail out! interrupted' "$T_TMP/term"; ok $? "SIGTERM: Bail out! interrupted, exit 3"
! pgrep -x -f 'sleep 303.3' >/dev/null && [ -z "$(ls -A "$TMPDIR")" ]; ok $? "SIGTERM: no process and no run directory left"

# SIGKILL to the harness: the kernel kills the container (parent-death signal); the next run
# sweeps the stale run directory.
"$SIMPCON" run -- sleep 301.1 >/dev/null 2>&1 &
pid=$!
n=0
while [ $n -lt 100 ] && ! pgrep -x -f 'sleep 301.1' >/dev/null; do sleep 0.05; n=$((n + 1)); done
kill -KILL $pid
wait $pid 2>/dev/null
n=0
while [ $n -lt 100 ] && pgrep -x -f 'sleep 301.1' >/dev/null; do sleep 0.05; n=$((n + 1)); done
"$SIMPCON" run -q -- true >/dev/null 2>&1
! pgrep -x -f 'sleep 301.1' >/dev/null && [ -z "$(ls -A "$TMPDIR")" ]; ok $? "SIGKILL: the container dies with the harness; its directory is swept"
