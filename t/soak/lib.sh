# t/soak/lib.sh - helpers shared by soak.sh and faults.sh (sourced after t/lib.sh).

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# The host's mount points, less those of other tests' private directories (a test running
# beside this one may mount there); this test's own directory stays in.
snapshot() {
	cut -d' ' -f5 /proc/self/mountinfo | awk -v mine="$T_TMP" -v others="$top_builddir/t/tmp." \
		'index($0, mine) == 1 || index($0, others) != 1' | sort
}
# wait_gone TEXT: up to 1 s for no process with TEXT in its command line (neither a command
# nor a clone of the harness that never reached its exec).
wait_gone() {
	n=0
	while pgrep -f -- "$1" >/dev/null && [ $n -lt 50 ]; do sleep 0.02; n=$((n + 1)); done
	! pgrep -f -- "$1" >/dev/null
}
