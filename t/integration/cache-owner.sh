#!/bin/sh
# The fixture cache is its owner's alone: no other user can hold its locks (flock works on a
# read-only open, so a lock file others can open is one they can hold forever).
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
plan 2
SIMPCON_CACHE="$T_TMP/cache"; export SIMPCON_CACHE

# Another user (nobody, when root runs this; else a process of the same user) holding a lock
# file that is open to others, as older versions made them: it is replaced, not waited for.
if [ "$(id -u)" = 0 ]; then as_other() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
else as_other() { "$@"; }; fi
foreign_lock() { # foreign_lock FILE: makes FILE a 0644 lock held by the other user, until T_TMP/release
	rm -f "$1"
	: >"$1"
	chmod 644 "$1"
	[ "$(id -u)" = 0 ] && chown nobody:nogroup "$1"
	as_other flock -n "$1" sh -c 'touch "$1.held"; while [ ! -e "$2" ]; do sleep 0.1; done' sh "$1" "$T_TMP/release" &
	n=0; while [ ! -e "$1.held" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
}
chmod 755 "$T_TMP"
bb=$("$SIMPCON" fixture build 2>"$T_TMP/err") || bail "fixture build: $(cat "$T_TMP/err")"
entry=$(dirname "$bb")
chmod 755 "$SIMPCON_CACHE" "$entry"

foreign_lock "$entry.lock"
timeout 30 "$SIMPCON" fixture prune >"$T_TMP/prune" 2>&1
rc=$?
[ $rc = 0 ] && grep -q '^removed 1 fixture' "$T_TMP/prune" && [ ! -e "$entry" ]
ok $? "fixture prune does not wait for a lock file another user holds (exit $rc)"
touch "$T_TMP/release"; wait; rm -f "$T_TMP/release" "$entry.lock.held"

foreign_lock "$entry.lock"
timeout 30 "$SIMPCON" run -- true >"$T_TMP/run" 2>&1
rc=$?
[ $rc = 0 ] && [ -d "$entry" ] && [ "$(stat -c '%a %u' "$entry.lock")" = "600 $(id -u)" ]
ok $? "a run builds past such a lock, whose file is now the caller's, mode 600 (exit $rc)"
touch "$T_TMP/release"; wait
