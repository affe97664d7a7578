#!/bin/sh
# The README's project snippets as printed: each indented block marked
# "<!-- snippet: TOOL FILE -->" becomes FILE of a fresh project of TOOL's (with a greet.c and a
# tests/greet.t of this test's), which is then built and tested by its own runner against the
# simpcon-test just built: automake's make check and make distcheck, meson test, ctest. Every
# other block must say why it is not run ("<!-- not run: why -->"), so none can drift untested.
. "$top_srcdir/t/lib.sh"
containers_or_skip
setup_run_env
for tool in autoreconf make cc meson ninja cmake ctest python3; do
	command -v $tool >/dev/null 2>&1 || skip_all "$tool not installed"
done
plan 10
# projects of their own: nothing of this make may leak into them
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES TESTS TEST_LOGS TEST_SUITE_LOG DISTCHECK_CONFIGURE_FLAGS
# the snippets find simpcon-test on PATH, as they would once it is installed
mkdir -p "$T_TMP/bin" && ln -s "$SIMPCON" "$T_TMP/bin/simpcon-test" || bail "link simpcon-test"
PATH="$T_TMP/bin:$PATH"; export PATH

# Writes each snippet to $T_TMP/snippets/TOOL/FILE; prints the blocks with no marker, by line.
python3 - "$top_srcdir/README.md" "$T_TMP/snippets" >"$T_TMP/unmarked" 2>"$T_TMP/extract.err" <<'EOF'
import os, re, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
code = lambda l: l.startswith("    ") or l.startswith("\t")
i = 0
while i < len(lines):
    prev = next((lines[k] for k in range(i - 1, -1, -1) if lines[k].strip()), "")
    if not (code(lines[i]) and i > 0 and not lines[i - 1].strip() and not code(prev)):
        i += 1
        continue
    start, block = i, []
    while i < len(lines) and (code(lines[i]) or (not lines[i].strip() and i + 1 < len(lines) and code(lines[i + 1]))):
        block.append(lines[i][4:] if code(lines[i]) else "")
        i += 1
    snippet = re.fullmatch(r"<!-- snippet: (\S+) (\S+) -->", prev)
    if snippet:
        os.makedirs(os.path.join(sys.argv[2], snippet[1]), exist_ok=True)
        with open(os.path.join(sys.argv[2], snippet[1], snippet[2]), "x") as f:
            f.write("\n".join(block) + "\n")
    elif not re.fullmatch(r"<!-- not run: .+ -->", prev):
        print("line %d: %s" % (start + 1, lines[start].strip()[:60]))
EOF
[ $? = 0 ] && [ ! -s "$T_TMP/unmarked" ]
ok $? "every indented block of the README is a snippet or says why it is not run$(sed 's/^/; /' "$T_TMP/unmarked" "$T_TMP/extract.err" | tr -d '\n')"
S="$T_TMP/snippets"
[ -f "$S/automake/configure.ac" ] && [ -f "$S/automake/Makefile.am" ] && [ -f "$S/meson/meson.build" ] &&
	[ -f "$S/cmake/CMakeLists.txt" ]
ok $? "the README holds the automake, meson and CMake snippets"

# project TOOL: a fresh project of TOOL's snippets, greet.c and tests/greet.t, in $T_TMP/TOOL
project() {
	mkdir -p "$T_TMP/$1/tests" && cp "$S/$1"/* "$T_TMP/$1/" || return 1
	cp "$top_srcdir/fixtures/example/greet.c" "$T_TMP/$1/"
	printf 'greet, as the README tests it.\n\n  $ /build/greet README\n  hello, README\n' >"$T_TMP/$1/tests/greet.t"
}

# automake: make check, and make distcheck (the transcripts must be in the tarball)
project automake && cd "$T_TMP/automake" &&
	{ autoreconf -fi && ./configure && make; } >"$T_TMP/automake.log" 2>&1
ok $? "automake: the snippets bootstrap, configure and build"
make check >"$T_TMP/check.log" 2>&1 && [ "$(sed -n 's/^:global-test-result: //p' tests/greet.trs)" = PASS ] &&
	grep -q '^# PASS: *8$' "$T_TMP/check.log" && grep -q '^# ERROR: *0$' "$T_TMP/check.log"
ok $? "automake: make check runs tests/greet.t through tap-driver.sh: 8 points PASS, no ERROR"
[ -f tests/greet.trs ] || diag "$(tail -n 20 "$T_TMP/automake.log" "$T_TMP/check.log")"
make distcheck >"$T_TMP/distcheck.log" 2>&1
ok $? "automake: make distcheck passes"
[ -f greet-1.0.tar.gz ] || diag "$(tail -n 20 "$T_TMP/distcheck.log")"
cd "$T_TMP" || bail "cd $T_TMP"

# meson
project meson && meson setup "$T_TMP/meson-build" "$T_TMP/meson" >"$T_TMP/meson.log" 2>&1
ok $? "meson: the snippet sets up"
meson test -C "$T_TMP/meson-build" >"$T_TMP/meson-test.log" 2>&1 &&
	[ "$(awk '/^(Ok|Fail|Skipped):/ { printf "%s %s ", $1, $2 }' "$T_TMP/meson-test.log")" = "Ok: 1 Fail: 0 Skipped: 0 " ] &&
	grep -q '8 subtests passed' "$T_TMP/meson-test.log"
ok $? "meson: meson test passes greet, its 8 points as subtests"

# CMake
project cmake && cmake -S "$T_TMP/cmake" -B "$T_TMP/cmake-build" >"$T_TMP/cmake.log" 2>&1 &&
	cmake --build "$T_TMP/cmake-build" >>"$T_TMP/cmake.log" 2>&1
ok $? "CMake: the snippet configures and builds"
(cd "$T_TMP/cmake-build" && ctest --output-junit ctest.xml) >"$T_TMP/ctest.log" 2>&1 &&
	grep -q '100% tests passed, 0 tests failed out of 1' "$T_TMP/ctest.log"
ok $? "CMake: ctest passes greet"
sed -n 's/.*<testcase name="\([^"]*\)".* status="\([a-z]*\)".*/\1=\2/p' "$T_TMP/cmake-build/ctest.xml" | grep -qx 'greet=run'
ok $? "CMake: ctest's JUnit output says greet ran"
