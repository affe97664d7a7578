#!/bin/sh
# Hostile archives made the way attackers make them (python3's tarfile and zipfile), given to
# simpcon-unpack: each is refused with exit 1 and one line on stderr naming the entry, the
# destination is left empty, and nothing appears or changes beside it. Two good archives first,
# so that a helper refusing everything cannot pass.
. "$top_srcdir/t/lib.sh"
UNPACK="$top_builddir/simpcon-unpack"
[ -x "$UNPACK" ] || bail "simpcon-unpack not built at $UNPACK"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed to write the hostile archives"
tmpdir_make
plan 21

# mk KIND FILE [TYPE NAME TARGET]...: writes a tar (KIND tar), gzipped tar (tgz) or zip archive.
# TYPE f: a file holding "evil"; d: a directory; l: a symbolic link to TARGET; h: a hard link
# to TARGET; z: TARGET zero bytes; c: the device 1,3. TARGET is "-" where it means nothing.
cat >"$T_TMP/mk.py" <<'EOF'
import io, sys, tarfile, zipfile
kind, out, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
specs = [rest[i:i + 3] for i in range(0, len(rest), 3)]
if kind == 'zip':
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
        for typ, name, target in specs:
            info = zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0))
            info.create_system = 3  # unix: the mode is in the upper half of external_attr
            modes = {'f': 0o100644, 'd': 0o040755, 'l': 0o120777}
            info.external_attr = modes[typ] << 16
            z.writestr(info, target.encode() if typ == 'l' else b'' if typ == 'd' else b'evil\n')
    sys.exit(0)
with tarfile.open(out, 'w:gz' if kind == 'tgz' else 'w', format=tarfile.PAX_FORMAT) as t:
    for typ, name, target in specs:
        info = tarfile.TarInfo(name)
        info.mtime, info.mode, data = 1700000000, 0o644, b''
        if typ == 'f':
            data = b'evil\n'
        elif typ == 'z':
            data = bytes(int(target))
        elif typ == 'd':
            info.type, info.mode = tarfile.DIRTYPE, 0o755
        elif typ == 'l':
            info.type, info.linkname = tarfile.SYMTYPE, target
        elif typ == 'h':
            info.type, info.linkname = tarfile.LNKTYPE, target
        elif typ == 'c':
            info.type, info.devmajor, info.devminor = tarfile.CHRTYPE, 1, 3
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
EOF
mk() { python3 "$T_TMP/mk.py" "$@" || bail "python3 could not write $2"; }

SENTINEL='root:x:0:0:root:/root:/bin/sh'
# new_case NAME: $C with an empty dest/ and outside/ holding one file, passwd, the escapes' target.
new_case() {
	C="$T_TMP/$1"
	mkdir -p "$C/dest" "$C/outside" || bail "mkdir '$C'"
	printf '%s\n' "$SENTINEL" >"$C/outside/passwd"
}
# unpack [OPTION]...: the helper on $C/archive into $C/dest; $U_RC, $U_ERR.
unpack() {
	"$UNPACK" "$@" "$C/archive" "$C/dest" >"$C.out" 2>"$C.err" </dev/null
	U_RC=$?
	U_ERR=$(cat "$C.err")
}
# outside/ still holds only passwd, unchanged and with no second name, and nothing is new beside it.
outside_untouched() {
	[ "$(ls -A "$C/outside")" = passwd ] && [ "$(cat "$C/outside/passwd")" = "$SENTINEL" ] &&
		[ -n "$(find "$C/outside/passwd" -links 1)" ] && [ "$(ls -A "$C" | tr '\n' ' ')" = "archive dest outside " ]
}
# refused DESCRIPTION TEXT: exit 1, one line "simpcon-unpack: ..." holding TEXT, dest/ empty.
refused() {
	[ "$U_RC" = 1 ] && [ "$(printf '%s\n' "$U_ERR" | wc -l)" = 1 ] && has "$U_ERR" '^simpcon-unpack: archive ' &&
		printf '%s\n' "$U_ERR" | grep -qF -e "$2" && [ -z "$(ls -A "$C/dest")" ] && outside_untouched
	rc=$?
	[ $rc = 0 ] || diag "exit $U_RC: $U_ERR"
	ok $rc "$1"
}

# ---- good archives ---------------------------------------------------------------------------
new_case good-tar
mk tar "$C/archive" d bin - f bin/busybox - l bin/sh /bin/busybox h bin/ls bin/busybox \
	d etc - l etc/mtab ../proc/self/mounts
unpack
[ "$U_RC" = 0 ] && [ -z "$U_ERR" ] && [ "$(readlink "$C/dest/bin/sh")" = /bin/busybox ] &&
	[ "$(cat "$C/dest/bin/ls")" = evil ] && [ -n "$(find "$C/dest/bin/busybox" -links 2)" ] &&
	[ "$(readlink "$C/dest/etc/mtab")" = ../proc/self/mounts ] && outside_untouched
ok $? "a busybox-like tar unpacks: absolute and relative symbolic links, a hard link"

new_case good-zip
mk zip "$C/archive" d bin/ - f bin/busybox - l bin/sh /bin/busybox
unpack
[ "$U_RC" = 0 ] && [ "$(readlink "$C/dest/bin/sh")" = /bin/busybox ] && [ "$(cat "$C/dest/bin/busybox")" = evil ] &&
	outside_untouched
ok $? "a zip with a symbolic link unpacks"

# ---- names -----------------------------------------------------------------------------------
new_case dotdot
mk tar "$C/archive" f ok - f ../outside/evil -
unpack
refused "tar: '../' traversal is refused" "entry '../outside/evil' escapes the root"

new_case dotdot-deep
mk tar "$C/archive" f a/b/../../../outside/evil -
unpack
refused "tar: traversal through '..' deeper down is refused" "entry 'a/b/../../../outside/evil' escapes the root"

new_case absolute
mk tar "$C/archive" f "$C/outside/abs" -
unpack
refused "tar: an absolute path is refused, not written" "entry '$C/outside/abs' has an absolute path"

new_case zip-slip
mk zip "$C/archive" f ok - f ../outside/evil -
unpack
refused "zip-slip: '../' in a zip is refused" "entry '../outside/evil' escapes the root"

new_case zip-absolute
mk zip "$C/archive" f "$C/outside/abs" -
unpack
refused "zip: an absolute path is refused" "entry '$C/outside/abs' has an absolute path"

# ---- symbolic links ----------------------------------------------------------------------------
new_case symlink-escape
mk tar "$C/archive" l evil ../outside f evil/passwd -
unpack
refused "tar: a symbolic link out of the root is refused before anything is written through it" \
	"entry 'evil' is a symbolic link to '../outside', outside the root"

new_case symlink-absolute-write
mk tar "$C/archive" l lnk "$C/outside" f lnk/passwd -
unpack
refused "tar: nothing is written through an absolute symbolic link" "entry 'lnk/passwd' is below a symbolic link"

new_case symlink-dir-write
mk tar "$C/archive" l lnk "$C/outside" d lnk/sub - f lnk/sub/evil -
unpack
refused "tar: no directory is made through a symbolic link" "entry 'lnk/sub' is below a symbolic link"

new_case symlink-chain
mk tar "$C/archive" l d/up .. l d/out up/../outside
unpack
refused "tar: a chain of links leading out is refused" "entry 'd/out' is a symbolic link that leads outside the root"

new_case zip-symlink
mk zip "$C/archive" l lnk ../outside f lnk/evil -
unpack
refused "zip: a symbolic link out of the root is refused" "entry 'lnk' is a symbolic link to '../outside'"

# ---- hard links --------------------------------------------------------------------------------
new_case hardlink
mk tar "$C/archive" h passwd ../outside/passwd f passwd -
unpack
refused "tar: a hard link to a file outside is refused (and not written through)" \
	"entry 'passwd' is a hard link to '../outside/passwd', outside the root"

new_case hardlink-absolute
mk tar "$C/archive" h passwd "$C/outside/passwd"
unpack
refused "tar: a hard link to an absolute path is refused" "entry 'passwd' is a hard link to '$C/outside/passwd'"

new_case hardlink-missing
mk tar "$C/archive" h shadow etc/shadow
unpack
refused "tar: a hard link to no earlier entry is refused" "which is not an earlier entry"

# ---- the rest ----------------------------------------------------------------------------------
new_case replace-dir
mk tar "$C/archive" d etc - l etc "$C/outside" f etc/passwd -
unpack
refused "tar: a directory is not replaced by a symbolic link" "entry 'etc' would replace an existing directory"

new_case device
mk tar "$C/archive" c null -
unpack
refused "tar: a device node is refused unless allowed" "entry 'null' is a device node"

new_case bomb
mk tgz "$C/archive" z big 16777216
size=$(wc -c <"$C/archive")
unpack --archive-limit 1M
refused "tar.gz of ${size} bytes expanding to 16 MiB: stopped at --archive-limit" \
	"unpacked size over the limit of 1M (1048576 bytes): raise it with --archive-limit SIZE (at entry 'big')"

new_case ratio
mk tgz "$C/archive" z big 83886080
size=$(wc -c <"$C/archive")
unpack
refused "tar.gz of ${size} bytes expanding to 80 MiB: stopped past 64 MiB by the default --archive-ratio" \
	"unpacks to more than 100 times what was read of it"

new_case entries
set --
i=0
while [ $i -lt 101 ]; do set -- "$@" f "f$i" -; i=$((i + 1)); done
mk tar "$C/archive" "$@"
unpack --archive-entries 100
refused "tar of 101 small files: stopped at --archive-entries 100" \
	"more than the limit of 100 entries: raise it with --archive-entries N"

"$UNPACK" >/dev/null 2>"$T_TMP/usage.err"
rc=$?
[ $rc = 2 ] && grep -q '^simpcon-unpack: missing ARCHIVE and DEST' "$T_TMP/usage.err"
ok $? "no operands: exit 2 and says what is missing"
