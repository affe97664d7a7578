#!/bin/sh
# A transcript's "simpcon:" lines can only narrow what the caller allowed: each attack a file
# made before the rules existed (host code as root, binds of /etc, root-only reads, hardening
# off, limits lifted) is run here and must be refused, naming the file, the line, the option
# and the caller's flag that allows it; the host is checked afterwards.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
plan 26

d="$T_TMP/project"
mkdir -p "$d/t/data" "$d/build" "$d/elsewhere"
echo secret-of-the-caller >"$d/elsewhere/secret"
echo data-of-the-test >"$d/t/data/x"
canary="$T_TMP/pwned"
printf '#!/bin/sh\ntouch %s\necho 1\n' "$canary" >"$d/t/evil.sh"
chmod +x "$d/t/evil.sh"
ln -s /etc "$d/t/etclink"
ln -s ../elsewhere "$d/t/outlink"
echo built >"$d/build/prog"

# attack NAME OPTION-LINE COMMAND EXPECTED: writes $d/t/NAME.t with one "simpcon:" line and a
# command whose expected output is what the attack would get.
attack() {
	printf 'An attack.\nsimpcon: %s\n  $ %s\n  %s\n' "$2" "$3" "$4" >"$d/t/$1.t"
}
# refused NAME REGEX [CALLER OPTIONS...]: the file is not run: exit 1, its first point says why
refused() {
	name=$1 re=$2; shift 2
	"$SIMPCON" -q "$@" "$d/t/$name.t" >"$T_TMP/$name.out" 2>&1
	rc=$?
	[ $rc = 1 ] && grep -q "^not ok 1 - .*$name.t: could not run" "$T_TMP/$name.out" &&
		grep -q "message: .*$name.t:2: simpcon: $re" "$T_TMP/$name.out" || { cat "$T_TMP/$name.out" | sed 's/^/# /' | head -n 20; return 1; }
}
# passes NAME [CALLER OPTIONS...]: the file runs, every point ok
passes() {
	name=$1; shift
	"$SIMPCON" -q "$@" "$d/t/$name.t" >"$T_TMP/$name.out" 2>&1 || { sed 's/^/# /' "$T_TMP/$name.out" | head -n 20; return 1; }
}

attack busybox "--busybox $d/t/evil.sh" 'echo hi' 'hi'
refused busybox '--busybox is refused in a file (it is executed on the host.*--trust-files' && [ ! -e "$canary" ]
ok $? "--busybox of the file's own: refused, and never executed on the host"

# --env NAME passes the harness's own value on: a CI job's token must not reach a file that asks
attack envcopy '--env SIMPCON_TEST_TOKEN' 'echo "$SIMPCON_TEST_TOKEN"' 'hunter2'
SIMPCON_TEST_TOKEN=hunter2 refused envcopy "--env is refused in a file (NAME without a value copies the harness's own environment"
ok $? "--env NAME (the harness's value) in a file: refused"
printf '  $ echo "$SIMPCON_TEST_TOKEN"\n  hunter2\n' >"$d/t/envcaller.t"
SIMPCON_TEST_TOKEN=hunter2 passes envcaller --env SIMPCON_TEST_TOKEN
ok $? "--env NAME from the caller: the harness's value"

attack etc '--bind /etc:/e' 'cat /e/hostname' "$(cat /etc/hostname 2>/dev/null)"
refused etc "--bind: '/etc' is not beneath the file's directory '$d/t' or a --file-root"
ok $? "--bind /etc: refused (not beneath the file's directory)"

attack symlink '--ro-bind etclink /e' 'cat /e/hostname' "$(cat /etc/hostname 2>/dev/null)"
refused symlink "--ro-bind: .*etclink' is not beneath .*through a symlink"
ok $? "--ro-bind through a symlink to /etc inside the file's directory: refused"

attack relsymlink '--ro-bind outlink /o' 'cat /o/secret' 'secret-of-the-caller'
refused relsymlink "--ro-bind: .*outlink' is not beneath"
ok $? "--ro-bind through a relative symlink out of the directory: refused"

attack dotdot '--stdin ../elsewhere/secret' 'cat' 'secret-of-the-caller'
refused dotdot "--stdin: .*elsewhere/secret' is not beneath"
ok $? "--stdin ../: refused"

attack stdinabs '--stdin /etc/hostname' 'cat' "$(cat /etc/hostname 2>/dev/null)"
refused stdinabs "--stdin: '/etc/hostname' is not beneath"
ok $? "--stdin of a host file outside: refused"

attack stdindash '--stdin -' 'cat' ''
refused stdindash "--stdin is refused in a file ('-' is the harness's own stdin)"
ok $? "--stdin - (the harness's own stdin): refused"

attack copy '--copy ../elsewhere/secret:/x' 'cat /x' 'secret-of-the-caller'
refused copy "--copy: .*elsewhere/secret' is not beneath"
ok $? "--copy of a file outside: refused"

attack priv '--privileged' 'cat /proc/self/status | grep -c CapEff:.000001ffffffffff' '1'
refused priv '--privileged is refused in a file (it turns the hardening off)'
ok $? "--privileged: refused"

attack capall '--cap-add ALL' 'echo hi' 'hi'
refused capall '--cap-add ALL asks a capability the caller.s container does not have'
ok $? "--cap-add ALL: refused"

attack nethost '--net host' 'echo hi' 'hi'
refused nethost '--net host asks more than the caller.s --net none'
ok $? "--net host: refused"

attack notimeout '--timeout 0' 'echo hi' 'hi'
refused notimeout "--timeout 0 asks more than the caller's --timeout 2 .*raise it on the command line" --timeout 2
ok $? "--timeout 0 over the caller's --timeout 2: refused"

attack pids '--pids 4194304' 'echo hi' 'hi'
refused pids "--pids 4194304 asks more than the caller's --pids 16" --pids 16
ok $? "--pids 4194304 over the caller's --pids 16: refused"

attack narrower '--timeout 1 --pids 8 --hostname box --env A=b' 'echo "$(hostname) $A"' 'box b'
passes narrower --timeout 2 --pids 16
ok $? "narrower limits, a hostname and env: allowed"

# the README's automake flags: the build tree bound read-only, the file asks SYS_ADMIN to
# remount it writable
attack remount '--cap-add SYS_ADMIN' 'mount -o remount,rw,bind /build && echo x >/build/prog; cat /build/prog' 'x'
refused remount '--cap-add SYS_ADMIN asks a capability' --host-libs --bind "$d/build:/build:ro" &&
	[ "$(cat "$d/build/prog")" = built ]
ok $? "the README's flags: --cap-add SYS_ADMIN in a file is refused, the build tree unchanged"

all=0
for opt in '--rootfs /' '--cache /tmp' '--keep' '--archive x.tar' '--no-cache' '--trust-files' '--file-root /'; do
	name=$(echo "$opt" | tr -dc a-z)
	attack "$name" "$opt" 'echo hi' 'hi'
	refused "$name" "${opt%% *} is refused in a file" || all=1
done
ok $all "--rootfs, --cache, --keep, --archive, --no-cache, --trust-files, --file-root: refused"

attack robind '--ro-bind data /d' 'cat /d/x' 'data-of-the-test'
passes robind
ok $? "--ro-bind beneath the file's own directory: allowed"

attack rwbind '--bind data:/d' 'echo new >/d/x; cat /d/x' 'new'
refused rwbind "--bind: the bind of '$d/t/data' would be writable.*--file-root DIR:rw"
ok $? "a writable --bind: refused unless the caller grants writes"

passes rwbind --file-root "$d/t:rw" && [ "$(cat "$d/t/data/x")" = new ]
ok $? "--file-root DIR:rw: the file's bind is writable"

attack wider '--ro-bind ../elsewhere /o' 'cat /o/secret' 'secret-of-the-caller'
passes wider --file-root "$d"
ok $? "--file-root DIR: a path beneath DIR outside the file's directory is allowed"

attack trusted '--timeout 0 --net host' 'echo hi' 'hi'
passes trusted --trust-files --timeout 2
ok $? "--trust-files: the caller lets the file widen its options"

{ echo "Too many option lines."; i=0; while [ $i -lt 65 ]; do echo "simpcon: --env A$i=1"; i=$((i + 1)); done
  printf '  $ echo hi\n  hi\n'; } >"$d/t/many.t"
"$SIMPCON" -q "$d/t/many.t" >"$T_TMP/many.out" 2>&1
[ $? = 1 ] && grep -q "many.t: 65 'simpcon:' lines, at most 64" "$T_TMP/many.out"
ok $? "65 simpcon: lines: an error, none dropped silently"

"$SIMPCON" run --file-root / -- true >/dev/null 2>"$T_TMP/runroot"
[ $? = 2 ] && grep -q -- '--file-root, --trust-files, --cram and --shell apply to transcript files' "$T_TMP/runroot"
ok $? "--file-root outside a suite: a usage error"

[ ! -e "$canary" ] && [ "$(cat "$d/elsewhere/secret")" = secret-of-the-caller ] && [ -z "$(ls "$TMPDIR")" ]
ok $? "afterwards: no canary, the secret unchanged, nothing left in TMPDIR"
