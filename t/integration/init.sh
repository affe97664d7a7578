#!/bin/sh
# --init: a small init is PID 1, the command PID 2; signals sent to PID 1 reach the command,
# orphans are reaped, and PID 1 is no file of the host's. Each behaviour is checked against a
# run without --init, where it does not hold.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
plan 12
yaml() { printf '%s\n' "$T_OUT" | sed -n "s/^  $1: //p" | head -n 1; }

sc run --init --expect-stdout 2 -- sh -c 'echo $$'
[ "$T_RC" = 0 ]; ok $? "--init: the command is PID 2"
[ "$(printf '%s\n' "$T_OUT" | grep -c '^ok [1-7] - isolation: ')" = 7 ]
ok $? "--init: the seven isolation points pass"

sc run --init -- sh -c 'readlink /proc/1/exe; tr "\0" " " </proc/1/cmdline; echo'
has_line "$T_OUT" '    /memfd:simpcon-init (deleted)' && has_line "$T_OUT" '    simpcon-init sh -c .*'
ok $? "--init: PID 1 runs from an in-memory copy of simpcon-init, not from a host file"

# the kernel drops a signal PID 1 has no handler for; the init hands it to the command
sc run --init -- sh -c 'kill -TERM 1; sleep 2; echo survived'
[ "$T_RC" = 1 ] && [ "$(yaml exit_status)" = 143 ] && ! has "$T_OUT" survived
ok $? "--init: SIGTERM to PID 1 ends the command, exit status 128 + 15"
sc run -- sh -c 'kill -TERM 1; sleep 0.2; echo survived'
[ "$T_RC" = 0 ] && has "$T_OUT" survived
ok $? "without --init: SIGTERM to PID 1 (the command) is dropped by the kernel"
sc run --init --expect-exit 7 --expect-stdout 'got USR1' -- sh -c 'trap "echo got USR1; exit 7" USR1; kill -USR1 1; sleep 2 & wait'
[ "$T_RC" = 0 ]; ok $? "--init: a signal the command handles reaches its handler"

# an orphan whose parent never waits: PID 1 inherits it; only an init reaps it
zombies='(sleep 0.1 &); (sleep 0.5; grep -l "^State:.Z" /proc/[0-9]*/status | wc -l) & exec sleep 0.8'
sc run --init --expect-stdout 0 -- sh -c "$zombies"
[ "$T_RC" = 0 ]; ok $? "--init: an orphan that exits is reaped, no zombie"
sc run --expect-stdout 1 -- sh -c "$zombies"
[ "$T_RC" = 0 ]; ok $? "without --init: the same orphan stays a zombie of PID 1"

sc run --init -- /no/such/command
[ "$T_RC" = 1 ] && [ "$(yaml exit_status)" = 127 ] && has "$T_OUT" "simpcon-init: cannot execute '/no/such/command'"
ok $? "--init: a command that does not exist: exit status 127, named in stderr"

start=$(date +%s%N)
sc run --init --timeout 1 -- sh -c 'sleep 26.75 & sleep 26.75'
took=$((($(date +%s%N) - start) / 1000000))
[ "$T_RC" = 1 ] && [ "$(yaml timed_out)" = true ] && [ $took -lt 5000 ]
ok $? "--init with --timeout 1: killed and reported ($took ms)"
sleep 0.2
! pgrep -f 'sleep 26.75' >/dev/null; ok $? "... and no process of it is left"

SIMPCON_INIT=/no/such/simpcon-init sc run --init -- true
[ "$T_RC" = 3 ] && has "$T_OUT" '^Bail out!.*simpcon-init' && has "$T_ERR" 'SIMPCON_INIT'
ok $? "--init without simpcon-init: the harness fails naming it and the fix"
