#!/bin/sh
# Resource limits: a runaway command is contained and the point says which limit it hit.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
plan 8

# a fork bomb: contained by the pids limit, ended by the timeout, nothing left behind
sc run --pids 64 --timeout 2 -- sh -c 'bomb() { bomb | bomb & }; bomb; sleep 29.7'
[ "$T_RC" = 1 ] && has "$T_OUT" '  limits: pids 64 ('; ok $? "a fork bomb is contained and reported"
sleep 0.2
! pgrep -f 'sleep 29.7' >/dev/null; ok $? "no process of the fork bomb is left"
sc run -- true
[ "$T_RC" = 0 ]; ok $? "the machine stays usable: the next run passes"

sc run --pids 20 -- sh -c 'i=0; while [ $i -lt 40 ]; do sleep 5 & i=$((i + 1)); done'
if has "$T_OUT" 'limits: pids 20 (cgroup'; then
	has "$T_OUT" '  limit_hit: pids 20 (cgroup' && has "$T_OUT" 'hit a resource limit'
	ok $? "pids: the cgroup's count says the limit was hit"
else
	has "$T_OUT" 'limits: pids 20 (rlimit)' && has "$T_OUT" "can't fork"
	ok $? "pids: no cgroup for this user, RLIMIT_NPROC stops the forks"
fi

sc run --memory 32M -- sh -c 'x=$(head -c 200000000 /dev/zero | tr "\0" a); echo ${#x}'
[ "$T_RC" = 1 ] && has "$T_OUT" 'limits: memory 33554432 bytes ('; ok $? "memory: a command over the limit fails, the limit is reported"
if has "$T_OUT" '(cgroup'; then
	has "$T_OUT" '  limit_hit: memory'; ok $? "memory: the cgroup says the limit was hit"
else
	skip "memory: the cgroup says the limit was hit" "no memory cgroup for this user: RLIMIT_AS, which cannot be observed from outside"
fi

sc run --cpu-time 1 --timeout 20 -- sh -c 'while :; do :; done'
[ "$T_RC" = 1 ] && has_line "$T_OUT" '  signal: 9' && has "$T_OUT" 'limit_hit: cpu 1 s (rlimit)'
ok $? "cpu-time: a busy loop is killed when its CPU time is used up, and says so"

sc run --memory 12 -- true
[ "$T_RC" = 2 ] && has "$T_ERR" "--memory '12'"; ok $? "a bad limit is a usage error naming it"
