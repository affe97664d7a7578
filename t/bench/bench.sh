#!/bin/sh
# t/bench/bench.sh - the script behind `make bench`: simpcon-test against bwrap, unshare and
# runc on the same busybox root, transcripts against busybox sh, `make -j2 check` against -j1,
# simpcon-unpack against GNU tar, the parse of a 10 MB transcript, a suite run with -j2 against
# cram and against -j1; each case side by side with
# its anchor, medians of many runs.
# It installs nothing: a missing anchor or tool is named and its rows marked missing. It is a
# report, not a test: exit 0 whether or not the targets are met; 2 only when it could not run.
#
# Environment:
#   SIMPCON  simpcon-test to measure (required)
#   FLOOR    the built t/bench/floor (the bare-kernel floor; optional)
#   TIMER    the built t/bench/timer (default: beside FLOOR; else a slower perl fallback)
#   ROOTFS   a busybox root (default: the fixture `$SIMPCON run -v -- true` reports)
#   SIMPCON_UNPACK  the unpack helper for case g (default: simpcon-unpack beside SIMPCON, on
#            PATH, or the installed path simpcon-test itself would use)
#   N        measured runs per command (default 200); COLD_N cold builds (default 30);
#            MEM_N runs under /usr/bin/time -v (default 10); MAKE_N runs of each
#            `make check` (default 5); UNPACK_N unpack pairs (default 30); LIST_N runs of
#            each --list of case h (default 10); SUITE_N runs of each suite of cases i
#            and j (default 10)
#   LIST_LINES  lines of each of the two commands of case h's transcript (default 170000:
#            10 MB)
# Commands are kept as strings and split on blanks (paths with white space are refused),
# so globbing is off.
# shellcheck disable=SC2086,SC2015
set -u -f

N=${N:-200}
COLD_N=${COLD_N:-30}
MEM_N=${MEM_N:-10}
MAKE_N=${MAKE_N:-5}
UNPACK_N=${UNPACK_N:-30}
LIST_N=${LIST_N:-10}
SUITE_N=${SUITE_N:-10}
LIST_LINES=${LIST_LINES:-170000}
WARMUP=5
E_CMDS=1000 # commands in the transcript of case e
F_FILES=200 # transcript files in the project of case f
I_FILES=100 # transcript files of the suites of cases i and j

say() { printf '%s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 2; }
have() { command -v "$1" >/dev/null 2>&1; }
# calc EXPR [FORMAT]: floating-point arithmetic through awk
# (the parentheses keep a > in EXPR a comparison, not printf's output redirection)
calc() { awk "BEGIN { printf \"${2:-%.2f}\", ($1) }"; }

for v in "$N" "$COLD_N" "$MEM_N" "$MAKE_N" "$UNPACK_N" "$LIST_N" "$LIST_LINES"; do
	case $v in '' | *[!0-9]* | 0) die "N, COLD_N, MEM_N, MAKE_N, UNPACK_N, LIST_N and LIST_LINES must be positive integers (got '$v')" ;; esac
done
[ -n "${SIMPCON:-}" ] || die "set SIMPCON to the simpcon-test to measure (make bench does)"
[ -x "$SIMPCON" ] || die "SIMPCON '$SIMPCON' is not an executable: build it (make simpcon-test)"
case $SIMPCON in /*) ;; *) SIMPCON=$(pwd)/$SIMPCON ;; esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/simpcon-bench.XXXXXX") || die "cannot create a temporary directory"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' HUP INT TERM
# container root is a subordinate id when run by root: it must traverse this to reach the
# runc bundle, the cold caches and the transcripts
chmod 755 "$tmp"

# --- inputs ------------------------------------------------------------------------------
if [ -z "${ROOTFS:-}" ]; then
	"$SIMPCON" run -v -- true >"$tmp/probe.out" 2>"$tmp/probe.err" </dev/null ||
		die "'$SIMPCON run -v -- true' failed: $(tail -n 3 "$tmp/probe.err" "$tmp/probe.out")"
	ROOTFS=$(sed -n "s/^simpcon-test: fixture '\(.*\)'\( (built)\| (cached)\)*$/\1/p" "$tmp/probe.err" | head -n 1)
fi
case $SIMPCON$ROOTFS$tmp in *[[:space:]]*) die "paths with white space are not supported: '$SIMPCON', '$ROOTFS', '$tmp'" ;; esac
[ -n "$ROOTFS" ] && [ -x "$ROOTFS/bin/true" ] ||
	die "no busybox root (ROOTFS='$ROOTFS'): set ROOTFS, or check '$SIMPCON run -v -- true'"

if [ -z "${TIMER:-}" ] && [ -n "${FLOOR:-}" ]; then
	TIMER=$(dirname "$FLOOR")/timer
fi
timing="t/bench/timer (posix_spawn, CLOCK_MONOTONIC)"
if [ -z "${TIMER:-}" ] || [ ! -x "$TIMER" ]; then
	have perl && perl -MTime::HiRes -e 1 2>/dev/null ||
		die "no timer: build t/bench/timer (make bench does) or install perl"
	timing="perl Time::HiRes fallback (fork of perl adds ~0.3 ms to every run; build t/bench/timer)"
	cat >"$tmp/timer.pl" <<'EOF'
# the interface and output of t/bench/timer.c, slower
use strict; use warnings; use Time::HiRes qw(time);
my ($n, $w, $err) = (200, 5, '/dev/null');
while (@ARGV && $ARGV[0] ne '--') {
	my $o = shift @ARGV;
	if ($o eq '-n') { $n = shift @ARGV } elsif ($o eq '-w') { $w = shift @ARGV }
	elsif ($o eq '-e') { $err = shift @ARGV } else { die "usage\n" }
}
shift @ARGV;
my @cmds = ([]);
for (@ARGV) { if ($_ eq ':::') { push @cmds, [] } else { push @{$cmds[-1]}, $_ } }
my (@took, @failed);
sub one {
	my ($i) = @_;
	my @a = @{$cmds[$i]};
	my %env;
	while (@a && $a[0] =~ /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s) { $env{$1} = $2; shift @a }
	my $start = time;
	my $pid = fork;
	die "fork: $!\n" unless defined $pid;
	if (!$pid) {
		open STDIN, '<', '/dev/null'; open STDOUT, '>', '/dev/null'; open STDERR, '>>', $err;
		@ENV{keys %env} = values %env;
		exec { $a[0] } @a or exit 127;
	}
	waitpid($pid, 0);
	my $d = time - $start;
	return ($d, $? != 0);
}
for (1 .. $w) { one($_) for 0 .. $#cmds }
for (1 .. $n) { for my $i (0 .. $#cmds) { my ($d, $f) = one($i); push @{$took[$i]}, $d; $failed[$i] += $f } }
for my $i (0 .. $#cmds) {
	my @t = sort { $a <=> $b } @{$took[$i]};
	my $m = @t % 2 ? $t[$#t / 2] : ($t[@t / 2 - 1] + $t[@t / 2]) / 2;
	my $sum = 0; $sum += $_ for @t;
	printf "cmd=%d n=%d median_ms=%.3f mean_ms=%.3f min_ms=%.3f max_ms=%.3f failed=%d\n",
		$i + 1, scalar @t, $m * 1e3, $sum / @t * 1e3, $t[0] * 1e3, $t[-1] * 1e3, $failed[$i] || 0;
}
EOF
	TIMER="perl $tmp/timer.pl"
fi

# timed OUT -- CMD ::: CMD ...: runs the commands interleaved, N rounds, results in OUT
timed() {
	timed_out=$1
	shift
	$TIMER -n "$N" -w "$WARMUP" -e "$tmp/stderr.log" "$@" >"$timed_out" ||
		die "the timer failed on: $*"
}
# field FILE CMD-INDEX KEY: one value of a timer result line
field() { sed -n "s/^cmd=$2 .*$3=\([^ ]*\).*/\1/p" "$1"; }
ms() { calc "$1" "%.2f ms"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown; }
# median_of FILE: the median of the numbers in FILE, one a line
median_of() { sort -n "$1" | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# --- anchors -----------------------------------------------------------------------------
missing=""
anchor_ok() { # anchor_ok NAME CMD...: present and able to run /bin/true here
	anchor_name=$1
	shift
	if ! have "$1"; then
		missing="$missing $anchor_name (not installed)"
		return 1
	fi
	if ! "$@" >/dev/null 2>"$tmp/anchor.err" </dev/null; then
		missing="$missing $anchor_name (cannot run here: $(head -n 1 "$tmp/anchor.err"))"
		return 1
	fi
	return 0
}

bwrap_all="bwrap --unshare-all --bind $ROOTFS / --proc /proc --dev /dev --hostname h /bin/true"
bwrap_nonet="bwrap --unshare-user --unshare-pid --unshare-ipc --unshare-uts --unshare-cgroup --bind $ROOTFS / --proc /proc --dev /dev --hostname h /bin/true"
unshare_all="unshare -Urpfmiun -C --root=$ROOTFS --mount-proc /bin/true"
unshare_nonet="unshare -Urpfmiu -C --root=$ROOTFS --mount-proc /bin/true"
runc_id="simpcon-bench-$$"
runc_cmd="runc --root $tmp/runc-state run --bundle $tmp/bundle $runc_id"

# A minimal bundle: the same namespaces as simpcon-test, proc and a tmpfs /dev, a copy of the
# root (runc may create mount points in it; the shared fixture stays untouched).
make_runc_bundle() {
	if [ "$(id -u)" = 0 ]; then
		uid_host=1879048192 gid_host=1879048192 id_count=65536 # 0x70000000, as floor.c
	else
		uid_host=$(id -u) gid_host=$(id -g) id_count=1
	fi
	mkdir "$tmp/bundle" && cp -a "$ROOTFS" "$tmp/bundle/rootfs" || return 1
	cat >"$tmp/bundle/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": { "uid": 0, "gid": 0 },
    "args": [ "/bin/true" ],
    "env": [ "PATH=/bin:/sbin:/usr/bin:/usr/sbin" ],
    "cwd": "/",
    "noNewPrivileges": true
  },
  "root": { "path": "rootfs", "readonly": false },
  "hostname": "h",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": [ "nosuid", "mode=755", "size=64k" ] }
  ],
  "linux": {
    "uidMappings": [ { "containerID": 0, "hostID": $uid_host, "size": $id_count } ],
    "gidMappings": [ { "containerID": 0, "hostID": $gid_host, "size": $id_count } ],
    "namespaces": [ { "type": "pid" }, { "type": "network" }, { "type": "ipc" }, { "type": "uts" },
                    { "type": "mount" }, { "type": "cgroup" }, { "type": "user" } ]
  }
}
EOF
}

use_bwrap=0 use_unshare=0 use_runc=0
anchor_ok bwrap $bwrap_all && use_bwrap=1
anchor_ok unshare $unshare_all && use_unshare=1
if have runc; then
	if make_runc_bundle; then
		anchor_ok runc $runc_cmd && use_runc=1
	else
		missing="$missing runc (could not copy '$ROOTFS' into a bundle)"
	fi
else
	missing="$missing runc (not installed)"
fi

"$SIMPCON" run -q -- /bin/true >"$tmp/sc.out" 2>"$tmp/sc.err" </dev/null ||
	die "'$SIMPCON run -q -- /bin/true' fails here: $(tail -n 3 "$tmp/sc.err" "$tmp/sc.out")"

# e: the fixture's own busybox is the anchor shell (the one the transcript's shell runs)
busybox=$ROOTFS/bin/busybox
[ -x "$busybox" ] || die "no busybox in the root ('$busybox')"

# f: autotools make the project; tap-driver.sh comes from automake
use_make=0
if ! have autoreconf || ! have aclocal || ! have automake; then
	missing="$missing autoreconf (autoconf and automake not installed: case f)"
elif ! have make; then
	missing="$missing make (not installed: case f)"
else
	use_make=1
fi

# g: the busybox fixture as a tar.gz, and the unpack helper simpcon-test would run
mkdir "$tmp/g"
fixture=$("$SIMPCON" fixture build 2>"$tmp/g/fixture.err" </dev/null | tail -n 1)
[ -n "$fixture" ] && [ -d "$fixture" ] || fixture=$ROOTFS
case $fixture in *[[:space:]]*) die "paths with white space are not supported: '$fixture'" ;; esac
archive=$tmp/g/rootfs.tar.gz
tar czf "$archive" -C "$fixture" . 2>"$tmp/g/tar.err" ||
	die "cannot make the archive of '$fixture': $(head -n 1 "$tmp/g/tar.err")"
archive_size=$(calc "$(wc -c <"$archive") / 1048576" "%.1f")
unpack="" unpack_from=""
if [ -n "${SIMPCON_UNPACK:-}" ]; then
	unpack=$SIMPCON_UNPACK unpack_from="\$SIMPCON_UNPACK"
elif [ -x "$(dirname "$SIMPCON")/simpcon-unpack" ]; then
	unpack=$(dirname "$SIMPCON")/simpcon-unpack unpack_from="beside simpcon-test"
elif have simpcon-unpack; then
	unpack=$(command -v simpcon-unpack) unpack_from="PATH"
else # the installed path compiled into simpcon-test (configure's pkglibexecdir)
	unpack=$(grep -a -o '/[[:alnum:]_./+-]*/simpcon-unpack' "$SIMPCON" | head -n 1)
	unpack_from="the default compiled into simpcon-test"
fi
use_unpack=0
case $unpack in *[[:space:]]*) die "paths with white space are not supported: '$unpack'" ;; esac
if [ -z "$unpack" ] || [ ! -x "$unpack" ]; then
	unpack_why="not built yet: SIMPCON_UNPACK is unset and there is none beside simpcon-test, on PATH${unpack:+ or at $unpack}"
	[ -n "${SIMPCON_UNPACK:-}" ] && unpack_why="SIMPCON_UNPACK='$SIMPCON_UNPACK' is not an executable"
	missing="$missing simpcon-unpack ($unpack_why)"
elif ! mkdir "$tmp/g/probe" || ! "$unpack" "$archive" "$tmp/g/probe" >/dev/null 2>"$tmp/g/probe.err" </dev/null ||
	[ ! -x "$tmp/g/probe/bin/busybox" ]; then
	missing="$missing simpcon-unpack (cannot unpack the fixture's archive here: $(head -n 1 "$tmp/g/probe.err"))"
else
	use_unpack=1
	export SIMPCON_UNPACK="$unpack" # the cold `run --archive` row runs the same helper
fi
rm -rf "$tmp/g/probe"

say "simpcon-test benchmark: $(uname -sr), $(nproc) CPUs, run as $(id -un)$([ "$(id -u)" = 0 ] || echo ' (rootless)')"
say "  simpcon-test: $SIMPCON"
say "  rootfs:       $ROOTFS"
say "  timing:       $timing; N=$N runs per command after $WARMUP warm-up rounds, medians"
say "  anchors:      bwrap $([ $use_bwrap = 1 ] && bwrap --version | sed 's/^bubblewrap //' || echo -)," \
	"unshare $([ $use_unshare = 1 ] && unshare --version | sed 's/.* //' || echo -)," \
	"runc $([ $use_runc = 1 ] && runc --version | sed -n '1s/^runc version //p' || echo -)," \
	"busybox $("$busybox" 2>&1 | sed -n '1s/^BusyBox \(v[^ ]*\).*/\1/p')," \
	"$(tar --version | head -n 1)," \
	"automake $([ $use_make = 1 ] && automake --version | sed -n '1s/.* //p' || echo -)"
say "  unpack:       $([ $use_unpack = 1 ] && echo "$unpack (from $unpack_from)" || echo -)"
say "  missing:     ${missing:- none}"
say "  load:         $(loadavg) (1, 5, 15 min) at the start"
say ""

rows=$tmp/rows
: >"$rows"
met=0 targets=0 verdicts=""
# row CASE VALUE ANCHOR ANCHOR-VALUE RATIO TARGET MET (tab-separated: a cell may hold a |)
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$rows"; }
# judge ID VALUE OP LIMIT: counts a target met when VALUE OP LIMIT holds (OP: <, <=, >=);
# sets $verdict to yes or NO
judge() {
	targets=$((targets + 1)) verdict=NO
	[ "$(calc "$2 $3 $4 ? 1 : 0" %d)" = 1 ] && met=$((met + 1)) verdict=yes
	verdicts="$verdicts $1:$verdict"
}
# unjudged ID: a target that could not be measured (its anchor or tool is missing)
unjudged() {
	targets=$((targets + 1))
	verdicts="$verdicts $1:n/a"
}
failures() { # failures FILE INDEX LABEL: names runs that did not exit 0
	f=$(field "$1" "$2" failed)
	[ "${f:-0}" = 0 ] || say "  note: $3 failed in $f of $(field "$1" "$2" n) runs (stderr tail below)"
}

# --- a. all seven namespaces -------------------------------------------------------------
sc_all="$SIMPCON run -q -- /bin/true"
set -- $sc_all ::: /bin/true
i_bwrap="" i_unshare="" i_runc=""
k=2
[ $use_bwrap = 1 ] && { set -- "$@" ::: $bwrap_all; k=$((k + 1)); i_bwrap=$k; }
[ $use_unshare = 1 ] && { set -- "$@" ::: $unshare_all; k=$((k + 1)); i_unshare=$k; }
[ $use_runc = 1 ] && { set -- "$@" ::: $runc_cmd; k=$((k + 1)); i_runc=$k; }
say "running a: simpcon-test run, all namespaces, against$( [ -n "$i_bwrap" ] && printf ' bwrap')$( [ -n "$i_unshare" ] && printf ' unshare')$( [ -n "$i_runc" ] && printf ' runc') (interleaved)..."
timed "$tmp/a" -- "$@"
a_sc=$(field "$tmp/a" 1 median_ms)
host_start=$(field "$tmp/a" 2 median_ms)
failures "$tmp/a" 1 "simpcon-test run"
case_a="a. run -q /bin/true, 7 ns"
if [ -n "$i_bwrap" ]; then
	b=$(field "$tmp/a" "$i_bwrap" median_ms)
	judge a "$a_sc / $b" "<=" 0.5
	row "$case_a" "$(ms "$a_sc")" "bwrap --unshare-all" "$(ms "$b")" "$(calc "$a_sc / $b")" "<= 0.50" "$verdict"
	failures "$tmp/a" "$i_bwrap" bwrap
else
	unjudged a
	row "$case_a" "$(ms "$a_sc")" "bwrap --unshare-all" "missing" "-" "<= 0.50" "n/a"
fi
if [ -n "$i_unshare" ]; then
	u=$(field "$tmp/a" "$i_unshare" median_ms)
	row "$case_a" "$(ms "$a_sc")" "unshare -Urpfmiun -C" "$(ms "$u")" "$(calc "$a_sc / $u")" "info" "-"
	failures "$tmp/a" "$i_unshare" unshare
fi
if [ -n "$i_runc" ]; then
	rc=$(field "$tmp/a" "$i_runc" median_ms)
	row "$case_a" "$(ms "$a_sc")" "runc run" "$(ms "$rc")" "$(calc "$a_sc / $rc")" "info" "-"
	failures "$tmp/a" "$i_runc" runc
fi

# --- b. without the network namespace ----------------------------------------------------
sc_nonet="$SIMPCON run -q --net host -- /bin/true"
set -- $sc_nonet
i_bwrap="" i_unshare="" k=1
[ $use_bwrap = 1 ] && { set -- "$@" ::: $bwrap_nonet; k=$((k + 1)); i_bwrap=$k; }
[ $use_unshare = 1 ] && { set -- "$@" ::: $unshare_nonet; k=$((k + 1)); i_unshare=$k; }
say "running b: simpcon-test run --net host against the same anchors without net (interleaved)..."
timed "$tmp/b" -- "$@"
b_sc=$(field "$tmp/b" 1 median_ms)
failures "$tmp/b" 1 "simpcon-test run --net host"
case_b="b. run -q --net host, 6 ns"
if [ -n "$i_bwrap" ]; then
	b=$(field "$tmp/b" "$i_bwrap" median_ms)
	judge b "$b_sc / $b" "<=" 0.5
	row "$case_b" "$(ms "$b_sc")" "bwrap, same 6 ns" "$(ms "$b")" "$(calc "$b_sc / $b")" "<= 0.50" "$verdict"
	failures "$tmp/b" "$i_bwrap" "bwrap without net"
else
	unjudged b
	row "$case_b" "$(ms "$b_sc")" "bwrap, same 6 ns" "missing" "-" "<= 0.50" "n/a"
fi
if [ -n "$i_unshare" ]; then
	u=$(field "$tmp/b" "$i_unshare" median_ms)
	row "$case_b" "$(ms "$b_sc")" "unshare -Urpfmiu -C" "$(ms "$u")" "$(calc "$b_sc / $u")" "info" "-"
	failures "$tmp/b" "$i_unshare" "unshare without net"
fi

# --- c. peak memory ----------------------------------------------------------------------
maxrss() { # maxrss OUT CMD...: max RSS in KiB of MEM_N runs, one a line, in OUT
	maxrss_out=$1
	shift
	: >"$maxrss_out"
	j=0
	while [ $j -lt "$MEM_N" ]; do
		/usr/bin/time -v "$@" 2>"$tmp/time.err" >/dev/null </dev/null
		sed -n 's/.*Maximum resident set size (kbytes): *//p' "$tmp/time.err" >>"$maxrss_out"
		j=$((j + 1))
	done
}
case_c="c. peak memory (max RSS)"
if [ -x /usr/bin/time ] && /usr/bin/time --version 2>&1 | grep -q GNU; then
	say "running c: peak memory under /usr/bin/time -v, $MEM_N runs..."
	maxrss "$tmp/mem.sc" $sc_all
	m_sc=$(calc "$(median_of "$tmp/mem.sc") / 1024")
	judge c "$m_sc" "<" 4
	if [ $use_bwrap = 1 ]; then
		maxrss "$tmp/mem.bwrap" $bwrap_all
		m_b=$(calc "$(median_of "$tmp/mem.bwrap") / 1024")
		row "$case_c" "$m_sc MiB" "bwrap --unshare-all" "$m_b MiB" "$(calc "$m_sc / $m_b")" "< 4 MiB" "$verdict"
	else
		row "$case_c" "$m_sc MiB" "-" "-" "-" "< 4 MiB" "$verdict"
	fi
else
	missing="$missing GNU-time (/usr/bin/time; apt-get install time)"
	unjudged c
	row "$case_c" "missing" "GNU /usr/bin/time missing" "-" "-" "< 4 MiB" "n/a"
fi

# --- d. cold fixture build ---------------------------------------------------------------
say "running d: $COLD_N cold fixture builds, each paired with a warm run..."
: >"$tmp/cold" && : >"$tmp/warm" && : >"$tmp/diff"
j=0
while [ $j -lt "$COLD_N" ]; do
	$TIMER -n 1 -w 0 -e "$tmp/stderr.log" -- SIMPCON_CACHE="$tmp/cold.$j" "$SIMPCON" run -q -- true \
		::: "$SIMPCON" run -q -- true >"$tmp/d" || die "the timer failed on the cold run"
	c=$(field "$tmp/d" 1 median_ms) w=$(field "$tmp/d" 2 median_ms)
	[ "$(field "$tmp/d" 1 failed)" = 0 ] || say "  note: cold run $j failed (stderr tail below)"
	echo "$c" >>"$tmp/cold" && echo "$w" >>"$tmp/warm" && calc "$c - $w" "%.3f\n" >>"$tmp/diff"
	rm -rf "$tmp/cold.$j"
	j=$((j + 1))
done
d_cold=$(median_of "$tmp/cold") d_warm=$(median_of "$tmp/warm") d_diff=$(median_of "$tmp/diff")
judge d "$d_diff" "<" 20
row "d. cold fixture build" "$(ms "$d_diff")" "warm run (cold: $(ms "$d_cold"))" "$(ms "$d_warm")" \
	"$(calc "$d_cold / $d_warm")" "< 20 ms" "$verdict"

# --- e. a transcript of 1,000 commands ---------------------------------------------------
# The transcript (`echo I`, expected `I`), one container and one shell session, against the
# same commands run by one busybox sh (the fixture's) outside any container, reading them from
# a file: no other process, the cheapest the same commands can be. For information: the same
# commands piped into busybox sh (`sh -c 'cat F | busybox sh'`: sh and cat start too), and the
# cost of each further command ((run of 1,000 - run of 1) / 999) of the transcript, of busybox
# sh, and of busybox sh running the shape of script simpcon-test hands its shell (each command
# followed by its marker echo, as src/transcript.c writes it), output to /dev/null or to a pipe.
# The time of 1,000 commands in ms is the cost per command in us.
mkdir "$tmp/e"
# e_script N MARKED: the commands as a shell script, each followed by the marker if MARKED=1
e_script() {
	awk -v n="$1" -v marked="$2" 'BEGIN { if (marked) print "exec 2>&1"
		for (i = 1; i <= n; i++) {
			print "echo " i
			if (marked) printf "command echo \"\nsimpcon-00112233445566778899aabbccddeeff %d $?\"\n", i - 1
		} }'
}
awk -v n=$E_CMDS 'BEGIN { print "A transcript of " n " commands (make bench, case e)."; print ""
	for (i = 1; i <= n; i++) printf "  $ echo %d\n  %d\n", i, i }' >"$tmp/e/many.t"
printf 'A transcript of one command.\n\n  $ echo 1\n  1\n' >"$tmp/e/one.t"
e_script $E_CMDS 0 >"$tmp/e/many.sh" && e_script 1 0 >"$tmp/e/one.sh"
e_script $E_CMDS 1 >"$tmp/e/many-marked.sh" && e_script 1 1 >"$tmp/e/one-marked.sh"
chmod -R a+rX "$tmp/e"
e_case="e. transcript, $E_CMDS cmds"
if ! "$SIMPCON" -q "$tmp/e/many.t" >"$tmp/e/check.out" 2>"$tmp/e/check.err" </dev/null; then
	say "  note: the $E_CMDS-command transcript does not pass (its times are still shown):"
	{ grep -v '^ok ' "$tmp/e/check.out" | head -n 8; tail -n 3 "$tmp/e/check.err"; } | sed 's/^/    /'
fi
say "running e: a transcript of $E_CMDS commands against busybox sh outside (interleaved)..."
bb="$busybox sh"
timed "$tmp/e/res" -- $SIMPCON -q $tmp/e/many.t ::: $bb $tmp/e/many.sh ::: sh -c "cat $tmp/e/many.sh | $bb" \
	::: $SIMPCON -q $tmp/e/one.t ::: $bb $tmp/e/one.sh \
	::: $bb $tmp/e/many-marked.sh ::: $bb $tmp/e/one-marked.sh \
	::: sh -c "$bb $tmp/e/many-marked.sh | cat" ::: sh -c "$bb $tmp/e/one-marked.sh | cat"
e_med() { field "$tmp/e/res" "$1" median_ms; }
e_t=$(e_med 1) e_sh=$(e_med 2) e_pipe=$(e_med 3) e_t1=$(e_med 4) e_sh1=$(e_med 5)
failures "$tmp/e/res" 1 "the $E_CMDS-command transcript"
failures "$tmp/e/res" 4 "the 1-command transcript"
us() { calc "$1" "%.2f us/cmd"; }
percmd() { calc "$1 * 1000 / $E_CMDS" "%.4f"; }
further() { calc "($(e_med "$1") - $(e_med "$2")) * 1000 / ($E_CMDS - 1)" "%.4f"; }
e_ratio=$(calc "$e_t / $e_sh")
judge e "$e_ratio" "<=" 2
row "$e_case" "$(us "$(percmd "$e_t")")" "busybox sh FILE, outside" "$(us "$(percmd "$e_sh")")" "$e_ratio" "<= 2.00" "$verdict"
row "$e_case" "$(us "$(percmd "$e_t")")" "cat FILE | busybox sh" "$(us "$(percmd "$e_pipe")")" "$(calc "$e_t / $e_pipe")" "info" "-"
e_more=$(further 1 4)
for e_anchor in "busybox sh FILE:2:5" "its script, busybox sh:6:7" "its script, busybox sh | cat:8:9"; do
	a_more=$(further "$(echo "$e_anchor" | cut -d: -f2)" "$(echo "$e_anchor" | cut -d: -f3)")
	row "e. each further command" "$(us "$e_more")" "${e_anchor%%:*}, each further" "$(us "$a_more")" \
		"$(calc "$a_more > 0 ? $e_more / $a_more : 0")" "info" "-"
done

# --- f. make -j2 check against make -j1 check --------------------------------------------
# A generated automake project (the pattern of fixtures/example: T_LOG_COMPILER =
# simpcon-test, tap-driver.sh) with F_FILES transcripts of three commands each; its whole
# `make check` (every log removed and rerun) with -j1 and -j2, alternately, MAKE_N times each
# after one unmeasured round. Throughput is files per second; ratio = -j2 / -j1.
f_case="f. $F_FILES .t files, make -j2 check"
if [ $use_make = 1 ]; then
	mkdir "$tmp/f" "$tmp/f/tests"
	cat >"$tmp/f/configure.ac" <<'EOF'
AC_INIT([simpcon-bench-f], [1.0])
AC_CONFIG_AUX_DIR([build-aux])
AC_REQUIRE_AUX_FILE([tap-driver.sh])
AM_INIT_AUTOMAKE([-Wall -Werror foreign])
AC_PATH_PROG([SIMPCON_TEST], [simpcon-test])
AS_IF([test -z "$SIMPCON_TEST"], [AC_MSG_ERROR([simpcon-test not found: pass SIMPCON_TEST=PATH])])
AC_CONFIG_FILES([Makefile])
AC_OUTPUT
EOF
	awk -v n=$F_FILES -v dir="$tmp/f/tests" 'BEGIN {
		printf "TESTS ="
		for (i = 1; i <= n; i++) {
			f = sprintf("%s/t%03d.t", dir, i)
			printf "File %d of the make check benchmark.\n\n  $ echo file-%d\n  file-%d\n  $ X=%d && echo $((X * 2))\n  %d\n  $ test -x /bin/sh\n", i, i, i, i, 2 * i >f
			close(f)
			printf " \\\n\ttests/t%03d.t", i
		}
		print ""
	}' >"$tmp/f/Makefile.am"
	cat >>"$tmp/f/Makefile.am" <<'EOF'
TEST_EXTENSIONS = .t
T_LOG_COMPILER = $(SIMPCON_TEST)
AM_T_LOG_FLAGS = -q
T_LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
AM_T_LOG_DRIVER_FLAGS = --ignore-exit
EOF
	chmod -R a+rX "$tmp/f"
	# the project's make must not inherit make bench's flags or jobserver
	unset MAKEFLAGS MFLAGS MAKELEVEL GNUMAKEFLAGS
	if ! (cd "$tmp/f" && autoreconf -fi && ./configure SIMPCON_TEST="$SIMPCON") >"$tmp/f/setup.log" 2>&1 </dev/null; then
		missing="$missing autoreconf (the project of case f does not configure: $(tail -n 1 "$tmp/f/setup.log"))"
		use_make=0
	fi
fi
if [ $use_make = 1 ]; then
	say "running f: $F_FILES transcript files under make -j1 check and make -j2 check, $MAKE_N times each (interleaved)..."
	# a failed run's test-suite.log is kept (the next run removes it); sh adds ~1 ms to seconds
	f_make() { echo "make -s -C $tmp/f -j$1 check || { cat $tmp/f/test-suite.log >>$tmp/f/failed.log; exit 1; }"; }
	$TIMER -n "$MAKE_N" -w 1 -e "$tmp/stderr.log" -- sh -c "$(f_make 1)" ::: sh -c "$(f_make 2)" >"$tmp/f/res" ||
		die "the timer failed on make check"
	f_j1=$(field "$tmp/f/res" 1 median_ms) f_j2=$(field "$tmp/f/res" 2 median_ms)
	failures "$tmp/f/res" 1 "make -j1 check"
	failures "$tmp/f/res" 2 "make -j2 check"
	if [ -s "$tmp/f/failed.log" ]; then
		say "  note: what failed in make check (the warm-up round included):"
		grep -E '^(FAIL|ERROR): [^ ]+ |^  message:' "$tmp/f/failed.log" | sort | uniq -c | sort -rn | head -n 8 | sed 's/^/    /'
		say "  the log of the first one (tap-driver's copy, ok lines left out):"
		awk '/^(FAIL|ERROR): [^ ]+$/ { n++; next } n == 1 && !/^(ok |PASS: |=+$)/ && NF' "$tmp/f/failed.log" |
			head -n 15 | sed 's/^/    /'
	fi
	f_points=$(sed -n 's/^# PASS: *//p' "$tmp/f/test-suite.log")
	[ "$f_points" = $((F_FILES * 10)) ] ||
		say "  note: the last make check passed ${f_points:-no} points of $((F_FILES * 10))"
	fps() { calc "$F_FILES * 1000 / $1" "%.1f files/s"; }
	f_ratio=$(calc "$f_j1 / $f_j2")
	judge f "$f_ratio" ">=" 1.6
	row "$f_case" "$(fps "$f_j2")" "make -j1 check" "$(fps "$f_j1")" "$f_ratio" ">= 1.60" "$verdict"
else
	unjudged f
	row "$f_case" "missing" "make -j1 check" "missing" "-" ">= 1.60" "n/a"
fi

# --- g. unpacking a rootfs tar.gz ----------------------------------------------------------
# $SIMPCON_UNPACK ARCHIVE DEST against `tar xzf ARCHIVE -C DEST`, both into a new empty
# directory (as the fixture cache gives the helper), UNPACK_N pairs after one unmeasured one,
# the order swapped every pair. With the helper, a cold `run --archive` (new cache) is timed
# in the same rounds, for information.
g_case="g. unpack rootfs.tar.gz, $archive_size MiB"
say "running g: $UNPACK_N unpacks of the fixture as a tar.gz$([ $use_unpack = 1 ] && echo ", simpcon-unpack against GNU tar" || echo " by GNU tar (simpcon-unpack missing)")..."
: >"$tmp/g/unpack" && : >"$tmp/g/tar" && : >"$tmp/g/cold"
g_failed=0
j=0
while [ $j -le "$UNPACK_N" ]; do
	mkdir "$tmp/g/t.$j" "$tmp/g/u.$j"
	tar_cmd="tar xzf $archive -C $tmp/g/t.$j"
	if [ $use_unpack = 1 ]; then
		cold_cmd="SIMPCON_CACHE=$tmp/g/c.$j $SIMPCON run -q --archive $archive -- true"
		if [ $((j % 2)) = 0 ]; then
			set -- $unpack $archive $tmp/g/u.$j ::: $tar_cmd ::: $cold_cmd
			i_u=1 i_t=2
		else
			set -- $tar_cmd ::: $unpack $archive $tmp/g/u.$j ::: $cold_cmd
			i_u=2 i_t=1
		fi
	else
		set -- $tar_cmd
		i_u="" i_t=1
	fi
	$TIMER -n 1 -w 0 -e "$tmp/stderr.log" -- "$@" >"$tmp/g/res" || die "the timer failed on: $*"
	for i in $i_u $i_t 3; do
		[ "$(field "$tmp/g/res" $i failed)" = 0 ] || [ -z "$(field "$tmp/g/res" $i failed)" ] || g_failed=$((g_failed + 1))
	done
	if [ $j -gt 0 ]; then
		field "$tmp/g/res" $i_t median_ms >>"$tmp/g/tar"
		if [ -n "$i_u" ]; then
			field "$tmp/g/res" $i_u median_ms >>"$tmp/g/unpack"
			field "$tmp/g/res" 3 median_ms >>"$tmp/g/cold"
		fi
	fi
	rm -rf "$tmp/g/t.$j" "$tmp/g/u.$j" "$tmp/g/c.$j"
	j=$((j + 1))
done
[ $g_failed = 0 ] || say "  note: $g_failed unpack runs failed (stderr tail below)"
g_tar=$(median_of "$tmp/g/tar")
if [ $use_unpack = 1 ]; then
	g_unpack=$(median_of "$tmp/g/unpack") g_cold=$(median_of "$tmp/g/cold")
	g_ratio=$(calc "$g_unpack / $g_tar")
	judge g "$g_ratio" "<=" 1
	row "$g_case" "$(ms "$g_unpack")" "tar xzf (GNU tar)" "$(ms "$g_tar")" "$g_ratio" "<= 1.00" "$verdict"
	row "g. run --archive, cold cache" "$(ms "$g_cold")" "tar xzf (GNU tar)" "$(ms "$g_tar")" "$(calc "$g_cold / $g_tar")" "info" "-"
else
	unjudged g
	row "$g_case" "missing" "tar xzf (GNU tar)" "$(ms "$g_tar")" "-" "<= 1.00" "n/a"
fi

# --- h. --list of a 10 MB transcript ------------------------------------------------------
# A transcript is parsed before its container starts, outside --timeout. The file: a command
# of LIST_LINES continuation lines, then one with LIST_LINES expected lines (10 MB at the
# default); `--list` parses it and prints its 9 points, against `--list` of a 1-command file
# (the process's start), LIST_N rounds after one unmeasured one. Target: under a second.
mkdir "$tmp/h"
awk -v n="$LIST_LINES" 'BEGIN { print "A long command and a long output (make bench, case h)."; print ""
	print "  $ echo \\"; for (i = 1; i <= n; i++) print "  > xxxxxxxxxxxxxxxx \\"; print "  > done"
	print "  $ cat big"; for (i = 1; i <= n; i++) printf "  line %d of the expected output\n", i }' >"$tmp/h/big.t"
printf 'A transcript of one command.\n\n  $ echo 1\n  1\n' >"$tmp/h/one.t"
h_mb=$(calc "$(wc -c <"$tmp/h/big.t") / 1000000" "%.1f")
h_case="h. --list, $h_mb MB transcript"
"$SIMPCON" --list "$tmp/h/big.t" >"$tmp/h/list" 2>&1 </dev/null
[ "$(wc -l <"$tmp/h/list")" = 9 ] || say "  note: --list of the $h_mb MB transcript printed: $(head -n 1 "$tmp/h/list")"
say "running h: --list of a $h_mb MB transcript ($((2 * LIST_LINES)) lines) against a 1-command one, $LIST_N times each..."
$TIMER -n "$LIST_N" -w 1 -e "$tmp/stderr.log" -- $SIMPCON --list $tmp/h/big.t ::: $SIMPCON --list $tmp/h/one.t \
	>"$tmp/h/res" || die "the timer failed on --list"
failures "$tmp/h/res" 1 "--list of the $h_mb MB transcript"
h_big=$(field "$tmp/h/res" 1 median_ms) h_one=$(field "$tmp/h/res" 2 median_ms)
judge h "$h_big" "<" 1000
row "$h_case" "$(ms "$h_big")" "--list, 1-command file" "$(ms "$h_one")" "$(calc "$h_big / $h_one")" "< 1000 ms" "$verdict"
rm -rf "$tmp/h"

# --- i. a suite with -j2 against cram, and against -j1 -------------------------------------
# I_FILES transcripts of three commands each (case f's pattern), run as one suite by
# `simpcon-test -q -j2` (a container per file, two at once), by `-j1`, and by cram 0.7
# (Debian's python3-cram: `cram3 -q`, no container at all), interleaved, SUITE_N times each
# after one unmeasured round. Ratios: cram / -j2 and -j1 / -j2 (how many times faster -j2 is).
# j: the same files through `prove -j2 -e simpcon-test` (one harness per file), for reference.
mkdir "$tmp/i"
awk -v n=$I_FILES -v dir="$tmp/i" 'BEGIN {
	for (i = 1; i <= n; i++) {
		f = sprintf("%s/t%03d.t", dir, i)
		printf "File %d of the suite benchmark.\n\n  $ echo file-%d\n  file-%d\n  $ X=%d && echo $((X * 2))\n  %d\n  $ test -x /bin/sh\n", i, i, i, i, 2 * i >f
		close(f)
		printf "%s ", f
	}
}' >"$tmp/i/files"
chmod -R a+rX "$tmp/i"
i_files=$(cat "$tmp/i/files")
i_case="i. $I_FILES .t files, simpcon-test -j2"
"$SIMPCON" -q -j2 $i_files >"$tmp/i/out" 2>&1 </dev/null ||
	say "  note: simpcon-test -j2 on the $I_FILES files failed: $(grep -m 1 -E '^(not ok|Bail out!)' "$tmp/i/out")"
i_cmds="$SIMPCON -q -j2 $i_files ::: $SIMPCON -q -j1 $i_files"
use_cram=0
if have cram3 && cram3 -q $i_files >"$tmp/i/cram.out" 2>&1 </dev/null; then
	use_cram=1
	i_cmds="$i_cmds ::: cram3 -q $i_files"
elif have cram3; then
	missing="$missing cram3 (fails on the files: $(tail -n 1 "$tmp/i/cram.out"))"
else
	missing="$missing cram3 (apt-get install python3-cram: case i)"
fi
use_prove=0
if have prove; then
	use_prove=1
	i_cmds="$i_cmds ::: prove -Q -j2 -e $SIMPCON $i_files"
else
	missing="$missing prove (perl not installed: case j)"
fi
say "running i and j: $I_FILES transcript files with -j2, -j1$([ $use_cram = 1 ] && echo ", cram3")$([ $use_prove = 1 ] && echo ", prove -j2"), $SUITE_N times each (interleaved)..."
$TIMER -n "$SUITE_N" -w 1 -e "$tmp/stderr.log" -- $i_cmds >"$tmp/i/res" || die "the timer failed on the suites"
failures "$tmp/i/res" 1 "simpcon-test -j2"
failures "$tmp/i/res" 2 "simpcon-test -j1"
i_j2=$(field "$tmp/i/res" 1 median_ms) i_j1=$(field "$tmp/i/res" 2 median_ms)
i_next=3
if [ $use_cram = 1 ]; then
	failures "$tmp/i/res" 3 "cram3"
	i_cram=$(field "$tmp/i/res" 3 median_ms)
	i_ratio=$(calc "$i_cram / $i_j2")
	judge i "$i_ratio" ">=" 3.5
	row "$i_case" "$(ms "$i_j2")" "cram3 -q (no container)" "$(ms "$i_cram")" "$i_ratio" ">= 3.50" "$verdict"
	i_next=4
else
	unjudged i
	row "$i_case" "$(ms "$i_j2")" "cram3 -q (no container)" "missing" "-" ">= 3.50" "n/a"
fi
i_jratio=$(calc "$i_j1 / $i_j2")
judge i-j1 "$i_jratio" ">=" 1.7
row "i. the same, -j2 against -j1" "$(ms "$i_j2")" "simpcon-test -j1" "$(ms "$i_j1")" "$i_jratio" ">= 1.70" "$verdict"
# what two at once can give here at most: the bare-kernel floor (a container's namespaces made
# and torn down, nothing else), two processes at once against one after the other
if [ -n "${FLOOR:-}" ] && [ -x "$FLOOR" ]; then
	$TIMER -n "$SUITE_N" -w 1 -e "$tmp/stderr.log" -- sh -c "$FLOOR -n 100 $ROOTFS & $FLOOR -n 100 $ROOTFS; wait" ::: \
		sh -c "$FLOOR -n 100 $ROOTFS; $FLOOR -n 100 $ROOTFS" >"$tmp/i/floor" || die "the timer failed on the floor"
	i_f2=$(field "$tmp/i/floor" 1 median_ms) i_f1=$(field "$tmp/i/floor" 2 median_ms)
	row "i. the kernel floor, 2x100 starts at once" "$(ms "$i_f2")" "one after the other" "$(ms "$i_f1")" "$(calc "$i_f1 / $i_f2")" "info" "-"
fi
if [ $use_prove = 1 ]; then
	failures "$tmp/i/res" $i_next "prove -j2"
	i_prove=$(field "$tmp/i/res" $i_next median_ms)
	row "j. the same files, prove -j2 -e simpcon-test" "$(ms "$i_prove")" "simpcon-test -j2" "$(ms "$i_j2")" "$(calc "$i_prove / $i_j2")" "info" "-"
fi
rm -rf "$tmp/i"

# --- the bare-kernel floor ---------------------------------------------------------------
floor_line="missing (FLOOR not set or not built: make bench builds t/bench/floor)"
if [ -n "${FLOOR:-}" ] && [ -x "$FLOOR" ]; then
	say "running the bare-kernel floor, $N starts with and without net..."
	if "$FLOOR" -n "$N" "$ROOTFS" >"$tmp/floor" 2>"$tmp/floor.err" &&
		"$FLOOR" -n "$N" --no-net "$ROOTFS" >>"$tmp/floor" 2>>"$tmp/floor.err"; then
		f_all=$(sed -n 's/^floor: net=yes .*median_us=\([^ ]*\).*/\1/p' "$tmp/floor")
		f_nonet=$(sed -n 's/^floor: net=no .*median_us=\([^ ]*\).*/\1/p' "$tmp/floor")
		fm_all=$(sed -n 's/^floor: net=yes .*mean_us=\([^ ]*\).*/\1/p' "$tmp/floor")
		fm_nonet=$(sed -n 's/^floor: net=no .*mean_us=\([^ ]*\).*/\1/p' "$tmp/floor")
		floor_line="$(calc "$f_all / 1000") ms with 7 namespaces (mean $(calc "$fm_all / 1000")), $(calc "$f_nonet / 1000") ms without net (mean $(calc "$fm_nonet / 1000"))"
	else
		floor_line="could not run: $(head -n 1 "$tmp/floor.err")"
	fi
fi

# --- the table ---------------------------------------------------------------------------
say ""
{
	printf 'case\tmedian\tanchor\tanchor median\tratio\ttarget\tmet?\n'
	cat "$rows"
} | awk -F'\t' '
	{ for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } n = NR; nf = NF }
	END {
		for (r = 1; r <= n; r++) {
			line = ""
			for (i = 1; i <= nf; i++) {
				fmt = (i == 2 || i == 4 || i == 5) ? "%" w[i] "s" : "%-" w[i] "s"
				line = line (i > 1 ? " | " : "") (i < nf ? sprintf(fmt, cell[r, i]) : cell[r, i])
			}
			print line
			if (r == 1) { sep = ""; for (i = 1; i <= nf; i++) sep = sep (i > 1 ? "-+-" : "") sprintf("%" w[i] "s", ""); gsub(/ /, "-", sep); print sep }
		}
	}'
say ""
say "ratio: case / anchor (below 1 is faster or smaller), but f and i: anchor / case (how many times faster)"
say "bare kernel floor: $floor_line"
say "host process start (/bin/true from the timer): $(ms "$host_start")"
if [ -n "${f_all:-}" ]; then
	say "simpcon-test above floor + process start: a $(ms "$a_sc - $f_all / 1000 - $host_start")," \
		"b $(ms "$b_sc - $f_nonet / 1000 - $host_start")"
fi
say "transcript start (1 command): $(ms "$e_t1"), so the $E_CMDS-command run is $(ms "$e_t1") start +" \
	"$(ms "$e_t - $e_t1") for the commands; busybox sh alone: $(ms "$e_sh1") + $(ms "$e_sh - $e_sh1")"
say "load average at the end: $(loadavg) (another job on the machine slows every case, -j2 most)"
[ -n "${f_j1:-}" ] && say "make check of $F_FILES files: $(ms "$f_j1") with -j1, $(ms "$f_j2") with -j2 (medians of $MAKE_N)"
say "--list of $h_mb MB: $(ms "$h_big"), $(ms "$h_big - $h_one") beyond the start, $(calc "$h_mb * 1000 / ($h_big - $h_one > 0 ? $h_big - $h_one : 1)" "%.1f") MB/s (medians of $LIST_N)"
if [ -s "$tmp/stderr.log" ]; then
	say ""
	say "stderr of the measured commands (last 10 lines):"
	tail -n 10 "$tmp/stderr.log" | sed 's/^/  /'
fi
say ""
say "bench: $met of $targets targets met ($(echo $verdicts | sed 's/ /, /g')); N=$N; missing:${missing:- none}"
exit 0
