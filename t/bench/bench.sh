#!/bin/sh
# t/bench/bench.sh - the script behind `make bench`: simpcon-test against bwrap, unshare and
# runc on the same busybox root, each case interleaved with its anchor, medians of N runs.
# It installs nothing: a missing anchor is named and its rows left out. It is a report, not a
# test: exit 0 whether or not the targets are met; 2 only when it could not run at all.
#
# Environment:
#   SIMPCON  simpcon-test to measure (required)
#   FLOOR    the built t/bench/floor (the bare-kernel floor; optional)
#   TIMER    the built t/bench/timer (default: beside FLOOR; else a slower perl fallback)
#   ROOTFS   a busybox root (default: the fixture `$SIMPCON run -v -- true` reports)
#   N        measured runs per command (default 200); COLD_N cold builds (default 30);
#            MEM_N runs under /usr/bin/time -v (default 10)
# Commands are kept as strings and split on blanks (paths with white space are refused),
# so globbing is off.
# shellcheck disable=SC2086,SC2015
set -u -f

N=${N:-200}
COLD_N=${COLD_N:-30}
MEM_N=${MEM_N:-10}
WARMUP=5

say() { printf '%s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 2; }
have() { command -v "$1" >/dev/null 2>&1; }
# calc EXPR [FORMAT]: floating-point arithmetic through awk
calc() { awk "BEGIN { printf \"${2:-%.2f}\", $1 }"; }

for v in "$N" "$COLD_N" "$MEM_N"; do
	case $v in '' | *[!0-9]* | 0) die "N, COLD_N and MEM_N must be positive integers (got '$v')" ;; esac
done
[ -n "${SIMPCON:-}" ] || die "set SIMPCON to the simpcon-test to measure (make bench does)"
[ -x "$SIMPCON" ] || die "SIMPCON '$SIMPCON' is not an executable: build it (make simpcon-test)"
case $SIMPCON in /*) ;; *) SIMPCON=$(pwd)/$SIMPCON ;; esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/simpcon-bench.XXXXXX") || die "cannot create a temporary directory"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' HUP INT TERM
# container root is a subordinate id when run by root: it must traverse this to reach the
# runc bundle and the cold caches
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
ms() { calc "$1" "%.2f"; }

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
		uid_host=100000 gid_host=100000 id_count=65536
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

say "simpcon-test benchmark: $(uname -sr), $(nproc) CPUs, run as $(id -un)$([ "$(id -u)" = 0 ] || echo ' (rootless)')"
say "  simpcon-test: $SIMPCON"
say "  rootfs:       $ROOTFS"
say "  timing:       $timing; N=$N runs per command after $WARMUP warm-up rounds, medians"
say "  anchors:      bwrap $([ $use_bwrap = 1 ] && bwrap --version | sed 's/^bubblewrap //' || echo -)," \
	"unshare $([ $use_unshare = 1 ] && unshare --version | sed 's/.* //' || echo -)," \
	"runc $([ $use_runc = 1 ] && runc --version | sed -n '1s/^runc version //p' || echo -)"
say "  missing:     ${missing:- none}"
say ""

rows=$tmp/rows
: >"$rows"
met=0 targets=0 verdicts=""
# row CASE VALUE ANCHOR ANCHOR-VALUE RATIO TARGET MET
row() { printf '%s|%s|%s|%s|%s|%s|%s\n' "$@" >>"$rows"; }
# judge ID VALUE LIMIT: counts a target met when VALUE <= LIMIT; sets $verdict to yes or NO
judge() {
	targets=$((targets + 1)) verdict=NO
	[ "$(calc "$2 <= $3 ? 1 : 0" %d)" = 1 ] && met=$((met + 1)) verdict=yes
	verdicts="$verdicts $1:$verdict"
}
failures() { # failures FILE INDEX LABEL: names runs that did not exit 0
	f=$(field "$1" "$2" failed)
	[ "${f:-0}" = 0 ] || say "  note: $3 failed in $f of $N runs (stderr tail below)"
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
	r=$(calc "$a_sc / $b")
	judge a "$a_sc / $b" 0.5
	row "$case_a" "$(ms "$a_sc")" "bwrap --unshare-all" "$(ms "$b")" "$r" "<= 0.50" "$verdict"
	failures "$tmp/a" "$i_bwrap" bwrap
else
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
	r=$(calc "$b_sc / $b")
	judge b "$b_sc / $b" 0.5
	row "$case_b" "$(ms "$b_sc")" "bwrap, same 6 ns" "$(ms "$b")" "$r" "<= 0.50" "$verdict"
	failures "$tmp/b" "$i_bwrap" "bwrap without net"
else
	row "$case_b" "$(ms "$b_sc")" "bwrap, same 6 ns" "missing" "-" "<= 0.50" "n/a"
fi
if [ -n "$i_unshare" ]; then
	u=$(field "$tmp/b" "$i_unshare" median_ms)
	row "$case_b" "$(ms "$b_sc")" "unshare -Urpfmiu -C" "$(ms "$u")" "$(calc "$b_sc / $u")" "info" "-"
	failures "$tmp/b" "$i_unshare" "unshare without net"
fi

# --- c. peak memory ----------------------------------------------------------------------
# median_of FILE: the median of the numbers in FILE, one a line
median_of() { sort -n "$1" | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
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
	judge c "$m_sc" 3.999
	if [ $use_bwrap = 1 ]; then
		maxrss "$tmp/mem.bwrap" $bwrap_all
		m_b=$(calc "$(median_of "$tmp/mem.bwrap") / 1024")
		row "$case_c" "$m_sc MiB" "bwrap --unshare-all" "$m_b MiB" "$(calc "$m_sc / $m_b")" "< 4 MiB" "$verdict"
	else
		row "$case_c" "$m_sc MiB" "-" "-" "-" "< 4 MiB" "$verdict"
	fi
else
	missing="$missing GNU-time (/usr/bin/time; apt-get install time)"
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
judge d "$d_diff" 19.999
row "d. cold fixture build" "$(ms "$d_diff")" "warm run (cold: $(ms "$d_cold"))" "$(ms "$d_warm")" \
	"$(calc "$d_cold / $d_warm")" "< 20 ms" "$verdict"

# --- e. the bare-kernel floor ------------------------------------------------------------
floor_line="missing (FLOOR not set or not built: make bench builds t/bench/floor)"
if [ -n "${FLOOR:-}" ] && [ -x "$FLOOR" ]; then
	say "running e: the bare-kernel floor, $N starts with and without net..."
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
	echo "case|median ms|anchor|anchor median ms|ratio|target|met?"
	cat "$rows"
} | awk -F'|' '
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
say "bare kernel floor: $floor_line"
say "host process start (/bin/true from the timer): $(ms "$host_start") ms"
if [ -n "${f_all:-}" ]; then
	say "simpcon-test above floor + process start: a $(calc "$a_sc - $f_all / 1000 - $host_start") ms," \
		"b $(calc "$b_sc - $f_nonet / 1000 - $host_start") ms"
fi
if [ -s "$tmp/stderr.log" ]; then
	say ""
	say "stderr of the measured commands (last 10 lines):"
	tail -n 10 "$tmp/stderr.log" | sed 's/^/  /'
fi
say ""
say "bench: $met of $targets targets met ($(echo $verdicts | sed 's/ /, /g')); N=$N; missing anchors:${missing:- none}"
exit 0
