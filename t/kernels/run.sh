#!/bin/sh
# t/kernels/run.sh: check --kernel on each kernel t/kernels/fetch.sh unpacked (KERNELS_CACHE/kernels):
# all ok as root and as an unprivileged user, the container's root a plain directory there
# (t/kernels/fs-semantics.sh, run after check in the same boot), and each knob of the
# initramfs's /init takes its feature away where check must see it. TAP; run by make check-kernels.
. "$top_srcdir/t/lib.sh"
[ -x "$SIMPCON" ] || bail "simpcon-test not built at $SIMPCON"
list="${KERNELS_CACHE:?}/kernels"
[ -s "$list" ] || bail "no kernels in '$list': run t/kernels/fetch.sh first"
tmpdir_make
n=$(wc -l <"$list")
plan $((n * 9))

# the extra suite each boot runs after check: SIMPCON_KERNEL_EXTRA's directory is /extra there
# (with simpcon-unpack, linked to libarchive and its libraries, which the initramfs has not:
# they come along, and a wrapper runs it through their loader)
extra_dir() { # extra_dir DIR
	mkdir -p "$1/lib" && cp "$top_srcdir/t/kernels/fs-semantics.sh" "$1/run" && cp "$top_srcdir/t/fs/semantics.sh" "$1/" &&
		cp "$top_builddir/simpcon-unpack" "$1/" || bail "could not lay out the extra suite in $1"
	ldd "$top_builddir/simpcon-unpack" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
		while read -r lib; do cp -L "$lib" "$1/lib/"; done
	loader=$(ls "$1"/lib/ld-linux* 2>/dev/null | head -n 1)
	[ -n "$loader" ] || bail "no loader for simpcon-unpack among $(ls "$1/lib")"
	printf '#!/bin/sh\nexec /extra/lib/%s --library-path /extra/lib /extra/simpcon-unpack "$@"\n' "${loader##*/}" >"$1/unpack"
	chmod -R a+rX "$1" && chmod 755 "$1/unpack"
}
# fs_same NAME WHO: every fixture kind printed "same" (the extra suite's lines are on stderr)
fs_same() {
	for kind in default archive rootfs bind; do grep -q "^fs-semantics $kind: same" "$T_TMP/$1.err" || return 1; done
}
fs_show() { grep -A40 '^fs-semantics' "$T_TMP/$1.err" | grep -v ': same$' | head -n 60 | sed 's/^/# /'; }
# A copy everyone can read for the user's run: the programs, the image, and loop and overlay
# from the modules directory.
user_copy() { # user_copy DIR IMAGE MODULES
	mkdir -p "$1/bin" "$1/modules"
	cp "$SIMPCON" "$top_builddir/simpcon-init" "$top_builddir/simpcon-probe" "$top_builddir/simpcon-initramfs" "$1/bin/"
	cp "$2" "$1/vmlinuz"
	grep -E '/(loop|overlay)\.ko' "$3/modules.order" >"$1/modules/modules.order"
	while read -r m; do
		for f in "$3/$m"*; do mkdir -p "$1/modules/$(dirname "$m")" && cp "$f" "$1/modules/$(dirname "$m")/"; done
	done <"$1/modules/modules.order"
	chmod -R a+rX "$1"
}
# boot NAME CMD...: runs CMD (a check --kernel), the stream in $T_TMP/NAME, status in NAME.rc,
# seconds in NAME.s. A machine that gave no TAP at all (no verdict, so nothing to hide: a TCG
# boot that died before /init, seen once in many boots with nothing on its console) is booted
# once more, and the first attempt's stream is kept in the log.
boot() {
	name=$1; shift
	for attempt in 1 2; do
		start=$(date +%s)
		"$@" >"$T_TMP/$name" 2>"$T_TMP/$name.err" </dev/null
		echo $? >"$T_TMP/$name.rc"
		echo $(($(date +%s) - start)) >"$T_TMP/$name.s"
		grep -q '^not ok 1 - the kernel booted and ran check$' "$T_TMP/$name" || break
		[ $attempt = 2 ] && break
		diag "$name: the machine gave no TAP; booting it once more. The first attempt:"
		sed 's/^/# /' "$T_TMP/$name"
	done
}
# kcheck NAME ARGS...: check --kernel ARGS, as boot runs it
kcheck() {
	name=$1; shift
	boot "$name" "$SIMPCON" check "$@"
}
all_ok() { # all_ok NAME: exit 0, no failed point, every SKIP with a reason
	[ "$(cat "$T_TMP/$1.rc")" = 0 ] && grep -q '^1\.\.[1-9]' "$T_TMP/$1" && ! grep -q '^not ok' "$T_TMP/$1" &&
		! grep -q '^ok .* # SKIP *$' "$T_TMP/$1"
}
show() { # the failed points and the end of stderr, for the log
	grep -E -A4 '^(not ok|Bail out!)' "$T_TMP/$1" | head -n 60 | sed 's/^/# /'
	tail -n 5 "$T_TMP/$1.err" | sed 's/^/# stderr: /'
}

while read -r dir; do
	image=$(ls "$dir"/boot/vmlinuz-* | head -n 1)
	version=${image##*/vmlinuz-}
	modules="$dir/lib/modules/$version"
	k="kernel $version"

	if [ "$(id -u)" = 0 ]; then
		extra_dir "$T_TMP/extra"
		SIMPCON_KERNEL_EXTRA="$T_TMP/extra" kcheck root --kernel "$image" --modules "$modules"
		all_ok root; ok $? "$k, as root: every point ok or SKIP with a reason ($(cat "$T_TMP/root.s") s)"
		all_ok root || show root
		fs_same root; ok $? "$k, as root: the root behaves like a plain directory (default fixture, archive, --rootfs, a bind)"
		fs_same root || fs_show root
		# rootless: an unprivileged user of this machine runs check --kernel, which runs check as a user
		user=${SIMPCON_KERNEL_USER:-nobody}
		# under /tmp: the build tree may lie in a home no one else can enter
		u=$(mktemp -d /tmp/simpcon-kernels.XXXXXX) && chmod 755 "$u" || bail "mktemp"
		trap 'rm -rf "$T_TMP" "$u"' EXIT
		user_copy "$u" "$image" "$modules"
		mkdir -p "$u/tmp" && chmod 1777 "$u/tmp"
		extra_dir "$u/extra"
		boot user su -s /bin/sh "$user" -c 'unset SIMPCON_INIT SIMPCON_PROBE SIMPCON_INITRAMFS; cd "$1" && TMPDIR="$1/tmp" SIMPCON_KERNEL_EXTRA="$1/extra" exec "$1/bin/simpcon-test" check --kernel "$1/vmlinuz" --modules "$1/modules"' \
			sh "$u"
		all_ok user && [ -z "$(ls -A "$u/tmp")" ]
		ok $? "$k, as $user: every point ok or SKIP with a reason, nothing left in TMPDIR ($(cat "$T_TMP/user.s") s)"
		all_ok user || show user
		fs_same user; ok $? "$k, as $user: the root behaves like a plain directory (default fixture, archive, --rootfs, a bind)"
		fs_same user || fs_show user
		rm -rf "$u"
	else
		extra_dir "$T_TMP/extra"
		SIMPCON_KERNEL_EXTRA="$T_TMP/extra" kcheck user --kernel "$image" --modules "$modules"
		skip "$k, as root" "run by $(id -un): make check-kernels as root checks both"
		skip "$k, as root: the root behaves like a plain directory" "run by $(id -un)"
		all_ok user; ok $? "$k, as $(id -un): every point ok or SKIP with a reason ($(cat "$T_TMP/user.s") s)"
		all_ok user || show user
		fs_same user; ok $? "$k, as $(id -un): the root behaves like a plain directory (default fixture, archive, --rootfs, a bind)"
		fs_same user || fs_show user
	fi

	# the knobs: each feature taken away, and check must say so (as whoever runs this)
	kcheck userns --kernel "$image" --modules "$modules" --append simpcon.userns=0
	grep -q '^Bail out! .*max_user_namespaces' "$T_TMP/userns"
	ok $? "$k, simpcon.userns=0: Bail out! naming max_user_namespaces ($(cat "$T_TMP/userns.s") s)"
	grep -q '^Bail out! .*max_user_namespaces' "$T_TMP/userns" || show userns

	# before 6.6 the root is a copy (tmpfs holds no user xattrs), so no overlay is needed there
	kcheck overlay --kernel "$image" --modules "$modules" --append simpcon.no-overlay
	major=${version%%.*}; minor=${version#*.}; minor=${minor%%[!0-9]*}
	if [ "$major" -gt 6 ] || { [ "$major" = 6 ] && [ "$minor" -ge 6 ]; }; then
		grep -q '^Bail out! .*CONFIG_OVERLAY_FS' "$T_TMP/overlay"
		ok $? "$k, simpcon.no-overlay: Bail out! naming CONFIG_OVERLAY_FS ($(cat "$T_TMP/overlay.s") s)"
		grep -q '^Bail out! .*CONFIG_OVERLAY_FS' "$T_TMP/overlay" || show overlay
	else
		all_ok overlay
		ok $? "$k, simpcon.no-overlay: all ok, the root a copy where no overlay is used ($(cat "$T_TMP/overlay.s") s)"
		all_ok overlay || show overlay
	fi

	kcheck noswitch --kernel "$image" --modules "$modules" --append simpcon.no-switch
	grep -q '^Bail out! .*initramfs.*switch_root' "$T_TMP/noswitch"
	ok $? "$k, simpcon.no-switch: Bail out! naming the initramfs and switch_root ($(cat "$T_TMP/noswitch.s") s)"
	grep -q '^Bail out! .*initramfs.*switch_root' "$T_TMP/noswitch" || show noswitch

	if [ "$(id -u)" = 0 ]; then
		kcheck root0700 --kernel "$image" --modules "$modules" --append simpcon.root-0700
		grep -q "^Bail out! .*'/' (mode 0700) cannot be searched.*chmod o+x '/'" "$T_TMP/root0700"
		ok $? "$k, simpcon.root-0700: Bail out! naming / and chmod o+x ($(cat "$T_TMP/root0700.s") s)"
		grep -q "^Bail out! .*'/' (mode 0700) cannot be searched.*chmod o+x '/'" "$T_TMP/root0700" || show root0700
	else
		skip "$k, simpcon.root-0700: Bail out! naming / and chmod o+x" "a / of mode 0700 leaves a user nothing to run"
	fi

	kcheck cgroup --kernel "$image" --modules "$modules" --append simpcon.no-cgroup
	points=$(grep -E '^(not )?ok [0-9]+ - cgroup:' "$T_TMP/cgroup")
	[ -n "$points" ] && ! printf '%s\n' "$points" | grep -vqE '^ok [0-9]+ - cgroup: .* # SKIP [^ ]'
	ok $? "$k, simpcon.no-cgroup: every cgroup point SKIP with a reason ($(cat "$T_TMP/cgroup.s") s)"
	printf '%s\n' "$points" | grep -vE '^ok [0-9]+ - cgroup: .* # SKIP [^ ]' | sed 's/^/# /'
done <"$list"
[ "$t_failed" = 0 ]
