#!/bin/sh
# A bind is the host's own file system: what the container does there must not give anyone on
# the host more than the invoking user has. Each attack runs as container root through a
# writable bind; the host's copy is checked afterwards.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
plan 9

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

[ -z "$(find "$b" ! -user "$me" ! -name theirs 2>/dev/null)" ] && [ -z "$(ls "$TMPDIR")" ]
ok $? "afterwards: every file in the bind is the invoking user's; nothing left in TMPDIR"
