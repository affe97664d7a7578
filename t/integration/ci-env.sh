#!/bin/sh
# What CI systems say through the environment: Bazel's test protocol (TEST_TOTAL_SHARDS,
# TEST_SHARD_INDEX, TEST_SHARD_STATUS_FILE, XML_OUTPUT_FILE, TEST_TMPDIR) and GitLab's parallel
# jobs (CI_NODE_TOTAL, CI_NODE_INDEX); the command line wins, and a malformed value is a usage
# error naming the variable.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
command -v xmllint >/dev/null 2>&1 || skip_all "xmllint not installed (libxml2-utils)"
plan 19
unset TEST_TOTAL_SHARDS TEST_SHARD_INDEX TEST_SHARD_STATUS_FILE XML_OUTPUT_FILE TEST_TMPDIR CI_NODE_TOTAL CI_NODE_INDEX
T="$top_srcdir/fixtures/transcripts"
FILES="$T/basics.t $T/failing.t $T/options.t"
# listed: the files of a --list stream, by name, one line
listed() { sed -n 's|^.*/\([a-z]*\.t\)[:].*|\1|p' "$T_TMP/out" | uniq | tr '\n' ' '; }
valid() { xmllint --noout --schema "$top_srcdir/t/junit.xsd" "$1" >/dev/null 2>&1; }

TEST_TOTAL_SHARDS=3 TEST_SHARD_INDEX=1 TEST_SHARD_STATUS_FILE="$T_TMP/shard-status" sc suite --list $FILES
[ "$T_RC" = 0 ] && [ "$(listed)" = "failing.t " ]; ok $? "Bazel: TEST_SHARD_INDEX 1 of 3 (from 0) is the second file (got '$(listed)')"
[ -f "$T_TMP/shard-status" ]; ok $? "Bazel: TEST_SHARD_STATUS_FILE is touched"
CI_NODE_TOTAL=3 CI_NODE_INDEX=3 sc suite --list $FILES
[ "$T_RC" = 0 ] && [ "$(listed)" = "options.t " ]; ok $? "GitLab: CI_NODE_INDEX 3 of 3 (from 1) is the third file (got '$(listed)')"
CI_NODE_TOTAL=1 sc suite --list $FILES
[ "$(listed)" = "basics.t failing.t options.t " ]; ok $? "GitLab: CI_NODE_TOTAL without CI_NODE_INDEX (no parallel:) is every file"
TEST_TOTAL_SHARDS=3 TEST_SHARD_INDEX=0 CI_NODE_TOTAL=3 CI_NODE_INDEX=3 sc suite --list $FILES
[ "$(listed)" = "basics.t " ]; ok $? "Bazel's variables before GitLab's"
rm -f "$T_TMP/shard-status"
TEST_TOTAL_SHARDS=3 TEST_SHARD_INDEX=0 TEST_SHARD_STATUS_FILE="$T_TMP/shard-status" CI_NODE_TOTAL=3 CI_NODE_INDEX=3 \
	sc suite --list --shard 2/3 $FILES
[ "$(listed)" = "failing.t " ] && [ ! -e "$T_TMP/shard-status" ]; ok $? "an explicit --shard wins over both"
CI_NODE_TOTAL=3 CI_NODE_INDEX=3 sc suite --list "$T/basics.t"
[ "$(listed)" = "basics.t " ]; ok $? "GitLab: a suite of one file (make check's) is not sharded"
mkdir -p "$T_TMP/dir" && cp $FILES "$T_TMP/dir/"
CI_NODE_TOTAL=3 CI_NODE_INDEX=2 sc suite --list "$T_TMP/dir"
[ "$(listed)" = "failing.t " ]; ok $? "GitLab: a directory's files are sharded (got '$(listed)')"
CI_NODE_TOTAL=2 CI_NODE_INDEX=2 sc run -- true
[ "$T_RC" = 0 ]; ok $? "run takes no shard from the environment"

XML_OUTPUT_FILE="$T_TMP/bazel.xml" sc run -- true
valid "$T_TMP/bazel.xml" && grep -q '<testsuite name="simpcon-test run" tests="8"' "$T_TMP/bazel.xml"
ok $? "Bazel: a run writes its JUnit report to XML_OUTPUT_FILE, valid"
XML_OUTPUT_FILE="$T_TMP/suite.xml" sc suite "$T/failing.t"
[ "$T_RC" = 1 ] && valid "$T_TMP/suite.xml" && grep -q 'failures="1"' "$T_TMP/suite.xml"
ok $? "Bazel: a suite too, with its failure"
XML_OUTPUT_FILE="$T_TMP/not.xml" sc run --junit "$T_TMP/given.xml" -- true
[ -f "$T_TMP/given.xml" ] && [ ! -e "$T_TMP/not.xml" ]; ok $? "an explicit --junit wins over XML_OUTPUT_FILE"

mkdir -p "$T_TMP/bazel-tmp"
(unset SIMPCON_CACHE; TEST_TMPDIR="$T_TMP/bazel-tmp" "$SIMPCON" fixture build) >"$T_TMP/root" 2>"$T_TMP/err"
case $(cat "$T_TMP/root") in "$T_TMP/bazel-tmp/simpcon-cache/"*) true ;; *) false ;; esac
ok $? "Bazel: the fixture cache is under TEST_TMPDIR (got '$(cat "$T_TMP/root")')"
(unset SIMPCON_CACHE; TEST_TMPDIR="$T_TMP/bazel-tmp" "$SIMPCON" run --keep -- true) >/dev/null 2>"$T_TMP/err"
has "$(cat "$T_TMP/err")" "kept run directory '$T_TMP/bazel-tmp/simpcon-run-"; ok $? "Bazel: TEST_TMPDIR is where run directories go"
TEST_TMPDIR="$T_TMP/bazel-tmp" sc fixture build
case $T_OUT in "$SIMPCON_CACHE/"*) true ;; *) false ;; esac; ok $? "SIMPCON_CACHE still names the cache under TEST_TMPDIR"

TEST_TOTAL_SHARDS=2 TEST_SHARD_INDEX=2 sc suite --list $FILES
[ "$T_RC" = 2 ] && has "$T_ERR" "TEST_SHARD_INDEX '2': expected a whole number from 0 to 1"; ok $? "a shard index out of range: usage error naming TEST_SHARD_INDEX"
TEST_TOTAL_SHARDS=two sc suite --list $FILES
[ "$T_RC" = 2 ] && has "$T_ERR" "TEST_TOTAL_SHARDS 'two'"; ok $? "a malformed TEST_TOTAL_SHARDS: usage error naming it"
CI_NODE_TOTAL=3 CI_NODE_INDEX=0 sc suite --list $FILES
[ "$T_RC" = 2 ] && has "$T_ERR" "CI_NODE_INDEX '0': expected a whole number from 1 to 3"; ok $? "CI_NODE_INDEX 0 (GitLab counts from 1): usage error naming it"
TEST_TMPDIR=relative/dir sc run -- true
[ "$T_RC" = 2 ] && has "$T_ERR" "TEST_TMPDIR 'relative/dir': expected an absolute path"; ok $? "a relative TEST_TMPDIR: usage error naming it"
