#!/usr/bin/env bash
# `atelier demo` (what `make run` shows): each part runs on synthetic data,
# prints its results, and leaves nothing behind unless --keep.
set -euo pipefail
bin=${ATELIER_BIN:?}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export TMPDIR=$T
out=$("$bin" demo --part door)
grep -q "PatientName .*pseudonym" <<<"$out"
grep -q "PatientIdentityRemoved .*added" <<<"$out"
grep -Eq "summary: 6 files seen, 6 de-identified" <<<"$out"
test -z "$(ls -A "$T")"   # temporary folder removed
out=$("$bin" demo --part text)
auroc=$(sed -n 's/^AUROC \([0-9.]*\).*/\1/p' <<<"$out")
/usr/bin/python3 -c "import sys; a=float('$auroc'); sys.exit(0 if 0.7 < a <= 1 else 1)"
out=$("$bin" demo --part sct --patients 4 --minutes 0.15 --keep)
grep -q "held-out patients" <<<"$out"
grep -Eq "^   mean +MAE +[0-9.]+ HU" <<<"$out"
png=$(sed -n 's/.*pseudo-CT | error: //p' <<<"$out")
head -c 8 "$png" | od -An -c | grep -q "P   N   G"
# the pipeline saw only de-identified series: no fake identity of the cohort in the prepared manifest
kept=$(dirname "$png")
! grep -rq "patient_000" "$kept/prepared/manifest.json"
# usage errors
if "$bin" demo --part nothing 2>/dev/null; then exit 1; fi
set +e; "$bin" demo --minutes -1 2>/dev/null; rc=$?; set -e; test $rc -eq 2
echo "demo: all parts ok"
