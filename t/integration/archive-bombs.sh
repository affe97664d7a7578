#!/bin/sh
# Bombs given to simpcon-test --archive: a few hundred KiB of compressed zeros, a file too
# large, too many entries. Each is refused with an error naming the archive, the limit it hit
# and the option that raises it, leaving nothing in the cache (no entry, no half-built
# directory, no lock file); the option raises the limit; a small archive of zeros unpacks.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
for tool in tar zstd python3; do
	command -v $tool >/dev/null 2>&1 || skip_all "$tool not installed"
done
plan 9
SIMPCON_CACHE="$T_TMP/cache"; export SIMPCON_CACHE
a="$T_TMP/archives"
mkdir -p "$a"
root=$(SIMPCON_CACHE="$T_TMP/busybox" "$SIMPCON" fixture build 2>/dev/null) || bail "no busybox fixture"

# a root file system with a file of N MiB of zeros, compressed with zstd (a sparse file:
# nothing on disk)
rootfs_with_zeros() { # rootfs_with_zeros MIB ARCHIVE
	rm -rf "$T_TMP/root" && mkdir "$T_TMP/root" && cp -a "$root/." "$T_TMP/root/" &&
		truncate -s "$1M" "$T_TMP/root/zeros" && tar -C "$T_TMP/root" --zstd -cf "$2" . || bail "could not make $2"
}
cache_empty() { [ -z "$(ls -A "$SIMPCON_CACHE" 2>/dev/null)" ]; }
# refused ARCHIVE LIMIT-TEXT OPTION: exit 3, Bail out! (but from fixture build, which prints no
# TAP), the message names all three, the cache is empty
refused() {
	[ "$T_RC" = 3 ] && { has "$T_OUT" '^Bail out! ' || [ -z "$T_OUT" ]; } && has "$T_ERR" "archive '$1'" &&
		printf '%s\n' "$T_ERR" | grep -qF -e "$2" &&
		printf '%s\n' "$T_ERR" | grep -qF -e "$3" && cache_empty
	rc=$?
	[ $rc = 0 ] || diag "exit $T_RC: $T_ERR; cache: $(ls -A "$SIMPCON_CACHE" 2>/dev/null | tr '\n' ' ')"
	return $rc
}

# busybox and 256 MiB of zeros, which zstd makes a few KiB: a bomb that used to unpack in full
rootfs_with_zeros 256 "$a/bomb.tar.zst"
diag "bomb.tar.zst: $(wc -c <"$a/bomb.tar.zst") bytes"
start=$(date +%s)
sc run --archive "$a/bomb.tar.zst" -- true
refused "$a/bomb.tar.zst" "unpacks to more than 100 times what was read of it" "--archive-ratio N"
ok $? "a compression bomb is refused by the default ratio: the error names it, the limit and --archive-ratio"
[ $(($(date +%s) - start)) -lt 10 ]; ok $? "... and stopped early (past 64 MiB), not at the size limit"

sc run --archive-ratio 0 --archive-limit 64M --archive "$a/bomb.tar.zst" -- true
refused "$a/bomb.tar.zst" "unpacked size over the limit of 64M (67108864 bytes)" "raise it with --archive-limit SIZE"
ok $? "without a ratio, --archive-limit stops it: the error names the limit and the option"

sc fixture build --archive-limit 64M --archive-ratio 0 --archive "$a/bomb.tar.zst"
refused "$a/bomb.tar.zst" "over the limit of 64M" "--archive-limit"
ok $? "fixture build refuses it the same way"

# many tiny entries
python3 - "$a/many.tar.gz" <<'PY' || bail "python3 could not write many.tar.gz"
import io, sys, tarfile
with tarfile.open(sys.argv[1], 'w:gz') as t:
    for i in range(2001):
        info = tarfile.TarInfo('f%05d' % i)
        info.mtime = 1700000000
        t.addfile(info, io.BytesIO(b''))
PY
sc run --archive-entries 2000 --archive "$a/many.tar.gz" -- true
refused "$a/many.tar.gz" "more than the limit of 2000 entries" "raise it with --archive-entries N"
ok $? "2001 empty files against --archive-entries 2000: refused, naming the limit and the option"

sc run --archive-entries 0 --archive "$a/many.tar.gz" -- true
[ "$T_RC" = 2 ] && has "$T_ERR" "archive-entries '0': at least 1"; ok $? "--archive-entries 0 is a usage error"

# what fits: a small archive of zeros (a high ratio below 64 MiB), and a bomb let through
rootfs_with_zeros 32 "$a/small.tar.zst"
sc run --archive "$a/small.tar.zst" -- sh -c 'wc -c </zeros'
[ "$T_RC" = 0 ] && has_line "$T_OUT" '    33554432'; ok $? "32 MiB of zeros in $(wc -c <"$a/small.tar.zst") bytes unpacks: the ratio counts past 64 MiB only"
rootfs_with_zeros 80 "$a/trusted.tar.zst"
sc run --archive-ratio 0 --archive "$a/trusted.tar.zst" -- sh -c 'wc -c </zeros'
[ "$T_RC" = 0 ] && has_line "$T_OUT" '    83886080'; ok $? "--archive-ratio 0 lets a trusted archive of 80 MiB of zeros through"
"$SIMPCON" fixture prune >/dev/null 2>&1
cache_empty; ok $? "fixture prune leaves the cache empty"
