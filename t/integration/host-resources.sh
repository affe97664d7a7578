#!/bin/sh
# Kernel resources counted per user are charged, through the container's user namespace, to
# the user who runs it (root, under make check as root): a container that takes all it can
# must leave the host's own user room for more. Checked from the host, while the container
# holds what it made.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
plan 4

probe="$top_builddir/simpcon-probe"
[ -x "$probe" ] || bail "simpcon-probe not built at $probe"

# starve KIND: a container makes KIND until refused and holds them; the host's user then
# makes one. Sets $made (the container's "made=N ERRNO") and $host (the host's attempt).
starve() {
	kind=$1 d="$T_TMP/$1"
	mkdir -p "$d"
	"$SIMPCON" run --timeout 60 --bind "$d:/out" --copy "$probe:/probe" -- /probe fill "$kind" /out/made \
		>"$T_TMP/$kind.tap" 2>&1 </dev/null &
	pid=$!
	n=0
	while [ ! -s "$d/made" ] && [ $n -lt 400 ] && kill -0 $pid 2>/dev/null; do sleep 0.05; n=$((n + 1)); done
	host=$("$probe" one "$kind")
	made=$(cat "$d/made" 2>/dev/null)
	kill -TERM $pid
	wait $pid
	diag "$kind: the container $made; the host then: $host"
}

starve inotify
case $made in made=[1-9]*' 'EMFILE) true ;; *) false ;; esac
ok $? "a container making inotify instances is refused (EMFILE) after some"
[ "$host" = inotify=made ]
ok $? "meanwhile the host's user can still make one"

starve mqueue
case $made in made=[1-9]*' 'EMFILE) true ;; *) false ;; esac
ok $? "a container making POSIX message queues is refused (EMFILE) after some"
[ "$host" = mqueue=made ]
ok $? "meanwhile the host's user can still make one"
