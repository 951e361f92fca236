#!/usr/bin/env bash
# One command line, one set of habits (docs/cli.md), for deid, dicom, image,
# key, text, synth and demo: Ctrl-C cancels through the run (one line, exit
# 130, no debris), a killed run's debris is cleaned by the next run, one
# rule for existing outputs (--force), -o inside an input refused, the same
# words for an unknown option or a missing value, each command's own
# --help, --quiet, no progress when stderr is not a terminal, text extract
# on folders.
set -uo pipefail
bin="${ATELIER_BIN:?}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
run() { "$@" > "$tmp/out" 2> "$tmp/err"; rc=$?; }
cd "$tmp"

"$bin" key new k 2>/dev/null || fail "key new"
"$bin" synth study -o big --series 2 --slices 500 --size 32 --quiet || fail "synth study"
"$bin" synth study -o small --series 2 --slices 3 --size 32 --quiet || fail "synth study"

# a fresh output is built in OUT.partial-PID and renamed into place at the end
started() { for _ in $(seq 1 500); do [ -d "$1" ] || compgen -G "$1.partial-*" >/dev/null && return; sleep 0.005; done; }

# --- SIGINT while deid runs: one line, exit 130, no output tree, no temporary file
"$bin" deid big -o out1 --key k --threads 1 2> err1 &
pid=$!
started out1
sleep 0.05
kill -INT $pid
wait $pid; rc=$?
[ "$rc" = 130 ] || fail "interrupted deid: exit $rc, not 130 ($(cat err1))"
grep -q "^atelier deid: interrupted; nothing was kept" err1 || fail "no line saying what was kept: $(cat err1)"
[ "$(grep -c . err1)" = 1 ] || fail "more than one line on an interrupt: $(cat err1)"
[ ! -e out1 ] || fail "an interrupted deid left its output tree"
! compgen -G "out1.partial-*" >/dev/null || fail "an interrupted deid left its partial output"

# --- SIGTERM the same way
"$bin" deid big -o out2 --key k --threads 2 2> err2 &
pid=$!
started out2
kill -TERM $pid
wait $pid; rc=$?
[ "$rc" = 130 ] && [ ! -e out2 ] || fail "SIGTERM: exit $rc, output left: $(ls out2 2>/dev/null | head -3)"
! compgen -G "out2.partial-*" >/dev/null || fail "SIGTERM left a partial output"

# --- SIGKILL of a run into a fresh output leaves OUT.partial-PID and no OUT;
# the next run into OUT removes it
"$bin" deid big -o out3 --key k --threads 1 -q 2>/dev/null &
pid=$!
for _ in $(seq 1 500); do [ -n "$(find . -path './out3.partial-*' -name '*.dcm' 2>/dev/null | head -1)" ] && break; sleep 0.01; done
kill -KILL $pid; wait $pid 2>/dev/null
[ ! -e out3 ] || fail "a killed run into a fresh output left OUT"
compgen -G "out3.partial-*" >/dev/null || fail "the killed run left no partial output (the test did not catch it running)"
run "$bin" deid small -o out3 --key k
[ "$rc" = 0 ] || fail "deid after a killed run: exit $rc: $(cat err)"
grep -q "removed 1 partial outputs an interrupted run had left" err || fail "partial output removal not said: $(cat err)"
! compgen -G "out3.partial-*" >/dev/null || fail "partial output left after the next run"

# --- SIGKILL of a run into an existing output (--force) leaves temporary
# files in that tree; the next run into it removes them
"$bin" deid big -o out3 --key k --threads 1 -q --force 2>/dev/null &
pid=$!
for _ in $(seq 1 500); do [ -n "$(find out3 -name '.deid.tmp.*' 2>/dev/null | head -1)" ] && break; sleep 0.01; done
kill -KILL $pid; wait $pid 2>/dev/null
left=$(find out3 -name '.deid.tmp.*' | wc -l)
[ "$left" -gt 0 ] || fail "the killed run left no temporary file to clean (the test did not catch it running)"
run "$bin" deid big -o out3 --key k --force
[ "$rc" = 0 ] || fail "deid after a killed run: exit $rc: $(cat err)"
grep -q "removed $left temporary files an interrupted run had left" err || fail "debris removal not said: $(cat err)"
[ -z "$(find out3 -name '.deid.tmp.*')" ] || fail "debris left after the next run"

# --- existing outputs: refused (exit 2) unless --force, said once
run "$bin" deid small -o out3 --key k -q
[ "$rc" = 2 ] && grep -q "out3 exists and is not empty; nothing was written (--force writes over it)" err ||
    fail "deid into a full -o: exit $rc: $(cat err)"
run "$bin" synth study -o small -q
[ "$rc" = 2 ] && grep -q "small exists and is not empty" err || fail "synth study over a folder: exit $rc"
"$bin" synth chemo -o c.csv --patients 40 -q || fail "synth chemo"
run "$bin" synth chemo -o c.csv --patients 40
[ "$rc" = 2 ] && grep -q "c.csv exists; nothing was written" err || fail "synth chemo over a file: exit $rc"
"$bin" synth chemo -o c.csv --patients 40 --force || fail "synth chemo --force"
"$bin" text risk train --csv c.csv -o m -q --C 1 || fail "risk train"
run "$bin" text risk train --csv c.csv -o m --C 1
[ "$rc" = 2 ] || fail "risk train over a model: exit $rc"
"$bin" text risk train --csv c.csv -o m --C 1 --force -q || fail "risk train --force"
run "$bin" image convert small/S1_CT -o ct.nii.gz
[ "$rc" = 0 ] || fail "image convert: $(cat err)"
run "$bin" image convert small/S1_CT -o ct.nii.gz
[ "$rc" = 2 ] || fail "image convert over a file: exit $rc"

# --- -o equal to or inside an input: refused before anything is written
run "$bin" deid small -o small/sub --key k
[ "$rc" = 2 ] && grep -q "is inside the input" err && [ ! -e small/sub ] || fail "deid -o inside the input: exit $rc"
run "$bin" deid small -o small --key k --force
[ "$rc" = 2 ] && grep -q "is the input" err || fail "deid -o the input: exit $rc: $(cat err)"

# --- a mistyped --key: refused, no key made
run "$bin" deid small -o out4 --key no-such.key
[ "$rc" = 2 ] && [ ! -e no-such.key ] && [ ! -e out4 ] || fail "a missing --key: exit $rc"
grep -q "atelier key new" err || fail "no hint to 'atelier key new'"

# --- the same words for an unknown option and a missing value
for c in "deid small -o x" "dicom dump small/S1_CT/IM0001.dcm" "image convert small -o x.nii" "image info small" \
    "text deid small -o x" "text extract small" "text risk train --csv c.csv -o x" "text risk split --csv c.csv -o a,b" \
    "text risk eval --csv c.csv --model m" "text risk score --csv c.csv --model m -o s" "synth study -o x" \
    "synth docs -o x" "synth chemo -o x" "synth cohort -o x --patients 1" "demo" "key new x" "text eval-deid"; do
    run "$bin" $c --bogus
    [ "$rc" = 2 ] && grep -q "^atelier .*: unknown option '--bogus'" err || fail "$c --bogus: exit $rc: $(cat err)"
done
for c in "deid small -o" "text deid small -o" "synth study -o" "text risk train --csv" "image convert small -o" \
    "text extract small --date" "demo --part"; do
    run "$bin" $c
    [ "$rc" = 2 ] && grep -q "needs a value" err || fail "$c (no value): exit $rc: $(cat err)"
done

# --- each command's own --help, with its defaults
for c in "text risk train:default the cores online" "text risk split:default 0.2" "image convert:--modality" \
    "dicom convert:--bare" "synth cohort:default 1" "synth docs:default 100" "text deid:--mode redact" \
    "deid:default 1" "text extract:-o FILE" "key new:0600"; do
    cmd=${c%%:*}
    want=${c#*:}
    run "$bin" $cmd --help
    [ "$rc" = 0 ] && grep -q "^usage: atelier $cmd" out && grep -q -- "$want" out ||
        fail "'atelier $cmd --help' is not its own help ($rc): $(head -2 out)"
done

# --- no progress when stderr is not a terminal, even on a long run
run "$bin" deid small -o out5 --key k --threads 2
[ "$rc" = 0 ] || fail "deid: $(cat err)"
grep -q -e $'\r' -e 'ETA' err && fail "progress written to a file: $(head -c 200 err)"

# --- text extract takes folders (hidden names and .json left out), -o FILE
"$bin" synth docs -o docs --docs 5 -q || fail "synth docs"
mkdir -p docs/.hidden && echo "Cisplatine 75 mg/m2." > docs/.hidden/x.txt
run "$bin" text extract docs -o m.tsv
[ "$rc" = 0 ] || fail "text extract on a folder: $(cat err)"
[ "$(cut -f1 m.tsv | sort -u | wc -l)" -ge 3 ] || fail "text extract on a folder: $(cut -f1 m.tsv | sort -u)"
grep -q -e "\.hidden" -e "gold.json" m.tsv && fail "hidden files or standoff files extracted"
echo "cli habits: ok"
