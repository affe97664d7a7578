#!/bin/sh
# The container's root behaves like a plain directory: t/fs/semantics.sh (create, remove,
# rename, links, fifos, sparse and large files, and the same on what the fixture held before)
# prints the same lines in a container, on every kind of fixture, as on the host in a plain
# directory, which is the reference. One point per kind; the diff is the diagnostic.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
plan 5

sem="$top_srcdir/t/fs/semantics.sh"
root=$("$SIMPCON" fixture build 2>/dev/null)
[ -n "$root" ] && [ -x "$root/bin/busybox" ] || bail "fixture build gave no fixture ('$root')"

# The reference runs the fixture's own busybox applets, so that both sides run the same
# programs and only the file system differs.
mkdir "$T_TMP/bin" || bail "mkdir"
for a in $("$root/bin/busybox" --list); do ln -s "$root/bin/busybox" "$T_TMP/bin/$a"; done
# The command in a container is root of a user namespace. A caller who is not root gets the
# same on the host from unshare, with the container's map: the caller alone, as container root
# (README, "Ids: rootless and root"), so a chown to another id fails in both.
as_root=
if [ "$(id -u)" != 0 ]; then
	unshare --map-root-user true 2>/dev/null || skip_all "unshare --map-root-user does not work for $(id -un)"
	as_root="unshare --map-root-user"
fi
# documented KIND NAME RESULT: where the README says the container differs from a plain
# directory, the reference of KIND expects that instead (and the log says so)
documented() {
	sed "s|^$2: .*|$2: $3|" "$T_TMP/$1.ref" >"$T_TMP/$1.ref.new" && mv "$T_TMP/$1.ref.new" "$T_TMP/$1.ref"
	diag "$1: documented difference, $2: $3"
}
# overlayfs breaks a hard link of the lower layer when one of its names is copied up, unless
# it indexes copied-up inodes (index=on), which needs file handles, which a mount made in a
# user namespace cannot decode (the kernel falls back to index=off): the other name keeps the
# old content.
broken_lower_link() { documented "$1" lower-hard-link-pair "links=2 other=linked"; }

# The fixture's own content used as the lower layer: no /srv there, so its /etc, /usr, /var
# and /mnt (every applet the script needs is in /bin, which it leaves alone).
default_args() { # default_args ROOT
	echo "-f $1/etc/passwd -f $1/etc/group -f $1/etc/hosts -e $1/mnt -r $1/var -m $1/etc -c $1/usr"
}

# reference NAME DIR ARGS...: the script on the host in DIR (a copy of what the container
# sees), its lines in $T_TMP/NAME.ref
reference() {
	name=$1 dir=$2; shift 2
	mkdir "$dir/sem" && $as_root env PATH="$T_TMP/bin" "$T_TMP/bin/sh" "$sem" "$@" "$dir/sem" \
		>"$T_TMP/$name.ref" 2>"$T_TMP/$name.ref.err" || bail "reference run for $name failed: $(cat "$T_TMP/$name.ref.err")"
	# a script that stopped early would make an empty reference any container matches
	[ "$(sed -n '1p' "$T_TMP/$name.ref")" = "file-create: hello" ] &&
		[ "$(sed -n '$p' "$T_TMP/$name.ref")" = "lower-mv-across: same" ] ||
		bail "reference run for $name is incomplete: $(cat "$T_TMP/$name.ref" "$T_TMP/$name.ref.err")"
}
# inside NAME WORK ARGS... -- SIMPCON-OPTIONS...: the script in a container, its lines in
# $T_TMP/NAME.got (taken from the exit status point's YAML)
inside() {
	name=$1 work=$2; shift 2
	args=
	while [ "$1" != -- ]; do args="$args $1"; shift; done
	shift
	capture "$name" run "$@" --copy "$sem:/semantics.sh" -- \
		sh -c "mkdir -p $work && exec sh /semantics.sh $args $work"
	sed -n '/^  stdout: |/,/^  [a-z_]*:/s/^    //p' "$T_TMP/$name" >"$T_TMP/$name.got"
}
# same NAME DESCRIPTION: the point: the container ran, and printed the reference's lines
same() {
	[ "$(cat "$T_TMP/$1.rc")" = 0 ] && diff -u "$T_TMP/$1.ref" "$T_TMP/$1.got" >"$T_TMP/$1.diff"
	ok $? "$2"
	if [ -s "$T_TMP/$1.diff" ]; then diag "$(cat "$T_TMP/$1.diff")"; fi
	if [ "$(cat "$T_TMP/$1.rc")" != 0 ]; then diag "$(cat "$T_TMP/$1" "$T_TMP/$1.err")"; fi
}

# 1. the cached busybox fixture, the default
fixture_copy "$T_TMP/r-default"
reference default "$T_TMP/r-default" $(default_args "$T_TMP/r-default")
inside default /sem $(default_args "") --
same default "default fixture: the root behaves like a plain directory"

# The other kinds hold a lower tree of the script's own, /srv, beside the busybox fixture.
fixture_copy "$T_TMP/tree"
sh "$sem" -P "$T_TMP/tree/srv" || bail "could not lay out $T_TMP/tree/srv"
lower_copy() { mkdir -p "$1" && cp -a "$T_TMP/tree/." "$1/" || bail "could not copy the tree to $1"; }

# 2. --archive: a tar of it
tar -C "$T_TMP/tree" -cf "$T_TMP/tree.tar" . || bail "could not make the archive"
lower_copy "$T_TMP/r-archive"
reference archive "$T_TMP/r-archive" -L "$T_TMP/r-archive/srv"
broken_lower_link archive
inside archive /sem -L /srv -- --archive "$T_TMP/tree.tar"
same archive "--archive: the root behaves like a plain directory"

# 3. --rootfs the caller's own (the caller made it)
lower_copy "$T_TMP/r-rootfs"
reference rootfs "$T_TMP/r-rootfs" -L "$T_TMP/r-rootfs/srv"
broken_lower_link rootfs
inside rootfs /sem -L /srv -- --rootfs "$T_TMP/tree"
same rootfs "--rootfs owned by the caller: the root behaves like a plain directory"

# 4. --rootfs owned by root, ids above 0 included (a system image)
if [ "$(id -u)" = 0 ]; then
	lower_copy "$T_TMP/tree-root" && chown -R 0:0 "$T_TMP/tree-root" &&
		chown 1:1 "$T_TMP/tree-root/srv/tree/x" "$T_TMP/tree-root/srv/f3" || bail "chown"
	mkdir "$T_TMP/r-rootowned" && cp -a "$T_TMP/tree-root/." "$T_TMP/r-rootowned/" || bail "cp"
	reference rootowned "$T_TMP/r-rootowned" -L "$T_TMP/r-rootowned/srv"
	broken_lower_link rootowned
	inside rootowned /sem -L /srv -- --rootfs "$T_TMP/tree-root"
	same rootowned "--rootfs owned by root: the root behaves like a plain directory"
else
	skip "--rootfs owned by root: the root behaves like a plain directory" "only root can make a root-owned tree"
fi

# 5. a writable bind of a directory of the caller's: the work and the "lower" tree in it
mkdir -p "$T_TMP/bind-dir" "$T_TMP/r-bind" && sh "$sem" -P "$T_TMP/bind-dir/lower" &&
	sh "$sem" -P "$T_TMP/r-bind/lower" || bail "could not lay out the bind"
reference bind "$T_TMP/r-bind" -L "$T_TMP/r-bind/lower"
# run by root, a bind maps the caller alone: a chown to any other id cannot be written
# (EOVERFLOW, the kernel's error for an id the idmapped mount does not map)
[ "$(id -u)" = 0 ] && documented bind lower-chown "Value too large for defined data type"
inside bind /b/sem -L /b/lower -- --bind "$T_TMP/bind-dir:/b"
same bind "--bind of the caller's directory: behaves like the directory on the host"
