#!/bin/sh
# What a run can store: every tmpfs holding its writes (the root's upper layer, /dev/shm, each
# --tmpfs) is bounded by --storage, else --memory, else 1 GiB; a full one fails the write with
# ENOSPC and the exit point's limit_hit names it. Without a bound, 2 GiB written took 2 GiB of
# the host's memory.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
plan 11

# fill OPTIONS... -- PATH MIB: writes MIB MiB to PATH in a container run with OPTIONS; $T_OUT
# holds the file's size in bytes ("size=N") and the YAML
fill() {
	opts=
	while [ "$1" != -- ]; do opts="$opts $1"; shift; done
	shift
	# shellcheck disable=SC2086
	sc run -v $opts -- sh -c "dd if=/dev/zero of=$1 bs=1M count=$2 2>/dev/null; echo \"size=\$(wc -c <$1)\""
}
size_at_most() { n=$(printf '%s\n' "$T_OUT" | sed -n 's/^ *size=//p'); [ -n "$n" ] && [ "$n" -le "$1" ] && [ "$n" -gt 0 ]; }

fill --storage 8M -- /big 20
size_at_most 8388608 && has "$T_OUT" "limit_hit: \"storage 8388608 bytes per tmpfs (--storage): '/' full\""
ok $? "--storage 8M: 20 MiB written to / stop at 8 MiB, and the exit point says which limit"
fill --storage 8M -- /dev/shm/big 20
size_at_most 8388608 && has "$T_OUT" "limit_hit: .*'/dev/shm' full"
ok $? "--storage bounds /dev/shm too"
fill --storage 8M --tmpfs /scratch -- /scratch/big 20
size_at_most 8388608 && has "$T_OUT" "limit_hit: .*'/scratch' full"
ok $? "--storage bounds a --tmpfs too"
# a cgroup's memory limit counts tmpfs pages too and may come first; an rlimit does not
fill --memory 16M -- /big 40
size_at_most 16777216 && has "$T_OUT" "limit_hit: .*\(storage\|memory\) 16777216 bytes"
ok $? "without --storage, --memory is the bound"
fill -- /dev/shm/big 1100
size_at_most 1073741824 && has "$T_OUT" "limit_hit: .*storage 1073741824 bytes per tmpfs (--storage): '/dev/shm' full"
ok $? "by default a tmpfs holds at most 1 GiB"
fill --storage 8M -- /small 2
has "$T_OUT" '^ok 8 - exit status 0' && ! has "$T_OUT" limit_hit
ok $? "a run that fits reports no limit"

# files of nothing still take kernel memory: one inode per 4 KiB of the bound
sc run -v --storage 8M -- sh -c 'mkdir /d; i=0; while true >/d/f$i 2>/dev/null; do i=$((i+1)); done; echo "files=$i"'
n=$(printf '%s\n' "$T_OUT" | sed -n 's/^ *files=//p')
[ -n "$n" ] && [ "$n" -gt 1000 ] && [ "$n" -le 2048 ] && has "$T_OUT" "'/' (no inode left) full"
ok $? "--storage 8M: at most 2048 files, and the exit point says inodes ran out"

sc run --storage 512k -- true
[ "$T_RC" = 2 ] && has "$T_ERR" "\-\-storage '512k': expected bytes of at least 1M"
ok $? "a bound below 1 MiB is a usage error"

# a transcript may lower the bound, never raise it, not even through --memory
mkdir -p "$T_TMP/t"
printf 'simpcon: --storage 2G\n  $ true\n' >"$T_TMP/t/raise.t"
"$SIMPCON" -q "$T_TMP/t/raise.t" >"$T_TMP/raise" 2>&1
[ $? = 1 ] && grep -q 'simpcon: --storage 2G asks more than the caller.s --storage 1073741824' "$T_TMP/raise"
ok $? "a 'simpcon: --storage' above the caller's bound is refused"
printf 'simpcon: --storage 4M\n  $ dd if=/dev/zero of=/big bs=1M count=8 2>/dev/null; wc -c </big\n  4194304\n' >"$T_TMP/t/lower.t"
"$SIMPCON" -q --storage 8M "$T_TMP/t/lower.t" >"$T_TMP/lower" 2>&1
ok $? "a 'simpcon: --storage' below it applies"
printf 'simpcon: --memory 64M\n  $ dd if=/dev/zero of=/big bs=1M count=20 2>/dev/null; wc -c </big\n  8388608\n' >"$T_TMP/t/memory.t"
"$SIMPCON" -q --storage 8M "$T_TMP/t/memory.t" >"$T_TMP/memory" 2>&1
ok $? "a file's --memory does not raise the caller's bound"
