#!/bin/sh
# A bind is the host's own file system: what the container does there must not give anyone on
# the host more than the invoking user has. Each attack runs as container root through a
# writable bind; the host's copy is checked afterwards.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
plan 14

b="$T_TMP/bind"
mkdir -p "$b"
me=$(id -u)

# in_bind SCRIPT: runs SCRIPT in a container with $b at /b (writable); its stdout in $T_OUT
in_bind() {
	"$SIMPCON" run --bind "$b:/b" -- sh -c "$1" >"$T_TMP/out" 2>&1
	T_RC=$?
	T_OUT=$(sed -n '/^  stdout: |$/,/^  stderr:/p' "$T_TMP/out")
}
no_setid_on_host() { [ -z "$(find "$b" -perm /6000 2>/dev/null)" ]; }

in_bind 'cp /bin/busybox /b/sh && chmod 4755 /b/sh; echo "chmod=$?"'
has "$T_OUT" 'chmod=1' && [ -f "$b/sh" ] && no_setid_on_host
ok $? "chmod 4755 of a file in the bind fails: no set-uid program on the host"

in_bind 'touch /b/g && chmod g+s /b/g; echo "chmod=$?"; chmod 755 /b/g; echo "plain=$?"'
has "$T_OUT" 'chmod=1' && has "$T_OUT" 'plain=0' && no_setid_on_host
ok $? "chmod g+s fails, an ordinary chmod works"

in_bind 'mkdir -m 2775 /b/d; echo "mkdir=$?"; install -m 4755 /bin/busybox /b/i; echo "install=$?"; mknod -m 4644 /b/p p; echo "mknod=$?"'
has "$T_OUT" 'mkdir=1' && has "$T_OUT" 'install=1' && has "$T_OUT" 'mknod=1' && no_setid_on_host
ok $? "mkdir -m 2775, install -m 4755 and mknod -m 4644 fail"

# io_uring's operations run in the kernel, past seccomp: no ring while the filter must hold,
# whatever the profile
"$SIMPCON" run -v --seccomp unconfined --bind "$b:/b" --ro-bind "$top_builddir/simpcon-probe" /probe \
	-- /probe denied >"$T_TMP/ring" 2>&1
grep -q 'io_uring_setup=EPERM' "$T_TMP/ring" && grep -q 'keyctl=made' "$T_TMP/ring"
ok $? "no io_uring while a bind is in place, even unconfined (its openat would pass the filter)"

in_bind 'grep " /b " /proc/self/mountinfo'
has "$T_OUT" ' /b [a-z,]*nosuid' && has "$T_OUT" ' /b [a-z,]*nodev'
ok $? "the bind is mounted nosuid and nodev"

"$SIMPCON" run --ro-bind "$b" /b -- sh -c 'chmod u+s /tmp; touch /tmp/f && chmod u+s /tmp/f; echo "chmod=$?"' >"$T_TMP/ro" 2>&1
grep -q 'chmod=1' "$T_TMP/ro"
ok $? "with a read-only bind the set-id bits are refused too"

"$SIMPCON" run -v -- sh -c 'touch /tmp/f && chmod u+s /tmp/f; echo "chmod=$?"' >"$T_TMP/nobind" 2>&1
grep -q 'chmod=0' "$T_TMP/nobind"
ok $? "without a bind, set-id bits in the container's own layer still work"

in_bind 'echo x >/b/own && chown 4321 /b/own; echo "chown=$?"; chown 0:0 /b/own; echo "chown0=$?"'
has "$T_OUT" 'chown=1' && has "$T_OUT" 'chown0=0' && [ "$(stat -c %u "$b/own")" = "$me" ]
ok $? "chown to another id through the bind fails; the file stays the invoking user's"

echo host-only >"$b/theirs"
[ "$me" != 0 ] || chown 4321 "$b/theirs"
in_bind 'chmod 777 /b; echo changed >/b/theirs; echo "write=$?"; su -s /bin/sh nobody -c "touch /b/by-nobody"; echo "other=$?"'
has "$T_OUT" 'other=1' && [ ! -e "$b/by-nobody" ] && { [ "$me" != 0 ] || { has "$T_OUT" 'write=1' && [ "$(cat "$b/theirs")" = host-only ]; }; }
ok $? "another user's file in the bind cannot be written; another container uid cannot create files"
chmod 755 "$b"

# a read-only bind stays read-only against container root holding CAP_SYS_ADMIN: its flags and
# what lies under it are locked (mounts.c lock_mounts)
echo unchanged >"$b/ro-file"
undo_ro='mount -o remount,rw,bind /r; echo "remount=$?"; mkdir -p /x && mount --bind /r /x && mount -o remount,rw,bind /x; echo "rebind=$?"; umount /r; echo "umount=$?"; echo changed >/r/ro-file; echo changed >/x/ro-file; mount -t tmpfs t /mnt; echo "tmpfs=$?"'
for extra in "--cap-add SYS_ADMIN" --privileged; do
	# shellcheck disable=SC2086
	"$SIMPCON" run $extra --ro-bind "$b" /r -- sh -c "$undo_ro" >"$T_TMP/ro" 2>&1
	grep -q 'remount=1' "$T_TMP/ro" && grep -q 'rebind=1' "$T_TMP/ro" && grep -q 'umount=1' "$T_TMP/ro" &&
		grep -q 'tmpfs=0' "$T_TMP/ro" && [ "$(cat "$b/ro-file")" = unchanged ]
	ok $? "$extra: a read-only bind cannot be remounted, rebound or unmounted writable; new mounts still work"
done

"$SIMPCON" run --cap-add SYS_ADMIN -- sh -c 'umount /proc/keys; echo "umount=$?"; cat /proc/sys/user/max_user_namespaces' >"$T_TMP/mask" 2>&1
if [ -e /proc/keys ]; then
	grep -q 'umount=1' "$T_TMP/mask" && grep -qx '    0' "$T_TMP/mask"
	ok $? "--cap-add SYS_ADMIN: a /proc mask cannot be unmounted; nested user namespaces stay denied"
else
	skip "--cap-add SYS_ADMIN: a /proc mask cannot be unmounted" "this kernel has no /proc/keys"
fi

# run by root, a file capability written through a writable bind would be stored with root
# id 0, effective for every user on the host
setcap=$(command -v setcap || echo /usr/sbin/setcap)
if [ "$me" != 0 ]; then
	skip "setcap through a writable bind fails" "a user's file capabilities are only its own namespace's"
elif [ ! -x "$setcap" ]; then
	[ "${SIMPCON_MUST_WORK:-0}" = 1 ] && ok 1 "setcap through a writable bind fails (setcap missing: apt-get install libcap2-bin)" ||
		skip "setcap through a writable bind fails" "setcap not installed (libcap2-bin)"
else
	in_bind_libs() { "$SIMPCON" run --host-libs --bind "$b:/b" -- sh -c "$1" >"$T_TMP/out" 2>&1; T_OUT=$(cat "$T_TMP/out"); }
	in_bind_libs "cp /bin/busybox /b/caps && $setcap cap_setuid+ep /b/caps; echo \"setcap=\$?\""
	has "$T_OUT" 'setcap=1' && [ -z "$(getfattr -n security.capability "$b/caps" 2>/dev/null)" ] &&
		! { command -v getcap >/dev/null && getcap "$b/caps" | grep -q cap_setuid; }
	ok $? "setcap through a writable bind fails: no file capability on the host"
fi

[ -z "$(find "$b" ! -user "$me" ! -name theirs 2>/dev/null)" ] && [ -z "$(ls "$TMPDIR")" ]
ok $? "afterwards: every file in the bind is the invoking user's; nothing left in TMPDIR"
