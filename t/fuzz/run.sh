#!/bin/sh
# run.sh - runs the built libFuzzer targets, each for a bounded time; builds nothing.
#
#   t/fuzz/run.sh [TARGET...]      (TARGET: transcript, options, tap, mountinfo; default all)
#
# Environment:
#   FUZZ_SECONDS   how long each target fuzzes (default 60; 0: only runs the corpus once)
#   FUZZ_BUILDDIR  where the built fuzz-* programs are (default t/fuzz under the current
#                  directory, which is where `make fuzz` builds them)
#   FUZZ_JOBS      libFuzzer's -fork=N, N processes fuzzing each target at once (default 0: one)
#   top_srcdir     the source tree (default: two directories above this script)
#
# For each target, the inputs kept in t/fuzz/crashes-found/TARGET/ are replayed first (each
# is a reported bug: it fails here until fixed), then the target fuzzes starting from a copy
# of t/fuzz/corpus/TARGET/ in a temporary directory: the source tree is never written. What a
# run finds (crash-*, leak-*, timeout-*, oom-* inputs, and the log) stays in that directory,
# whose path is printed; it is removed when everything passed. Exit status 0 when every target
# ran its time with nothing found and every kept crash is fixed, 1 otherwise.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
fuzzdir=$top_srcdir/t/fuzz
builddir=${FUZZ_BUILDDIR:-t/fuzz}
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-0}
targets=${*:-transcript options tap mountinfo unpack}

case $seconds in '' | *[!0-9]*) echo "run.sh: FUZZ_SECONDS '$seconds' is not a number of seconds" >&2; exit 2 ;; esac
case $jobs in '' | *[!0-9]*) echo "run.sh: FUZZ_JOBS '$jobs' is not a number" >&2; exit 2 ;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/simpcon-fuzz.XXXXXX") || exit 1
# UBSan's findings abort (the targets are built with -fno-sanitize-recover), with a stack
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"

passed=0
failed=0
pass() { echo "ok: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# The exec count: libFuzzer's final statistics, else (-fork) its last status line "#N ...".
runs() {
	n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$1" | tail -n 1)
	[ -n "$n" ] || n=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$1" | tail -n 1)
	echo "${n:-?}"
}

# Replays the kept crashes of one target: each one should pass by now.
replay() {
	name=$1 program=$2
	for input in "$fuzzdir/crashes-found/$name"/*; do
		[ -f "$input" ] || continue
		case $input in *.txt | *.md) continue ;; esac
		log=$work/$name-replay-$(basename "$input").log
		if "$program" -runs=1 "$input" >"$log" 2>&1; then
			pass "fuzz-$name: kept crash $(basename "$input") is fixed (move it into corpus/$name/)"
		else
			fail "fuzz-$name: kept crash $(basename "$input") still fails; log: $log"
			grep -m 3 -E '^(fuzz-|==[0-9]+==ERROR|SUMMARY)' "$log" | sed 's/^/  /'
		fi
	done
}

fuzz() {
	name=$1 program=$2
	corpus=$work/corpus-$name
	artifacts=$work/found-$name
	log=$work/$name.log
	mkdir -p "$corpus" "$artifacts"
	cp "$fuzzdir/corpus/$name"/* "$corpus"/ 2>/dev/null
	# libFuzzer reads -max_total_time=0 as no limit
	if [ "$seconds" -eq 0 ]; then set -- -runs=0; else set -- -max_total_time="$seconds"; fi
	set -- "$@" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/"
	[ -f "$fuzzdir/$name.dict" ] && set -- "$@" -dict="$fuzzdir/$name.dict"
	[ "$jobs" -gt 0 ] && set -- "$@" -fork="$jobs" -ignore_crashes=0 -ignore_timeouts=0 -ignore_ooms=0
	start=$(date +%s)
	"$program" "$@" "$corpus" >"$log" 2>&1
	status=$?
	took=$(($(date +%s) - start))
	found=$(ls "$artifacts")
	if [ "$status" -eq 0 ] && [ -z "$found" ]; then
		pass "fuzz-$name: ${took} s, $(runs "$log") runs, corpus of $(ls "$corpus" | wc -l) inputs, nothing found"
	else
		fail "fuzz-$name: exit $status after ${took} s; log: $log"
		grep -m 3 -E '^(fuzz-|==[0-9]+==ERROR|SUMMARY)' "$log" | sed 's/^/  /'
		for f in $found; do
			echo "  input: $artifacts/$f"
		done
	fi
}

for name in $targets; do
	program=$builddir/fuzz-$name
	if [ ! -x "$program" ]; then
		fail "fuzz-$name: $program is not built (make fuzz builds it when configure found clang with libFuzzer)"
		continue
	fi
	replay "$name" "$program"
	fuzz "$name" "$program"
done

echo "$passed passed, $failed failed"
if [ "$failed" -eq 0 ]; then
	rm -rf "$work"
	exit 0
fi
echo "run.sh: the logs and the inputs found are in $work"
exit 1
