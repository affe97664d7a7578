#!/bin/sh
# Run by root, container root's host ids belong to no one: not a range /etc/subuid gives a user
# (Debian's useradd hands the first one 100000:65536), not an account's id, not another run's;
# a killed run's slice is free again at once. Run by a user, container root is that user.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
plan 6
mkdir "$T_TMP/maps"
chmod 777 "$T_TMP/maps"

# host_uid FILE: the host id of container uid 0 in a copy of /proc/self/uid_map
host_uid() { awk '$1 == 0 { print $2 }' "$1"; }
# run_map NAME [ARGS...]: a run that writes its uid map to maps/NAME, then waits for maps/go
run_map() {
	name=$1; shift
	"$SIMPCON" run -q "$@" --bind "$T_TMP/maps:/maps" -- sh -c \
		"cat /proc/self/uid_map >/maps/$name.tmp && mv /maps/$name.tmp /maps/$name
		 n=0; while [ ! -e /maps/go ] && [ \$n -lt 300 ]; do sleep 0.1; n=\$((n + 1)); done" \
		>"$T_TMP/$name.out" 2>&1 </dev/null
}
wait_file() { n=0; while [ ! -e "$1" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done; [ -e "$1" ]; }

# two runs at once, each holding its ids until both have looked
run_map a & pa=$!
run_map b & pb=$!
wait_file "$T_TMP/maps/a" && wait_file "$T_TMP/maps/b"
touch "$T_TMP/maps/go"
wait $pa; ra=$?
wait $pb; rb=$?
ua=$(host_uid "$T_TMP/maps/a"); ub=$(host_uid "$T_TMP/maps/b")
diag "container root of two parallel runs: host uid $ua and $ub"
if [ "$(id -u)" = 0 ]; then
	[ $ra = 0 ] && [ $rb = 0 ] && [ -n "$ua" ] && [ -n "$ub" ] && [ "$ua" != "$ub" ] &&
		{ [ $((ua - ub)) -ge 65536 ] || [ $((ub - ua)) -ge 65536 ]; }
	ok $? "two parallel runs of root have ids of their own"
	# no listed range or account id in either run's 65536 ids
	clash=$(for u in $ua $ub; do
		awk -F: -v lo="$u" -v hi=$((u + 65535)) '
			FILENAME ~ /sub/ && NF == 3 && $2 <= hi && $2 + $3 - 1 >= lo { print FILENAME ": " $0 }
			FILENAME ~ /passwd/ && (($3 >= lo && $3 <= hi) || ($4 >= lo && $4 <= hi)) { print FILENAME ": " $0 }
			FILENAME ~ /group/ && $3 >= lo && $3 <= hi { print FILENAME ": " $0 }' \
			$(ls /etc/subuid /etc/subgid 2>/dev/null) /etc/passwd /etc/group
	done | sort -u | tr '\n' ' ')
	[ -z "$clash" ] && [ "$ua" -ge 65536 ] && [ "$ub" -ge 65536 ] && [ "$ua" != 100000 ] && [ "$ub" != 100000 ]
	ok $? "their ids are no one's: not host root, not useradd's 100000, no listed range or account${clash:+ ($clash)}"
else
	[ $ra = 0 ] && [ $rb = 0 ] && [ "$ua" = "$(id -u)" ] && [ "$ub" = "$(id -u)" ]
	ok $? "run by a user, container root is that user in both runs"
	skip "their ids are no one's: not host root, not useradd's 100000, no listed range or account" "run by root only"
fi

# a run killed with SIGKILL: its slice is free at once, and the next runs get it again
if [ "$(id -u)" = 0 ]; then
	rm -f "$T_TMP/maps/"*
	"$SIMPCON" run -q --bind "$T_TMP/maps:/maps" -- sh -c 'cat /proc/self/uid_map >/maps/k.tmp && mv /maps/k.tmp /maps/k
		sleep 30' >/dev/null 2>&1 </dev/null &
	pk=$!
	wait_file "$T_TMP/maps/k"
	uk=$(host_uid "$T_TMP/maps/k")
	lock=/run/simpcon/idrange/$uk.lock
	held=no; flock -n "$lock" true || held=yes
	kill -KILL $pk; wait $pk 2>/dev/null
	n=0; while ! flock -n "$lock" true && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
	[ "$held" = yes ] && flock -n "$lock" true; ok $? "a killed run's slice ($uk) is held while it runs and free once it is killed"
	touch "$T_TMP/maps/go"
	again=no
	for i in 1 2 3 4 5 6 7 8 9 10; do
		"$SIMPCON" run -q --bind "$T_TMP/maps:/maps" -- sh -c 'cat /proc/self/uid_map >/maps/again' \
			>/dev/null 2>&1 </dev/null
		[ "$(host_uid "$T_TMP/maps/again")" = "$uk" ] && { again=yes; break; }
	done
	[ "$again" = yes ]; ok $? "a later run gets the killed run's slice again"
else
	skip "a killed run's slice is held while it runs and free once it is killed" "run by root only"
	skip "a later run gets the killed run's slice again" "run by root only"
fi

# the files as a hostile or careless admin left them, seen in a mount namespace of this test's
if [ "$(id -u)" = 0 ] && [ -f /etc/subuid ] && [ -f /etc/subgid ] && unshare -m true 2>/dev/null; then
	printf 'alice:100000:65536\nsquatter:%s:65536\n' 1879048192 >"$T_TMP/subuid"
	rm -f "$T_TMP/maps/"*
	touch "$T_TMP/maps/go"
	unshare -m sh -c 'mount --bind "$1" /etc/subuid && mount --bind "$1" /etc/subgid && shift && "$@"' sh \
		"$T_TMP/subuid" "$SIMPCON" run -q --bind "$T_TMP/maps:/maps" -- sh -c 'cat /proc/self/uid_map >/maps/s' \
		>"$T_TMP/squat.out" 2>&1 </dev/null
	us=$(host_uid "$T_TMP/maps/s")
	[ -n "$us" ] && { [ "$us" -ge $((1879048192 + 65536)) ] || [ $((us + 65536)) -le 1879048192 ]; } &&
		{ [ "$us" -ge 165536 ] || [ $((us + 65536)) -le 100000 ]; }
	ok $? "a range listed inside simpcon-test's own is moved past (container root: $us)"
	printf 'root:100000:65536\nalice:100000:65536\n' >"$T_TMP/subuid"
	unshare -m sh -c 'mount --bind "$1" /etc/subuid && mount --bind "$1" /etc/subgid && shift && "$@"' sh \
		"$T_TMP/subuid" "$SIMPCON" run -- true >"$T_TMP/own.out" 2>"$T_TMP/own.err" </dev/null
	rc=$?
	[ $rc = 3 ] && grep -q "'root:100000:65536' (/etc/subuid line 1) overlaps 'alice:100000:65536' (/etc/subuid line 2)" \
		"$T_TMP/own.err" && grep -q "remove root's lines" "$T_TMP/own.err"
	ok $? "root's own range overlapping a user's is refused, naming both lines and the fix"
else
	skip "a range listed inside simpcon-test's own is moved past" "needs root, /etc/subuid and unshare -m"
	skip "root's own range overlapping a user's is refused, naming both lines and the fix" \
		"needs root, /etc/subuid and unshare -m"
fi
