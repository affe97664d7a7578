#!/bin/sh
# Nested where CI jobs run: root of a user namespace that maps a range (inside run
# --privileged, 65536 ids) gives its runs a slice of that range and passes check there; root of
# a namespace that maps one id (bwrap --uid 0) is that id's container root when it kept
# CAP_SETFCAP, and says which capability and option otherwise; a user inside bwrap runs and
# passes check.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
plan 7
B="$top_builddir"
# inner TMPDIR and cache on a tmpfs of the outer container's (idmapped by the inner root)
inner_env="--env SIMPCON_INIT=/sc/simpcon-init --env SIMPCON_PROBE=/sc/simpcon-probe --env SIMPCON_BUSYBOX=/bin/busybox --env SIMPCON_CACHE=/tmp/cache"
copies="--copy $B/simpcon-test:/sc/simpcon-test --copy $B/simpcon-init:/sc/simpcon-init --copy $B/simpcon-probe:/sc/simpcon-probe"

# the outer container is the busybox fixture, with no libraries: the copies must be static
static=yes
for f in simpcon-test simpcon-init simpcon-probe; do
	readelf -l "$B/$f" 2>/dev/null | grep -q 'program interpreter' && static=
done
if [ "$(id -u)" = 0 ] && [ -n "$static" ]; then
	# shellcheck disable=SC2086 # the word lists above
	capture prun run --privileged --hostname outer $copies $inner_env -- sh -c \
		'mount -t tmpfs tmpfs /tmp && /sc/simpcon-test run -- sh -c "for f in uid_map gid_map; do set -- \$(cat /proc/self/\$f); echo map \$1 \$2 \$3; done"'
	# the inner run's maps, from the YAML of its exit point inside the outer one's stdout
	set -- $(sed -n 's/^ *map \([0-9]* [0-9]* [0-9]*\)$/\1/p' "$T_TMP/prun")
	[ "$(cat "$T_TMP/prun.rc")" = 0 ] && [ $# = 6 ] && [ "$1" = 0 ] && [ "$2" -ge 1 ] && [ $(($2 + $3)) -le 65536 ] &&
		[ "$3" -ge 1000 ] && [ "$5" -ge 1 ] && [ $(($5 + $6)) -le 65536 ]
	ok $? "inside run --privileged (65536 ids): a run maps a slice of them, not their 0 (uid_map '$1 $2 $3')"
	[ $# = 6 ] || diag "$(cat "$T_TMP/prun" "$T_TMP/prun.err")"
	# shellcheck disable=SC2086
	capture pcheck run --privileged --hostname outer --timeout 600 $copies $inner_env -- sh -c \
		'mount -t tmpfs tmpfs /tmp && /sc/simpcon-test check -q'
	[ "$(cat "$T_TMP/pcheck.rc")" = 0 ] && grep -q '^    1\.\.[0-9]' "$T_TMP/pcheck" && ! grep -q '^    not ok' "$T_TMP/pcheck"
	ok $? "inside run --privileged: check passes"
	grep '^    not ok' "$T_TMP/pcheck" | head -n 10 | sed 's/^/# /'
else
	why="run by $(id -un): --privileged gives a user's container one id"
	[ -n "$static" ] || why="simpcon-test is linked dynamically (a sanitizer build): the busybox container has no libraries"
	skip "inside run --privileged: a run maps a slice of its ids" "$why"
	skip "inside run --privileged: check passes" "$why"
fi

# the uid map of the command, one line: "map INSIDE OUTSIDE COUNT"
uid_map='set -- $(cat /proc/self/uid_map); echo map $1 $2 $3'
command -v bwrap >/dev/null || bail "bwrap not installed (apt-get install bubblewrap)"
# bwrap NAME OPTIONS... -- ARGS: simpcon-test ARGS in a bwrap user namespace, the host's / seen
in_bwrap() {
	name=$1; shift
	opts=
	while [ "$1" != -- ]; do opts="$opts $1"; shift; done
	shift
	# shellcheck disable=SC2086
	bwrap --unshare-user $opts --bind / / --dev /dev --proc /proc "$SIMPCON" "$@" >"$T_TMP/$name" 2>"$T_TMP/$name.err" </dev/null
	echo $? >"$T_TMP/$name.rc"
}
in_bwrap b0 --uid 0 --gid 0 -- run -- true
if [ "$(id -u)" != 0 ]; then
	grep -qF "mapping uid 0 of this user namespace needs CAP_SETFCAP here, which the sandbox around this process dropped; keep it (bwrap --cap-add CAP_SETFCAP, docker run --cap-add SETFCAP) or run as another uid in it (bwrap --uid 1000)" "$T_TMP/b0.err" &&
		[ "$(cat "$T_TMP/b0.rc")" = 3 ]
	ok $? "bwrap --uid 0, capabilities dropped: the missing CAP_SETFCAP and both fixes named"
else
	# bwrap run by root keeps the capabilities but covers /proc/irq and /proc/bus, as Docker's
	# masked paths cover /proc/kcore: the kernel then refuses a new proc
	grep -qF "mount proc: '/proc/irq' is mounted over, and a new proc needs one fully visible (an engine masks /proc: give the job's container --security-opt systempaths=unconfined, or privileged)" "$T_TMP/b0.err" &&
		[ "$(cat "$T_TMP/b0.rc")" = 3 ]
	ok $? "bwrap --uid 0 run by root, /proc partly covered: the covered path and the fix named"
fi
[ "$(cat "$T_TMP/b0.rc")" = 3 ] || diag "$(cat "$T_TMP/b0.err")"
if [ "$(id -u)" != 0 ]; then
	in_bwrap bcap --uid 0 --gid 0 --cap-add CAP_SETFCAP -- run -- sh -c "$uid_map"
	[ "$(cat "$T_TMP/bcap.rc")" = 0 ] && grep -qx '    map 0 0 1' "$T_TMP/bcap"
	ok $? "bwrap --uid 0 --cap-add CAP_SETFCAP: container root is that one id"
	grep -qx '    map 0 0 1' "$T_TMP/bcap" || diag "$(cat "$T_TMP/bcap" "$T_TMP/bcap.err")"
	in_bwrap buser --uid 1000 --gid 1000 -- run -- true
	[ "$(cat "$T_TMP/buser.rc")" = 0 ]; ok $? "bwrap --uid 1000: a run works"
	if [ -n "$static" ]; then
		in_bwrap bcheck --uid 1000 --gid 1000 -- check -q
		[ "$(cat "$T_TMP/bcheck.rc")" = 0 ] && ! grep -q '^not ok' "$T_TMP/bcheck"; ok $? "bwrap --uid 1000: check passes"
		grep '^not ok' "$T_TMP/bcheck" | head -n 10 | sed 's/^/# /'
	else
		# a user's limits are rlimits, and RLIMIT_AS leaves no room for ASan's shadow memory
		# in the harness's child before its exec
		skip "bwrap --uid 1000: check passes" "a sanitizer build cannot start under a user's --memory (RLIMIT_AS)"
	fi
	in_bwrap bone --uid 1000 --gid 1000 -- run -- sh -c "$uid_map"
	grep -qx '    map 0 1000 1' "$T_TMP/bone"; ok $? "bwrap --uid 1000: the one id it has is container root, no other"
else
	# as root, bwrap maps host root into its namespace: a caller's choice, not a CI job's setup
	for what in "--uid 0 --cap-add CAP_SETFCAP: container root is that one id" "--uid 1000: a run works" \
		"--uid 1000: check passes" "--uid 1000: the one id it has is container root"; do
		skip "bwrap $what" "run by root, bwrap's one id is host root; the rootless pass checks it"
	done
fi
