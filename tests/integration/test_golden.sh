#!/usr/bin/env bash
# Golden outputs: the same bytes out for fixed inputs, seeds, keys and
# thread counts, before and after a refactor. Each line of
# tests/golden/hashes.txt is "name sha256"; a folder's hash is the sha256 of
# the sorted `sha256sum` listing of its files (names relative to it).
# When a change is meant to change an output (a detector that finds more, a
# new profile rule), re-record with
#   ATELIER_GOLDEN_RECORD=1 ctest -R test_golden   (or run this script)
# and say in the commit which outputs changed and why.
set -euo pipefail
bin="${ATELIER_BIN:?}"
src="${ATELIER_SOURCE_DIR:?}"
table="$src/tests/golden/hashes.txt"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail() { echo "FAIL: $*" >&2; exit 1; }
tree_hash() { (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64); }
file_hash() { sha256sum "$1" | cut -c1-64; }

q=--quiet
printf '%064d' 7 > key
# DICOM: a synthetic study, de-identified with a fixed key on 1 and 2 threads
"$bin" synth study --out study --series 2 --slices 4 --seed 7 2>/dev/null
"$bin" deid study -o d1 --key key --threads 1 $q
"$bin" deid study -o d2 --key key --threads 2 $q
# NIfTI from a DICOM series
"$bin" image convert study/S1_CT -o ct.nii.gz
"$bin" image convert study/S2_MR -o mr.nii
# text: synthetic documents, redacted and pseudonymised; extraction
"$bin" synth docs -o docs --docs 20 --seed 3 2>/dev/null
"$bin" text deid docs -o red --mode redact 2>/dev/null
"$bin" text deid docs -o pse --mode pseudonymise --key key 2>/dev/null
"$bin" text extract docs/doc-000001.txt --json > extract.jsonl
# risk: a synthetic chemotherapy cohort, split, three models, eval, score
"$bin" synth chemo --patients 120 --seed 5 -o chemo.csv
"$bin" text risk split --csv chemo.csv -o train.csv,test.csv --seed 3 2>/dev/null
"$bin" text risk train --csv train.csv -o model_cv --threads 1 2>/dev/null
"$bin" text risk train --csv train.csv -o model_c05 --C 0.5 2>/dev/null
"$bin" text risk train --csv train.csv -o model_l1 --C 1 --l1 2>/dev/null
"$bin" text risk eval --model model_cv --csv test.csv --json > eval.json
"$bin" text risk score --model model_cv --csv test.csv -o scores.csv
# synthetic CT/MRI cohort (NIfTI and DICOM)
"$bin" synth cohort --patients 2 --out cohort --size 24 24 16 $q

{
    for d in study d1 d2 docs red pse cohort; do echo "$d $(tree_hash "$d")"; done
    for f in ct.nii.gz mr.nii extract.jsonl chemo.csv train.csv test.csv model_cv model_c05 model_l1 eval.json \
        model_cv.calibration.svg scores.csv; do echo "$f $(file_hash "$f")"; done
} > got.txt

if [ "${ATELIER_GOLDEN_RECORD:-0}" = 1 ]; then
    cp got.txt "$table"
    echo "recorded $(wc -l < got.txt) golden hashes in $table"
    exit 0
fi
[ -f "$table" ] || fail "no $table (record it with ATELIER_GOLDEN_RECORD=1)"
if ! diff "$table" got.txt > diff.txt; then
    cat diff.txt >&2
    fail "outputs differ from the golden hashes above (< recorded, > now)"
fi
echo "golden: $(wc -l < got.txt) outputs as recorded"
