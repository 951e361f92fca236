#!/bin/bash
# sct from the command line as a physicist uses it: hospital-like DICOM
# (a synthetic cohort) -> atelier deid -> sct prepare on the de-identified
# folder (no hand work) -> train -> predict -> eval; and the habits every
# command shares: an existing output refused with exit 2 unless --force,
# Ctrl-C / SIGTERM cancel with exit 130, one line saying what was kept and
# how to resume, no partial folder left; --resume continues the training;
# a reference and a prediction of different frames of reference refused.
set -euo pipefail
BIN=${ATELIER_BIN:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
no_partial() { if compgen -G "$T/*partial*" >/dev/null || compgen -G "$T/*.tmp*" >/dev/null; then
  ls -a "$T"; fail "partial output left ($1)"; fi; }

$BIN sct synth --patients 4 --out "$T/c" --seed 5 --size 32 32 12 --spacing 6 6 8 --quiet
# the door: the DICOM series only, with a site key made for the test
$BIN key new "$T/site.key" >/dev/null 2>&1 || true
$BIN deid "$T"/c/*/ct_dicom "$T"/c/*/mr_dicom -o "$T/deid" --key "$T/site.key" --quiet
# de-identified: patients, studies, series; no CT/MR folder names left
test -z "$(find "$T/deid" -name '*_dicom')"
$BIN sct prepare "$T/deid" -o "$T/prep" --test 1 --val 1 --quiet
/usr/bin/python3 - "$T/prep/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
s = sorted(p['split'] for p in m['patients'])
assert s == ['test', 'train', 'train', 'val'], s
assert all(p['registered'] for p in m['patients'])
PY
# an existing output: exit 2, nothing touched; --force replaces it
before=$(md5sum < "$T/prep/manifest.json")
rc=0; $BIN sct prepare "$T/deid" -o "$T/prep" --quiet 2>"$T/err" || rc=$?
[ $rc = 2 ] || fail "existing prepare exit $rc"
grep -q "prep exists and is not empty; nothing was written (--force writes over it)" "$T/err" || fail "$(cat "$T/err")"
[ "$(md5sum < "$T/prep/manifest.json")" = "$before" ] || fail "refused prepare changed the output"
$BIN sct prepare "$T/deid" -o "$T/prep" --test-fraction 0.25 --val 1 --force --quiet
[ "$(md5sum < "$T/prep/manifest.json")" = "$before" ] || fail "--test-fraction 0.25 of 4 is not 1 patient"
rc=0; $BIN sct prepare "$T/deid" -o "$T/prep-x" --test 0.25 2>/dev/null || rc=$?
[ $rc = 2 ] || fail "--test 0.25 (a count) accepted"

# train: Ctrl-C after an epoch keeps MODEL.resume, exit 130, one line
$BIN sct train "$T/prep" -o "$T/model" --epochs 100000 --minutes 30 --base 4 --depth 2 --batch 4 \
  --threads 1 --f32 --quiet 2>"$T/sig.log" &
pid=$!
for _ in $(seq 300); do
  c=$(cat "$T"/model.partial-*/curves.jsonl 2>/dev/null | wc -l || true)
  [ "${c:-0}" -ge 2 ] && break
  sleep 0.1
done
kill -INT $pid
rc=0; wait $pid || rc=$?
[ $rc = 130 ] || fail "SIGINT exit $rc: $(cat "$T/sig.log")"
[ "$(wc -l < "$T/sig.log")" = 1 ] || fail "more than one line: $(cat "$T/sig.log")"
grep -q "^atelier sct train: interrupted; kept $T/model.resume ([0-9]* epochs done); continue with: atelier sct train $T/prep -o $T/model --resume$" "$T/sig.log" ||
  fail "SIGINT message: $(cat "$T/sig.log")"
test -d "$T/model.resume" && test ! -e "$T/model"
no_partial "after SIGINT"
e=$(sed -n 's/.*(\([0-9]*\) epochs done).*/\1/p' "$T/sig.log")
# a fresh run over the kept one: exit 2
rc=0; $BIN sct train "$T/prep" -o "$T/model" --quiet 2>"$T/err" || rc=$?
[ $rc = 2 ] || fail "fresh over a kept run: exit $rc"
# resumed to one epoch more: a finished model, the kept run consumed
$BIN sct train "$T/prep" -o "$T/model" --epochs $((e + 1)) --minutes 30 --base 4 --depth 2 --batch 4 \
  --threads 1 --f32 --resume --quiet
test -s "$T/model/model.safetensors" && test ! -e "$T/model.resume"
/usr/bin/python3 - "$T/model/model.json" "$T/model/curves.jsonl" "$((e + 1))" <<'PY'
import json, sys
n = int(sys.argv[3])
assert json.load(open(sys.argv[1]))['epochs'] == n
curve = [json.loads(l) for l in open(sys.argv[2])]
assert [c['epoch'] for c in curve] == list(range(1, n + 1)), curve
PY
# SIGTERM during prepare: exit 130, nothing written
$BIN sct synth --patients 6 --out "$T/c6" --seed 6 --size 64 64 40 --quiet
$BIN sct prepare "$T/c6" -o "$T/prep6" --test 1 --val 1 2>"$T/term.log" &
pid=$!
for _ in $(seq 300); do compgen -G "$T/prep6.partial-*" >/dev/null && break; sleep 0.05; done
kill -TERM $pid
rc=0; wait $pid || rc=$?
[ $rc = 130 ] || fail "SIGTERM exit $rc: $(cat "$T/term.log")"
grep -q "^atelier sct prepare: interrupted; nothing was written (run it again to start over)$" "$T/term.log" || fail "$(cat "$T/term.log")"
test ! -e "$T/prep6"; no_partial "after SIGTERM"
# a killed run's debris is cleaned by the next run
$BIN sct prepare "$T/c6" -o "$T/prep6" --test 1 --val 1 --quiet &
pid=$!
for _ in $(seq 300); do compgen -G "$T/prep6.partial-*" >/dev/null && break; sleep 0.05; done
kill -KILL $pid; wait $pid 2>/dev/null || true
compgen -G "$T/prep6.partial-*" >/dev/null || fail "no debris to clean"
$BIN sct prepare "$T/deid" -o "$T/prep6" --test 1 --val 1 --quiet
no_partial "after a run following a killed one"

# predict from a de-identified MR series; eval refuses other frames
mrs=""; cts=""
for s in $(find "$T/deid" -mindepth 3 -maxdepth 3 -type d | sort); do
  f=$(ls "$s" | head -1)
  m=$(/usr/bin/python3 -c "import pydicom,sys; print(pydicom.dcmread(sys.argv[1], stop_before_pixels=True).Modality)" "$s/$f")
  p=$(basename "$(dirname "$(dirname "$s")")")
  [ "$m" = MR ] && [ -z "$mrs" ] && mrs=$s && pat=$p
done
for s in $(find "$T/deid/$pat" -mindepth 2 -maxdepth 2 -type d); do
  f=$(ls "$s" | head -1)
  m=$(/usr/bin/python3 -c "import pydicom,sys; print(pydicom.dcmread(sys.argv[1], stop_before_pixels=True).Modality)" "$s/$f")
  [ "$m" = CT ] && cts=$s
done
$BIN sct predict "$mrs" --model "$T/model" -o "$T/pct" --threads 1 --quiet
rc=0; $BIN sct predict "$mrs" --model "$T/model" -o "$T/pct" 2>/dev/null || rc=$?
[ $rc = 2 ] || fail "existing predict exit $rc"
rc=0; $BIN sct eval --reference "$cts" --prediction "$T/pct" --mask "$T/prep/$pat/mask.nii.gz" 2>"$T/err" || rc=$?
[ $rc = 1 ] || fail "other frames exit $rc"
grep -q "lie in different frames of reference" "$T/err" || fail "other frames: $(cat "$T/err")"
$BIN sct eval --reference "$cts" --prediction "$T/pct" --mask "$T/prep/$pat/mask.nii.gz" --other-frames --json >/dev/null
# each command's --help is its own, with its defaults
$BIN sct train --help | grep -q -- "--minutes M        wall-clock budget; the schedule is refitted to it (default 25)"
$BIN sct prepare --help | grep -q -- "--test N "
no_partial "at the end"
echo ok
