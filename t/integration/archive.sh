#!/bin/sh
# --archive: a busybox root file system in every format the issue lists runs; a warm run does
# not open the archive again; the format is read from the content, not the name.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
for tool in tar bsdtar zstd strace; do
	command -v $tool >/dev/null 2>&1 || skip_all "$tool not installed"
done
plan 10
SIMPCON_CACHE="$T_TMP/cache"; export SIMPCON_CACHE

root=$("$SIMPCON" fixture build 2>/dev/null) || bail "no busybox fixture"
a="$T_TMP/archives"
mkdir -p "$a"
# owners in the archives are those of the cached fixture; they are not extracted anyway
tar -C "$root" -cf "$a/rootfs.tar" . &&
	tar -C "$root" -czf "$a/rootfs.tar.gz" . &&
	tar -C "$root" -cJf "$a/rootfs.tar.xz" . &&
	tar -C "$root" -cjf "$a/rootfs.tar.bz2" . &&
	tar -C "$root" --zstd -cf "$a/rootfs.tar.zst" . &&
	(cd "$root" && bsdtar --format=newc -cf "$a/rootfs.cpio" .) &&
	(cd "$root" && bsdtar --format=zip -cf "$a/rootfs.zip" .) || bail "could not make the archives"

for f in rootfs.tar rootfs.tar.gz rootfs.tar.xz rootfs.tar.bz2 rootfs.tar.zst rootfs.cpio rootfs.zip; do
	sc run --archive "$a/$f" -- sh -c 'ls /bin | grep -c . && /bin/busybox true'
	[ "$T_RC" = 0 ] && has "$T_OUT" '^    [1-9][0-9]*$'; ok $? "--archive $f: ls /bin runs in it"
done

cp "$a/rootfs.tar.xz" "$a/misnamed.zip"
sc run --archive "$a/misnamed.zip" -- true
[ "$T_RC" = 0 ]; ok $? "the format is read from the content: a tar.xz named .zip works"

# (LeakSanitizer cannot work under ptrace: off for this run of a sanitizer build)
ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=open,openat -o "$T_TMP/trace" \
	"$SIMPCON" run -q --archive "$a/rootfs.tar.gz" -- true >/dev/null 2>"$T_TMP/trace.err"
rc=$?
[ $rc = 0 ] && ! grep -q 'rootfs\.tar\.gz' "$T_TMP/trace" && ! grep -q 'libarchive' "$T_TMP/trace"
ok $? "a warm run opens neither the archive nor libarchive"
[ $rc = 0 ] || diag "$(cat "$T_TMP/trace.err")"

printf 'not an archive\n' >"$a/junk.tar"
sc run --archive "$a/junk.tar" -- true
[ "$T_RC" = 3 ] && has "$T_ERR" 'junk.tar' && [ -z "$(ls -A "$SIMPCON_CACHE" | grep '^\.build-')" ]
ok $? "a file that is no archive: a clear error naming it, no half-built entry"
