#!/bin/sh
# Bad input: one clear line on stderr, the documented exit status, nothing left behind.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
plan 16

one_line() { [ "$(printf '%s\n' "$1" | wc -l)" = 1 ]; }

sc run --frobnicate -- true
[ "$T_RC" = 2 ] && [ -z "$T_OUT" ] && one_line "$T_ERR" && has "$T_ERR" "unknown option '--frobnicate'"
ok $? "unknown option: exit 2, one line naming it, nothing on stdout"
sc run
[ "$T_RC" = 2 ] && has "$T_ERR" 'missing CMD'; ok $? "missing CMD: exit 2 and says how to give one"
sc frobnicate
[ "$T_RC" = 2 ] && has "$T_ERR" "unknown command 'frobnicate'"; ok $? "unknown command word: exit 2"
sc run --timeout soon -- true
[ "$T_RC" = 2 ] && has "$T_ERR" "--timeout 'soon'"; ok $? "bad --timeout: exit 2 naming the value"
sc run --expect-stdout-match '(' -- true
[ "$T_RC" = 2 ] && has "$T_ERR" "regex '('"; ok $? "bad regex: exit 2 naming the pattern"
sc run --expect-stdout-match 'a{2,1}' -- true
[ "$T_RC" = 2 ] && has "$T_ERR" "regex 'a{2,1}': numbers out of order"; ok $? "a bound out of order: exit 2 saying why"
sc run --hostname
[ "$T_RC" = 2 ] && has "$T_ERR" "'--hostname' needs a value"; ok $? "option without its value: exit 2"

sc run --bind "$T_TMP/nonexistent:/x" -- true
[ "$T_RC" = 3 ] && has "$T_OUT" '^Bail out! ' && has "$T_ERR" "$T_TMP/nonexistent" && one_line "$T_ERR"
ok $? "missing bind source: Bail out!, exit 3, the path named"
sc run --stdin "$T_TMP/no-input" -- cat
[ "$T_RC" = 3 ] && has "$T_OUT" '^Bail out! ' && has "$T_ERR" "stdin file '$T_TMP/no-input'" && one_line "$T_ERR"
ok $? "missing --stdin file: Bail out!, exit 3, the path named"
sc run --busybox /nonexistent/busybox -- true
[ "$T_RC" = 3 ] && has "$T_ERR" "busybox '/nonexistent/busybox'" && has "$T_ERR" busybox-static
ok $? "missing busybox: exit 3, names the file and the fix"
SIMPCON_BUSYBOX=/nonexistent/bb "$SIMPCON" run -- true >"$T_TMP/out" 2>"$T_TMP/err"
[ $? = 3 ] && grep -q SIMPCON_BUSYBOX "$T_TMP/err"; ok $? "bad SIMPCON_BUSYBOX: exit 3 naming the variable"
sc run --bind "$T_TMP:relative" -- true
[ "$T_RC" = 2 ] && has "$T_ERR" 'must be absolute'; ok $? "relative bind destination: exit 2"
sc run --bind "$T_TMP:/a/../b" -- true
[ "$T_RC" = 3 ] && has "$T_ERR" "without '..'"; ok $? "'..' in a destination is refused"
sc run --rootfs "$T_TMP/no-such-root" -- true
[ "$T_RC" = 3 ] && has "$T_ERR" 'is not a directory'; ok $? "--rootfs that is not a directory: exit 3"

# A kernel (or sandbox) without user namespaces: Bail out! with the reason, exit 3.
if unshare -U -r sh -c 'echo 0 >/proc/sys/user/max_user_namespaces' 2>/dev/null; then
	# the fixture comes ready-made: inside the namespace the caller looks like root, whose
	# fixture would be built for a subordinate range that namespace cannot map
	root=$("$SIMPCON" fixture build 2>/dev/null)
	unshare -U -r sh -c 'echo 0 >/proc/sys/user/max_user_namespaces; exec "$1" run --rootfs "$2" -- true' sh \
		"$SIMPCON" "$root" >"$T_TMP/nons" 2>"$T_TMP/nons.err"
	rc=$?
	[ $rc = 3 ] && grep -q '^Bail out! .*user namespace' "$T_TMP/nons"; ok $? "no user namespaces: Bail out! with the reason"
else
	skip "no user namespaces: Bail out! with the reason" "cannot limit user namespaces here"
fi

[ -z "$(ls -A "$TMPDIR")" ]; ok $? "no run directory left behind by the failures"
