#!/bin/sh
# The fixture cache is its owner's alone: its files are the caller's, no one else can write
# them (run by root, another user who could would have every later run of root execute their
# code) or hold its locks (flock works on a read-only open, so a lock file others can open is
# one they can hold forever); run by root, the container still uses them, idmapped.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
plan 9
SIMPCON_CACHE="$T_TMP/cache"; export SIMPCON_CACHE
me=$(id -u)

sc run -- sh -c 'stat -c "%u %g" /bin/busybox /etc/passwd; rm /bin/ls && echo removed; echo x >>/etc/passwd && echo appended'
[ "$T_RC" = 0 ] && has_line "$T_OUT" '    0 0' && ! has "$T_OUT" '    [1-9]' && has_line "$T_OUT" '    removed' &&
	has_line "$T_OUT" '    appended'
ok $? "the fixture is container root's inside: it can remove and change its files"
[ -z "$(find "$SIMPCON_CACHE" ! -user "$me" -o ! -group "$(id -g)")" ]; ok $? "every file of the cache is the caller's"
[ -z "$(find "$SIMPCON_CACHE" -perm /022 ! -type l ! \( -type d -perm -1000 \))" ]
ok $? "no file or directory of the cache is writable by others (but the fixture's sticky /tmp)"
[ "$(stat -c %a "$SIMPCON_CACHE")" = 700 ]; ok $? "the cache directory is the caller's alone (mode 700)"

# --rootfs DIR of the caller's own (run by root: root's, as installed trees are)
fixture_copy "$T_TMP/rootfs" && chown -R "$me:$(id -g)" "$T_TMP/rootfs"
sc run --rootfs "$T_TMP/rootfs" -- sh -c 'rm /bin/ls && echo removed'
[ "$T_RC" = 0 ] && has_line "$T_OUT" '    removed' && [ -e "$T_TMP/rootfs/bin/ls" ]
ok $? "--rootfs DIR of the caller's: container root can remove its files (in its own layer)"

# an entry someone else could write (left from a time its cache was open to others) is rebuilt
bb=$("$SIMPCON" fixture build 2>"$T_TMP/err") || bail "fixture build: $(cat "$T_TMP/err")"
entry=$(dirname "$bb")
chmod 777 "$entry"
[ "$me" = 0 ] && chown -R nobody:nogroup "$entry"
"$SIMPCON" run -v -- true >/dev/null 2>"$T_TMP/rebuilt"
grep -q '(built)$' "$T_TMP/rebuilt" && [ "$(stat -c '%a %u' "$entry")" = "755 $me" ]
ok $? "an entry another user could write is rebuilt, not used"

if [ "$me" = 0 ]; then
	chmod 777 "$SIMPCON_CACHE"
	sc run -- true
	[ "$T_RC" = 3 ] && has "$T_ERR" "cache directory '$SIMPCON_CACHE': '.*' is writable by others" &&
		has "$T_ERR" 'chmod go-w'
	ok $? "root refuses a cache directory others can write, naming the fix"
	chmod 700 "$SIMPCON_CACHE"
else
	skip "root refuses a cache directory others can write, naming the fix" "run by root only"
fi

# Another user (nobody, when root runs this; else a process of the same user) holding a lock
# file that is open to others, as older versions made them: it is replaced, not waited for.
if [ "$me" = 0 ]; then as_other() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
else as_other() { "$@"; }; fi
foreign_lock() { # foreign_lock FILE: makes FILE a 0644 lock held by the other user, until T_TMP/release
	rm -f "$1"
	: >"$1"
	chmod 644 "$1"
	[ "$me" = 0 ] && chown nobody:nogroup "$1"
	as_other flock -n "$1" sh -c 'while [ ! -e "$1" ]; do sleep 0.1; done' sh "$T_TMP/release" &
	n=0; while flock -n "$1" true && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
}
# the other user reaches the lock through directories as older versions made them
chmod 755 "$T_TMP" "$SIMPCON_CACHE" "$entry"

foreign_lock "$entry.lock"
timeout 30 "$SIMPCON" fixture prune >"$T_TMP/prune" 2>&1
rc=$?
[ $rc = 0 ] && grep -q '^removed 1 fixture' "$T_TMP/prune" && [ ! -e "$entry" ]
ok $? "fixture prune does not wait for a lock file another user holds (exit $rc)"
touch "$T_TMP/release"; wait; rm -f "$T_TMP/release"

foreign_lock "$entry.lock"
timeout 30 "$SIMPCON" run -- true >"$T_TMP/run" 2>&1
rc=$?
[ $rc = 0 ] && [ -d "$entry" ] && [ "$(stat -c '%a %u' "$entry.lock")" = "600 $me" ]
ok $? "a run builds past such a lock, whose file is now the caller's, mode 600 (exit $rc)"
touch "$T_TMP/release"; wait
