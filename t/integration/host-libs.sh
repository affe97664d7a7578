#!/bin/sh
# --host-libs: the host's programs run inside as on the host (/bin/bash, awk through
# /etc/alternatives, the host's commands first on PATH), busybox's applets the host lacks stay
# reachable, sh stays the fixture's unless --host-sh asks for the host's, and all of the host's
# paths are read-only, nosuid and nodev.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
plan 12

# the first line of the command's stdout in the YAML (4 spaces in)
first_out() { printf '%s\n' "$T_OUT" | sed -n '/^  stdout: |$/{n;s/^    //p;q;}'; }

if [ -x /bin/bash ]; then
	printf '#!/bin/bash\necho "script $BASH_VERSION"\n' >"$T_TMP/script"
	chmod +x "$T_TMP/script"
	sc run --host-libs --copy "$T_TMP/script:/script" -- sh -c '/bin/bash -c "echo \$BASH_VERSION" && /script'
	[ "$T_RC" = 0 ] && has_line "$T_OUT" "    $(/bin/bash -c 'echo $BASH_VERSION')" &&
		has_line "$T_OUT" "    script $(/bin/bash -c 'echo $BASH_VERSION')"
	ok $? "/bin/bash runs, and a #!/bin/bash script"
else
	skip "/bin/bash runs, and a #!/bin/bash script" "the host has no /bin/bash"
fi

case $(readlink /usr/bin/awk 2>/dev/null) in
/etc/alternatives/*)
	sc run --host-libs -- /usr/bin/awk 'BEGIN { print "awk", 1 }'
	[ "$T_RC" = 0 ] && has_line "$T_OUT" '    awk 1'; r=$?
	sc run --host-libs -- readlink -f /usr/bin/awk
	[ $r = 0 ] && has_line "$T_OUT" "    $(readlink -f /usr/bin/awk)"
	ok $? "/usr/bin/awk runs through the host's /etc/alternatives"
	;;
*) skip "/usr/bin/awk runs through the host's /etc/alternatives" "the host's /usr/bin/awk is no alternatives link" ;;
esac

first=$(LC_ALL=C ls /etc/alternatives 2>/dev/null | head -n 1)
sc run --host-libs -- sh -c 'ls /etc/alternatives | head -n 1; touch /etc/alternatives/x || echo REFUSED; cat /etc/passwd'
[ "$T_RC" = 0 ] && { [ -z "$first" ] || has_line "$T_OUT" "    $first"; } && has_line "$T_OUT" '    REFUSED' &&
	has_line "$T_OUT" '    root:x:0:0:root:/root:/bin/sh' && [ ! -e /etc/alternatives/x ]
ok $? "/etc/alternatives is the host's, read-only; /etc/passwd stays the container's"

# every host path inside is read-only, nosuid, nodev (mountinfo's 6th field: per-mount options)
sc run --host-libs -- cat /proc/self/mountinfo
bad=$(printf '%s\n' "$T_OUT" | awk '$5 ~ "^(/usr|/usr/bin|/usr/sbin|/bin|/sbin|/bin/busybox|/etc/alternatives|/etc/ld.so.cache)$" &&
	$6 !~ /^ro,nosuid,nodev/ { print $5, $6 }')
[ "$T_RC" = 0 ] && has "$T_OUT" ' /usr/bin ' && [ -z "$bad" ]
ok $? "the host's directories are mounted read-only, nosuid, nodev${bad:+ (not: $bad)}"

# exec'd directly, not by busybox's shell, which may run its own applets before any on PATH
if grep --version 2>/dev/null | grep -q GNU; then
	sc run --host-libs -- grep --version
	[ "$T_RC" = 0 ] && has "$T_OUT" GNU; r=$?
	sc run --host-libs -- /bin/grep --version
	[ $r = 0 ] && [ "$T_RC" = 0 ] && has "$T_OUT" GNU
	ok $? "where both have a command, the host's comes first (grep, /bin/grep)"
else
	skip "where both have a command, the host's comes first (grep, /bin/grep)" "the host's grep is not GNU grep"
fi

f_root=$("$SIMPCON" fixture build 2>/dev/null)
applet=
# first those under /usr, which the host's /usr covered before it became a union
for p in "$f_root"/usr/bin/* "$f_root"/usr/sbin/* "$f_root"/bin/* "$f_root"/sbin/*; do
	n=${p##*/}
	case $n in *[!a-z0-9]* | busybox | sh) continue ;; esac
	[ -L "$p" ] || continue
	[ -e "/usr/bin/$n" ] || [ -e "/usr/sbin/$n" ] || [ -e "/bin/$n" ] || [ -e "/sbin/$n" ] || {
		applet=$n at=${p#"$f_root"}
		break
	}
done
if [ -n "$applet" ]; then
	sc run --host-libs -- "$applet" --help
	has "$T_OUT$T_ERR" BusyBox; r=$?
	sc run --host-libs -- "$at" --help
	[ $r = 0 ] && has "$T_OUT$T_ERR" BusyBox
	ok $? "busybox's $applet, which the host lacks, runs from PATH and at $at"
else
	skip "a busybox applet the host lacks runs from PATH" "the host has every applet of the fixture"
fi

sc run --host-libs -- sh -c 'readlink /bin/sh; readlink /usr/bin/sh; readlink /proc/$$/exe'
[ "$T_RC" = 0 ] && [ "$(printf '%s\n' "$T_OUT" | grep -cx '    /bin/busybox')" = 3 ]
ok $? "sh is the fixture's busybox: /bin/sh, /usr/bin/sh and sh on PATH"

# where the host has a busybox too, the fixture's own runs as sh, not the host's of that name
if [ -e "$(readlink -f /bin)/busybox" ]; then
	mkdir -p "$T_TMP/bb"
	cp "$f_root/bin/busybox" "$T_TMP/bb/busybox" && printf x >>"$T_TMP/bb/busybox"
	sc run --busybox "$T_TMP/bb/busybox" --host-libs -- sh -c 'wc -c </proc/$$/exe; wc -c </bin/busybox'
	size=$(wc -c <"$T_TMP/bb/busybox")
	[ "$T_RC" = 0 ] && [ "$(printf '%s\n' "$T_OUT" | grep -cx " *$size")" = 2 ]
	ok $? "sh runs the fixture's busybox where the host has another"
else
	skip "sh runs the fixture's busybox where the host has another" "the host has no busybox"
fi

host_sh=$(readlink -f /bin/sh)
sc run --host-sh -- sh -c 'readlink /bin/sh; readlink /proc/$$/exe'
[ "$T_RC" = 0 ] && has_line "$T_OUT" "    $(readlink /bin/sh)" && has_line "$T_OUT" "    $host_sh"
ok $? "--host-sh: sh is the host's ($host_sh)"

# the layers are the fixture's real directories: a link among them (an archive's /sbin -> /etc)
# leads within the container, never to a host directory made a layer
fixture_copy "$T_TMP/rootfs"
rm -rf "$T_TMP/rootfs/sbin" && ln -s /etc "$T_TMP/rootfs/sbin"
sc run --rootfs "$T_TMP/rootfs" --host-libs -- sh -c 'readlink /sbin; ls /sbin/'
[ "$T_RC" = 0 ] && has_line "$T_OUT" '    /etc' && has_line "$T_OUT" '    passwd' && ! has "$T_OUT" shadow
ok $? "a fixture's /sbin -> /etc stays a link to the container's /etc"

# a transcript's commands run in one shell session: the fixture's sh, or the host's when asked
printf '  $ readlink /proc/$$/exe\n  /bin/busybox\n' >"$T_TMP/fixture-sh.t"
printf '  $ readlink /proc/$$/exe\n  %s\n' "$host_sh" >"$T_TMP/host-sh.t"
sc --host-libs "$T_TMP/fixture-sh.t"
[ "$T_RC" = 0 ]; ok $? "a transcript under --host-libs runs in the fixture's sh"
sc --host-sh "$T_TMP/host-sh.t"
[ "$T_RC" = 0 ]; ok $? "a transcript under --host-sh runs in the host's sh"
