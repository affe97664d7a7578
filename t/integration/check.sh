#!/bin/sh
# simpcon-test check: every isolation and hardening point ok or SKIP with a reason, accepted by
# both drivers; and the hardening points really fail on a --privileged container, so they are
# observations, not constants.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
plan 9

capture check check
[ "$(cat "$T_TMP/check.rc")" = 0 ]; ok $? "check exits 0 on this kernel"
! grep -q '^not ok' "$T_TMP/check"; ok $? "no point fails"
[ "$(grep -c '^ok [0-9]* - ' "$T_TMP/check")" = "$(sed -n 's/^1\.\.//p' "$T_TMP/check")" ]; ok $? "one ok line per planned point"
! grep '^ok .* # SKIP *$' "$T_TMP/check" >/dev/null; ok $? "every SKIP gives its reason"
[ "$(prove_result "$T_TMP/check")" = PASS ]; ok $? "prove accepts the stream"
[ "$(driver_result "$T_TMP/check")" = PASS ]; ok $? "tap-driver.sh reads PASS"

capture priv check --privileged
failed=$(grep '^not ok' "$T_TMP/priv" | sed 's/^not ok [0-9]* - //' | tr '\n' '|')
[ "$failed" = "hardening: /proc/sys and the machine-wide /proc knobs are read-only|hardening: /proc entries that show the host are masked|hardening: capabilities limited to the default set|hardening: nested user namespaces are denied|hardening: a seccomp filter is installed|hardening: io_uring, userfaultfd, keys, AF_PACKET, user namespaces denied by it|" ]
ok $? "--privileged: exactly the points it turns off fail"
[ "$(cat "$T_TMP/priv.rc")" = 1 ] && [ "$(driver_result "$T_TMP/priv" --ignore-exit)" = FAIL ]; ok $? "--privileged: exit 1 and FAIL, not ERROR"

# the layout systemd hosts have: every mount shared. Run by root, binds and the fixture are
# mounts the harness clones on the host's side, which would join their peer groups.
if [ "$(id -u)" = 0 ] && unshare -m --propagation shared true 2>/dev/null; then
	unshare -m --propagation shared sh -c 'mount --make-rshared / && exec "$@"' sh "$SIMPCON" check \
		>"$T_TMP/shared" 2>&1 </dev/null
	rc=$?
	[ $rc = 0 ] && ! grep -q '^not ok' "$T_TMP/shared"
	ok $? "check passes with / mounted shared, as systemd mounts it$(grep -m1 '^not ok' "$T_TMP/shared" | sed 's/^/: /')"
else
	skip "check passes with / mounted shared, as systemd mounts it" "needs root and unshare -m"
fi
