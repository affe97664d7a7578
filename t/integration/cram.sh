#!/bin/sh
# suite --cram: cram 0.7's environment, working directory, stdin and skips, in the container;
# directories searched for *.t as cram searches them.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
plan 20
d="$T_TMP/suite"
mkdir -p "$d"
dir=$(cd "$d" && pwd -P)

# the variables cram sets, each as cram sets it
cat >"$d/env.t" <<EOT
  \$ echo "\$TESTDIR|\$TESTFILE|\$TESTSHELL|\$CRAMTMP"
  $dir|env.t|/bin/sh|/tmp/cramtests-isolated
  \$ echo "\$TMPDIR|\$TEMP|\$TMP"
  /tmp/cramtests-isolated/tmp|/tmp/cramtests-isolated/tmp|/tmp/cramtests-isolated/tmp
  \$ echo "\$LANG|\$LC_ALL|\$LANGUAGE|\$TZ|\$COLUMNS"
  C|C|C|GMT|80
  \$ env | grep -E '^(CDPATH|GREP_OPTIONS)=' | sort
  CDPATH=
  GREP_OPTIONS=
EOT
capture env -q --cram "$d/env.t"
[ "$(cat "$T_TMP/env.rc")" = 0 ] && [ "$(grep -c '^ok' "$T_TMP/env")" = 11 ]
ok $? "--cram: TESTDIR, TESTFILE, TESTSHELL, CRAMTMP, TMPDIR/TEMP/TMP, LANG, TZ, COLUMNS... as cram sets them"
grep -A12 '^not ok' "$T_TMP/env" | head -n 30 | sed 's/^/# /'
capture plain -q "$d/env.t"
[ "$(cat "$T_TMP/plain.rc")" = 1 ]; ok $? "without --cram the same file fails (none of them is set)"

# the shell starts in a fresh directory of its own under CRAMTMP; TMPDIR is there; TESTDIR is
# the file's directory, bound read-only
cat >"$d/dirs.t" <<'EOT'
  $ pwd; ls -A
  /tmp/cramtests-isolated/dirs.t
  $ test -d "$TMPDIR" && test -w "$TMPDIR" && echo tmp
  tmp
  $ ls "$TESTDIR" | grep -c '\.t$' >/dev/null && test -f "$TESTDIR/$TESTFILE" && echo here
  here
  $ touch "$TESTDIR/new" 2>/dev/null || echo read-only
  read-only
EOT
capture dirs -q --cram "$d/dirs.t"
[ "$(cat "$T_TMP/dirs.rc")" = 0 ] && [ ! -e "$d/new" ]
ok $? "--cram: the commands run in CRAMTMP/FILE, TMPDIR exists, TESTDIR is the file's directory, read-only"
grep -A12 '^not ok' "$T_TMP/dirs" | head -n 30 | sed 's/^/# /'

# run from a project's root, as cram is: the files reach the project as $TESTDIR/.., read-only
mkdir -p "$T_TMP/proj/tests" && echo built >"$T_TMP/proj/prog"
proj=$(cd "$T_TMP/proj" && pwd -P)
printf '  $ cat "$TESTDIR/../prog"; pwd -P >/dev/null\n  built\n  $ touch "$TESTDIR/../new" 2>/dev/null || echo read-only\n  read-only\n' \
	>"$T_TMP/proj/tests/up.t"
(cd "$T_TMP/proj" && "$SIMPCON" suite -q --cram tests/up.t >"$T_TMP/up" 2>&1)
[ $? = 0 ] && [ ! -e "$proj/new" ]; ok $? "--cram: the working directory is bound read-only at its path (\$TESTDIR/..)"
grep -A12 '^not ok' "$T_TMP/up" | head -n 20 | sed 's/^/# /'

# the caller's own writable bind of the project stays as it is: not bound again read-only over
# it (nor twice, which the mount isolation point would report)
printf '  $ touch "$TESTDIR/../new" && echo written\n  written\n' >"$T_TMP/proj/tests/write.t"
(cd "$T_TMP/proj" && "$SIMPCON" suite --cram --bind "$proj:$proj" tests/write.t >"$T_TMP/write" 2>&1)
[ $? = 0 ] && [ -e "$proj/new" ] && grep -q '^ok 3 - tests/write.t: isolation: mount$' "$T_TMP/write"
ok $? "--cram --bind PROJECT:PROJECT: the caller's writable bind stays, mounted once"
grep -A4 '^not ok' "$T_TMP/write" | head -n 20 | sed 's/^/# /'

# the host's programs and its /bin/sh, as cram runs them (busybox's sh would run its own grep)
hostsh=$(basename "$(readlink -f /bin/sh)")
printf '  $ basename "$(readlink -f /bin/sh)"; command -v grep; grep --version | head -n 1 | cut -c1-10\n  %s\n  /usr/bin/grep\n  grep (GNU \n' "$hostsh" \
	>"$d/host.t"
capture host -q --cram "$d/host.t"
[ "$(cat "$T_TMP/host.rc")" = 0 ]; ok $? "--cram: the host's /bin/sh ($hostsh) and programs (GNU grep)"
grep -A12 '^not ok' "$T_TMP/host" | head -n 20 | sed 's/^/# /'

# stdin is a pipe that ends at once, as cram's commands' stdin is a pipe (and never the terminal)
printf '  $ test -p /dev/stdin && echo pipe; cat; echo end\n  pipe\n  end\n' >"$d/stdin.t"
capture stdin -q --cram "$d/stdin.t"
[ "$(cat "$T_TMP/stdin.rc")" = 0 ]; ok $? "--cram: stdin is a pipe at its end"
capture stdin_plain -q "$d/stdin.t"
[ "$(cat "$T_TMP/stdin_plain.rc")" = 1 ]; ok $? "without --cram stdin is /dev/null, not a pipe"

# a file whose shell exits 80 is skipped, its isolation points still checked; an empty file is
# skipped without a container
printf '  $ echo before\n  before\n  $ exit 80\n  $ echo never\n  never\n' >"$d/skip.t"
: >"$d/empty.t"
capture skip --cram "$d/skip.t" "$d/empty.t"
[ "$(cat "$T_TMP/skip.rc")" = 0 ] && grep -qx '1\.\.11' "$T_TMP/skip" &&
	[ "$(grep -c '^ok [0-9]* - .*skip\.t: isolation: [a-z]*$' "$T_TMP/skip")" = 7 ] &&
	[ "$(grep -c "^ok [0-9]* - .*skip\.t:[0-9]*: .* # SKIP the file exited 80 (cram's skip)$" "$T_TMP/skip")" = 3 ] &&
	grep -q '^ok 11 - .*empty\.t # SKIP an empty file (cram skips it)$' "$T_TMP/skip"
ok $? "--cram: exit 80 skips the file's commands (its isolation points are still checked); an empty file is one skip"
[ "$(driver_result "$T_TMP/skip")" = PASS ] && [ "$(prove_result "$T_TMP/skip")" = PASS ]
ok $? "--cram: the skips read as passing under tap-driver.sh and prove"
capture skip_plain -q "$d/skip.t"
[ "$(cat "$T_TMP/skip_plain.rc")" = 1 ]; ok $? "without --cram exit 80 is a command that failed"

# the caller's --env replaces cram's value; --shell runs the commands and is TESTSHELL
printf '  $ echo "$LANG $TESTSHELL $(cat /proc/$$/comm)"\n  en_US.UTF-8 /bin/ash ash\n' >"$d/shell.t"
capture shell -q --cram --shell ash --env LANG=en_US.UTF-8 "$d/shell.t"
[ "$(cat "$T_TMP/shell.rc")" = 0 ]; ok $? "--cram --shell ash --env LANG=...: the caller's value wins, the shell is TESTSHELL, its path"
grep -A12 '^not ok' "$T_TMP/shell" | head -n 20 | sed 's/^/# /'

# the shell reads the commands one at a time, as from cram's pipe: zsh parses a -c string whole,
# where an alias one command defines would not be there for the next
printf '  $ alias greet="echo hello"\n  $ greet\n  hello\n' >"$d/alias.t"
if command -v zsh >/dev/null; then
	capture alias -q --cram --shell zsh "$d/alias.t"
	[ "$(cat "$T_TMP/alias.rc")" = 0 ]; ok $? "--cram --shell zsh: an alias of one command is there for the next"
	grep -A12 '^not ok' "$T_TMP/alias" | head -n 20 | sed 's/^/# /'
elif [ "${SIMPCON_MUST_WORK:-0}" = 1 ]; then
	ok 1 "--cram --shell zsh: an alias of one command is there for the next (no zsh: apt-get install zsh)"
else
	skip "--cram --shell zsh: an alias of one command is there for the next" "no zsh"
fi

# a directory: its *.t files in byte order, then its subdirectories; names starting with '.'
# left out
mkdir -p "$T_TMP/tree/b" "$T_TMP/tree/a" "$T_TMP/tree/.hidden" "$T_TMP/tree/none"
for f in tree/z.t tree/B.t tree/b/x.t tree/a/y.t tree/.dot.t tree/.hidden/h.t; do
	printf '  $ true\n' >"$T_TMP/$f"
done
printf 'not a transcript\n' >"$T_TMP/tree/notes.txt"
sc suite --list "$T_TMP/tree"
got=$(printf '%s\n' "$T_OUT" | sed -n 's|^'"$T_TMP"'/\(.*\):1: true$|\1|p' | tr '\n' ' ')
[ "$T_RC" = 0 ] && [ "$got" = "tree/B.t tree/z.t tree/a/y.t tree/b/x.t " ]
ok $? "a directory: its *.t in byte order, then each subdirectory; dot files and directories left out"
[ -n "$got" ] && diag "found: $got"
sc suite --cram "$T_TMP/tree/none"
[ "$T_RC" = 2 ] && has "$T_ERR" "tree/none': a directory without any \*\.t file"
ok $? "a directory without *.t files: exit 2 and a message naming it"

# a failed point's reproduce line keeps --cram and --shell
printf '  $ echo one\n  two\n' >"$d/fail.t"
capture fail --cram --shell /bin/ash "$d/fail.t"
[ "$(cat "$T_TMP/fail.rc")" = 1 ] && grep -q "^  reproduce: simpcon-test shell --cram --shell /bin/ash $d/fail.t:1\$" "$T_TMP/fail"
ok $? "--cram: the reproduce line keeps --cram and --shell"
grep 'reproduce' "$T_TMP/fail" | sed 's/^/# /'

# a later --env of a name replaces an earlier one: the command (env itself, no shell between)
# is given the name once
sc run --env A=1 --env B=2 --env A=3 -- env
[ "$T_RC" = 0 ] && [ "$(printf '%s\n' "$T_OUT" | grep -c '^    A=')" = 1 ] && has "$T_OUT" '^    A=3$'
ok $? "--env A=1 --env A=3: the command's environment holds A once, =3"

# --update writes what cram -i -y writes (the text below is cram 0.7's, for this file)
printf 'Sample:\n\n  $ printf "a\\tb\\n"\n  x\n  $ echo foo; echo bar\n  fo* (glob)\n  baz\n  $ false\n  $ printf "no eol"\n  $ printf "caf\\303\\251\\n"\n' >"$d/update.t"
printf 'Sample:\n\n  $ printf "a\\tb\\n"\n  a\\tb (esc)\n  $ echo foo; echo bar\n  fo* (glob)\n  bar\n  $ false\n  [1]\n  $ printf "no eol"\n  no eol (no-eol)\n  $ printf "caf\\303\\251\\n"\n  caf\\xc3\\xa9 (esc)\n' >"$T_TMP/update.want"
capture update -q --cram --update "$d/update.t"
cmp -s "$d/update.t" "$T_TMP/update.want"; ok $? "--cram --update: the file as cram -i -y writes it"
diff "$T_TMP/update.want" "$d/update.t" | sed 's/^/# /'

sc run --cram -- true
[ "$T_RC" = 2 ] && has "$T_ERR" "apply to transcript files"; ok $? "run --cram is a usage error"

[ -z "$(ls -A "$TMPDIR")" ]; ok $? "nothing left in TMPDIR"
