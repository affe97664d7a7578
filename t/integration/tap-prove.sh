#!/bin/sh
# t/integration/tap-prove.sh - the TAP writer's nastiest stream (t/tap-sample) read by the two
# consumers the stream contract names: prove and automake's tap-driver.sh. Both must count the
# sample as passing, and both must count the one failing point of "tap-sample fail". Each run
# is under timeout: a YAML block prove misreads can make it loop forever.
. "$top_srcdir/t/lib.sh"

SAMPLE="$top_builddir/t/tap-sample"
DRIVER="$top_srcdir/build-aux/tap-driver.sh"
[ -x "$SAMPLE" ] || bail "tap-sample not built at $SAMPLE"
[ -f "$DRIVER" ] || bail "tap-driver.sh not found at $DRIVER"
command -v timeout >/dev/null 2>&1 || bail "timeout(1) not found"

plan 9
tmpdir_make

# show_log FILE: a failed check's evidence, as TAP comments
show_log() { [ -f "$1" ] && head -n 40 "$1" | sed 's/^/# /'; return 0; }

# bounded LOG COMMAND...: runs COMMAND with its output in LOG, of which only the first lines are
# kept (prove caught in a loop warns without end until timeout stops it; the rest is drained,
# not cut off, so that COMMAND is not killed by SIGPIPE first); returns COMMAND's status
bounded() {
	log=$1; shift
	{ "$@" 2>&1; echo $? >"$log.status"; } | { head -n 200 >"$log"; cat >/dev/null; }
	return "$(cat "$log.status")"
}

# expect_status WANT COMMAND...: runs COMMAND, true when its exit status is WANT ("0" or
# "nonzero"); its output is shown when the expectation fails
expect_status() {
	want=$1; shift
	bounded "$T_TMP/last.log" "$@"
	status=$?
	if [ "$want" = 0 ] && [ "$status" -eq 0 ]; then return 0; fi
	# 124 is timeout's own status: a hang is never the failure we are looking for
	if [ "$want" = nonzero ] && [ "$status" -ne 0 ] && [ "$status" -ne 124 ]; then return 0; fi
	diag "exit status $status, expected $want: $*"
	show_log "$T_TMP/last.log"
	return 1
}

check "tap-sample writes its stream" expect_status 0 timeout 20 "$SAMPLE"
check "tap-sample fail writes its stream" expect_status 0 timeout 20 "$SAMPLE" fail

# prove ---------------------------------------------------------------------------------------
if [ -z "${PROVE:-}" ]; then
	skip "prove accepts the sample" "prove not found by configure"
	skip "prove fails the sample with a failing point" "prove not found by configure"
	skip "TAP::Parser reads every YAML block of the sample" "prove not found by configure"
else
	check "prove accepts the sample" expect_status 0 timeout 20 "$PROVE" --norc -v "$SAMPLE"
	check "prove fails the sample with a failing point" expect_status nonzero timeout 20 "$PROVE" --norc "$SAMPLE" :: fail

	# prove passes a stream whose YAML it could not read as long as the points add up, so
	# ask its parser directly: as many YAML results as "  ---" lines, and no parse error
	yaml_count() {
		"$SAMPLE" >"$T_TMP/sample.tap" || return 1
		want=$(grep -c '^  ---$' "$T_TMP/sample.tap")
		got=$(timeout 20 perl -MTAP::Parser -e '
			$SIG{__WARN__} = sub {};
			open my $in, "<", $ARGV[0] or die "open $ARGV[0]: $!";
			my $parser = TAP::Parser->new({ tap => do { local $/; <$in> } });
			my $yaml = 0;
			while (my $result = $parser->next) { $yaml++ if $result->is_yaml }
			print "parse error: $_\n" for $parser->parse_errors;
			print "$yaml\n";' "$T_TMP/sample.tap" 2>"$T_TMP/parser.err")
		[ "$got" = "$want" ] && return 0
		diag "TAP::Parser read: $got, expected $want YAML blocks"
		show_log "$T_TMP/parser.err"
		return 1
	}
	check "TAP::Parser reads every YAML block of the sample" yaml_count
fi

# a YAML parser -------------------------------------------------------------------------------
# every block parses as YAML, and a text reads back as written (a backslash is one character)
pyyaml_reads() {
	"$SAMPLE" >"$T_TMP/sample.tap" || return 1
	python3 - "$T_TMP/sample.tap" 2>"$T_TMP/pyyaml.err" <<'EOF'
import sys, yaml
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
docs, point = {}, None
for i, line in enumerate(lines):
    if line.startswith("ok ") or line.startswith("not ok "):
        point = line.split(" - ", 1)[-1]
    elif line == "  ---":
        end = lines.index("  ...", i)
        docs[point] = yaml.safe_load("\n".join(l[2:] for l in lines[i + 1:end]) + "\n")
want = lines.count("  ---")
assert len(docs) == want, "%d of %d blocks read" % (len(docs), want)
assert docs["output with backslashes"]["stdout"] == "C:\\dir\\ \\x41 \\n\\", docs["output with backslashes"]
assert docs["output with blank lines"]["stdout"] == "\nfirst\n\n\nafter blanks\n\n\n"
assert docs["output with leading spaces"]["stdout"] == "   indented first\n\tthen a tab\nflush\n  two\n"
assert docs["output with crlf"]["stdout"] == "one\r\ntwo\r\n\r\n"
EOF
	[ $? = 0 ] && return 0
	show_log "$T_TMP/pyyaml.err"
	return 1
}
if python3 -c 'import yaml' 2>/dev/null; then
	check "PyYAML reads every YAML block of the sample, texts as written" pyyaml_reads
elif [ "${SIMPCON_MUST_WORK:-0}" = 1 ]; then
	ok 1 "PyYAML reads every YAML block of the sample (PyYAML not installed: python3-yaml)"
else
	skip "PyYAML reads every YAML block of the sample" "PyYAML not installed (python3-yaml)"
fi

# tap-driver.sh -------------------------------------------------------------------------------
# run_driver NAME ARGS...: the sample under tap-driver.sh, which leaves its verdict in NAME.trs
run_driver() {
	name=$1; shift
	timeout 20 sh "$DRIVER" --test-name "$name" --log-file "$T_TMP/$name.log" \
		--trs-file "$T_TMP/$name.trs" --color-tests no --enable-hard-errors yes \
		--expect-failure no -- "$SAMPLE" "$@" >"$T_TMP/$name.out" 2>&1
}

driver_passes() {
	run_driver sample || { show_log "$T_TMP/sample.out"; return 1; }
	if grep -q '^:global-test-result: PASS$' "$T_TMP/sample.trs" &&
	   ! grep -Eq '^:test-result: (ERROR|FAIL|XPASS)' "$T_TMP/sample.trs"; then
		return 0
	fi
	show_log "$T_TMP/sample.trs"
	show_log "$T_TMP/sample.out"
	return 1
}
check "tap-driver.sh passes the sample" driver_passes

driver_counts_failure() {
	run_driver fail fail || { show_log "$T_TMP/fail.out"; return 1; }
	if grep -q '^:global-test-result: FAIL$' "$T_TMP/fail.trs" &&
	   [ "$(grep -c '^:test-result: FAIL' "$T_TMP/fail.trs")" -eq 1 ] &&
	   ! grep -q '^:test-result: ERROR' "$T_TMP/fail.trs"; then
		return 0
	fi
	show_log "$T_TMP/fail.trs"
	return 1
}
check "tap-driver.sh fails the sample with a failing point" driver_counts_failure

# every planned point reached tap-driver.sh as a result: nothing in a YAML block was taken for
# a point, a plan or a bail-out
driver_sees_plan() {
	[ -f "$T_TMP/sample.trs" ] || return 1
	planned=$("$SAMPLE" | sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p')
	results=$(grep -c '^:test-result:' "$T_TMP/sample.trs")
	[ -n "$planned" ] && [ "$results" -eq "$planned" ] && return 0
	diag "tap-driver.sh saw $results results, the plan says $planned"
	return 1
}
check "tap-driver.sh sees exactly the planned points" driver_sees_plan

