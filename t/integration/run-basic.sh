#!/bin/sh
# simpcon-test run: the TAP stream of real containers, checked by content and by both drivers.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
plan 39

# The issue's own example: PID 1 and the container's hostname in the YAML, every point ok.
capture hello run -- sh -c 'echo $$; hostname'
[ "$(cat "$T_TMP/hello.rc")" = 0 ]; ok $? "run exits 0 when every point is ok"
grep -qx '1\.\.8' "$T_TMP/hello"; ok $? "plan counts 7 isolation points and the exit status"
[ "$(grep -c '^ok [1-8] - ' "$T_TMP/hello")" = 8 ]; ok $? "all 8 points ok"
[ "$(grep -A2 -x '  stdout: |' "$T_TMP/hello" | tr -d ' ' | tr '\n' ,)" = "stdout:|,1,simpcon," ]
ok $? "stdout block shows PID 1 then the hostname"
[ "$(prove_result "$T_TMP/hello")" = PASS ]; ok $? "prove accepts the stream as passing"
[ "$(driver_result "$T_TMP/hello")" = PASS ]; ok $? "tap-driver.sh reads PASS"

# A failing command is a failed point, exit 1, FAIL under both drivers (ERROR is for the harness).
capture false run -- false
[ "$(cat "$T_TMP/false.rc")" = 1 ]; ok $? "false: exit status 1"
grep -qx 'not ok 8 - exit status 0' "$T_TMP/false"; ok $? "false: the exit status point is not ok"
grep -qx '  got: exit status 1' "$T_TMP/false"; ok $? "false: YAML says what was got"
[ "$(prove_result "$T_TMP/false")" = FAIL ]; ok $? "false: prove reports a failure"
[ "$(driver_result "$T_TMP/false" --ignore-exit)" = FAIL ]; ok $? "false: tap-driver.sh --ignore-exit reads FAIL, not ERROR"

capture exit3 run --expect-exit 3 -- sh -c 'exit 3'
[ "$(cat "$T_TMP/exit3.rc")" = 0 ]; ok $? "--expect-exit 3 passes on exit 3"

# Output expectations: exact (final newline ignored) and regex forms, each a point.
sc run --expect-stdout hello --expect-stderr-match 'w[aeiou]rld' -- sh -c 'echo hello; echo world >&2'
[ "$T_RC" = 0 ] && has_line "$T_OUT" 'ok 9 - stdout' && has_line "$T_OUT" 'ok 10 - stderr matches'
ok $? "stdout and stderr expectations pass"
sc run --expect-stdout hello -- echo goodbye
[ "$T_RC" = 1 ] && has_line "$T_OUT" 'not ok 9 - stdout' && has_line "$T_OUT" '  expected: hello' &&
	has_line "$T_OUT" '    goodbye'
ok $? "a stdout mismatch fails with expected and got"

# A timeout kills the whole container and says so.
capture slow run --timeout 0.3 -- sh -c 'sleep 30 & sleep 30'
[ "$(cat "$T_TMP/slow.rc")" = 1 ] && grep -q 'timed out' "$T_TMP/slow"; ok $? "timeout: exit 1 and the point says it timed out"
[ "$(prove_result "$T_TMP/slow")" = FAIL ]; ok $? "timeout: the stream stays valid TAP for prove"

# A real fault ends PID 1 (kill from inside would not: PID 1 ignores unhandled signals).
sc run --ro-bind "$top_builddir/t/helpers/crash" /crash -- /crash
[ "$T_RC" = 1 ] && has_line "$T_OUT" '  signal: 11' && has "$T_OUT" SIGSEGV; ok $? "a crash is reported as signal 11"
sc run -- sh -c 'kill -KILL $$; echo survived'
has_line "$T_OUT" '    survived'; ok $? "PID 1 survives its own SIGKILL (a kernel rule, reported as it is)"

# Command not found in the fixture: 127 in the point, not a harness error.
sc run -- no-such-command
[ "$T_RC" = 1 ] && has "$T_OUT" 'not found in the fixture' && has_line "$T_OUT" '  exit_status: 127'
ok $? "missing command: 127 reported in the point"

# stdin is /dev/null; the harness's fd 3 (tap-driver's log) does not reach the container.
sc run --timeout 10 -- cat
[ "$T_RC" = 0 ] && has_line "$T_OUT" "  stdout: ''"; ok $? "stdin is /dev/null: cat ends at once with no output"
out=$("$SIMPCON" run -- sh -c 'ls /proc/$$/fd; test -e /proc/$$/fd/3 && echo LEAKED' 3>"$T_TMP/fd3" </dev/null 2>&1)
! has "$out" LEAKED && has_line "$out" '    0'; ok $? "no inherited fd beyond 0-2 reaches the command"
printf 'one\ntwo\n' | "$SIMPCON" run -q --stdin - --expect-stdout 2 -- wc -l >"$T_TMP/out" 2>&1
[ $? = 0 ]; ok $? "--stdin -: the command reads the harness's stdin"
printf 'from a file\n' >"$T_TMP/stdin.txt"
(cd "$T_TMP" && "$SIMPCON" run -q --stdin stdin.txt --expect-stdout 'from a file' -- cat >"$T_TMP/out" 2>&1 </dev/null)
[ $? = 0 ]; ok $? "--stdin FILE: the command reads FILE (a path relative to the caller's directory)"
mkfifo "$T_TMP/fifo"
(sleep 0.3; echo through a fifo >"$T_TMP/fifo") &
sc run -q --stdin "$T_TMP/fifo" --expect-stdout 'through a fifo' -- cat
wait
[ "$T_RC" = 0 ]; ok $? "--stdin FIFO: the command reads what a writer that comes later writes"
start=$(date +%s%N)
sc run -q --timeout 1 --stdin "$T_TMP/fifo" -- cat
took=$((($(date +%s%N) - start) / 1000000))
[ "$T_RC" = 3 ] && has "$T_ERR" 'timed out after 1.000 s in the container.s setup' && has "$T_ERR" 'fifo' && [ $took -lt 5000 ]
ok $? "--stdin FIFO that never gets a writer: the run's timeout ends the wait, named ($took ms)"

# Options that shape the container.
sc run --hostname box1 --env GREETING=hi --chdir /tmp -- sh -c 'hostname; echo "$GREETING $LC_ALL"; pwd'
has_line "$T_OUT" '    box1' && has_line "$T_OUT" '    hi C' && has_line "$T_OUT" '    /tmp'
ok $? "--hostname, --env and --chdir apply inside"
mkdir -p "$T_TMP/shared" "$T_TMP/ro"
echo host-file >"$T_TMP/ro/f"
sc run --bind "$T_TMP/shared:/shared" -- sh -c 'echo made >/shared/new'
[ "$(cat "$T_TMP/shared/new" 2>/dev/null)" = made ]; ok $? "--bind: a file written inside lands on the host"
[ "$(stat -c %u "$T_TMP/shared/new" 2>/dev/null)" = "$(id -u)" ]; ok $? "--bind: the file is owned by the invoking user"
sc run --ro-bind "$T_TMP/ro" /ro -- sh -c 'cat /ro/f; echo x >/ro/g && echo WROTE'
has_line "$T_OUT" '    host-file' && ! has "$T_OUT" WROTE && [ ! -e "$T_TMP/ro/g" ]; ok $? "--ro-bind: readable, not writable"
sc run --tmpfs /scratch -- sh -c 'echo x >/scratch/y && grep -c " /scratch " /proc/self/mountinfo'
[ "$T_RC" = 0 ] && has_line "$T_OUT" '    1'; ok $? "--tmpfs: a writable tmpfs at the destination"
sc run --net host -- true
has_line "$T_OUT" 'ok 4 - isolation: net # SKIP the host network is shared (--net host)'
ok $? "--net host: the net point is a SKIP with the reason"

# Output is captured binary-safe and capped, with the full length recorded.
sc run --output-limit 16 -- sh -c 'printf "a\001b\n"; head -c 1000 /dev/zero'
has_line "$T_OUT" '  stdout_bytes: 1004' && has "$T_OUT" 'a\\x01b'; ok $? "output capped at --output-limit, full length recorded"

# The fixture is never modified: writes land in a discarded layer.
sc run -- sh -c 'echo scribble >/bin/scribble; rm /bin/ls'
sc run -- sh -c 'test -e /bin/scribble && echo KEPT; test -e /bin/ls && echo FRESH'
! has "$T_OUT" KEPT && has_line "$T_OUT" '    FRESH'; ok $? "writes to the root are discarded after the run"

# Removing or renaming a fixture directory marks it in the upper layer with an overlay xattr,
# which a user namespace may only write as user.overlay.* (userxattr; tmpfs holds those since
# Linux 6.6): without it, rm -rf and mv of a directory failed with EIO
sc run -- sh -c 'rm -rf /etc && mkdir /etc && echo new >/etc/x && cat /etc/x && mv /usr /usr2 && ls /usr2 >/dev/null && ! ls /usr 2>/dev/null && echo MOVED'
has_line "$T_OUT" '    new' && has_line "$T_OUT" '    MOVED' && [ "$T_RC" = 0 ]; ok $? "rm -rf, mkdir and mv of the fixture's directories work inside"
sc run --keep -- sh -c 'rm -rf /etc && mv /usr /usr2 && echo MOVED'
has_line "$T_OUT" '    MOVED'; ok $? "... and with --keep (the layers on the run directory's disk)"
kept=$(sed -n "s/^simpcon-test: kept run directory '\(.*\)'$/\1/p" "$T_TMP/err")
[ -n "$kept" ] && rm -rf "$kept"

# --keep keeps the run directory with the container's writes, and says where.
sc run --keep -- sh -c 'echo kept >/kept'
kept=$(printf '%s\n' "$T_ERR" | sed -n "s/^simpcon-test: kept run directory '\(.*\)'$/\1/p")
[ -n "$kept" ] && [ "$(cat "$kept/upper/kept" 2>/dev/null)" = kept ]; ok $? "--keep: the run directory holds the container's writes"
[ -n "$kept" ] && rm -rf "$kept"

# Ids inside: root maps a subordinate range; a user maps itself, and its subordinate ids when
# another uid is asked for (newuidmap, /etc/subuid) or, without them, gets the fix.
me=$(id -un)
if [ "$(id -u)" = 0 ] || { grep -q "^$me:" /etc/subuid 2>/dev/null && command -v newuidmap >/dev/null; }; then
	mkdir -p "$T_TMP/ids"
	chmod 777 "$T_TMP/ids"
	sc run --uid 1000 --gid 1000 --bind "$T_TMP/ids:/ids" -- sh -c 'id; touch /ids/made-by-1000'
	# run by root, a bind maps only container root (bind-idmap.c): uid 1000 makes nothing there;
	# a user's own subordinate ids are the user's to use
	made=yes
	[ -e "$T_TMP/ids/made-by-1000" ] || made=no
	[ "$(id -u)" = 0 ] && want=no || want=yes
	has "$T_OUT" 'uid=1000 gid=1000' && [ $made = $want ]
	ok $? "--uid/--gid switch the command's ids"
else
	sc run --uid 1000 -- id
	[ "$T_RC" = 3 ] && has "$T_ERR" '/etc/subuid'; ok $? "rootless --uid 1000 without subordinate ids names the fix"
fi

# --host-libs: a dynamically linked host program runs; the host's directories stay read-only.
sc run --host-libs -- /usr/bin/env
[ "$T_RC" = 0 ] && has_line "$T_OUT" '    LC_ALL=C'; ok $? "--host-libs: the host's dynamically linked env runs inside"
sc run --host-libs -- sh -c 'readlink /bin/sh; touch /usr/simpcon-x && echo WROTE'
has_line "$T_OUT" '    /bin/busybox' && ! has "$T_OUT" WROTE && [ ! -e /usr/simpcon-x ]
ok $? "--host-libs: the fixture's /bin stays busybox; /usr is read-only"
