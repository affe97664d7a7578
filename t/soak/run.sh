#!/bin/sh
# t/soak/run.sh - `make soak`: soak.sh and faults.sh at their full sizes (see README.md).
# Any size may be set beforehand (SOAK_N=500 make soak). Both TAP streams go to stdout and to
# $top_builddir/t/soak/NAME-full.log, each followed by its wall time and peak memory; the exit
# status is 1 when a point failed (a TODO point does not count), 3 on a Bail out!.
: "${top_srcdir:?set top_srcdir (make soak does)}" "${top_builddir:?set top_builddir (make soak does)}"
: "${SOAK_N:=10000}" "${SOAK_M:=1000}" "${SOAK_LONG:=2000}" "${SOAK_FILES:=2000}" "${SOAK_FD:=500}"
: "${FAULT_KILLS:=300}" "${FAULT_SETUP_KILLS:=200}" "${FAULT_BUILD_KILLS:=100}" "${FAULT_STORM_RUNS:=100}"
: "${FAULT_BIG_MB:=2048}"
export top_srcdir top_builddir SOAK_N SOAK_M SOAK_LONG SOAK_FILES SOAK_FD
export FAULT_KILLS FAULT_SETUP_KILLS FAULT_BUILD_KILLS FAULT_STORM_RUNS FAULT_BIG_MB

logs="$top_builddir/t/soak"
mkdir -p "$logs" || exit 3
timer=
[ -x /usr/bin/time ] && /usr/bin/time -f %M -o /dev/null true 2>/dev/null && timer=/usr/bin/time
status=0
for name in soak faults; do
	log="$logs/$name-full.log"
	start=$(date +%s)
	if [ -n "$timer" ]; then
		$timer -f '%M' -o "$log.rss" sh "$top_srcdir/t/soak/$name.sh" >"$log" 2>"$log.err"
	else
		sh "$top_srcdir/t/soak/$name.sh" >"$log" 2>"$log.err"
	fi
	seconds=$(($(date +%s) - start))
	cat "$log"
	failed=$(grep '^not ok ' "$log" | grep -c -v '# TODO')
	points=$(grep -c '^\(not \)\{0,1\}ok ' "$log")
	rss=$(tail -n 1 "$log.rss" 2>/dev/null)
	echo "# t/soak/$name.sh: $points points, $failed failed, $seconds s${rss:+, peak RSS of the script and its children $rss KiB}"
	[ -s "$log.err" ] && sed 's/^/# stderr: /' "$log.err"
	if grep -q '^Bail out!' "$log"; then
		status=3
	elif [ "$failed" != 0 ] && [ $status = 0 ]; then
		status=1
	fi
done
exit $status
