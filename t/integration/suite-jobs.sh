#!/bin/sh
# simpcon-test -j N FILE.t...: files run at once, each in its own container, the stream the same
# as one after the other. Files that meet on a shared bind (/sync, given on the command line)
# prove they ran at the same time: each waits there for the other.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
plan 17
fx="$top_srcdir/fixtures/transcripts"
sync="$T_TMP/sync"
mkdir -p "$sync" && chmod 777 "$sync"
# wait_for NAME: a transcript line that waits (at most 20 s) for /sync/NAME, then prints it
wait_for() { printf '  $ i=0; while [ ! -e /sync/%s ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done; ls /sync/%s\n  /sync/%s\n' "$1" "$1" "$1"; }
# grep_timed FILE REGEX: waits (at most 20 s) for a line of FILE
grep_timed() { i=0; while ! grep -q -e "$2" "$1" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done; grep -q -e "$2" "$1"; }

# -j1 and -j3 give the same stream, status and points: files that pass, fail, cannot be parsed,
# ask a refused option, or do not exist
printf 'Output before a command.\n  stray\n' >"$T_TMP/broken.t"
printf 'simpcon: --rootfs /\n  $ true\n' >"$T_TMP/refused.t"
set -- "$fx/basics.t" "$fx/failing.t" "$T_TMP/broken.t" "$T_TMP/refused.t" "$T_TMP/missing.t" "$fx/options.t"
capture one -q -j 1 "$@"
capture three -q -j 3 "$@"
[ "$(cat "$T_TMP/one.rc")" = 1 ] && [ "$(cat "$T_TMP/three.rc")" = 1 ] && cmp -s "$T_TMP/one" "$T_TMP/three"
ok $? "-j 3: the stream and status of -j 1 (files that pass, fail, cannot parse or run)"
cmp -s "$T_TMP/one" "$T_TMP/three" || diff "$T_TMP/one" "$T_TMP/three" | head -n 20 | sed 's/^/# /'
[ "$(driver_result "$T_TMP/three" --ignore-exit)" = FAIL ] && [ "$(prove_result "$T_TMP/three")" = FAIL ]
ok $? "-j 3: one valid stream, FAIL (not ERROR) under tap-driver.sh and prove"
awk '/^(not )?ok / { n++; if ($0 !~ "^(not )?ok " n " ") bad = 1 } END { exit bad || n != 53 }' "$T_TMP/three" &&
	grep -qx '1\.\.53' "$T_TMP/three"
ok $? "-j 3: 53 points numbered 1 to 53 in order, as the plan says"

# two files at once, each in its own container: neither sees the other's hostname, /tmp or
# processes, though both are running (each waits for the other before it looks)
for me in a b; do
	other=$([ $me = a ] && echo b || echo a)
	{
		echo "File $me, run beside file $other."
		echo "simpcon: --hostname file-$me"
		# up once its sleep runs (a forked child is "sh" until it has exec'd)
		printf '  $ echo %s >/tmp/%s-was-here; sleep 100%s & until ps -o comm | grep -q "^sleep$"; do :; done; echo up >/sync/%s-up\n' \
			$me $me "$([ $me = a ] && echo 1 || echo 2)" $me
		wait_for "$other-up"
		echo '  $ hostname; ls /tmp; ps -o comm | grep -c "^sleep$"'
		echo "  file-$me"
		echo "  $me-was-here"
		echo "  1"
		printf '  $ echo done >/sync/%s-done\n' $me
		wait_for "$other-done"
	} >"$T_TMP/$me.t"
done
capture pair -q -j 2 --bind "$sync:/sync" "$T_TMP/a.t" "$T_TMP/b.t"
[ "$(cat "$T_TMP/pair.rc")" = 0 ] && [ "$(grep -c '^ok' "$T_TMP/pair")" = 24 ]
ok $? "-j 2: two files run at once, each its own hostname, /tmp and processes"
[ "$(cat "$T_TMP/pair.rc")" = 0 ] || grep -A12 '^not ok' "$T_TMP/pair" | head -n 40 | sed 's/^/# /'
[ -z "$(ls -A "$TMPDIR")" ]; ok $? "-j 2: nothing left in TMPDIR"

# order: the first file finishes last (it waits for the second), and still comes first
rm -f "$sync"/*
{ echo "Slow."; wait_for fast-up; } >"$T_TMP/slow.t"
{ echo "Fast."; echo '  $ echo up >/sync/fast-up'; } >"$T_TMP/fast.t"
capture order -q -j 2 --bind "$sync:/sync" "$T_TMP/slow.t" "$T_TMP/fast.t"
[ "$(cat "$T_TMP/order.rc")" = 0 ] && grep -q '^ok 8 - .*/slow.t:2: ' "$T_TMP/order" &&
	grep -q '^ok 9 - .*/fast.t: isolation: pid$' "$T_TMP/order" && grep -q '^ok 16 - .*/fast.t:2: ' "$T_TMP/order"
ok $? "-j 2: a file that ends first waits for the one before it in the stream"

# the first file's points come out as soon as it is done: the second waits for the test to see
# them in the stream before it ends
rm -f "$sync"/*
{ echo "First."; echo '  $ echo first'; echo '  first'; } >"$T_TMP/first.t"
{ echo "Second."; wait_for go; } >"$T_TMP/second.t"
"$SIMPCON" -q -j 2 --bind "$sync:/sync" "$T_TMP/first.t" "$T_TMP/second.t" >"$T_TMP/stream" 2>&1 </dev/null &
pid=$!
grep_timed "$T_TMP/stream" '^ok 8 - .*first.t:2: echo first$' && echo go >"$sync/go"
seen=$?
wait $pid
rc=$?
[ $seen = 0 ] && [ $rc = 0 ]; ok $? "-j 2: a file's points are written when it is done, not at the end of the suite"

# SIGTERM with two files running: both containers die, nothing is left, Bail out! says why
rm -f "$sync"/*
for me in c d; do printf '  $ echo up >/sync/%s-up; sleep 1003\n' $me >"$T_TMP/$me.t"; done
"$SIMPCON" -q -j 2 --bind "$sync:/sync" "$T_TMP/c.t" "$T_TMP/d.t" >"$T_TMP/term" 2>&1 </dev/null &
pid=$!
grep_timed "$sync/c-up" up && grep_timed "$sync/d-up" up
up=$?
kill -TERM $pid
wait $pid
rc=$?
[ $up = 0 ] && [ $rc = 3 ] && grep -q '^Bail out! interrupted' "$T_TMP/term"
ok $? "-j 2, SIGTERM with two files running: exit 3, Bail out! interrupted"
[ $rc = 3 ] || sed 's/^/# /' "$T_TMP/term"
n=0
while [ $n -lt 100 ] && pgrep -f 'sleep 1003' >/dev/null; do sleep 0.05; n=$((n + 1)); done
! pgrep -f 'sleep 1003' >/dev/null && [ -z "$(ls -A "$TMPDIR")" ] && ! grep -q "$TMPDIR" /proc/self/mountinfo
ok $? "-j 2, SIGTERM: no process, mount or run directory left"

# the suite's options compose with -j
"$SIMPCON" suite --list -j 2 "$fx/basics.t" "$fx/failing.t" >"$T_TMP/list" 2>&1
"$SIMPCON" suite --list "$fx/basics.t" "$fx/failing.t" >"$T_TMP/list1" 2>&1
cmp -s "$T_TMP/list" "$T_TMP/list1"; ok $? "--list -j 2 lists what --list does"
capture shard -q -j 2 --shard 2/2 "$fx/basics.t" "$fx/failing.t" "$fx/options.t"
capture shard1 -q --shard 2/2 "$fx/basics.t" "$fx/failing.t" "$fx/options.t"
cmp -s "$T_TMP/shard" "$T_TMP/shard1" && [ "$(cat "$T_TMP/shard.rc")" = 1 ]; ok $? "--shard 2/2 -j 2: the shard's stream"
capture filter -q -j 2 --filter 'echo (hello|actual)' "$fx/basics.t" "$fx/failing.t"
grep -qx '1\.\.16' "$T_TMP/filter" && grep -q '^ok 8 - .*basics.t:4: echo hello$' "$T_TMP/filter" &&
	grep -q '^not ok 16 - .*failing.t:5: echo actual$' "$T_TMP/filter"
ok $? "--filter -j 2: only the matching commands, in order"
cp "$fx/failing.t" "$T_TMP/u1.t" && cp "$fx/failing.t" "$T_TMP/u2.t"
"$SIMPCON" -q -j 2 --update "$T_TMP/u1.t" "$T_TMP/u2.t" >/dev/null 2>&1
grep -qx '  actual' "$T_TMP/u1.t" && grep -qx '  actual' "$T_TMP/u2.t" && ! grep -qx '  expected' "$T_TMP/u2.t"
ok $? "--update -j 2 rewrites every file"
if command -v xmllint >/dev/null 2>&1; then
	"$SIMPCON" -j 2 --junit "$T_TMP/j2.xml" "$fx/basics.t" "$fx/failing.t" >/dev/null 2>&1
	"$SIMPCON" --junit "$T_TMP/j1.xml" "$fx/basics.t" "$fx/failing.t" >/dev/null 2>&1
	names() { grep -o '<testcase [^>]*name="[^"]*"' "$1" | sed 's/ time="[^"]*"//'; }
	xmllint --noout --schema "$top_srcdir/t/junit.xsd" "$T_TMP/j2.xml" 2>/dev/null &&
		[ "$(names "$T_TMP/j2.xml")" = "$(names "$T_TMP/j1.xml")" ] && [ "$(grep -c '<failure' "$T_TMP/j2.xml")" = 1 ]
	ok $? "--junit -j 2: the report of -j 1, valid"
else
	skip "--junit -j 2: the report of -j 1, valid" "xmllint not installed"
fi

# -j where it means nothing, or with no number, is a usage error; a file may not ask for it
sc run -j 2 -- true
[ "$T_RC" = 2 ] && has "$T_ERR" "--jobs, --file-root, --trust-files, --cram and --shell apply to transcript files"
ok $? "run -j 2: exit 2, transcript files named"
sc -j two "$fx/basics.t"
[ "$T_RC" = 2 ] && [ "$T_ERR" = "simpcon-test: --jobs 'two': expected how many files run at once, 1 to 256 (0: one per CPU)" ]
ok $? "-j two: exit 2, what -j takes"
printf 'simpcon: -j 4\n  $ true\n' >"$T_TMP/asks.t"
capture asks -q -j 0 "$T_TMP/asks.t"
[ "$(cat "$T_TMP/asks.rc")" = 1 ] && grep -q 'simpcon: --jobs is refused in a file' "$T_TMP/asks"
ok $? "-j 0 runs; a file's own 'simpcon: -j' is refused"
