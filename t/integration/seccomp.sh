#!/bin/sh
# The system call filter: by default the calls a test has no business with fail with EPERM,
# seen by simpcon-probe trying them from inside; --seccomp unconfined and --privileged turn the
# built-in profile off, a profile file replaces or extends it, a bad profile is a clear error,
# and a transcript cannot change the filter.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
plan 21

probe="$top_builddir/simpcon-probe"
[ -x "$probe" ] || bail "simpcon-probe not built at $probe"
# tried OUTPUT-NAME ARGS...: simpcon-probe's "denied" attempts in a container run with ARGS
tried() {
	name=$1; shift
	"$SIMPCON" run -v "$@" --copy "$probe:/probe" -- /probe denied >"$T_TMP/$name" 2>&1
}
# saw NAME CALL=RESULT...: each attempt ended as given
saw() {
	name=$1; shift
	for want; do grep -q "^    $want\$" "$T_TMP/$name" || { grep '^    [a-z_]*=' "$T_TMP/$name" | sed 's/^/# /'; return 1; }; done
}

tried default
saw default io_uring_setup=EPERM userfaultfd=EPERM keyctl=EPERM add_key=EPERM socket_packet=EPERM \
	memfd_secret=EPERM unshare_user=EPERM
ok $? "by default io_uring, userfaultfd, keys, AF_PACKET, memfd_secret and user namespaces fail with EPERM"

sc run -v -- sh -c 'grep Seccomp: /proc/self/status'
has "$T_OUT" 'Seccomp:.2'
ok $? "the command runs under a filter (Seccomp: 2)"

sc run -v -- sh -c 'unshare -m true; echo "unshare=$?"; mount -t tmpfs none /mnt 2>&1; echo "mount=$?"'
has "$T_OUT" 'unshare=1' && has "$T_OUT" 'mount=1'
ok $? "without CAP_SYS_ADMIN, unshare and mount are denied"
sc run -v --cap-add SYS_ADMIN -- sh -c 'unshare -m true; echo "unshare=$?"; mount -t tmpfs none /mnt; echo "mount=$?"'
has "$T_OUT" 'unshare=0' && has "$T_OUT" 'mount=0'
ok $? "with --cap-add SYS_ADMIN, new mount namespaces and mounts work"

# clone3 fails with ENOSYS, so that libc falls back to clone, which the filter can read
sc run -v -- sh -c 'sleep 0 & wait $!; echo "child=$?"; echo $(echo sub)'
has "$T_OUT" 'child=0' && has "$T_OUT" '^    sub$'
ok $? "processes are still started (libc falls back from clone3 to clone)"

tried unconfined --seccomp unconfined
saw unconfined keyctl=made add_key=made
ok $? "--seccomp unconfined: no profile, the key calls work"
sc run -v --seccomp unconfined -- sh -c 'grep Seccomp: /proc/self/status'
has "$T_OUT" 'Seccomp:.0'
ok $? "--seccomp unconfined: no filter at all"
sc run -v --privileged -- sh -c 'grep Seccomp: /proc/self/status'
has "$T_OUT" 'Seccomp:.0'
ok $? "--privileged: no built-in profile"

# a profile of its own
cat >"$T_TMP/mkdir.profile" <<'EOF'
# no directories

deny mkdir EACCES   # nor the *at form
deny mkdirat 13
EOF
sc run -v --seccomp "$T_TMP/mkdir.profile" -- sh -c 'mkdir /x; echo "mkdir=$?"'
has "$T_OUT" 'mkdir=1' && has "$T_OUT" 'Permission denied'
ok $? "a profile file's 'deny CALL ERRNO' fails the call with that errno"
tried own --seccomp "$T_TMP/mkdir.profile"
saw own keyctl=made
ok $? "a profile file without @default has none of the built-in rules"
sc run -v --privileged --seccomp "$T_TMP/mkdir.profile" -- sh -c 'mkdir /x; echo "mkdir=$?"'
has "$T_OUT" 'mkdir=1'
ok $? "--privileged keeps a profile given with --seccomp"

printf '@default\nallow keyctl\n' >"$T_TMP/keys.profile"
tried keys --seccomp "$T_TMP/keys.profile"
saw keys keyctl=made io_uring_setup=EPERM add_key=EPERM
ok $? "@default takes the built-in rules, 'allow CALL' takes one back"

printf 'deny chdir ENOTDIR\n' >"$T_TMP/chdir.profile"
sc run -v --seccomp "$T_TMP/chdir.profile" -- sh -c 'cd /tmp; echo "cd=$?"'
has "$T_OUT" 'cd=[1-9]' && has "$T_OUT" 'Not a directory'
ok $? "any call can be denied by name"

# bad profiles: a clear error naming the file, the line and the fix; nothing left behind
# bad NAME LINE-REGEX CONTENT: a profile with CONTENT is refused with LINE-REGEX in the error
bad() {
	printf "$3" >"$T_TMP/$1.profile"
	sc run --seccomp "$T_TMP/$1.profile" -- true
	[ "$T_RC" = 3 ] && has "$T_ERR" "seccomp profile '$T_TMP/$1.profile'$2" &&
		[ -z "$(ls -A "$TMPDIR")" ] || { printf '# rc %s: %s\n' "$T_RC" "$T_ERR"; return 1; }
}
bad call ", line 3: unknown system call 'no_such_call' (names as in syscalls(2))" '# x\n\ndeny no_such_call\n'
ok $? "an unknown call names the line and where names come from"
bad errno ", line 1: unknown errno 'EWHAT'" 'deny mkdir EWHAT\n'
ok $? "an unknown errno names the line and the forms accepted"
bad word ", line 2: expected '@default', 'deny CALL \[ERRNO\]' or 'allow CALL'" '@default\nblock mkdir\n'
ok $? "an unknown rule names the line and the rules there are"
sc run --seccomp "$T_TMP/missing.profile" -- true
[ "$T_RC" = 3 ] && has "$T_ERR" "seccomp profile '$T_TMP/missing.profile' (--seccomp): no such file"
ok $? "a missing profile file is named"
sc run --seccomp '' -- true
[ "$T_RC" = 2 ] && has "$T_ERR" "expected a profile file or 'unconfined'"
ok $? "an empty --seccomp is a usage error"

# a transcript cannot loosen (or replace) the filter
mkdir -p "$T_TMP/t"
printf 'simpcon: --seccomp unconfined\n  $ grep Seccomp: /proc/self/status\n  Seccomp:\t0\n' >"$T_TMP/t/loose.t"
"$SIMPCON" -q "$T_TMP/t/loose.t" >"$T_TMP/loose" 2>&1
[ $? = 1 ] && grep -q 'loose.t:1: simpcon: --seccomp is refused in a file (it replaces the system call filter)' "$T_TMP/loose"
ok $? "a 'simpcon: --seccomp' line is refused"
"$SIMPCON" -q --seccomp unconfined "$T_TMP/t/loose.t" >"$T_TMP/loose2" 2>&1
[ $? = 1 ] && grep -q 'refused in a file' "$T_TMP/loose2"
ok $? "... even when the caller gave the same"
printf '  $ grep Seccomp: /proc/self/status\n  Seccomp:\t0\n' >"$T_TMP/t/caller.t"
"$SIMPCON" -q --seccomp unconfined "$T_TMP/t/caller.t" >"$T_TMP/caller" 2>&1
ok $? "the caller's --seccomp applies to every file of a suite"
