#!/bin/sh
# Fixtures: the content-keyed cache shared by parallel runs, its commands, --no-cache (in suites
# too), --rootfs.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
plan 18
SIMPCON_CACHE="$T_TMP/cache"; export SIMPCON_CACHE

built() { grep -c "^simpcon-test: fixture '.*' (built)$" "$@"; }
bb=$("$SIMPCON" fixture build 2>"$T_TMP/err") ; rc=$?
[ $rc = 0 ] && [ -x "$bb/bin/busybox" ] && [ -L "$bb/bin/sh" ]; ok $? "fixture build prints a root with busybox and its applets"
"$SIMPCON" run -v -- true >/dev/null 2>"$T_TMP/warm"
[ "$(built "$T_TMP/warm")" = 0 ] && grep -q "(cached)" "$T_TMP/warm"; ok $? "a warm run finds it in the cache"

# the key is the binary's content: the same busybox elsewhere is the same fixture
cp "$bb/bin/busybox" "$T_TMP/busybox-copy"
"$SIMPCON" run -v --busybox "$T_TMP/busybox-copy" -- true >/dev/null 2>"$T_TMP/copy"
grep -q "fixture '$bb' (cached)" "$T_TMP/copy"; ok $? "the same content under another path shares the entry"

# busybox takes any name but its own for an applet's: the applets are listed as "busybox"
cp "$bb/bin/busybox" "$T_TMP/busybox-1.x" && printf x >>"$T_TMP/busybox-1.x"
sc run --busybox "$T_TMP/busybox-1.x" -- true
[ "$T_RC" = 0 ]; ok $? "a busybox under another name builds its fixture"
printf '#!/bin/sh\nexit 1\n' >"$T_TMP/not-busybox" && chmod +x "$T_TMP/not-busybox"
sc run --busybox "$T_TMP/not-busybox" -- true
[ "$T_RC" = 3 ] && has "$T_ERR" 'is it a busybox binary'
ok $? "a program that lists no applets is refused, naming the file (no crash)"

# eight cold runs at once: one builds, the others wait for it, all pass
SIMPCON_CACHE="$T_TMP/cold"; export SIMPCON_CACHE
i=0
while [ $i -lt 8 ]; do "$SIMPCON" run -v -- true >"$T_TMP/cold.$i" 2>"$T_TMP/cold.$i.err" & i=$((i + 1)); done
wait
fails=0
i=0
while [ $i -lt 8 ]; do grep -qx 'ok 8 - exit status 0' "$T_TMP/cold.$i" || fails=$((fails + 1)); i=$((i + 1)); done
[ $fails = 0 ]; ok $? "8 concurrent cold runs all pass"
[ "$(cat "$T_TMP"/cold.*.err | grep -c '(built)$')" = 1 ]; ok $? "exactly one of them built the fixture"
[ "$(ls "$SIMPCON_CACHE" | grep -c '^busybox-[0-9a-f]*$')" = 1 ] && [ -z "$(ls -A "$SIMPCON_CACHE" | grep '^\.build-')" ]
ok $? "one entry, no half-built directory left"

"$SIMPCON" fixture list >"$T_TMP/list" 2>&1
grep -q '^busybox-[0-9a-f]* .* KiB ' "$T_TMP/list"; ok $? "fixture list shows the entry and its size"
"$SIMPCON" fixture prune >"$T_TMP/prune" 2>&1
grep -q '^removed 1 fixture ' "$T_TMP/prune" && [ -z "$(ls "$SIMPCON_CACHE" | grep '^busybox-')" ]; ok $? "fixture prune removes it"

"$SIMPCON" run -v --no-cache -- true >/dev/null 2>"$T_TMP/nocache"
[ "$(built "$T_TMP/nocache")" = 1 ] && [ -z "$(ls -A "$TMPDIR")" ] && [ -z "$(ls "$SIMPCON_CACHE" | grep '^busybox-')" ]
ok $? "--no-cache builds a private fixture and removes it after the run"

# --rootfs DIR: writes land in a discarded layer; DIR stays byte for byte the same
fixture_copy "$T_TMP/rootfs"
snapshot() { (cd "$T_TMP/rootfs" && find . -printf '%p %m %s %T@ %u %g %l\n' | sort && cat etc/passwd bin/busybox | cksum); }
before=$(snapshot)
sc run --rootfs "$T_TMP/rootfs" -- sh -c 'touch /x && rm /etc/passwd && echo changed >/etc/hosts && ls /x'
[ "$T_RC" = 0 ] && has_line "$T_OUT" '    /x'; ok $? "--rootfs: the container can write its root"
[ "$(snapshot)" = "$before" ]; ok $? "--rootfs: DIR is unchanged after the run"

# --copy SRC:DST: a file put into the container's writable layer, not a mount, gone after
printf 'copied in\n' >"$T_TMP/note.txt"
sc run --copy "$T_TMP/note.txt:/etc/note" -- sh -c 'cat /etc/note; stat -c %u /etc/note; grep -c " /etc/note " /proc/self/mountinfo; true'
[ "$T_RC" = 0 ] && has_line "$T_OUT" '    copied in' && has_line "$T_OUT" '    0'
ok $? "--copy: the file is in the container, owned by its root, and is no mount"
sc run --copy "$T_TMP:/x" -- true
[ "$T_RC" = 3 ] && has "$T_ERR" 'is not a file: use --bind'; ok $? "--copy of a directory is refused with the fix"

# a suite with --no-cache: one private fixture for all its files, no cache made, nothing left
SIMPCON_CACHE="$T_TMP/never"; export SIMPCON_CACHE
mkdir -p "$T_TMP/nc/out"
for f in a b; do
	printf '  $ ls /host | grep -c "^simpcon-fixture-"\n  1\n  $ ls /host | grep "^simpcon-fixture-" >/out/%s\n' $f >"$T_TMP/nc/$f.t"
done
sc --no-cache --ro-bind "$TMPDIR" /host --bind "$T_TMP/nc/out:/out" "$T_TMP/nc/a.t" "$T_TMP/nc/b.t"
[ "$T_RC" = 0 ] && ! has "$T_OUT" '^not ok' && [ -s "$T_TMP/nc/out/a" ] && cmp -s "$T_TMP/nc/out/a" "$T_TMP/nc/out/b"
ok $? "--no-cache in a suite: both files run on the one private fixture in TMPDIR"
[ ! -e "$T_TMP/never" ] && [ -z "$(ls -A "$TMPDIR")" ]; ok $? "--no-cache in a suite: no cache made, the fixture removed after"

# a suite with --archive: its files run on the archive's root
mkdir "$T_TMP/archived"
cp -a "$bb/." "$T_TMP/archived/" && echo archived >"$T_TMP/archived/marker" && tar -C "$T_TMP/archived" -cf "$T_TMP/nc/root.tar" . ||
	bail "could not make the archive"
printf '  $ cat /marker\n  archived\n' >"$T_TMP/nc/c.t"
sc --no-cache --archive "$T_TMP/nc/root.tar" "$T_TMP/nc/c.t"
[ "$T_RC" = 0 ] && ! has "$T_OUT" '^not ok' && [ ! -e "$T_TMP/never" ] && [ -z "$(ls -A "$TMPDIR")" ]
ok $? "--archive (and --no-cache) in a suite: its files run on the archive's root"
