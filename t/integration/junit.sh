#!/bin/sh
# --junit: the same points as the TAP stream, valid against the JUnit schema, for run and check.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
command -v xmllint >/dev/null 2>&1 || skip_all "xmllint not installed (libxml2-utils)"
plan 11

valid() { xmllint --noout --schema "$top_srcdir/t/junit.xsd" "$1" >/dev/null 2>&1; }
attr() { sed -n "s/.*<testsuite [^>]*$2=\"\([^\"]*\)\".*/\1/p" "$1"; }   # attr FILE NAME

sc run --junit "$T_TMP/run.xml" --name 'a <b> & "c"' --expect-stdout nope -- sh -c 'printf "<&>\001\377\n"'
valid "$T_TMP/run.xml"; ok $? "run: the report is valid against the JUnit schema"
[ "$(attr "$T_TMP/run.xml" tests)" = 9 ] && [ "$(attr "$T_TMP/run.xml" failures)" = 1 ]
ok $? "run: 9 testcases, 1 failure, as in the TAP stream"
grep -q '<failure message="output differs"' "$T_TMP/run.xml" && grep -q '&lt;&amp;&gt;\\x01\\xff' "$T_TMP/run.xml"
ok $? "run: the failure carries the message and the escaped output"
grep -q 'testsuite name="a &lt;b&gt; &amp; &quot;c&quot;"' "$T_TMP/run.xml"; ok $? "run: --name names the testsuite, escaped"

sc run --junit "$T_TMP/net.xml" --net host -- true
grep -q '<skipped message="the host network is shared (--net host)"/>' "$T_TMP/net.xml" && valid "$T_TMP/net.xml"
ok $? "run: a SKIP point is a skipped testcase with its reason"

sc check --junit "$T_TMP/check.xml"
valid "$T_TMP/check.xml" && [ "$(attr "$T_TMP/check.xml" tests)" = "$(sed -n 's/^1\.\.//p' "$T_TMP/out")" ]
ok $? "check: valid, one testcase per point"

sc run --junit "$T_TMP/sleep.xml" -- sleep 0.3
time=$(sed -n 's/.*<testcase name="exit status 0" [^>]*time="\([0-9.]*\)".*/\1/p' "$T_TMP/sleep.xml")
valid "$T_TMP/sleep.xml" && awk -v t="$time" 'BEGIN { exit !(t >= 0.3 && t < 30) }'
ok $? "run: a command that sleeps 0.3 s has that time in its testcase (got '$time')"
awk -v t="$(attr "$T_TMP/sleep.xml" time)" 'BEGIN { exit !(t >= 0.3) }'; ok $? "run: the testsuite's time is its cases' sum"

sc run --junit "$T_TMP/bail.xml" --busybox /nonexistent -- true
[ "$T_RC" = 3 ] && valid "$T_TMP/bail.xml" && grep -q 'testcase name="harness"' "$T_TMP/bail.xml" &&
	grep -q '<error message="Bail out! ' "$T_TMP/bail.xml" && ! grep -q '<failure' "$T_TMP/bail.xml" &&
	[ "$(attr "$T_TMP/bail.xml" errors)" = 1 ] && [ "$(attr "$T_TMP/bail.xml" failures)" = 0 ]
ok $? "a harness failure (Bail out!) is a testcase named harness in error, counted in errors"

sc run --junit "$T_TMP/no/such/dir/r.xml" -- true
[ "$T_RC" = 3 ] && has "$T_ERR" 'check the --junit path'; ok $? "an unwritable --junit path is a harness failure naming it"
[ -z "$(ls "$T_TMP" | grep '\.xml\.')" ]; ok $? "no temporary report file left behind"
