#!/bin/sh
# t/kernels/fs-semantics.sh: run by /init in a kernel of make check-kernels (as /extra/run,
# beside /extra/semantics.sh), as root or as the user: t/fs/semantics.sh on the default
# fixture, an archive, a --rootfs of the caller's (root's, run by root) and a writable bind,
# each against the same script on a plain
# directory of this kernel (the reference). Prints "fs-semantics KIND: same" or the diff;
# exits 1 when a kind differs. busybox only, as the initramfs has nothing else.
sem=/extra/semantics.sh
# simpcon-unpack is linked dynamically: run.sh brings it with its libraries and a wrapper
[ -x /extra/unpack ] && export SIMPCON_UNPACK=/extra/unpack
w=/var/work/fs
mkdir -p "$w" || exit 1
failed=0
as_root=
[ "$(id -u)" = 0 ] || as_root="unshare -r"
root=$(simpcon-test fixture build 2>"$w/build.err")
[ -x "$root/bin/busybox" ] || { echo "fs-semantics: no fixture: $(cat "$w/build.err")"; exit 1; }
# an overlay (Linux 6.6 and later here: tmpfs holds user xattrs) breaks a hard link the lower
# layer had when one name is written (README, "The container"); the copy of older kernels not
overlay=0
v=$(uname -r); major=${v%%.*}; minor=${v#*.}; minor=${minor%%[!0-9]*}
{ [ "$major" -gt 6 ] || { [ "$major" = 6 ] && [ "$minor" -ge 6 ]; }; } && overlay=1

# reference NAME DIR ARGS...: the script on a plain directory
reference() {
	name=$1 dir=$2; shift 2
	mkdir -p "$dir/sem" && $as_root sh "$sem" "$@" "$dir/sem" >"$w/$name.ref" 2>"$w/$name.ref.err"
	if [ "$overlay" = 1 ] && [ "$name" != default ] && [ "$name" != bind ]; then
		sed 's|^lower-hard-link-pair: .*|lower-hard-link-pair: links=2 other=linked|' "$w/$name.ref" >"$w/$name.tmp" &&
			mv "$w/$name.tmp" "$w/$name.ref"
	fi
}
# inside NAME WORK ARGS... -- OPTIONS...: the script in a container; compared with the reference
inside() {
	name=$1 work=$2; shift 2
	args=
	while [ "$1" != -- ]; do args="$args $1"; shift; done
	shift
	simpcon-test run "$@" --copy "$sem:/semantics.sh" -- sh -c "mkdir -p $work && exec sh /semantics.sh $args $work" \
		>"$w/$name.tap" 2>"$w/$name.err"
	rc=$?
	sed -n '/^  stdout: |/,/^  [a-z_]*:/s/^    //p' "$w/$name.tap" >"$w/$name.got"
	if [ "$rc" = 0 ] && [ -s "$w/$name.ref" ] && diff "$w/$name.ref" "$w/$name.got" >"$w/$name.diff"; then
		echo "fs-semantics $name: same"
	else
		echo "fs-semantics $name: DIFFERENT (exit $rc)"
		cat "$w/$name.diff" "$w/$name.err" "$w/$name.ref.err" 2>/dev/null | head -n 40
		failed=1
	fi
}
default_args() { echo "-f $1/etc/passwd -f $1/etc/group -f $1/etc/hosts -e $1/mnt -r $1/var -m $1/etc -c $1/usr"; }

mkdir -p "$w/r-default" && cp -a "$root/." "$w/r-default/"
reference default "$w/r-default" $(default_args "$w/r-default")
inside default /sem $(default_args "") --

mkdir -p "$w/tree" && cp -a "$root/." "$w/tree/" && sh "$sem" -P "$w/tree/srv" || exit 1
tar -C "$w/tree" -cf "$w/tree.tar" . || exit 1
for kind in archive rootfs; do
	mkdir -p "$w/r-$kind" && cp -a "$w/tree/." "$w/r-$kind/"
	reference "$kind" "$w/r-$kind" -L "$w/r-$kind/srv"
done
inside archive /sem -L /srv -- --archive "$w/tree.tar"
inside rootfs /sem -L /srv -- --rootfs "$w/tree"

# a bind maps the caller alone, run by root: a chown to another id cannot be written there
mkdir -p "$w/bind-dir" "$w/r-bind" && sh "$sem" -P "$w/bind-dir/lower" && sh "$sem" -P "$w/r-bind/lower" || exit 1
reference bind "$w/r-bind" -L "$w/r-bind/lower"
if [ "$(id -u)" = 0 ]; then
	sed 's|^lower-chown: .*|lower-chown: Value too large for defined data type|' "$w/bind.ref" >"$w/bind.tmp" &&
		mv "$w/bind.tmp" "$w/bind.ref"
fi
inside bind /b/sem -L /b/lower -- --bind "$w/bind-dir:/b"
exit "$failed"
