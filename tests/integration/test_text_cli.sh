#!/usr/bin/env bash
# atelier text end to end: de-identification of folders, bad files, CSV
# columns, standoff files, determinism; the risk model beside scikit-learn.
set -euo pipefail
bin="${ATELIER_BIN:?}"
src="${ATELIER_SOURCE_DIR:?}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# --- a folder of synthetic documents, plus bad files beside them
"$bin" text synth-docs -o "$tmp/gen" --docs 12 --seed 3 --heldout
mkdir -p "$tmp/in/sub"
cp "$tmp"/gen/doc-00000[0-5].txt "$tmp/in/"
cp "$tmp"/gen/doc-00000[6-9].txt "$tmp/in/sub/"
printf 'Mme Durand\000binaire' > "$tmp/in/binary.txt"
printf 'M. Lefranc \xe9t\xe9 vu' > "$tmp/in/latin1.txt"
: > "$tmp/in/empty.txt"
/usr/bin/python3 -c "import sys; sys.stdout.write('Dr Claire MOREAU ' + 'x' * 3000000 + ' tel 06 12 34 56 78\n')" > "$tmp/in/long.txt"
set +e
"$bin" text deid "$tmp/in" -o "$tmp/out" --json 2> "$tmp/err"
rc=$?
set -e
[ "$rc" = 1 ] || fail "bad files must give exit status 1 (got $rc)"
grep -q "binary.txt: byte 10" "$tmp/err" || fail "binary file not reported with its offset"
grep -q "latin1.txt: byte 11" "$tmp/err" || fail "non-UTF-8 file not reported with its offset"
grep -q "empty.txt: empty document" "$tmp/err" || fail "empty file not reported"
! grep -q -e Durand -e Lefranc "$tmp/err" || fail "an error message holds document content"
[ ! -e "$tmp/out/binary.txt" ] && [ ! -e "$tmp/out/latin1.txt" ] && [ ! -e "$tmp/out/empty.txt" ] || fail "bad files were written"
[ -s "$tmp/out/doc-000000.txt" ] && [ -s "$tmp/out/sub/doc-000009.txt" ] || fail "good files missing (recursion)"
grep -q '"offset"' "$tmp/out/doc-000000.txt.json" || fail "no standoff file"
grep -q "\[NOM\]" "$tmp/out/doc-000000.txt" || grep -q "\[NOM\]" "$tmp/out/doc-000001.txt" || fail "no [NOM] placeholder"
grep -q "MOREAU" "$tmp/out/long.txt" && fail "a name survived in the long line"
grep -q "\[TEL\]" "$tmp/out/long.txt" || fail "phone in the long line not redacted"
ls -a "$tmp/out" | grep -q '\.tmp' && fail "temporary files left behind"

# --- pseudonymisation: deterministic under a key, consistent, no real value
printf 'nom: Kerhervé\nprenom: Soizic\nipp: 80012345\nid: P77\n' > "$tmp/patient.txt"
printf 'Mme Soizic KERHERVE, IPP 80012345, vue le 12/03/2024. kerhervé va mieux.\n' > "$tmp/p1.txt"
"$bin" key new "$tmp/k" 2>/dev/null
"$bin" text deid "$tmp/p1.txt" -o "$tmp/ps1" --mode pseudonymise --key "$tmp/k" --patient-info "$tmp/patient.txt" 2>/dev/null
"$bin" text deid "$tmp/p1.txt" -o "$tmp/ps2" --mode pseudonymise --key "$tmp/k" --patient-info "$tmp/patient.txt" 2>/dev/null
cmp -s "$tmp/ps1/p1.txt" "$tmp/ps2/p1.txt" || fail "pseudonymisation is not deterministic"
grep -qi -e kerherv -e soizic -e 80012345 -e 12/03/2024 "$tmp/ps1/p1.txt" && fail "identifying value survived pseudonymisation"

# --- CSV with a text column; broken quoting is reported by line
printf 'id,text,extra\n1,"Vu par le Dr Jean DUPONT, tél 06 11 22 33 44",a\n2,"Rien, RAS",b\n' > "$tmp/notes.csv"
"$bin" text deid "$tmp/notes.csv" -o "$tmp/csvout" --column text 2>/dev/null
grep -q "DUPONT" "$tmp/csvout/notes.csv" && fail "CSV column not de-identified"
grep -q '^2,"Rien, RAS",b$' "$tmp/csvout/notes.csv" || fail "CSV rows not kept"
printf 'id,text\n1,"ok"\n2,"never closed\n' > "$tmp/broken.csv"
set +e
"$bin" text deid "$tmp/broken.csv" -o "$tmp/csvout2" --column text 2> "$tmp/err2"
rc=$?
set -e
[ "$rc" = 1 ] || fail "broken CSV must fail"
grep -q "broken.csv: line 3" "$tmp/err2" || fail "broken CSV line not named"
[ ! -e "$tmp/csvout2/broken.csv" ] || fail "broken CSV was written"
[ ! -e "$tmp/csvout2" ] || fail "a run with every document failed left its output folder behind"
mkdir "$tmp/csvout3"
set +e
"$bin" text deid "$tmp/broken.csv" -o "$tmp/csvout3" --column text 2> /dev/null
set -e
[ -d "$tmp/csvout3" ] || fail "a folder that was there before the run was removed"
mkdir "$tmp/nothing"
"$bin" text deid "$tmp/nothing" -o "$tmp/nothingout" 2> /dev/null || fail "an empty input folder must succeed"
[ -d "$tmp/nothingout" ] || fail "a run with no document (and no failure) must still make its output folder"

# --- the risk model beside scikit-learn on a small cohort, same split
"$bin" text synth-cohort --patients 800 --seed 11 -o "$tmp/cohort.csv"
/usr/bin/python3 "$src/bench/risk/split.py" "$tmp/cohort.csv" "$tmp/train.csv" "$tmp/test.csv"
"$bin" text risk train --csv "$tmp/train.csv" -o "$tmp/model" 2>/dev/null
ours=$("$bin" text risk eval --model "$tmp/model" --csv "$tmp/test.csv" --json --bootstrap 100)
[ -s "$tmp/model.calibration.svg" ] || fail "no calibration plot"
peer=$(/usr/bin/python3 "$src/bench/risk/sklearn_peer.py" "$tmp/train.csv" "$tmp/test.csv")
/usr/bin/python3 - "$ours" "$peer" <<'PY' || fail "atelier AUROC below scikit-learn's"
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"atelier AUROC {a['auroc']:.4f} [{a['auroc_ci95'][0]:.4f}, {a['auroc_ci95'][1]:.4f}], sklearn {b['auroc']:.4f}")
sys.exit(0 if a["auroc"] >= b["auroc"] - 0.005 and a["auroc"] > 0.65 else 1)
PY
"$bin" text risk score --model "$tmp/model" --csv "$tmp/test.csv" -o "$tmp/scores.csv"
head -1 "$tmp/scores.csv" | grep -q '^patient_id,probability,reasons$' || fail "scores header"
[ "$(wc -l < "$tmp/scores.csv")" = "$(/usr/bin/python3 -c "import csv;print(sum(1 for _ in csv.reader(open('$tmp/test.csv'))))")" ] || fail "one score per row"
"$bin" text risk train --csv "$tmp/train.csv" -o "$tmp/xgb" --xgboost --threads 2 2>/dev/null
xg=$("$bin" text risk eval --model "$tmp/xgb" --csv "$tmp/test.csv" --json --bootstrap 50)
echo "$xg" | grep -q '"auroc":0\.[7-9]' || fail "xgboost AUROC ($xg)"
"$bin" text risk score --model "$tmp/xgb" --csv "$tmp/test.csv" -o "$tmp/xscores.csv"
[ "$(wc -l < "$tmp/xscores.csv")" = "$(wc -l < "$tmp/scores.csv")" ] || fail "xgboost scores"
demo=$("$bin" text risk demo --patients 300 --seed 2)
echo "$demo" | grep -q '"auroc":0\.[6-9]' || fail "demo pipeline AUROC ($demo)"
echo "text CLI: ok"
