#!/bin/sh
# semantics.sh - ordinary file system operations, one line each: `NAME: result`.
#
#   semantics.sh [-L DIR] [-f FILE]... [-e DIR] [-r DIR] [-m DIR] [-c DIR] [-l A:B] WORK
#   semantics.sh -P DIR
#
# WORK is an existing directory; everything new is made in WORK/w. The other options name
# content that was there before (in a container: the overlay's lower layer, the fixture) and
# that the script changes or removes:
#   -f FILE  a non-empty regular file (three are used: renamed over, hard-linked and
#            chmod/chown'ed, unlinked while open)
#   -e DIR   an empty directory, removed with rmdir and made again
#   -r DIR   a directory with content, removed with rm -rf and made again: it must be empty
#   -m DIR   a directory with content, moved to another directory and back
#   -c DIR   a tree copied with cp -a (run before anything is removed)
#   -l A:B   two names of one file (a hard link that was there before)
#   -L DIR   all of the above as -P DIR lays them out
# -P DIR makes that layout in DIR (for a fixture, or the plain directory of a reference run).
#
# The output is the same wherever the file system behaves the same: no paths, inode numbers,
# times, pids or block counts, and a failure is the error text alone (what follows the last
# ": " of the tool's message), so busybox and GNU tools and any WORK print the same lines.
# Only POSIX sh and busybox applets are used: it runs in a busybox-only initramfs too.

populate() {
	p=$1
	mkdir -p "$p/rm/a/b" "$p/mv/x/y" "$p/tree/d1/d2" "$p/tree/empty" "$p/empty" || return 1
	printf 'rm\n' >"$p/rm/a/b/f" && printf 'top\n' >"$p/rm/g" &&
		printf 'mv\n' >"$p/mv/x/y/f" && printf 'z\n' >"$p/mv/z" &&
		printf 'one\n' >"$p/f1" && printf 'two\n' >"$p/f2" && printf 'three\n' >"$p/f3" &&
		printf 'linked\n' >"$p/hl1" && ln "$p/hl1" "$p/hl2" &&
		printf 'deep\n' >"$p/tree/d1/d2/f" && printf '#!/bin/sh\n' >"$p/tree/x" &&
		chmod 755 "$p/tree/x" && chmod 700 "$p/tree/d1" && chmod 640 "$p/tree/d1/d2/f" &&
		ln -s d1/d2/f "$p/tree/rel" && ln -s nowhere "$p/tree/dangling" &&
		ln "$p/tree/x" "$p/tree/x2"
}

usage() { echo "usage: semantics.sh [-L DIR] [-f FILE]... [-e DIR] [-r DIR] [-m DIR] [-c DIR] [-l A:B] WORK | -P DIR" >&2; exit 2; }

F1= F2= F3= EMPTY= RMDIR= MVDIR= CPDIR= PAIR=
addfile() { if [ -z "$F1" ]; then F1=$1; elif [ -z "$F2" ]; then F2=$1; else F3=$1; fi; }
while getopts P:L:f:e:r:m:c:l: o; do
	case $o in
	P) populate "$OPTARG"; exit ;;
	L) addfile "$OPTARG/f1"; addfile "$OPTARG/f2"; addfile "$OPTARG/f3"; EMPTY=$OPTARG/empty
		RMDIR=$OPTARG/rm; MVDIR=$OPTARG/mv; CPDIR=$OPTARG/tree; PAIR=$OPTARG/hl1:$OPTARG/hl2 ;;
	f) addfile "$OPTARG" ;;
	e) EMPTY=$OPTARG ;;
	r) RMDIR=$OPTARG ;;
	m) MVDIR=$OPTARG ;;
	c) CPDIR=$OPTARG ;;
	l) PAIR=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 1 ] && [ -d "$1" ] || usage
W=$1/w
ERR=$1/w.err
mkdir "$W" && cd "$W" || exit 1
ME=$(id -u)

# op NAME FUNCTION: prints what FUNCTION printed ("ok" if nothing), or, when it failed, the
# error text of the last message it wrote to stderr ("failed" when it wrote none).
op() {
	r=$("$2" 2>"$ERR")
	if [ $? = 0 ]; then
		printf '%s: %s\n' "$1" "${r:-ok}"
	else
		e=$(sed -n '$s/.*: //p' "$ERR")
		printf '%s: %s\n' "$1" "${e:-failed${r:+ ($r)}}"
	fi
}
# fail TEXT: what an observation found, as the operation's result
fail() { echo "$*"; return 1; }
# listing DIR: each entry with its type, mode, owner (relative to the caller), size, content
# digest, link count of files and link target: two trees that list the same are copies.
listing() {
	(cd "$1" && find . | sort | while IFS= read -r p; do
		if [ -L "$p" ]; then
			echo "$p link $(readlink "$p")"
		elif [ -d "$p" ]; then
			echo "$p dir $(stat -c '%a' "$p") $(owner "$p")"
		else
			echo "$p file $(stat -c '%a %s %h' "$p") $(owner "$p") $(md5sum <"$p" | cut -c1-32)"
		fi
	done)
}
owner() { stat -c '%u %g' "$1" | { read -r u g; [ "$u" = "$ME" ] && u=me; [ "$g" = "$(id -g)" ] && g=me; echo "$u:$g"; }; }
# same_tree A B: "same", or the first line where the listings differ
same_tree() {
	listing "$1" >"$ERR.a" && listing "$2" >"$ERR.b" || return 1
	d=$(diff "$ERR.a" "$ERR.b" | grep '^[-+]\.' | head -n 1)
	rm -f "$ERR.a" "$ERR.b"
	[ -z "$d" ] && echo same || fail "differs: $d"
}
# sparse FILE: its size, and whether fewer blocks than half of it are allocated
sparse() {
	stat -c '%s %b %B' "$1" | {
		read -r s b u
		if [ $((b * u)) -lt $((s / 2)) ]; then echo "size=$s sparse"; else echo "size=$s allocated"; fi
	}
}

# new files and directories, made here
file_create() { printf 'hello\n' >a && cat a; }
file_remove() { rm a && [ ! -e a ] || fail "still there"; }
file_rename() { printf 'b\n' >b && mv b c && [ ! -e b ] && cat c; }
rename_over() { printf 'old\n' >d && printf 'new\n' >e && mv e d && [ ! -e e ] && cat d; }
dir_create() { mkdir -p d1/d2/d3 && [ -d d1/d2/d3 ]; }
mkdir_exists() { mkdir d1; }
rmdir_nonempty() { rmdir d1; }
dir_remove() { rm -r d1 && [ ! -e d1 ] || fail "still there"; }
dir_rename() { mkdir x && printf 'x\n' >x/f && mv x y && [ ! -e x ] && cat y/f; }
dir_rename_across() {
	mkdir -p p/sub q && printf 's\n' >p/sub/f && mv p/sub q/ && [ ! -e p/sub ] && cat q/sub/f
}
hard_link() {
	printf '1\n' >h1 && ln h1 h2 && printf '2\n' >>h2 &&
		echo "links=$(stat -c %h h1) content=$(paste -s -d , h1)"
}
symlink_relative() { mkdir sd && printf 't\n' >sd/t && ln -s sd/t sl && echo "$(readlink sl) $(cat sl)"; }
symlink_dangling() {
	ln -s nowhere dl && [ -L dl ] || return 1
	if cat dl >/dev/null 2>&1; then echo "$(readlink dl) readable"; else echo "$(readlink dl) dangling"; fi
}
fifo() {
	mkfifo ff && [ -p ff ] || return 1
	(printf 'through\n' >ff) &
	read -r l <ff
	wait
	echo "$l"
}
sparse_truncate() { truncate -s 16M sp && sparse sp; }
sparse_seek() { dd if=/dev/zero of=sp2 bs=1 count=1 seek=16777215 2>/dev/null && sparse sp2; }
large_file() {
	dd if=/dev/zero of=big bs=1048576 count=64 2>/dev/null &&
		echo "$(sparse big) md5=$(md5sum <big | cut -c1-32)" && rm big
}
chmod_new() { printf 'm\n' >m && chmod 640 m && stat -c %a m; }
unlink_open() { printf 'keep\n' >u && exec 3<u && rm u && [ ! -e u ] && cat <&3; }
xattr_user() {
	command -v setfattr >/dev/null && command -v getfattr >/dev/null ||
		{ echo "skip (no setfattr/getfattr)"; return; }
	printf 'x\n' >xa && setfattr -n user.test -v value xa && getfattr --only-values -n user.test xa
}
cp_tree() {
	mkdir -p ct/a/b && printf 'c\n' >ct/a/b/f && ln -s a/b/f ct/l && ln ct/a/b/f ct/hl &&
		chmod 750 ct/a && cp -a ct ct2 && same_tree ct ct2
}

# what was there before
lower_rename_over() { printf 'new\n' >lo && mv lo "$F1" && [ ! -e lo ] && cat "$F1"; }
lower_hard_link() {
	ln "$F2" l2 && cmp "$F2" l2 && printf 'more\n' >>l2 &&
		echo "links=$(stat -c %h "$F2") last=$(tail -n 1 "$F2")"
}
lower_chmod() { chmod 600 "$F2" && stat -c %a "$F2"; }
lower_chown() {
	[ "$ME" = 0 ] || { echo "skip (not root)"; return; }
	chown 1:1 "$F2" && stat -c %u:%g "$F2"
}
lower_unlink_open() {
	c=$(cat "$F3") && exec 3<"$F3" && rm "$F3" && [ ! -e "$F3" ] &&
		[ "$(cat <&3)" = "$c" ] && echo readable
}
lower_pair() {
	a=${PAIR%%:*} b=${PAIR#*:}
	n=$(stat -c %h "$a") && printf 'added\n' >>"$a" && echo "links=$n other=$(tail -n 1 "$b")"
}
lower_cp_tree() { cp -a "$CPDIR" lc && same_tree "$CPDIR" lc; }
lower_rmdir() { rmdir "$EMPTY" && [ ! -e "$EMPTY" ] && mkdir "$EMPTY" && echo "entries=$(ls -A "$EMPTY" | wc -l)"; }
lower_rm_rf() { rm -rf "$RMDIR" && [ ! -e "$RMDIR" ] || fail "still there"; }
lower_rm_rf_again() { mkdir "$RMDIR" && echo "entries=$(ls -A "$RMDIR" | wc -l)"; }
lower_mv() {
	listing "$MVDIR" >"$ERR.m" && mv "$MVDIR" moved && [ ! -e "$MVDIR" ] &&
		listing moved | diff "$ERR.m" - >/dev/null && mv moved "$MVDIR" && [ ! -e moved ] &&
		listing "$MVDIR" | diff "$ERR.m" - >/dev/null && rm "$ERR.m" && echo same
}
lower_mv_in_place() { mv "$MVDIR" "$MVDIR.new" && [ -d "$MVDIR.new" ] && mv "$MVDIR.new" "$MVDIR"; }

op file-create file_create
op file-remove file_remove
op file-rename file_rename
op rename-over-file rename_over
op dir-create dir_create
op mkdir-existing mkdir_exists
op rmdir-nonempty rmdir_nonempty
op dir-remove dir_remove
op dir-rename dir_rename
op dir-rename-across dir_rename_across
op hard-link hard_link
op symlink-relative symlink_relative
op symlink-dangling symlink_dangling
op fifo fifo
op sparse-truncate sparse_truncate
op sparse-seek sparse_seek
op large-file large_file
op chmod chmod_new
op unlink-open unlink_open
op xattr-user xattr_user
op cp-a cp_tree
[ -n "$CPDIR" ] && op lower-cp-a lower_cp_tree
if [ -n "$F3" ]; then
	op lower-rename-over lower_rename_over
	op lower-hard-link lower_hard_link
	op lower-chmod lower_chmod
	op lower-chown lower_chown
	op lower-unlink-open lower_unlink_open
fi
[ -n "$PAIR" ] && op lower-hard-link-pair lower_pair
[ -n "$EMPTY" ] && op lower-rmdir-mkdir lower_rmdir
if [ -n "$RMDIR" ]; then
	op lower-rm-rf lower_rm_rf
	op lower-rm-rf-mkdir lower_rm_rf_again
fi
if [ -n "$MVDIR" ]; then
	op lower-mv-in-place lower_mv_in_place
	op lower-mv-across lower_mv
fi
rm -f "$ERR"
