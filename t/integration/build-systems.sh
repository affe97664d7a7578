#!/bin/sh
# Other projects' test runners over transcript tests: fixtures/meson (meson's TAP protocol, with
# --failure-status 0) and fixtures/cmake (CTest, with --skip-status 77 and SKIP_RETURN_CODE 77),
# each built against the simpcon-test just built, and the runners' own counts checked: a
# passing, a deliberately failing and a skipped test each, no error.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
for tool in meson ninja cmake ctest cc python3; do
	command -v $tool >/dev/null 2>&1 || skip_all "$tool not installed (apt-get install meson cmake)"
done
plan 8
# projects of their own: nothing of this make may leak into their builds
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES TESTS TEST_LOGS TEST_SUITE_LOG

# meson ---------------------------------------------------------------------------------------
cp -R "$top_srcdir/fixtures/meson" "$T_TMP/meson" && chmod -R u+w "$T_TMP/meson"
meson setup "$T_TMP/meson-build" "$T_TMP/meson" -Dsimpcon_test="$SIMPCON" >"$T_TMP/meson.log" 2>&1 &&
	meson compile -C "$T_TMP/meson-build" >>"$T_TMP/meson.log" 2>&1
ok $? "the meson project sets up and builds"
meson test -C "$T_TMP/meson-build" >"$T_TMP/meson-test.log" 2>&1
[ $? != 0 ]; ok $? "meson test fails, as its deliberately failing test should"
# results: name=RESULT per test, from meson's own log
results=$(python3 -c '
import json, sys
print(" ".join(sorted("%s=%s" % (d["name"], d["result"]) for d in map(json.loads, open(sys.argv[1])))))
' "$T_TMP/meson-build/meson-logs/testlog.json")
[ "$results" = "greet-skipped=SKIP greet-wrong=FAIL greet=OK" ]; ok $? "meson: greet OK, greet-wrong FAIL (not ERROR), greet-skipped SKIP (got: $results)"
summary=$(awk '/^(Ok|Fail|Skipped|Timeout):/ { printf "%s %s ", $1, $2 }' "$T_TMP/meson-test.log")
[ "$summary" = "Ok: 1 Fail: 1 Skipped: 1 Timeout: 0 " ]; ok $? "meson's summary: Ok 1, Fail 1, Skipped 1 (got: $summary)"
grep -q '10 subtests passed' "$T_TMP/meson-test.log" && grep -q '7/8 subtests passed' "$T_TMP/meson-test.log"
ok $? "meson reads the points as subtests: 10 of greet, 7 of greet-wrong's 8 passed"

# CTest ---------------------------------------------------------------------------------------
cp -R "$top_srcdir/fixtures/cmake" "$T_TMP/cmake" && chmod -R u+w "$T_TMP/cmake"
cmake -S "$T_TMP/cmake" -B "$T_TMP/cmake-build" -DSIMPCON_TEST="$SIMPCON" >"$T_TMP/cmake.log" 2>&1 &&
	cmake --build "$T_TMP/cmake-build" >>"$T_TMP/cmake.log" 2>&1
ok $? "the CMake project configures and builds"
(cd "$T_TMP/cmake-build" && ctest --output-junit ctest.xml) >"$T_TMP/ctest.log" 2>&1
[ $? != 0 ]; ok $? "ctest fails, as its deliberately failing test should"
xml="$T_TMP/cmake-build/ctest.xml"
statuses=$(sed -n 's/.*<testcase name="\([^"]*\)".* status="\([a-z]*\)".*/\1=\2/p' "$xml" | sort | tr '\n' ' ')
counts=$(sed -n 's/^[[:space:]]*\(tests\|failures\|skipped\)="\([0-9]*\)"/\1=\2/p' "$xml" | tr '\n' ' ')
[ "$statuses" = "greet-skipped=notrun greet-wrong=fail greet=run " ] && [ "$counts" = "tests=3 failures=1 skipped=1 " ] &&
	grep -q 'SKIP_RETURN_CODE=77' "$xml"
ok $? "ctest: 3 tests, greet passed, greet-wrong failed, greet-skipped skipped (got: $statuses$counts)"
