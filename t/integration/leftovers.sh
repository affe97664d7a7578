#!/bin/sh
# What a harness killed with SIGKILL leaves (a --no-cache fixture and a suite's long script in
# TMPDIR, a build's lock file in the cache) is removed by the next run that makes one, or by
# fixture prune; what a live run holds never is, nor what is not ours.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
plan 13
SIMPCON_CACHE="$T_TMP/cache"; export SIMPCON_CACHE
U="7$$" # in every command this file runs: a duration no other test uses

wait_for() { # wait_for PATTERN: until a process runs PATTERN (5 s at most)
	n=0
	while [ $n -lt 100 ] && ! pgrep -f -- "$1" >/dev/null; do sleep 0.05; n=$((n + 1)); done
}
wait_gone() { # wait_gone PATTERN: until no process runs PATTERN (5 s at most)
	n=0
	while [ $n -lt 100 ] && pgrep -f -- "$1" >/dev/null; do sleep 0.05; n=$((n + 1)); done
	! pgrep -f -- "$1" >/dev/null
}
left() { ls -A "$TMPDIR" | grep -c "^simpcon-$1-" ; } # left fixture|script: how many of them
# started PATTERN ARGS...: simpcon-test ARGS in the background, once its command PATTERN runs.
started() {
	pattern=$1; shift
	"$SIMPCON" "$@" >/dev/null 2>&1 </dev/null &
	started_pid=$!
	wait_for "$pattern"
}

# A transcript whose script is too long for one argument (96 KiB): the harness writes it to a
# file in TMPDIR, which the container copies in.
long_transcript() { # long_transcript FILE SECONDS
	awk -v s="$2" 'BEGIN { printf "  $ : "; for (i = 0; i < 100000; i++) printf "x"; printf "\n  $ sleep %s\n", s }' >"$1"
}
long_transcript "$T_TMP/dead.t" "$U.1"
long_transcript "$T_TMP/live.t" "$U.2"

# two_dead: a --no-cache run and a suite, both started, then both SIGKILLed while their
# commands run (the one that starts second would sweep what the first left, were it dead)
two_dead() {
	started "sleep $U.3" run --no-cache -- sleep "$U.3"
	dead_run=$started_pid
	started "sleep $U.1" "$T_TMP/dead.t"
	kill -KILL $dead_run $started_pid
	wait $dead_run $started_pid 2>/dev/null
	wait_gone "sleep $U.3" && wait_gone "sleep $U.1"
}

# the living: the same, still running
started "sleep $U.4" run --no-cache -- sleep "$U.4"
live_run=$started_pid
started "sleep $U.2" "$T_TMP/live.t"
live_suite=$started_pid
ls -A "$TMPDIR" | sort >"$T_TMP/live"

two_dead
ls -A "$TMPDIR" | sort >"$T_TMP/with-dead"
[ "$(left fixture)" = 2 ] && [ "$(left script)" = 2 ]
ok $? "SIGKILL: the --no-cache fixture and the suite's script file are left in TMPDIR"

# the next run that makes something in TMPDIR sweeps the dead, and only them
sc run -q --no-cache -- true
[ "$T_RC" = 0 ]; ok $? "the next --no-cache run passes"
ls -A "$TMPDIR" | sort >"$T_TMP/after"
[ "$(left fixture)" = 1 ] && [ "$(left script)" = 1 ] && kill -0 $live_run && kill -0 $live_suite
ok $? "it removed the killed run's fixture and the killed suite's script"
[ "$(cat "$T_TMP/after")" = "$(cat "$T_TMP/live")" ] && [ "$(comm -23 "$T_TMP/with-dead" "$T_TMP/after" | wc -l)" = 2 ]
ok $? "... not the live run's and the live suite's, which are where they were"

# killed again, then fixture prune sweeps them
two_dead
[ "$(left fixture)" = 2 ] && [ "$(left script)" = 2 ] || diag "TMPDIR holds: $(ls -A "$TMPDIR" | tr '\n' ' ')"
"$SIMPCON" fixture prune >"$T_TMP/prune" 2>&1
[ "$(left fixture)" = 1 ] && [ "$(left script)" = 1 ] && grep -q "^removed 2 leftovers of killed runs from '$TMPDIR'" "$T_TMP/prune"
ok $? "fixture prune removes what killed runs left in TMPDIR, and says so"
[ "$(ls -A "$TMPDIR" | sort)" = "$(cat "$T_TMP/live")" ] && kill -0 $live_run && kill -0 $live_suite
ok $? "... and leaves the live run's and suite's files alone"

# the live ones clean up after themselves when they end
kill -TERM $live_run $live_suite
wait $live_run $live_suite 2>/dev/null
[ -z "$(ls -A "$TMPDIR")" ]; ok $? "the live run and suite, once ended, left nothing"

# not ours: a symlink to a directory of the caller's, a name not made by simpcon-test, a
# second name of a file; and, run by root, another user's directory
mkdir -p "$T_TMP/target" && : >"$T_TMP/target/canary"
ln -s "$T_TMP/target" "$TMPDIR/simpcon-fixture-Sym123"
mkdir "$TMPDIR/simpcon-fixture-mine" "$TMPDIR/simpcon-fixture-Dir1234"
: >"$T_TMP/file" && ln "$T_TMP/file" "$TMPDIR/simpcon-script-Lnk123"
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	mkdir "$TMPDIR/simpcon-fixture-Other1" && chown nobody "$TMPDIR/simpcon-fixture-Other1"
fi
"$SIMPCON" fixture prune >/dev/null 2>&1
[ -e "$T_TMP/target/canary" ] && [ -L "$TMPDIR/simpcon-fixture-Sym123" ] && [ -d "$TMPDIR/simpcon-fixture-mine" ] &&
	[ -d "$TMPDIR/simpcon-fixture-Dir1234" ] && [ -e "$TMPDIR/simpcon-script-Lnk123" ] &&
	{ [ "$(id -u)" != 0 ] || [ -d "$TMPDIR/simpcon-fixture-Other1" ]; }
ok $? "a symlink, a name of someone else's making, a second name of a file, another user's directory: all left alone"
rm -rf "$TMPDIR"/simpcon-*

# the cache: a build that fails takes its lock file with it
printf 'not an archive\n' >"$T_TMP/junk.tar"
sc run --archive "$T_TMP/junk.tar" -- true
[ "$T_RC" = 3 ] && [ -z "$(ls -A "$SIMPCON_CACHE")" ]; ok $? "a failed archive build leaves nothing in the cache, no lock file"

# a killed build's lock file and .build- directory go with prune; a live build's stay
umask 077
mkdir -p "$SIMPCON_CACHE/.build-archive-0123abcd-Xy12Ab/root" && : >"$SIMPCON_CACHE/archive-0123abcd.lock"
: >"$SIMPCON_CACHE/busybox-4567cdef.lock"
if command -v flock >/dev/null; then
	mkdir -p "$SIMPCON_CACHE/.build-archive-89abcdef-Zz98Yy/root"
	flock "$SIMPCON_CACHE/archive-89abcdef.lock" sleep "$U.6" &
	holder=$!
	wait_for "sleep $U.6"
fi
umask 022
"$SIMPCON" fixture prune >/dev/null 2>&1
! ls -A "$SIMPCON_CACHE" | grep -q -e 0123abcd -e 4567cdef; ok $? "fixture prune removes dead builds' lock files and .build- directories"
if [ -n "${holder:-}" ]; then
	[ -d "$SIMPCON_CACHE/.build-archive-89abcdef-Zz98Yy" ] && [ -e "$SIMPCON_CACHE/archive-89abcdef.lock" ]
	ok $? "... not those of a build whose lock is held"
	kill $(pgrep -P $holder) $holder
	wait $holder 2>/dev/null
	"$SIMPCON" fixture prune >/dev/null 2>&1
	[ -z "$(ls -A "$SIMPCON_CACHE")" ]; ok $? "... which go once it is released"
else
	skip "a held build lock stays" "no flock(1) (util-linux)"
	skip "a released build lock goes" "no flock(1) (util-linux)"
fi

# the entries themselves still go with their locks
sc run -q -- true
"$SIMPCON" fixture prune >/dev/null 2>&1
[ "$T_RC" = 0 ] && [ -z "$(ls -A "$SIMPCON_CACHE")" ]; ok $? "fixture prune still removes an entry, its lock and the index"
