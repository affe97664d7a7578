#!/bin/sh
# simpcon-test shell: the run's container with a terminal of its own, driven through a real
# pseudo-terminal (t/helpers/pty-drive.py): the prompt, job control, ^C, ^Z, the window size,
# the exit status, the caller's terminal modes afterwards, a transcript's state replayed, and
# what is left when the shell, its container or the harness is killed.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed (it drives the terminal)"
plan 19
drive="python3 $top_srcdir/t/helpers/pty-drive.py"
# session NAME [SIMPCON ARGS...]: plays $T_TMP/NAME.steps against simpcon-test ARGS on a new
# terminal; what it showed in NAME.out, the driver's complaint in NAME.err, its status in NAME.rc
session() {
	name=$1; shift
	$drive "$T_TMP/$name.steps" -- "$SIMPCON" "$@" >"$T_TMP/$name.out" 2>"$T_TMP/$name.err" </dev/null
	echo $? >"$T_TMP/$name.rc"
}
passed() { [ "$(cat "$T_TMP/$1.rc")" = 0 ]; }
show() { passed "$1" || sed 's/^/# /' "$T_TMP/$1.err" | tail -n 12; }
prompt='\n[^\n]*# '

cat >"$T_TMP/basic.steps" <<EOF
expect $prompt
send hostname; echo "pid=\$\$"; tty; ls /dev/pts\r
expect \r\nshellbox\r\npid=1\r\n/dev/pts/0\r\n0 +ptmx\r\n
send exit 3\r
exit 3
modes-same
EOF
session basic shell --hostname shellbox
passed basic; ok $? "a prompt; the container's hostname, PID 1, a terminal of its own devpts; exit 3 is the harness's 3; the caller's terminal modes as before"
show basic

cat >"$T_TMP/init.steps" <<EOF
expect $prompt
send echo "pid=\$\$"\r
expect pid=2
send exit\r
exit 0
modes-same
EOF
session init shell --init
passed init; ok $? "--init: the shell is PID 2"
show init

cat >"$T_TMP/jobs.steps" <<EOF
expect $prompt
send sleep 1005\r
foreground ^sleep 1005\$
send \x03
expect $prompt
send echo alive-\$((40 + 2))\r
expect alive-42
send sleep 1006\r
foreground ^sleep 1006\$
send \x1a
expect [Ss]topped
send fg\r
foreground ^sleep 1006\$
send \x03
expect $prompt
send echo back-\$((1 + 1))\r
expect back-2
send exit\r
exit 0
modes-same
EOF
session jobs shell
passed jobs; ok $? "^C interrupts the foreground job, not the shell; ^Z stops it and fg brings it back"
show jobs

cat >"$T_TMP/size.steps" <<EOF
expect $prompt
send stty size\r
expect \r\n24 80\r\n
resize 31 101
send stty size\r
expect \r\n31 101\r\n
send exit\r
exit 0
EOF
session size shell
passed size; ok $? "the terminal's size, and a resize, are the container terminal's"
show size

# the terminal on stdin is what counts: output may go to a pipe
cat >"$T_TMP/tee.steps" <<EOF
expect $prompt
send echo teed-\$((2 + 2))\r
expect teed-4
send exit 6\r
exit 6
modes-same
EOF
$drive "$T_TMP/tee.steps" -- sh -c '{ "$1" shell; echo $? >"$2.rc"; } | tee "$2"; exit "$(cat "$2.rc")"' sh "$SIMPCON" \
	"$T_TMP/tee.log" >"$T_TMP/tee.out" 2>"$T_TMP/tee.err" </dev/null
echo $? >"$T_TMP/tee.rc"
passed tee && grep -q 'teed-4' "$T_TMP/tee.log"; ok $? "stdout a pipe (| tee): still the terminal session, its output in the pipe"
show tee

# a transcript's state: before its first failing command, or before a given line
cat >"$T_TMP/state.t" <<'EOF'
State for the shell.

  $ X=hello; cd /tmp; echo data >f
  $ echo $X
  hello
  $ false
  $ echo after
  after
EOF
cat >"$T_TMP/state.steps" <<EOF
expect \\\$ echo \\\$X\r\nhello\r\n
expect /tmp # 
send echo "[\$X] \$(pwd) \$(cat f)"; ls -a / | grep -c simpcon; true\r
expect \[hello\] /tmp data\r\n0\r\n
send exit\r
exit 0
modes-same
EOF
session state shell "$T_TMP/state.t"
passed state && grep -q "state.t:6 is the first command that fails" "$T_TMP/state.out"
ok $? "shell FILE.t: the commands before the first failing one replayed, shown, their variable, directory and file kept"
show state
cat >"$T_TMP/line.steps" <<EOF
expect \\\$ X=hello
expect $prompt
send echo "[\$X]"\r
expect \[hello\]
send exit\r
exit 0
EOF
session line shell "$T_TMP/state.t:4"
passed line && ! grep -q 'echo \$X' "$T_TMP/line.out"
ok $? "shell FILE.t:LINE: only the commands before LINE"
show line

capture failing -q --hostname box "$T_TMP/state.t"
grep -qx "  reproduce: simpcon-test shell -q --hostname box $T_TMP/state.t:6" "$T_TMP/failing"
ok $? "a failed command's YAML names the shell that reproduces it, with the suite's options"
grep 'reproduce' "$T_TMP/failing" | sed 's/^/# /'

cat >"$T_TMP/timeout.steps" <<EOF
expect $prompt
exit 137
modes-same
EOF
session timeout shell --timeout 2
passed timeout && grep -q 'ran past --timeout' "$T_TMP/timeout.out"
ok $? "--timeout: the shell is killed, exit 137, the terminal's modes restored"
show timeout

# the container's PID 1 killed from the host
cat >"$T_TMP/killed.steps" <<EOF
expect $prompt
send exec sleep 1007\r
foreground ^sleep 1007\$
exit 137
modes-same
EOF
session killed shell &
n=0
while [ $n -lt 200 ] && ! pgrep -x -f 'sleep 1007' >/dev/null; do sleep 0.1; n=$((n + 1)); done
sleep 0.3
pkill -KILL -x -f 'sleep 1007'
wait
passed killed; ok $? "the container killed: exit 137, the terminal's modes restored"
show killed

# hup NAME PROMPT SECONDS SHELL-ARGS...: SIGHUP of the harness while a shell's background
# "sleep SECONDS" runs: exit 3, Bail out's reason on stderr, the terminal's modes restored, the
# sleep gone with the container
hup() {
	name=$1 at=$2 secs=$3; shift 3
	cat >"$T_TMP/$name.steps" <<EOF
expect $at
send sleep $secs &\r
expect $at
kill HUP
exit 3
modes-same
EOF
	session "$name" shell "$@"
	n=0
	while [ $n -lt 50 ] && pgrep -x -f "sleep $secs" >/dev/null; do sleep 0.1; n=$((n + 1)); done
	passed "$name" && grep -q 'interrupted' "$T_TMP/$name.out" && ! pgrep -x -f "sleep $secs" >/dev/null
}
hup hup "$prompt" 1008
ok $? "SIGHUP of the harness: exit 3, the terminal's modes restored, no process left"
show hup
# the same for a file's shell, whose container is the file's
hup filehup '/tmp # ' 1010 "$T_TMP/state.t:4"
ok $? "SIGHUP of the harness in shell FILE.t: exit 3, the terminal's modes restored, no process left"
show filehup

cat >"$T_TMP/sigkill.steps" <<EOF
expect $prompt
send sleep 1009 &\r
expect $prompt
kill KILL
exit -9
EOF
session sigkill shell
n=0
while [ $n -lt 50 ] && pgrep -x -f 'sleep 1009' >/dev/null; do sleep 0.1; n=$((n + 1)); done
"$SIMPCON" run -q -- true >/dev/null 2>&1 # sweeps the killed run's directory
passed sigkill && ! pgrep -x -f 'sleep 1009' >/dev/null && [ -z "$(ls -A "$TMPDIR")" ]
ok $? "SIGKILL of the harness: the container dies with it; its directory is swept by the next run"
show sigkill

# no terminal: plain pipes, and it says so
printf 'echo piped-$((1 + 1))\nexit 4\n' | "$SIMPCON" shell >"$T_TMP/pipe" 2>"$T_TMP/pipe.err"
rc=$?
[ $rc = 4 ] && [ "$(cat "$T_TMP/pipe")" = piped-2 ] && grep -q 'is not a terminal' "$T_TMP/pipe.err"
ok $? "no terminal: the shell reads a pipe, its output comes through, it says so, exit 4"
[ $rc = 4 ] || sed 's/^/# /' "$T_TMP/pipe.err"

printf 'echo $(hostname)-$$\n' | "$SIMPCON" shell --hostname piped -- /bin/sh >"$T_TMP/cmd" 2>/dev/null
[ "$(cat "$T_TMP/cmd")" = piped-1 ]; ok $? "shell -- CMD runs CMD instead of /bin/sh -i"

sc shell --stdin /dev/null
[ "$T_RC" = 2 ] && [ "$T_ERR" = "simpcon-test: --stdin has no meaning for shell: the terminal is its input and output" ]
ok $? "shell --stdin: exit 2, why"
sc shell "$T_TMP/state.t" extra
[ "$T_RC" = 2 ] && has "$T_ERR" "unexpected argument 'extra' after the file"
ok $? "shell FILE.t ARG: exit 2"
sc shell "$T_TMP/missing.t"
[ "$T_RC" = 3 ] && has "$T_ERR" "missing.t"
ok $? "shell of a missing file: exit 3, the file named"

[ -z "$(ls -A "$TMPDIR")" ]; ok $? "nothing left in TMPDIR"
