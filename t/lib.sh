# t/lib.sh - a small TAP vocabulary for the integration tests (sourced, POSIX sh).
# Tests write only under $top_builddir and read fixtures from $top_srcdir.
: "${top_srcdir:?run under make check}" "${top_builddir:?run under make check}"
SIMPCON="$top_builddir/simpcon-test"
t_count=0
t_failed=0

plan() { echo "TAP version 13"; echo "1..$1"; }
diag() { printf '%s\n' "$*" | sed 's/^/# /'; }
ok() { # ok CONDITION-EXIT-STATUS DESCRIPTION
	t_count=$((t_count + 1))
	if [ "$1" -eq 0 ]; then echo "ok $t_count - $2"; else echo "not ok $t_count - $2"; t_failed=$((t_failed + 1)); fi
}
check() { # check DESCRIPTION COMMAND... : a point that passes when COMMAND succeeds
	desc=$1; shift
	if "$@"; then ok 0 "$desc"; else ok 1 "$desc"; fi
}
skip() { t_count=$((t_count + 1)); echo "ok $t_count - $1 # SKIP $2"; }
# skip_all REASON: a test that cannot run here; under SIMPCON_MUST_WORK=1 (CI) that is a failure.
skip_all() {
	if [ "${SIMPCON_MUST_WORK:-0}" = 1 ]; then echo "TAP version 13"; echo "1..1"; echo "not ok 1 - must work: $1"; exit 1; fi
	echo "1..0 # SKIP $1"; exit 0
}
bail() { echo "Bail out! $*"; exit 3; }
# containers_or_skip: skip the file when this kernel or user cannot make containers.
containers_or_skip() {
	[ -x "$SIMPCON" ] || bail "simpcon-test not built at $SIMPCON"
	unshare -U true 2>/dev/null || skip_all "user namespaces are not available to $(id -un)"
}
tmpdir_make() { T_TMP=$(mktemp -d "$top_builddir/t/tmp.XXXXXX") || bail "mktemp"; trap 'rm -rf "$T_TMP"' EXIT; }

# A private TMPDIR and fixture cache, so a test can check that nothing is left behind.
setup_run_env() {
	tmpdir_make
	TMPDIR="$T_TMP/tmp"; export TMPDIR
	mkdir -p "$TMPDIR"
	SIMPCON_CACHE="${SIMPCON_CACHE:-$top_builddir/t/cache}"; export SIMPCON_CACHE
}

# fixture_copy DIR: a copy of the cached busybox fixture in DIR (made); bails when there is no
# fixture to copy, never copying from an empty path (that would be "/.")
fixture_copy() {
	f_root=$("$SIMPCON" fixture build 2>/dev/null)
	[ -n "$f_root" ] && [ -x "$f_root/bin/busybox" ] || bail "fixture build gave no fixture ('$f_root')"
	mkdir -p "$1" && cp -a "$f_root/." "$1/"
}

# sc ARGS...: runs simpcon-test with ARGS, its stdout in $T_OUT, stderr in $T_ERR, status in $T_RC.
sc() {
	"$SIMPCON" "$@" >"$T_TMP/out" 2>"$T_TMP/err" </dev/null
	T_RC=$?
	T_OUT=$(cat "$T_TMP/out")
	T_ERR=$(cat "$T_TMP/err")
}
has() { printf '%s\n' "$1" | grep -q -e "$2"; }         # has TEXT REGEX
has_line() { printf '%s\n' "$1" | grep -qx -e "$2"; }   # has_line TEXT LINE-REGEX

# driver_result FILE [--ignore-exit]: feeds the TAP stream in FILE (and the exit status in
# FILE.rc) to automake's tap-driver.sh and prints the global result (PASS, FAIL, ERROR).
driver_result() {
	f=$1; shift
	rc=$(cat "$f.rc" 2>/dev/null || echo 0)
	timeout 30 sh "$top_srcdir/build-aux/tap-driver.sh" --test-name "$(basename "$f")" --log-file "$f.log" \
		--trs-file "$f.trs" --color-tests no --enable-hard-errors yes --expect-failure no "$@" -- \
		sh -c 'cat "$1"; exit "$2"' sh "$f" "$rc" >/dev/null 2>&1
	sed -n 's/^:global-test-result: //p' "$f.trs"
}
# prove_result FILE: "PASS" when prove 3.44 accepts the stream as all passing, "FAIL" when it
# parses but reports failures, "HANG" when it does not finish.
prove_result() {
	[ -n "$PROVE" ] || { echo "NOPROVE"; return; }
	(cd "$(dirname "$1")" && timeout 30 "$PROVE" --exec cat "$(basename "$1")" >"$1.prove" 2>&1)
	case $? in 0) echo PASS ;; 124) echo HANG ;; *) echo FAIL ;; esac
}
# capture NAME ARGS...: runs simpcon-test ARGS and keeps its stream in $T_TMP/NAME (status in NAME.rc).
capture() {
	name=$1; shift
	"$SIMPCON" "$@" >"$T_TMP/$name" 2>"$T_TMP/$name.err" </dev/null
	echo $? >"$T_TMP/$name.rc"
}
