#!/bin/sh
# t/kernels/run.sh: check --kernel on each kernel t/kernels/fetch.sh unpacked (KERNELS_CACHE/kernels):
# all ok as root and as an unprivileged user, and each knob of the initramfs's /init takes its
# feature away where check must see it. TAP; run by make check-kernels.
. "$top_srcdir/t/lib.sh"
[ -x "$SIMPCON" ] || bail "simpcon-test not built at $SIMPCON"
list="${KERNELS_CACHE:?}/kernels"
[ -s "$list" ] || bail "no kernels in '$list': run t/kernels/fetch.sh first"
tmpdir_make
n=$(wc -l <"$list")
plan $((n * 5))

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
# kcheck NAME ARGS...: check --kernel, the stream in $T_TMP/NAME, status in NAME.rc, seconds in NAME.s
kcheck() {
	name=$1; shift
	start=$(date +%s)
	"$SIMPCON" check "$@" >"$T_TMP/$name" 2>"$T_TMP/$name.err" </dev/null
	echo $? >"$T_TMP/$name.rc"
	echo $(($(date +%s) - start)) >"$T_TMP/$name.s"
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
		kcheck root --kernel "$image" --modules "$modules"
		all_ok root; ok $? "$k, as root: every point ok or SKIP with a reason ($(cat "$T_TMP/root.s") s)"
		all_ok root || show root
		# rootless: an unprivileged user of this machine runs check --kernel, which runs check as a user
		user=${SIMPCON_KERNEL_USER:-nobody}
		# under /tmp: the build tree may lie in a home no one else can enter
		u=$(mktemp -d /tmp/simpcon-kernels.XXXXXX) && chmod 755 "$u" || bail "mktemp"
		trap 'rm -rf "$T_TMP" "$u"' EXIT
		user_copy "$u" "$image" "$modules"
		mkdir -p "$u/tmp" && chmod 1777 "$u/tmp"
		start=$(date +%s)
		su -s /bin/sh "$user" -c 'unset SIMPCON_INIT SIMPCON_PROBE SIMPCON_INITRAMFS; cd "$1" && TMPDIR="$1/tmp" exec "$1/bin/simpcon-test" check --kernel "$1/vmlinuz" --modules "$1/modules"' \
			sh "$u" >"$T_TMP/user" 2>"$T_TMP/user.err" </dev/null
		echo $? >"$T_TMP/user.rc"
		echo $(($(date +%s) - start)) >"$T_TMP/user.s"
		all_ok user && [ -z "$(ls -A "$u/tmp")" ]
		ok $? "$k, as $user: every point ok or SKIP with a reason, nothing left in TMPDIR ($(cat "$T_TMP/user.s") s)"
		all_ok user || show user
		rm -rf "$u"
	else
		kcheck user --kernel "$image" --modules "$modules"
		skip "$k, as root" "run by $(id -un): make check-kernels as root checks both"
		all_ok user; ok $? "$k, as $(id -un): every point ok or SKIP with a reason ($(cat "$T_TMP/user.s") s)"
		all_ok user || show user
	fi

	# the knobs: each feature taken away, and check must say so (as whoever runs this)
	kcheck userns --kernel "$image" --modules "$modules" --append simpcon.userns=0
	grep -q '^Bail out! .*max_user_namespaces' "$T_TMP/userns"
	ok $? "$k, simpcon.userns=0: Bail out! naming max_user_namespaces ($(cat "$T_TMP/userns.s") s)"
	grep -q '^Bail out! .*max_user_namespaces' "$T_TMP/userns" || show userns

	kcheck overlay --kernel "$image" --modules "$modules" --append simpcon.no-overlay
	cat "$T_TMP/overlay" "$T_TMP/overlay.err" | grep -q CONFIG_OVERLAY_FS
	ok $? "$k, simpcon.no-overlay: CONFIG_OVERLAY_FS named ($(cat "$T_TMP/overlay.s") s)"
	cat "$T_TMP/overlay" "$T_TMP/overlay.err" | grep -q CONFIG_OVERLAY_FS || show overlay

	kcheck cgroup --kernel "$image" --modules "$modules" --append simpcon.no-cgroup
	points=$(grep -E '^(not )?ok [0-9]+ - cgroup:' "$T_TMP/cgroup")
	[ -n "$points" ] && ! printf '%s\n' "$points" | grep -vqE '^ok [0-9]+ - cgroup: .* # SKIP [^ ]'
	ok $? "$k, simpcon.no-cgroup: every cgroup point SKIP with a reason ($(cat "$T_TMP/cgroup.s") s)"
	printf '%s\n' "$points" | grep -vE '^ok [0-9]+ - cgroup: .* # SKIP [^ ]' | sed 's/^/# /'
done <"$list"
[ "$t_failed" = 0 ]
