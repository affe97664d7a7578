#!/bin/sh
# Soak: runs in a row and two at a time leave no mount, process, fd, temporary directory or
# cache file behind, and a long suite's memory stays flat. See t/soak/README.md.
#
#   variable     what                                          quick (make check)   full (make soak)
#   SOAK_N       runs in a row                                 300                  10000
#   SOAK_M       runs, two at a time                           200                  1000
#   SOAK_LONG    commands in the long transcript file          2000                 2000
#   SOAK_FILES   files of 10 commands in the long suite        200                  2000
#   SOAK_FD      files between the two fd samples of a suite   50                   500
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/soak/lib.sh"
N=${SOAK_N:-300}
M=${SOAK_M:-200}
LONG=${SOAK_LONG:-2000}
FILES=${SOAK_FILES:-200}
FD_FILES=${SOAK_FD:-50}
containers_or_skip
mkdir -p "$top_builddir/t"
setup_run_env
SIMPCON_CACHE="$T_TMP/cache"; export SIMPCON_CACHE
plan 17

# wait_for PATTERN: up to 10 s for a process whose command line is exactly PATTERN.
wait_for() {
	n=0
	until pgrep -x -f "$1" >/dev/null || [ $n -ge 500 ]; do sleep 0.02; n=$((n + 1)); done
	pgrep -x -f "$1" >/dev/null
}
# cache_clean DIR: one busybox entry, its lock, an index of links to it; nothing half-built.
cache_clean() {
	entry=$(ls "$1" | grep '^busybox-[0-9a-f]*$')
	[ "$(echo "$entry" | grep -c .)" = 1 ] || { diag "entries in $1: $entry"; return 1; }
	[ "$(ls -A "$1" | sort | tr '\n' ' ')" = "$entry $entry.lock index " ] || { diag "$1 holds: $(ls -A "$1" | tr '\n' ' ')"; return 1; }
	for l in "$1"/index/*; do
		[ -L "$l" ] && [ "$(readlink "$l")" = "../$entry" ] || { diag "index: $(ls -l "$1/index")"; return 1; }
	done
}
# own_fds PID: "FD TARGET" for each fd of PID above 2 that it did not inherit from this shell.
own_fds() {
	for f in /proc/"$1"/fd/*; do
		fd=${f##*/}
		[ "$fd" -gt 2 ] || continue
		t=$(readlink "$f") || continue
		[ "$(readlink "/proc/$$/fd/$fd" 2>/dev/null)" = "$t" ] && continue
		echo "$fd $t"
	done
}
# fds_ok LIST: only the run's pipes, its sync socket, its pidfd and signalfd, at most 6 (and, run
# by root, the lock of the run's slice of root's id range).
is_root=0; [ "$(id -u)" = 0 ] && is_root=1
fds_ok() {
	bad=$(printf '%s\n' "$1" | grep . | grep -v -e ' pipe:' -e ' socket:' -e ' anon_inode:\[pidfd\]' \
		-e ' anon_inode:\[signalfd\]' -e ' /run/simpcon/idrange/[0-9]*\.lock$')
	[ -z "$bad" ] && [ "$(printf '%s\n' "$1" | grep -c .)" -le $((6 + is_root)) ]
}
# gen_transcript N FILE: N commands that each print one line.
gen_transcript() {
	awk -v n="$1" 'BEGIN { print "Generated: " n " commands."
		for (i = 0; i < n; i++) printf "  $ echo line %d\n  line %d\n", i, i }' >"$2"
}
# maxrss OUT ARGS...: runs simpcon-test ARGS (stdout in OUT, status in OUT.rc) and prints the
# peak RSS in KiB of it and its children (GNU time).
maxrss() {
	out=$1; shift
	/usr/bin/time -f '%M' -o "$T_TMP/time" "$SIMPCON" "$@" >"$out" 2>"$out.err" </dev/null
	echo $? >"$out.rc"
	tail -n 1 "$T_TMP/time"
}

mounts_before=$(snapshot)
U="4$$.17" # the sleep every container leaves behind: a duration no other test uses
bb=$("$SIMPCON" fixture build 2>"$T_TMP/err")
[ -x "$bb/bin/busybox" ]; ok $? "the fixture is built in a private cache"

# 1. SOAK_N runs in a row, each leaving a background process for its PID namespace to kill
i=0 failed=0
start=$(now_ms)
while [ $i -lt "$N" ]; do
	if ! "$SIMPCON" run -q -- sh -c "sleep $U & exit 0" >"$T_TMP/last" 2>&1 </dev/null; then
		[ $failed = 0 ] && cp "$T_TMP/last" "$T_TMP/first-failure"
		failed=$((failed + 1))
	fi
	i=$((i + 1))
done
ms=$(($(now_ms) - start))
diag "$N runs in a row: $ms ms, $((ms * 1000 / N)) us per run (with the shell's fork and exec)"
[ $failed = 0 ] || diag "$failed failed; the first: $(tail -n 12 "$T_TMP/first-failure")"
[ $failed = 0 ]; ok $? "$N runs in a row all pass"

# 2. SOAK_M runs two at a time, in a new cache: the first two race to build it
SIMPCON_CACHE="$T_TMP/cache2"; export SIMPCON_CACHE
loop() { # loop COUNT FILE: COUNT runs, the number that failed into FILE
	k=0 f=0
	while [ $k -lt "$1" ]; do
		"$SIMPCON" run -q -- sh -c "sleep $U & exit 0" >/dev/null 2>&1 </dev/null || f=$((f + 1))
		k=$((k + 1))
	done
	echo $f >"$2"
}
start=$(now_ms)
loop $((M / 2)) "$T_TMP/p1" &
loop $((M - M / 2)) "$T_TMP/p2" &
wait
ms=$(($(now_ms) - start))
diag "$M runs two at a time: $ms ms"
[ "$(cat "$T_TMP/p1")" = 0 ] && [ "$(cat "$T_TMP/p2")" = 0 ]; ok $? "$M runs two at a time all pass"
SIMPCON_CACHE="$T_TMP/cache"; export SIMPCON_CACHE

wait_gone "$U"; ok $? "no process of the $((N + M)) containers is left"
[ "$(snapshot)" = "$mounts_before" ]; ok $? "the host's mount table is as before"
[ -z "$(ls -A "$TMPDIR")" ]; ok $? "TMPDIR is as before (empty)"
cache_clean "$T_TMP/cache"; ok $? "the cache holds one entry, its lock and its index link, nothing else"
cache_clean "$T_TMP/cache2"; ok $? "the cache built by two racing runs holds the same, no .build- directory"

# 3. The harness's own fds while its command runs: 0-2, what it inherited, and the run's own
"$SIMPCON" run -q -- sleep "0.5$$" >"$T_TMP/fd-run" 2>&1 </dev/null &
pid=$!
wait_for "sleep 0.5$$"
fds=$(own_fds $pid)
wait $pid
rc=$?
diag "fds of a run: $(echo $fds)"
[ $rc = 0 ] && fds_ok "$fds"; ok $? "a run holds only its pipes, sync socket, pidfd, signalfd (and root's id lock): at most $((6 + is_root)) fds"

# ... and they do not grow from one file of a suite to the next
mkdir "$T_TMP/fd"
printf '  $ sleep 1.4%s1\n' $$ >"$T_TMP/fd/a-first.t"
i=0
while [ $i -lt "$FD_FILES" ]; do printf '  $ true\n  $ echo %s\n  %s\n' $i $i >"$T_TMP/fd/b-$i.t"; i=$((i + 1)); done
printf '  $ sleep 1.4%s2\n' $$ >"$T_TMP/fd/c-last.t"
"$SIMPCON" "$T_TMP"/fd/*.t >"$T_TMP/fd-suite" 2>&1 </dev/null &
pid=$!
# sampled until seen: the harness's fd table can read empty for a moment (a sample taken while
# it is between two reads of /proc)
sample() { n=0; s=; while [ -z "$s" ] && [ $n -lt 40 ]; do s=$(own_fds $pid); n=$((n + 1)); [ -n "$s" ] || sleep 0.02; done; echo "$s"; }
wait_for "sleep 1.4${$}1"
first=$(sample)
wait_for "sleep 1.4${$}2"
last=$(sample)
wait $pid
rc=$?
diag "fds in the first file: $(echo $first); in file $((FD_FILES + 2)): $(echo $last)"
# a leak per file would add one per file; a sample may catch one transient fd (a file being read)
[ $rc = 0 ] && [ -n "$first" ] && [ -n "$last" ] && fds_ok "$last" &&
	[ "$(echo "$last" | grep -c .)" -le $(($(echo "$first" | grep -c .) + 1)) ]
ok $? "a suite of $((FD_FILES + 2)) files holds as many fds in its last file as in its first"

# 4. A long transcript file runs, and its memory stays flat: LONG commands against LONG/10
gen_transcript "$LONG" "$T_TMP/long.t"
gen_transcript $((LONG / 10)) "$T_TMP/short.t"
has_time=false
[ -x /usr/bin/time ] && /usr/bin/time -f %M -o /dev/null true 2>/dev/null && has_time=true
if $has_time; then
	rss_short=$(maxrss "$T_TMP/short.out" -q "$T_TMP/short.t")
	rss_long=$(maxrss "$T_TMP/long.out" -q "$T_TMP/long.t")
else
	"$SIMPCON" -q "$T_TMP/short.t" >"$T_TMP/short.out" 2>"$T_TMP/short.out.err" </dev/null; echo $? >"$T_TMP/short.out.rc"
	"$SIMPCON" -q "$T_TMP/long.t" >"$T_TMP/long.out" 2>"$T_TMP/long.out.err" </dev/null; echo $? >"$T_TMP/long.out.rc"
fi
[ "$(cat "$T_TMP/short.out.rc")" = 0 ]; ok $? "a transcript of $((LONG / 10)) commands passes"
passed=$(grep -c '^ok ' "$T_TMP/long.out")
long_ok=false
[ "$(cat "$T_TMP/long.out.rc")" = 0 ] && [ "$passed" = $((LONG + 7)) ] && long_ok=true
$long_ok || diag "$passed of $((LONG + 7)) points passed ($(wc -c <"$T_TMP/long.t") bytes); the first failure:" \
	"$(grep -A 3 -m 1 '^not ok' "$T_TMP/long.out")"
$long_ok; ok $? "a transcript of $LONG commands passes"
# a sanitizer build's RSS is its allocator's quarantine and shadow memory, not simpcon-test's
sanitized=false
ldd "$SIMPCON" 2>/dev/null | grep -q libasan && sanitized=true
if ! $has_time; then
	skip "peak memory of the long transcript" "no GNU time at /usr/bin/time (apt-get install time)"
elif $sanitized; then
	skip "peak memory of the long transcript" "a sanitizer build: its allocator sets the RSS"
elif ! $long_ok; then
	skip "peak memory of the long transcript" "the long transcript did not run (point above)"
else
	diag "peak RSS: $rss_short KiB for $((LONG / 10)) commands, $rss_long KiB for $LONG"
	[ "$rss_long" -le $((rss_short * 3)) ]; ok $? "peak memory for $LONG commands is at most 3 times that for $((LONG / 10))"
fi

# 5. A long suite: FILES files of 10 commands, one container each. Every file is parsed before
# the first runs (the plan comes first), so running them may cost no more than parsing them.
mkdir "$T_TMP/suite"
i=0
while [ $i -lt "$FILES" ]; do gen_transcript 10 "$T_TMP/suite/f$i.t"; i=$((i + 1)); done
start=$(now_ms)
if $has_time; then
	rss_run=$(maxrss "$T_TMP/suite.out" -q "$T_TMP"/suite/*.t)
	rss_list=$(maxrss "$T_TMP/list.out" --list "$T_TMP"/suite/*.t)
else
	"$SIMPCON" -q "$T_TMP"/suite/*.t >"$T_TMP/suite.out" 2>&1 </dev/null; echo $? >"$T_TMP/suite.out.rc"
fi
diag "a suite of $FILES files, $((FILES * 10)) commands: $(($(now_ms) - start)) ms"
[ "$(cat "$T_TMP/suite.out.rc")" = 0 ] && [ "$(grep -c '^ok ' "$T_TMP/suite.out")" = $((FILES * 17)) ]
ok $? "a suite of $FILES files, $((FILES * 10)) commands, passes"
if $has_time && $sanitized; then
	skip "peak memory of the long suite" "a sanitizer build: its allocator sets the RSS"
elif $has_time; then
	diag "peak RSS: $rss_run KiB running the suite, $rss_list KiB listing it (parsing every file)"
	[ "$rss_run" -le $((rss_list + 2048)) ]; ok $? "running $FILES files takes at most 2 MiB more than parsing them"
else
	skip "peak memory of the long suite" "no GNU time at /usr/bin/time (apt-get install time)"
fi

wait_gone "$U"; ok $? "no process is left at the end"
[ "$(snapshot)" = "$mounts_before" ] && [ -z "$(ls -A "$TMPDIR")" ]; ok $? "at the end too: the mount table as before, TMPDIR empty"
