#!/bin/bash
# compare.sh - file-by-file agreement between cram 0.7 and `simpcon-test suite --cram`.
#
# usage: compare.sh [-o OUTDIR] SIMPCON_TEST_BINARY [SUITE_DIR...]
#        compare.sh [-o OUTDIR] - [SUITE_DIR...]      (cram side only)
#
# Without SUITE_DIR, every directory beside this script that holds a `files` list.
# A suite directory holds the suite's checkout and, or else suites/NAME here holds:
#   files         globs of the transcript files, relative to the suite directory
#   cram.opts     options for cram3, one a line
#   cram.env      NAME=VALUE lines put in cram3's environment (optional)
#   simpcon.opts  options for `simpcon-test suite --cram`, one a line; "--opt value"
#                 on a line is two arguments (the value is the rest of the line)
# In the three option files, blank lines and lines starting with # are ignored and
# @SUITE@ stands for the suite directory's absolute path.
# Both runners run from the suite directory with the file's relative path.
#
# Output (stdout): TSV suite, file, cram verdict, simpcon verdict, agree; then
#   agreement: A/N files (P%)
# With "-" instead of a binary: TSV suite, file, cram verdict (verdicts.cram.tsv).
# -o OUTDIR keeps both sides' output per file in OUTDIR (created if needed).
# Verdicts: pass, fail, skip, error (harness error, timeout, no verdict found).
# Environment: CRAM (default cram3), COMPARE_TIMEOUT seconds per run (default 600).
set -u

outdir=
if [ "${1-}" = "-o" ]; then
    [ $# -ge 2 ] || { echo "compare.sh: -o needs a directory" >&2; exit 2; }
    outdir=$2
    shift 2
fi
if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
    sed -n '2,/^set -u/{/^#/s/^# \{0,1\}//p}' "$0" >&2
    exit 2
fi
simpcon=$1
shift
if [ "$simpcon" != "-" ]; then
    case $simpcon in
        /*) ;;
        */*) simpcon=$PWD/$simpcon ;;
        *) simpcon=$(command -v "$simpcon") || { echo "compare.sh: $1 not found" >&2; exit 2; } ;;
    esac
    [ -x "$simpcon" ] || { echo "compare.sh: $simpcon is not executable" >&2; exit 2; }
fi
cram=${CRAM:-cram3}
limit=${COMPARE_TIMEOUT:-600}
here=$(cd "$(dirname "$0")" && pwd)

if [ $# -eq 0 ]; then
    for d in "$here"/*/; do
        [ -f "$d/files" ] && set -- "$@" "${d%/}"
    done
fi
[ -n "$outdir" ] && { mkdir -p "$outdir" || exit 2; outdir=$(cd "$outdir" && pwd); }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/compare.XXXXXX") || exit 2
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# read_opts FILE SUITE: fills the array `opts` from FILE
read_opts() {
    opts=()
    local line
    [ -f "$1" ] || return 0
    while IFS= read -r line || [ -n "$line" ]; do
        line=${line//@SUITE@/$2}
        case $line in ''|'#'*) continue ;; esac
        case $line in
            *[[:space:]]*) opts+=("${line%%[[:space:]]*}" "${line#*[[:space:]]}") ;;
            *) opts+=("$line") ;;
        esac
    done < "$1"
}

# read_env FILE SUITE: fills the array `envs` with NAME=VALUE words
read_env() {
    envs=()
    local line
    [ -f "$1" ] || return 0
    while IFS= read -r line || [ -n "$line" ]; do
        line=${line//@SUITE@/$2}
        case $line in ''|'#'*) continue ;; esac
        envs+=("$line")
    done < "$1"
}

# keep_err FILE / restore_err FILE: a runner may write FILE.err beside the file;
# put back whatever was there before (or nothing)
keep_err() {
    rm -f "$tmp/err"
    [ -e "$1.err" ] && cp -p "$1.err" "$tmp/err"
    return 0
}
restore_err() {
    if [ -e "$tmp/err" ]; then
        cp -p "$tmp/err" "$1.err"
    else
        rm -f "$1.err"
    fi
}

# cram_verdict STATUS OUTPUT FILE
cram_verdict() {
    local line v=
    while IFS= read -r line; do
        case $line in
            "$3: passed") v=pass ;;
            "$3: failed") v=fail ;;
            "$3: skipped"|"$3: empty") v=skip ;;
        esac
    done <<< "$2"
    case $1 in
        0) [ "$v" = pass ] || [ "$v" = skip ] || v=error ;;
        1) [ "$v" = fail ] || v=error ;;
        *) v=error ;;
    esac
    verdict=$v
}

# simpcon_verdict STATUS TAP: fail if a point is `not ok`, skip if every point
# other than the isolation checks is `# SKIP` (or the plan is 1..0), else pass
simpcon_verdict() {
    local line points=0 skips=0 notok=0 plan0=0 bail=0 rest
    while IFS= read -r line; do
        case $line in
            'not ok'*) notok=$((notok + 1)); points=$((points + 1)) ;;
            'ok'*)
                rest=${line#ok}
                rest=${rest#"${rest%%[!0-9 ]*}"}
                rest=${rest#- }
                case $rest in 'isolation:'*|*': isolation: '*) continue ;; esac
                points=$((points + 1))
                shopt -s nocasematch
                case $line in *'# SKIP'*) skips=$((skips + 1)) ;; esac
                shopt -u nocasematch
                ;;
            '1..0'*) plan0=1 ;;
            'Bail out!'*) bail=1 ;;
        esac
    done <<< "$2"
    case $1 in
        0)
            if [ $bail = 1 ]; then verdict=error
            elif [ $notok -gt 0 ]; then verdict=fail
            elif [ $plan0 = 1 ] || { [ $points -gt 0 ] && [ $skips = $points ]; }; then verdict=skip
            else verdict=pass
            fi ;;
        1) if [ $bail = 1 ]; then verdict=error; else verdict=fail; fi ;;
        *) verdict=error ;;
    esac
}

total=0 agree=0
start=$PWD
for suite in "$@"; do
    suite=$(cd "$start" && cd "$suite" && pwd) || continue
    name=${suite##*/}
    # the lists and options beside the data, else those kept here for a suite of that name
    conf=$suite
    [ -f "$conf/files" ] || conf=$here/suites/$name
    if [ ! -f "$conf/files" ]; then
        echo "compare.sh: no 'files' list in $suite or $conf" >&2
        continue
    fi
    read_opts "$conf/cram.opts" "$suite"; copts=("${opts[@]+"${opts[@]}"}")
    read_opts "$conf/simpcon.opts" "$suite"; sopts=("${opts[@]+"${opts[@]}"}")
    read_env "$conf/cram.env" "$suite"
    list=()
    while IFS= read -r pat || [ -n "$pat" ]; do
        case $pat in ''|'#'*) continue ;; esac
        list+=("$pat")
    done < "$conf/files"
    cd "$suite" || continue
    for pat in "${list[@]}"; do
        for f in $pat; do
            [ -f "$f" ] || continue
            mkdir -p "$tmp/c"
            keep_err "$f"
            cout=$(env TMPDIR="$tmp/c" "${envs[@]+"${envs[@]}"}" timeout -k 10 "$limit" \
                   "$cram" -q -v "${copts[@]+"${copts[@]}"}" "$f" 2>&1)
            cstatus=$?
            chmod -R u+rwx "$tmp/c" 2>/dev/null; rm -rf "$tmp/c"
            restore_err "$f"
            cram_verdict "$cstatus" "$cout" "$f"
            cv=$verdict
            if [ -n "$outdir" ]; then
                mkdir -p "$outdir/$name/${f%/*}"
                printf '%s\n[exit %s]\n' "$cout" "$cstatus" > "$outdir/$name/$f.cram"
            fi
            if [ "$simpcon" = "-" ]; then
                printf '%s\t%s\t%s\n' "$name" "$f" "$cv"
                continue
            fi
            keep_err "$f"
            sout=$(env "${envs[@]+"${envs[@]}"}" timeout -k 10 "$limit" "$simpcon" suite --cram \
                   "${sopts[@]+"${sopts[@]}"}" "$f" 2>"$tmp/stderr")
            sstatus=$?
            restore_err "$f"
            simpcon_verdict "$sstatus" "$sout"
            sv=$verdict
            if [ -n "$outdir" ]; then
                { printf '%s\n[exit %s]\n' "$sout" "$sstatus"; cat "$tmp/stderr"; } \
                    > "$outdir/$name/$f.simpcon"
            fi
            rm -f "$tmp/stderr"
            total=$((total + 1))
            if [ "$cv" = "$sv" ]; then
                a=yes; agree=$((agree + 1))
            else
                a=no
            fi
            printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$f" "$cv" "$sv" "$a"
        done
    done
done
if [ "$simpcon" != "-" ]; then
    if [ $total -gt 0 ]; then
        pct=$((agree * 1000 / total))
        printf 'agreement: %d/%d files (%d.%d%%)\n' "$agree" "$total" $((pct / 10)) $((pct % 10))
    else
        echo "agreement: 0/0 files (n/a)"
    fi
fi
