#!/bin/sh
# Transcript files: one container and one shell session per file, a point per command.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
plan 21
fx="$top_srcdir/fixtures/transcripts"

capture basics "$fx/basics.t"
[ "$(cat "$T_TMP/basics.rc")" = 0 ] && grep -qx '1\.\.23' "$T_TMP/basics" && ! grep -q '^not ok' "$T_TMP/basics"
ok $? "basics.t: 7 isolation points and 16 commands, all ok"
[ "$(prove_result "$T_TMP/basics")" = PASS ] && [ "$(driver_result "$T_TMP/basics")" = PASS ]
ok $? "basics.t: prove and tap-driver.sh read PASS"

capture failing "$fx/failing.t"
[ "$(cat "$T_TMP/failing.rc")" = 1 ] && grep -q '^not ok 9 - .*failing.t:5: echo actual$' "$T_TMP/failing"
ok $? "failing.t: exit 1, the mismatched command is not ok"
grep -qx '    -expected' "$T_TMP/failing" && grep -qx '    +actual' "$T_TMP/failing" && grep -qx '    @@ -1 +1 @@' "$T_TMP/failing"
ok $? "failing.t: the YAML holds a unified diff"
[ "$(driver_result "$T_TMP/failing" --ignore-exit)" = FAIL ] && [ "$(prove_result "$T_TMP/failing")" = FAIL ]
ok $? "failing.t: FAIL under both drivers, not ERROR"

capture hang --timeout 1 "$fx/hang.t"
grep -q '^not ok 9 - .*sleep 30$' "$T_TMP/hang" && grep -q '^not ok 10 - .*echo never$' "$T_TMP/hang" &&
	grep -q 'not run: the shell ended before this command' "$T_TMP/hang"
ok $? "hang.t: the timeout kills the file; the hung and the remaining commands fail"
[ "$(prove_result "$T_TMP/hang")" = FAIL ]; ok $? "hang.t: the stream stays valid TAP"

(cd / && "$SIMPCON" "$fx/options.t" >"$T_TMP/options" 2>&1)
[ $? = 0 ]; ok $? "options.t: simpcon: options apply, paths relative to the file's directory"
mkdir -p "$T_TMP/rel/data" "$T_TMP/rel/sub"
echo from-the-callers-dir >"$T_TMP/rel/data/x"
printf '  $ cat /d/x\n  from-the-callers-dir\n' >"$T_TMP/rel/sub/a.t"
(cd "$T_TMP/rel" && "$SIMPCON" -q --bind data:/d:ro sub/a.t >"$T_TMP/rel.out" 2>&1)
[ $? = 0 ]; ok $? "a relative path among the suite's own options is the caller's, not the file's directory"

"$SIMPCON" suite --list "$fx/basics.t" "$fx/failing.t" >"$T_TMP/list" 2>&1
[ "$(wc -l <"$T_TMP/list")" = 33 ] && grep -qx "$fx/failing.t:5: echo actual" "$T_TMP/list" &&
	grep -qx "$fx/basics.t: isolation: pid" "$T_TMP/list"
ok $? "--list prints the 33 points of two files"

capture filtered suite --filter 'echo (hello|multi)' "$fx/basics.t"
grep -qx '1\.\.9' "$T_TMP/filtered" && grep -q 'basics.t:4: echo hello$' "$T_TMP/filtered" && grep -q 'echo multi &&$' "$T_TMP/filtered"
ok $? "--filter runs only the matching commands"

: >"$T_TMP/one"; : >"$T_TMP/two"
"$SIMPCON" suite --list --shard 1/2 "$fx/basics.t" "$fx/failing.t" "$fx/options.t" | sed 's/[:].*//' | sort -u >"$T_TMP/one"
"$SIMPCON" suite --list --shard 2/2 "$fx/basics.t" "$fx/failing.t" "$fx/options.t" | sed 's/[:].*//' | sort -u >"$T_TMP/two"
[ "$(cat "$T_TMP/one" "$T_TMP/two" | sort | uniq -d)" = "" ] && [ "$(cat "$T_TMP/one" "$T_TMP/two" | wc -l)" = 3 ]
ok $? "--shard 1/2 and 2/2 split three files, disjoint and complete"
capture empty suite --shard 3/3 "$fx/basics.t"
grep -qx '1\.\.0 # SKIP no file in shard 3/3' "$T_TMP/empty" && [ "$(cat "$T_TMP/empty.rc")" = 0 ]
ok $? "an empty shard is a whole-stream SKIP"

cp "$fx/failing.t" "$T_TMP/update.t"
"$SIMPCON" --update "$T_TMP/update.t" >/dev/null 2>&1
grep -qx '  actual' "$T_TMP/update.t" && ! grep -qx '  expected' "$T_TMP/update.t" && grep -q '^A transcript whose' "$T_TMP/update.t"
ok $? "--update writes the actual output, keeping comments"
capture again "$T_TMP/update.t"
cp "$T_TMP/update.t" "$T_TMP/update.before"
"$SIMPCON" --update "$T_TMP/update.t" >/dev/null 2>&1
[ "$(cat "$T_TMP/again.rc")" = 0 ] && cmp -s "$T_TMP/update.t" "$T_TMP/update.before"
ok $? "--update round-trips: the updated file passes and updates to itself"

i=0
{ echo "A hundred commands in one container."; while [ $i -lt 100 ]; do echo "  \$ echo line $i"; echo "  line $i"; i=$((i + 1)); done; } >"$T_TMP/hundred.t"
capture hundred "$T_TMP/hundred.t"
grep -qx '1\.\.107' "$T_TMP/hundred" && [ "$(grep -c '^ok' "$T_TMP/hundred")" = 107 ]; ok $? "100 commands: 107 points, all ok"

# a script over execve's 128 KiB argument limit still runs, and its file is invisible inside
i=0
{ echo "Two thousand commands."; while [ $i -lt 2000 ]; do echo "  \$ echo line $i"; echo "  line $i"; i=$((i + 1)); done
  echo "  \$ ls -a / | grep -c simpcon"; echo "  0"; echo "  [1]"; } >"$T_TMP/long.t"
capture long "$T_TMP/long.t"
[ "$(cat "$T_TMP/long.rc")" = 0 ] && [ "$(grep -c '^ok' "$T_TMP/long")" = 2008 ] && [ -z "$(ls "$TMPDIR")" ]
ok $? "a 2,000-command file (a script past execve's limit) runs, leaving nothing behind"

# output that reads like a command once written back stays output (found by fuzzing --update)
printf 'Dollar.\n  $ printf %s\n  $ printf %s\n' "'\$'" "'>'" >"$T_TMP/dollar.t"
"$SIMPCON" --update "$T_TMP/dollar.t" >/dev/null 2>&1
capture dollar "$T_TMP/dollar.t"
[ "$(cat "$T_TMP/dollar.rc")" = 0 ] && [ "$(grep -c '^ok' "$T_TMP/dollar")" = 9 ]
ok $? "--update writes a lone \$ or > without a newline so that it reads back as output"

printf 'Output before a command.\n  stray\n' >"$T_TMP/broken.t"
capture broken "$T_TMP/broken.t"
[ "$(cat "$T_TMP/broken.rc")" = 1 ] && grep -qx '1\.\.1' "$T_TMP/broken" && grep -q "broken.t:2: " "$T_TMP/broken"
ok $? "a parse error is one failed point naming file and line"

if command -v xmllint >/dev/null 2>&1; then
	"$SIMPCON" --junit "$T_TMP/suite.xml" "$fx/basics.t" "$fx/failing.t" >/dev/null 2>&1
	xmllint --noout --schema "$top_srcdir/t/junit.xsd" "$T_TMP/suite.xml" 2>/dev/null &&
		[ "$(grep -c '<testsuite ' "$T_TMP/suite.xml")" = 2 ]
	ok $? "--junit: one valid testsuite per file"
else
	skip "--junit: one valid testsuite per file" "xmllint not installed"
fi
"$SIMPCON" --frobnicate "$fx/basics.t" >/dev/null 2>"$T_TMP/usage"
[ $? = 2 ]; ok $? "a bad option before the files is a usage error"
