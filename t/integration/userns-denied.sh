#!/bin/sh
# Where no user namespace can be made, one line names the cause and the fix, never a raw errno
# from a deep step: under a seccomp filter like Docker's default profile (t/helpers/deny-userns),
# and with the sysctls that refuse them (read from a /proc/sys stand-in, SIMPCON_PROC_SYS). A
# transcript under make check is then skipped with that cause, unless SIMPCON_MUST_WORK=1.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
plan 8
deny="$top_builddir/t/helpers/deny-userns"
[ -x "$deny" ] || bail "t/helpers/deny-userns not built"
seccomp_cause="a seccomp filter on this process refuses new user namespaces, as Docker's default profile does for a container without CAP_SYS_ADMIN: run the job's container with --security-opt seccomp=unconfined (or a profile that allows clone and unshare with CLONE_NEWUSER), or privileged"

# denied NAME ARGS...: simpcon-test ARGS under the filter
denied() {
	name=$1; shift
	"$deny" "$SIMPCON" "$@" >"$T_TMP/$name" 2>"$T_TMP/$name.err" </dev/null
	echo $? >"$T_TMP/$name.rc"
}

denied run run -- true
[ "$(cat "$T_TMP/run.rc")" = 3 ] &&
	grep -qxF "simpcon-test: create a user namespace ($seccomp_cause): operation not permitted" "$T_TMP/run.err"
ok $? "run under a filter like Docker's: exit 3 and the cause with its fix"
[ "$(grep -c . "$T_TMP/run.err")" = 1 ] || diag "$(cat "$T_TMP/run.err")"

denied check check
grep -qF "Bail out! no container can be made here, so nothing can be checked: create a user namespace ($seccomp_cause)" "$T_TMP/check"
ok $? "check under it: Bail out! with the cause, not a not ok per point"
! grep -q '^not ok' "$T_TMP/check"; ok $? "check under it: no point claimed failed"

printf '  $ echo hi\n  hi\n' >"$T_TMP/one.t"
SIMPCON_MUST_WORK= denied skip "$T_TMP/one.t"
[ "$(cat "$T_TMP/skip.rc")" = 0 ] &&
	grep -qxF "1..0 # SKIP no user namespace can be made here ($seccomp_cause): operation not permitted" "$T_TMP/skip"
ok $? "a transcript under it: a plan of 0 skipped with the cause, exit 0"
[ "$(driver_result "$T_TMP/skip")" = SKIP ]; ok $? "tap-driver.sh reads SKIP"

SIMPCON_MUST_WORK=1 denied must "$T_TMP/one.t"
[ "$(cat "$T_TMP/must.rc")" != 0 ] && grep -q '^Bail out! no user namespace can be made here .*SIMPCON_MUST_WORK=1' "$T_TMP/must"
ok $? "with SIMPCON_MUST_WORK=1 the skip is a failure"

# the sysctls, ahead of the filter: the refusal is theirs when they refuse
mkdir -p "$T_TMP/sys/user" "$T_TMP/sys/kernel" || bail "mkdir"
echo 0 >"$T_TMP/sys/user/max_user_namespaces"
SIMPCON_PROC_SYS="$T_TMP/sys" denied max run -- true
grep -qF "create a user namespace (user.max_user_namespaces is 0 here: allow some (sysctl -w user.max_user_namespaces=15000))" "$T_TMP/max.err"
ok $? "user.max_user_namespaces 0: named, with the sysctl that fixes it"
echo 15000 >"$T_TMP/sys/user/max_user_namespaces"
echo 0 >"$T_TMP/sys/kernel/unprivileged_userns_clone"
SIMPCON_PROC_SYS="$T_TMP/sys" denied clone run -- true
if [ "$(id -u)" = 0 ]; then
	grep -qF "$seccomp_cause" "$T_TMP/clone.err"
	ok $? "kernel.unprivileged_userns_clone 0 does not concern root: the filter is named"
else
	grep -qF "kernel.unprivileged_userns_clone is 0 here: allow them (sysctl -w kernel.unprivileged_userns_clone=1), or run as root" "$T_TMP/clone.err"
	ok $? "kernel.unprivileged_userns_clone 0: named for a user, with the fix"
fi
