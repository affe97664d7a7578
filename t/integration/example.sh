#!/bin/sh
# Another project's `make check` with transcript tests through tap-driver.sh: the example in
# fixtures/example, built and checked against the simpcon-test just built.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
for tool in autoreconf make cc; do
	command -v $tool >/dev/null 2>&1 || skip_all "$tool not installed"
done
plan 7
# the example is a project of its own: nothing of this make (its -j, TESTS=...) may leak into it
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES TESTS TEST_LOGS TEST_SUITE_LOG

cp -R "$top_srcdir/fixtures/example" "$T_TMP/example" && chmod -R u+w "$T_TMP/example"
cd "$T_TMP/example" || bail "cd example"
{ autoreconf -fi && ./configure SIMPCON_TEST="$SIMPCON" && make; } >"$T_TMP/build.log" 2>&1
ok $? "the example project bootstraps and builds"
make -j2 check >"$T_TMP/check.log" 2>&1
[ $? != 0 ]; ok $? "its make check fails, as its deliberately failing test should"
[ -f tests/greet.trs ] || diag "$(tail -n 30 "$T_TMP/check.log")"
result() { sed -n 's/^:global-test-result: //p' "tests/$1.trs"; }
count() { grep -c "^:test-result: $2" "tests/$1.trs"; }
[ "$(result greet)" = PASS ] && [ "$(count greet PASS)" = 10 ]; ok $? "greet.t: PASS, 7 isolation points and 3 commands"
[ "$(result greet-wrong)" = FAIL ] && [ "$(count greet-wrong FAIL)" = 1 ] && [ "$(count greet-wrong PASS)" = 7 ]
ok $? "greet-wrong.t: FAIL with exactly one failed point"
! grep -q '^:test-result: ERROR' tests/*.trs; ok $? "no ERROR: a failed expectation is a FAIL"
grep -qx '    -hello, World' tests/greet-wrong.log && grep -qx '    +hello, world' tests/greet-wrong.log
ok $? "the failing test's .log holds a useful diff"
# tap-driver counts points: 10 + 7 pass, 1 fails
grep -q '^# PASS: *17$' "$T_TMP/check.log" && grep -q '^# FAIL: *1$' "$T_TMP/check.log" && grep -q '^# ERROR: *0$' "$T_TMP/check.log"
ok $? "the summary counts 17 points PASS, 1 FAIL, 0 ERROR"
