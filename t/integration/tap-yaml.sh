#!/bin/sh
# t/integration/tap-yaml.sh - a run's YAML block read by a YAML parser (PyYAML) gives back the
# command's output: a "|" block as it is (a backslash is one character there), a double-quoted
# scalar for output a block cannot carry exactly (control characters, invalid UTF-8, no final
# newline, ...), an invalid UTF-8 byte NN as the character U+00NN; and prove and tap-driver.sh
# still pass every stream.
. "$top_srcdir/t/lib.sh"
containers_or_skip
python3 -c 'import yaml' 2>/dev/null || skip_all "PyYAML not installed (python3-yaml)"
setup_run_env
plan 15

# same FIELD FORMAT: the run's FIELD, parsed from the YAML block of its exit status point, is
# what printf FORMAT writes on the host, read as UTF-8 with each invalid byte as U+00NN
same() {
	printf "$2" >"$T_TMP/want"
	python3 - "$T_TMP/out" "$1" "$T_TMP/want" <<'EOF'
import codecs, sys, yaml
codecs.register_error("byte-as-latin1", lambda e: (e.object[e.start:e.start + 1].decode("latin-1"), e.start + 1))
stream, field, want = sys.argv[1], sys.argv[2], open(sys.argv[3], "rb").read().decode("utf-8", "byte-as-latin1")
lines = open(stream, "rb").read().decode("utf-8").split("\n")
start = lines.index("  ---", next(i for i, l in enumerate(lines) if " - exit status " in l))
block = lines[start + 1:lines.index("  ...", start)]
got = yaml.safe_load("\n".join(l[2:] for l in block) + "\n")[field]
if got != want:
    print("# %s: got %r, want %r" % (field, got, want))
    sys.exit(1)
EOF
}
accepted() { # prove and tap-driver.sh both pass the last run's stream
	cp "$T_TMP/out" "$T_TMP/$1" && echo 0 >"$T_TMP/$1.rc"
	[ "$(prove_result "$T_TMP/$1")" != FAIL ] && [ "$(prove_result "$T_TMP/$1")" != HANG ] &&
		[ "$(driver_result "$T_TMP/$1")" = PASS ]
}
yaml_line() { grep -qx -e "$1" "$T_TMP/out"; }

fmt='C:\\dir \\x41 \\n \\\\ end\\\n'
sc run -- printf "$fmt"
same stdout "$fmt"; ok $? "backslashes: read back as they are"
yaml_line '  stdout: |'; ok $? "backslashes: written in a | block, raw"
accepted backslash; ok $? "backslashes: prove and tap-driver.sh pass the stream"

fmt='\ta\tb\n  c\td\n'
sc run -- sh -c "printf 'x\n$fmt'"
same stdout "x\n$fmt"; ok $? "tabs and indentation after the first line: read back as they are"
yaml_line '  stdout: |'; ok $? "tabs: written in a | block"

fmt='nul\000 esc\033[0m bel\007 cr\r\n del\177 c1\302\205 ls\342\200\250 bom\357\273\277\n'
sc run -- printf "$fmt"
same stdout "$fmt"; ok $? "control characters: read back as they are"
yaml_line '  stdout: ".*"'; ok $? "control characters: written double-quoted"
accepted control; ok $? "control characters: prove and tap-driver.sh pass the stream"

fmt='\377\376\303( caf\303\251 \355\240\200 \342\202\n'
sc run -- printf "$fmt"
same stdout "$fmt"; ok $? "invalid UTF-8: each invalid byte reads as U+00NN, the rest as it is"
accepted utf8; ok $? "invalid UTF-8: prove and tap-driver.sh pass the stream"

fmt='  lead\nBail out! not a bail-out\n\\\n\n\n'
sc run -- sh -c "printf '$fmt' >&2"
same stderr "$fmt"; ok $? "leading blanks, a Bail out! line, trailing blank lines: read back as they are"
accepted shape; ok $? "leading blanks, a Bail out! line, trailing blank lines: prove and tap-driver.sh pass"

fmt='no final newline \\'
sc run -- printf "$fmt"
same stdout "$fmt"; ok $? "no final newline: read back as it is"

sc run -q --expect-stdout 'a\b' -- printf 'a\\b\nc\n'
python3 - "$T_TMP/out" <<'EOF'
import sys, yaml
lines = open(sys.argv[1]).read().split("\n")
start = lines.index("  ---", next(i for i, l in enumerate(lines) if l.startswith("not ok")))
doc = yaml.safe_load("\n".join(l[2:] for l in lines[start + 1:lines.index("  ...", start)]) + "\n")
sys.exit(0 if doc["got"] == "a\\b\nc\n" and doc["expected"] == "a\\b" else 1)
EOF
ok $? "a failed expectation's got and expected read back as they are"
[ "$(driver_result "$T_TMP/out")" != ERROR ]; ok $? "tap-driver.sh reads the failed expectation's stream without error"
