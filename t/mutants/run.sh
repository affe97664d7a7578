#!/bin/sh
# t/mutants/run.sh - `make mutants`: would `simpcon-test check` and `simpcon-test run -- true`
# say not ok if the container setup were broken? (README.md)
#
# A scratch copy of the tree (make distdir) is configured and built once; it must pass first.
# Then, for each mutation of mutants.list: apply it (every anchor found exactly once, or the
# mutation is an ERROR), rebuild simpcon-test and simpcon-init, run `check`, `run -- true` and
# the mutation's own runs, classify, and put the pristine files back. Results go to stdout and
# to $top_builddir/t/mutants/result.txt, each command's output to t/mutants/logs/.
#
# Set beforehand: MUTANTS (names or shell patterns, default all), MUTANTS_USER (run the
# commands as this user: rootless mode; needs root), MUTANTS_PROPAGATION (shared, the default,
# or private: the mount propagation of the namespace the commands run in, run by root),
# MUTANTS_TIMEOUT (seconds per command, default 300), MUTANTS_JOBS (make -j, default 2),
# MUTANTS_KEEP=1 (keep the scratch copy), MUTANTS_DRY_RUN=1 (only check every anchor).
# Exit status: 0; 1 when a mutation is an ERROR or BUILD-FAILED (the list needs updating);
# 3 when the pristine copy cannot be built or does not pass.
set -u
: "${top_srcdir:?set top_srcdir (make mutants does)}" "${top_builddir:?set top_builddir (make mutants does)}"
here=$top_srcdir/t/mutants
list=$here/mutants.list
AWK=${AWK:-awk}
MAKE=${MAKE:-make}
jobs=${MUTANTS_JOBS:-2}
limit=${MUTANTS_TIMEOUT:-300}
propagation=${MUTANTS_PROPAGATION:-shared}
out=$top_builddir/t/mutants
logs=$out/logs
result=$out/result.txt

say() {
	printf '%s\n' "$*"
	printf '%s\n' "$*" >>"$result"
}

field() { # field NAME KEY: the values of KEY of mutant NAME, one a line
	$AWK -v mode=get -v name="$1" -v key="$2" -f "$here/mutate.awk" "$list"
}

mkdir -p "$logs" || exit 3
rm -f "$logs"/* "$result"
names=$($AWK -v mode=names -f "$here/mutate.awk" "$list") || exit 3
selected=
set -f # MUTANTS holds patterns, for case, not for the shell to expand
for n in $names; do
	for pattern in ${MUTANTS:-*}; do
		# shellcheck disable=SC2254
		case $n in $pattern)
			selected="$selected $n"
			break
			;;
		esac
	done
done
set +f
# shellcheck disable=SC2086
set -- $selected
total=$#
[ "$total" -gt 0 ] || { echo "run.sh: no mutant matches MUTANTS='${MUTANTS:-}'" >&2; exit 3; }

if [ -n "${MUTANTS_DRY_RUN:-}" ]; then
	errors=0
	for n in $selected; do
		if msg=$($AWK -v mode=apply -v name="$n" -v root="$top_srcdir" -v write=0 -f "$here/mutate.awk" "$list" 2>&1); then
			say "ok       $n ($(printf '%s' "$msg" | tr '\n' ' '))"
		else
			say "ERROR    $n: $msg"
			errors=$((errors + 1))
		fi
	done
	say "# $total mutants, $errors with an anchor not found exactly once"
	[ $errors = 0 ]
	exit
fi

# --- the scratch copy ---------------------------------------------------------------------
started=$(date +%s)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/simpcon-mutants.XXXXXX") || exit 3
cleanup() {
	if [ -n "${MUTANTS_KEEP:-}" ]; then
		echo "# scratch copy kept in $scratch" >&2
	else
		rm -rf "$scratch"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
pristine=$scratch/pristine
src=$scratch/src
chmod 755 "$scratch"
mkdir -p "$scratch/cache" "$scratch/tmp" "$scratch/data/ro" || exit 3
echo host >"$scratch/data/ro/f"
echo "the harness's stdin" >"$scratch/stdin"

# rootless: the commands run as MUTANTS_USER; run by root, they run in namespaces of their own
# (pid: nothing a mutant starts outlives its command; uts: the host's names stay) with the mount
# propagation a systemd host has, unless told otherwise
wrap=
if [ "$(id -u)" = 0 ]; then
	case $propagation in shared | private) ;; *) echo "run.sh: MUTANTS_PROPAGATION is shared or private" >&2; exit 3 ;; esac
	wrap="unshare --mount --uts --ipc --pid --fork --kill-child --mount-proc --propagation $propagation"
	if [ -n "${MUTANTS_USER:-}" ]; then
		uid=$(id -u "$MUTANTS_USER") && gid=$(id -g "$MUTANTS_USER") || exit 3
		chown "$uid:$gid" "$scratch/cache" "$scratch/tmp" "$scratch/data" "$scratch/data/ro" "$scratch/data/ro/f"
		wrap="$wrap setpriv --reuid=$uid --regid=$gid --init-groups"
	fi
elif [ -n "${MUTANTS_USER:-}" ]; then
	echo "run.sh: MUTANTS_USER needs root" >&2
	exit 3
fi
mode="as $(id -un)"
[ -n "${MUTANTS_USER:-}" ] && mode="as $MUTANTS_USER (rootless)"
[ -n "$wrap" ] && mode="$mode, $propagation propagation"

: >"$result"
say "# make mutants: $total mutations of the container setup, $mode"
if ! $MAKE -C "$top_builddir" distdir distdir="$pristine" >"$logs/distdir.log" 2>&1; then
	say "Bail out! make distdir failed: see $logs/distdir.log"
	exit 3
fi
cp -a "$pristine" "$src" || exit 3
busybox=$(sed -n 's/^#define SC_DEFAULT_BUSYBOX "\(.*\)"$/\1/p' "$top_builddir/config.h" 2>/dev/null)
if ! (cd "$src" && ./configure ${busybox:+--with-busybox="$busybox"} >"$logs/configure.log" 2>&1); then
	say "Bail out! configure failed: see $logs/configure.log"
	exit 3
fi

build() { # build LOG: simpcon-test and its helpers run inside, incrementally
	$MAKE -C "$src" -j"$jobs" simpcon-test simpcon-init simpcon-probe >"$1" 2>&1
}

sc() { # sc LOG ARG...: `simpcon-test ARG...` as a mutant's command runs; sets rc
	_log=$1
	shift
	# shellcheck disable=SC2086
	timeout -k 10 "$limit" $wrap env TMPDIR="$scratch/tmp" SIMPCON_CACHE="$scratch/cache" \
		SIMPCON_INIT="$src/simpcon-init" SIMPCON_PROBE="$src/simpcon-probe" SIMPCON_UNPACK="$src/simpcon-unpack" \
		"$src/simpcon-test" "$@" <"$scratch/stdin" >"$_log" 2>"$_log.err"
	rc=$?
}

# judge LABEL LOG KIND: adds what the command's TAP says to detected (points not ok: every
# point of check, the isolation points of a run) or to crashed (it could not finish, or a run's
# command failed)
judge() {
	_label=$1 _log=$2 _kind=$3
	if [ "$_kind" = check ]; then
		_points=$(sed -n 's/^not ok \([0-9]*\) - .*/\1/p' "$_log" | tr '\n' ' ')
	else
		_points=$(sed -n 's/^not ok [0-9]* - isolation: \([a-z]*\).*/\1/p' "$_log" | tr '\n' ' ')
	fi
	[ -n "$_points" ] && detected="$detected${detected:+; }$_label ${_points% }"
	_why=
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		_why="timed out after $limit s"
	elif grep -q '^Bail out!' "$_log"; then
		_why=$(sed -n 's/^Bail out! //p' "$_log" | head -n 1)
	elif [ "$_kind" = run ] && grep '^not ok' "$_log" | grep -qv ' - isolation: '; then
		_why="$(grep '^not ok' "$_log" | grep -v ' - isolation: ' | head -n 1 | sed 's/^not ok [0-9]* - //')"
		_why="$_why ($(grep -E '^ +(exit_status|signal|message): ' "$_log" | head -n 2 | sed 's/^ *//' | tr '\n' ' '))"
	elif [ "$rc" != 0 ] && [ -z "$_points" ]; then
		_why="exit status $rc$(head -c 200 "$_log.err" | tr '\n' ' ' | sed 's/^/: /')"
	fi
	[ -n "$_why" ] && [ -z "$crashed" ] && crashed="$_label: $_why"
	:
}

# runs check, run -- true and the extra runs (one a line in $1) of the build in $src; sets
# detected and crashed
exercise() {
	_extra=$1 _prefix=$2
	detected='' crashed=''
	sc "$_prefix.check" check -q
	judge check "$_prefix.check" check
	sc "$_prefix.run" run -q -- true
	judge "run -- true:" "$_prefix.run" run
	_i=0
	while IFS= read -r _args; do
		[ -n "$_args" ] || continue
		_i=$((_i + 1))
		_args=$(printf '%s\n' "$_args" | sed "s|@DATA@|$scratch/data|g")
		eval "set -- $_args"
		sc "$_prefix.run$_i" run -q "$@"
		judge "run $*:" "$_prefix.run$_i" run
	done <<EOF
$_extra
EOF
}

host_state() {
	cat /proc/sys/kernel/core_pattern 2>/dev/null
}

# --- the baseline -------------------------------------------------------------------------
if ! build "$logs/baseline.build"; then
	say "Bail out! the pristine copy does not build: see $logs/baseline.build"
	exit 3
fi
all_runs=
for n in $selected; do
	all_runs="$all_runs$(field "$n" run)
"
done
all_runs=$(printf '%s' "$all_runs" | sort -u)
exercise "$all_runs" "$logs/baseline"
if [ -n "$detected$crashed" ]; then
	say "Bail out! the pristine copy does not pass: ${detected:+not ok: $detected }${crashed:+$crashed}; see $logs/baseline.*"
	exit 3
fi
say "# baseline: the pristine copy passes check, run -- true and $(printf '%s\n' "$all_runs" | grep -c .) other runs ($(($(date +%s) - started)) s)"

# --- the mutants --------------------------------------------------------------------------
n_detected=0 n_crashed=0 n_survived=0 n_build=0 n_error=0 i=0
survivors='' crashes='' broken=''
for n in $selected; do
	i=$((i + 1))
	t0=$(date +%s)
	touched=
	if ! touched=$($AWK -v mode=apply -v name="$n" -v root="$src" -f "$here/mutate.awk" "$list" 2>"$logs/$n.apply"); then
		verdict=ERROR detail=$(cat "$logs/$n.apply")
		n_error=$((n_error + 1))
		broken="$broken $n"
	elif ! build "$logs/$n.build"; then
		verdict=BUILD-FAILED detail="see $logs/$n.build"
		n_build=$((n_build + 1))
		broken="$broken $n"
	else
		before=$(host_state)
		exercise "$(field "$n" run)" "$logs/$n"
		after=$(host_state)
		if [ "$before" != "$after" ]; then
			say "# HOST CHANGED by $n: core_pattern was '$before', is '$after' (put back)"
			printf '%s\n' "$before" >/proc/sys/kernel/core_pattern
		fi
		if [ -n "$detected" ]; then
			verdict=DETECTED detail=$detected
			n_detected=$((n_detected + 1))
		elif [ -n "$crashed" ]; then
			verdict=CRASHED detail=$crashed
			n_crashed=$((n_crashed + 1))
			crashes="$crashes $n"
		else
			verdict=SURVIVED detail="every point ok"
			n_survived=$((n_survived + 1))
			survivors="$survivors $n"
		fi
	fi
	printf '%s\n' "$detail" >"$logs/$n.verdict"
	for f in $touched; do
		cp "$pristine/$f" "$src/$f" || exit 3 # a fresh mtime: make rebuilds what the mutant changed
	done
	say "$(printf '[%2d/%d] %-12s %-38s %s (%d s)' "$i" "$total" "$verdict" "$n" "$detail" $(($(date +%s) - t0)))"
done

# --- the result ---------------------------------------------------------------------------
valid=$((n_detected + n_crashed + n_survived))
percent() { [ "$2" -gt 0 ] && echo "$(($1 * 100 / $2))%" || echo "-"; }
say "# $total mutations in $(($(date +%s) - started)) s: $n_detected DETECTED, $n_crashed CRASHED, $n_survived SURVIVED, $n_build BUILD-FAILED, $n_error ERROR"
say "# score: $n_detected of $valid detected by a point not ok ($(percent $n_detected $valid)); $((n_detected + n_crashed)) of $valid ($(percent $((n_detected + n_crashed)) $valid)) counting the crashed"
for n in $survivors; do
	say "# SURVIVED $n: $(field "$n" why)"
	say "#   should say not ok: $(field "$n" point)"
	note=$(field "$n" note)
	[ -z "$note" ] || say "#   note: $note"
done
for n in $crashes; do
	say "# CRASHED $n: $(cat "$logs/$n.verdict")"
done
for n in $broken; do
	say "# BROKEN $n: $(cat "$logs/$n.verdict")"
done
[ -z "$broken" ]
