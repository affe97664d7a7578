#!/bin/sh
# t/kernels/fetch.sh CACHE: Debian's kernels for make check-kernels, fetched and unpacked, never
# installed. Each meta-package is resolved to the versioned package it depends on now, which is
# downloaded with apt-get download and unpacked with dpkg-deb -x into CACHE/PACKAGE (reused
# when there); CACHE/kernels lists the directories of this run, one a line.
set -eu
cache=${1:?usage: fetch.sh CACHE}
# the stable cloud kernel (6.1 on Debian 12) and the backported one (6.12)
metas=${SIMPCON_KERNEL_METAS:-"linux-image-cloud-amd64 linux-image-6.12-cloud-amd64"}
mkdir -p "$cache"
: >"$cache/kernels.new"
for meta in $metas; do
	pkg=$(apt-cache depends "$meta" 2>/dev/null | awk '/Depends: linux-image/{print $2; exit}')
	if [ -z "$pkg" ]; then
		echo "fetch.sh: no package behind '$meta': run apt-get update (and enable bookworm-backports for 6.12)" >&2
		exit 1
	fi
	dir="$cache/$pkg"
	if ! ls "$dir"/boot/vmlinuz-* >/dev/null 2>&1; then
		echo "fetch.sh: $meta -> $pkg" >&2
		work=$(mktemp -d "$cache/fetch.XXXXXX")
		# apt's download user must be able to write there
		chmod 755 "$work"
		(cd "$work" && apt-get download -q "$pkg" >&2)
		rm -rf "$dir.tmp" && dpkg-deb -x "$work"/*.deb "$dir.tmp" && mv "$dir.tmp" "$dir"
		rm -rf "$work"
	fi
	echo "$dir" >>"$cache/kernels.new"
done
mv "$cache/kernels.new" "$cache/kernels"
