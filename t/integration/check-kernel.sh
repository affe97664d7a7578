#!/bin/sh
# check --kernel without a machine: the errors that come before QEMU starts (one line on
# stderr naming the file and the fix, Bail out! on stdout, exit 3; misused options exit 2), and
# the initramfs writer on its own. Booting kernels is make check-kernels (t/kernels/run.sh).
. "$top_srcdir/t/lib.sh"
[ -x "$SIMPCON" ] || bail "simpcon-test not built at $SIMPCON"
setup_run_env
plan 11

one_line() { [ "$(printf '%s\n' "$1" | wc -l)" = 1 ]; }
image="$top_srcdir/README.md" # any readable file passes the image's own test

sc check --kernel "$T_TMP/no-vmlinuz"
[ "$T_RC" = 3 ] && one_line "$T_ERR" && has_line "$T_OUT" "Bail out! kernel image '$T_TMP/no-vmlinuz' .*" &&
	[ "$T_ERR" = "simpcon-test: kernel image '$T_TMP/no-vmlinuz' (give a kernel such as boot/vmlinuz-VERSION of an unpacked linux-image package): no such file or directory" ]
ok $? "a missing image: exit 3, Bail out!, one line naming it and the fix"

sc check --kernel "$image" --qemu /nonexistent/qemu
[ "$T_RC" = 3 ] && has_line "$T_OUT" "Bail out! QEMU '/nonexistent/qemu' .*" &&
	[ "$T_ERR" = "simpcon-test: QEMU '/nonexistent/qemu' (install qemu-system-x86: apt-get install qemu-system-x86, or give --qemu PATH): no such file or directory" ]
ok $? "a missing QEMU: exit 3, the path and the package named"

PATH=/nonexistent "$SIMPCON" check --kernel "$image" >"$T_TMP/out" 2>"$T_TMP/err" </dev/null
[ $? = 3 ] && [ "$(cat "$T_TMP/err")" = "simpcon-test: qemu-system-x86_64 not found on PATH: install qemu-system-x86 (apt-get install qemu-system-x86), or give --qemu PATH" ]
ok $? "no QEMU on PATH: exit 3 and the package named"

sc check --kernel "$image" --qemu /bin/true --modules "$T_TMP"
[ "$T_RC" = 3 ] && [ "$T_ERR" = "simpcon-test: --modules '$T_TMP' is not a kernel's modules directory: it has neither modules.dep nor modules.order (give lib/modules/VERSION)" ]
ok $? "--modules that is not a modules directory: exit 3, says what it lacks"

sc run --kernel "$image" -- true
[ "$T_RC" = 2 ] && [ -z "$T_OUT" ] && [ "$T_ERR" = "simpcon-test: --kernel, --modules, --qemu and --append apply to check: use 'simpcon-test check --kernel IMAGE'" ]
ok $? "--kernel with run: exit 2, check named"

sc check --append simpcon.no-overlay
[ "$T_RC" = 2 ] && [ "$T_ERR" = "simpcon-test: --modules, --qemu and --append need --kernel IMAGE" ]
ok $? "--append without --kernel: exit 2"

sc check --kernel "$image" --junit "$T_TMP/j.xml"
[ "$T_RC" = 2 ] && has "$T_ERR" "cannot be given with it"; ok $? "--kernel with --junit: exit 2"

# a machine whose check bailed out before its version line: the second serial line's text is
# shown (a "Bail out!" in YAML written \x42ail, so that no TAP reader takes it for its own),
# with the console, where the kernel's own messages are (loglevel=6, not quiet)
cat >"$T_TMP/fake-qemu" <<'EOQ'
#!/bin/sh
n=0
while [ $# -gt 0 ]; do
	case $1 in
	-append) cmdline=$2 ;;
	-serial) n=$((n + 1)); eval "serial$n=\${2#file:}" ;;
	esac
	shift
done
printf 'kernel command line: %s\r\n' "$cmdline" >"$serial1"
printf 'Bail out! the check ended early\r\n' >"$serial2"
EOQ
chmod +x "$T_TMP/fake-qemu"
sc check --kernel "$image" --qemu "$T_TMP/fake-qemu"
if has "$T_ERR" "is linked dynamically"; then
	# a sanitizer build: the machine would need its libraries, and check --kernel says so first
	skip "a machine that gave no TAP: what its serial lines carried is shown" "simpcon-test is linked dynamically (a sanitizer build)"
else
	[ "$T_RC" = 3 ] && has_line "$T_OUT" "not ok 1 - the kernel booted and ran check" &&
		has_line "$T_OUT" '  serial: "Bail out! the check ended early\\n"' &&
		has_line "$T_OUT" "    kernel command line: console=ttyS0 panic=-1 loglevel=6" &&
		has_line "$T_OUT" "  qemu_exit_status: 0"
	ok $? "a machine that gave no TAP: what its serial lines carried is shown"
	has "$T_OUT" "^  serial: " || diag "$T_OUT" "$T_ERR"
fi

# the writer: a directory, a file, a link and a compressed file written plain, read back by bsdtar
writer="$top_builddir/simpcon-initramfs"
mkdir -p "$T_TMP/in/extra dir"
printf 'module bytes\n' >"$T_TMP/in/mod.ko" && gzip -c "$T_TMP/in/mod.ko" >"$T_TMP/in/mod.ko.gz"
printf '#!/bin/sh\necho hi\n' >"$T_TMP/in/extra dir/run"
cat >"$T_TMP/manifest" <<EOM
dir 0755 /lib
file 0700 /init $T_TMP/in/extra dir/run
slink /bin/sh busybox
unpacked 0644 /lib/mod.ko $T_TMP/in/mod.ko.gz
tree /extra $T_TMP/in/extra dir
EOM
"$writer" "$T_TMP/manifest" "$T_TMP/out.cpio" 2>"$T_TMP/writer.err"
rc=$?
if command -v bsdtar >/dev/null; then
	listing=$(bsdtar -tvf "$T_TMP/out.cpio" 2>&1 | awk '{print $1, $9, $10, $11}' | tr '\n' '|')
	mkdir -p "$T_TMP/x" && (cd "$T_TMP/x" && bsdtar -xf "$T_TMP/out.cpio")
	[ $rc = 0 ] && [ "$listing" = "drwxr-xr-x lib  |-rwx------ init  |lrwxrwxrwx bin/sh -> busybox|-rw-r--r-- lib/mod.ko  |drwxr-xr-x extra  |-rw-r--r-- extra/run  |" ] &&
		cmp -s "$T_TMP/x/lib/mod.ko" "$T_TMP/in/mod.ko"
	ok $? "simpcon-initramfs writes what its manifest says, the module decompressed"
	[ $rc = 0 ] || diag "$listing"
else
	skip "simpcon-initramfs writes what its manifest says" "no bsdtar (libarchive-tools)"
fi
printf 'frob 0644 /x /y\n' >"$T_TMP/bad"
"$writer" "$T_TMP/bad" "$T_TMP/bad.cpio" 2>"$T_TMP/writer.err"
[ $? = 1 ] && [ ! -e "$T_TMP/bad.cpio" ] &&
	[ "$(cat "$T_TMP/writer.err")" = "simpcon-initramfs: manifest verb 'frob' is not dir, file, unpacked, slink or tree" ]
ok $? "simpcon-initramfs refuses an unknown entry and leaves no output"

[ -z "$(ls -A "$TMPDIR")" ]; ok $? "nothing left in TMPDIR"
