#!/usr/bin/env bash
# atelier text risk end to end, quickly (no peer): the patient-level split,
# held-out evaluation, the one-class warning, bad input named by file and
# reason, L1, and CSV files with ';' or tab delimiters.
set -euo pipefail
bin="${ATELIER_BIN:?}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
run() { set +e; "$@" 2> "$tmp/err" > "$tmp/out.txt"; rc=$?; set -e; }

"$bin" text synth-cohort --patients 300 --seed 4 -o "$tmp/c.csv"

# --- patient-level split: no patient on both sides, deterministic
run "$bin" text risk split --csv "$tmp/c.csv" -o "$tmp/tr.csv,$tmp/te.csv" --test 0.25 --seed 3
[ "$rc" = 0 ] || fail "split ($rc): $(cat "$tmp/err")"
grep -q "300 patients: 225 " "$tmp/err" || fail "split counts: $(cat "$tmp/err")"
/usr/bin/python3 - "$tmp/c.csv" "$tmp/tr.csv" "$tmp/te.csv" <<'PY' || fail "split is not by patient"
import csv, sys
rows = lambda p: list(csv.DictReader(open(p, encoding="utf-8")))
c, a, b = (rows(p) for p in sys.argv[1:])
pa, pb = {r["patient_id"] for r in a}, {r["patient_id"] for r in b}
assert not pa & pb and len(pa) == 225 and len(pb) == 75 and len(a) + len(b) == len(c)
PY
run "$bin" text risk split --csv "$tmp/c.csv" --train-out "$tmp/tr2.csv" --test-out "$tmp/te2.csv" --test 0.25 --seed 3
cmp -s "$tmp/te.csv" "$tmp/te2.csv" || fail "split not deterministic"
run "$bin" text risk split --csv "$tmp/c.csv" -o "$tmp/c.csv,$tmp/x.csv"
[ "$rc" = 2 ] || fail "split over its own input not refused ($rc)"

# --- train on one side, evaluate on the other; one class warns
"$bin" text risk train --csv "$tmp/tr.csv" -o "$tmp/m" --C 1 2>/dev/null
run "$bin" text risk eval --model "$tmp/m" --csv "$tmp/te.csv"
grep -q "bootstrap over patients" "$tmp/out.txt" || fail "eval does not resample patients"
grep -q "^AUROC 0\.[5-9]" "$tmp/out.txt" || fail "held-out AUROC: $(cat "$tmp/out.txt")"
/usr/bin/python3 -c "
import csv, sys
r = list(csv.DictReader(open('$tmp/te.csv', encoding='utf-8')))
w = csv.DictWriter(open('$tmp/neg.csv', 'w', encoding='utf-8', newline=''), r[0].keys()); w.writeheader()
[w.writerow(x) for x in r if x['label'] == '0']"
run "$bin" text risk eval --model "$tmp/m" --csv "$tmp/neg.csv"
grep -q "warning: .*neg.csv: every row has label 0" "$tmp/err" || fail "no one-class warning"
grep -q "AUROC undefined" "$tmp/out.txt" || fail "one class printed as a number"
grep -q "0\.5000 (95% CI 0\.5000" "$tmp/out.txt" && fail "one class printed as 0.5"

# --- --l1: a sparser model that still ranks
"$bin" text risk train --csv "$tmp/tr.csv" -o "$tmp/m1" --C 1 --l1 2> "$tmp/err"
run "$bin" text risk eval --model "$tmp/m1" --csv "$tmp/te.csv" --json
grep -q '"auroc":0\.[6-9]' "$tmp/out.txt" || fail "L1 model AUROC: $(cat "$tmp/out.txt")"

# --- ';' and tab CSV files (French spreadsheets), detected or given
/usr/bin/python3 - "$tmp/tr.csv" "$tmp/te.csv" "$tmp" <<'PY'
import csv, sys
for src, name in ((sys.argv[1], "tr"), (sys.argv[2], "te")):
    rows = list(csv.reader(open(src, encoding="utf-8")))
    for d, ext in ((";", "semi"), ("\t", "tab")):
        with open(f"{sys.argv[3]}/{name}.{ext}.csv", "w", encoding="utf-8", newline="") as f:
            csv.writer(f, delimiter=d).writerows(rows)
PY
"$bin" text risk train --csv "$tmp/tr.semi.csv" -o "$tmp/ms" --C 1 2>/dev/null || fail "train on a ';' CSV"
cmp -s "$tmp/m" "$tmp/ms" || fail "a ';' CSV gives another model than the ',' one"
"$bin" text risk train --csv "$tmp/tr.tab.csv" -o "$tmp/mt" --C 1 --delimiter tab 2>/dev/null || fail "train on a tab CSV"
cmp -s "$tmp/m" "$tmp/mt" || fail "a tab CSV gives another model"
a=$("$bin" text risk eval --model "$tmp/m" --csv "$tmp/te.csv" --json 2>/dev/null)
b=$("$bin" text risk eval --model "$tmp/m" --csv "$tmp/te.semi.csv" --json 2>/dev/null)
[ "$a" = "$b" ] || fail "eval differs on a ';' CSV"
run "$bin" text risk split --csv "$tmp/tr.semi.csv" -o "$tmp/a.csv,$tmp/b.csv"
head -1 "$tmp/a.csv" | grep -q '^patient_id;' || fail "split does not keep the ';' delimiter"
run "$bin" text risk train --csv "$tmp/tr.semi.csv" -o "$tmp/mx" --C 1 --delimiter ,
[ "$rc" = 1 ] && grep -q "tr.semi.csv: line 2: " "$tmp/err" || fail "--delimiter , not applied: $(cat "$tmp/err")"

# --- bad input: said by file and reason
printf 'patient_id,text,label\nA,x,0\nB,y,0\nC,z,0\n' > "$tmp/one.csv"
run "$bin" text risk train --csv "$tmp/one.csv" -o "$tmp/m2"
[ "$rc" = 1 ] && grep -q "one.csv: all 3 rows have label 0" "$tmp/err" || fail "single-class training: $(cat "$tmp/err")"
printf 'patient_id,text,label\nA,x,0\nB,y,1\n' > "$tmp/two.csv"
run "$bin" text risk train --csv "$tmp/two.csv" -o "$tmp/m2"
[ "$rc" = 1 ] && grep -q "two.csv: 2 patients: 5-fold cross-validation" "$tmp/err" || fail "tiny training set: $(cat "$tmp/err")"
grep -q "invalid argument" "$tmp/err" && fail "a bare 'invalid argument'"
printf 'patient_id,text,label\nA,x,0\nB,y,1\nC,z,2\n' > "$tmp/lab.csv"
run "$bin" text risk train --csv "$tmp/lab.csv" -o "$tmp/m2" --C 1
grep -q "lab.csv: line 4: label is not 0 or 1" "$tmp/err" || fail "bad label without its file: $(cat "$tmp/err")"
printf 'patient_id,text\nA,Patient de 70 ans\n,Patient de 60 ans\n' > "$tmp/s1.csv"
run "$bin" text risk score --model "$tmp/m" --csv "$tmp/s1.csv" -o "$tmp/sc.csv"
[ "$rc" = 1 ] && grep -q "s1.csv: line 3: empty patient_id" "$tmp/err" || fail "empty patient_id accepted"
printf 'patient_id,text\nA,\n' > "$tmp/s2.csv"
run "$bin" text risk score --model "$tmp/m" --csv "$tmp/s2.csv" -o "$tmp/sc.csv"
[ "$rc" = 1 ] && grep -q "s2.csv: line 2: empty text" "$tmp/err" || fail "empty text accepted"
[ ! -e "$tmp/sc.csv" ] || fail "scores written despite a bad row"
printf 'patient_id,text,label\nA,Patient de 70 ans,0\nB,,1\n' > "$tmp/e1.csv"
run "$bin" text risk train --csv "$tmp/e1.csv" -o "$tmp/m3" --C 1
[ "$rc" = 1 ] && grep -q "e1.csv: line 3: empty text" "$tmp/err" && [ ! -e "$tmp/m3" ] || fail "empty text trained on ($rc)"
printf 'patient_id,text,label\nA,Patient de 70 ans,0\n,Patient de 60 ans,1\n' > "$tmp/e2.csv"
run "$bin" text risk eval --model "$tmp/m" --csv "$tmp/e2.csv"
[ "$rc" = 1 ] && grep -q "e2.csv: line 3: empty patient_id" "$tmp/err" || fail "eval with an empty patient_id ($rc)"

# --- an output never overwrites an input
cp "$tmp/tr.csv" "$tmp/keep.csv"
run "$bin" text risk train --csv "$tmp/keep.csv" -o "$tmp/keep.csv" --C 1
[ "$rc" = 2 ] && grep -q "is the --csv file: it would be overwritten" "$tmp/err" || fail "train -o = --csv ($rc)"
cmp -s "$tmp/tr.csv" "$tmp/keep.csv" || fail "train overwrote its input"
cp "$tmp/te.csv" "$tmp/keep2.csv"
run "$bin" text risk score --model "$tmp/m" --csv "$tmp/keep2.csv" -o "$tmp/./keep2.csv"
[ "$rc" = 2 ] && cmp -s "$tmp/te.csv" "$tmp/keep2.csv" || fail "score overwrote its input ($rc)"
mkdir -p "$tmp/d"
run "$bin" text risk split --csv "$tmp/tr.csv" -o "$tmp/y.csv,$tmp/d/../y.csv"
[ "$rc" = 2 ] && [ ! -e "$tmp/y.csv" ] || fail "split to one new file under two spellings ($rc)"
cp "$tmp/te.csv" "$tmp/m.calibration.svg"
run "$bin" text risk eval --model "$tmp/m" --csv "$tmp/m.calibration.svg"
[ "$rc" = 2 ] && cmp -s "$tmp/te.csv" "$tmp/m.calibration.svg" || fail "eval's plot overwrote the CSV ($rc)"
rm -f "$tmp/m.calibration.svg"
printf 'patient_id,text\n' > "$tmp/h.csv"
run "$bin" text risk score --model "$tmp/m" --csv "$tmp/h.csv" -o "$tmp/hs.csv"
[ "$rc" = 1 ] && grep -q "h.csv: no data rows to score" "$tmp/err" && [ ! -e "$tmp/hs.csv" ] || fail "score on a header ($rc)"
printf 'patient_id,text,label\nA,Patient de 70 ans,0\nB,"  ",1\n' > "$tmp/w.csv"
run "$bin" text risk train --csv "$tmp/w.csv" -o "$tmp/wm" --C 1
[ "$rc" = 1 ] && grep -q "w.csv: line 3: empty text" "$tmp/err" || fail "a text of spaces trained on ($rc)"
# " P1" and "P1" are one patient: never on both sides of a split
/usr/bin/python3 - "$tmp/tr.csv" "$tmp/pad.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))
with open(sys.argv[2], 'w', newline='', encoding='utf-8') as f:
    w = csv.writer(f)
    w.writerow(rows[0])
    for k, r in enumerate(rows[1:]):
        w.writerow([(' ' + r[0] + ' ') if k % 2 else r[0]] + r[1:])
PY
run "$bin" text risk split --csv "$tmp/pad.csv" -o "$tmp/pa.csv,$tmp/pb.csv" --seed 3
/usr/bin/python3 - "$tmp/pa.csv" "$tmp/pb.csv" <<'PY' || fail "a padded patient id split across both sides"
import csv, sys
a = {r["patient_id"].strip() for r in csv.DictReader(open(sys.argv[1], encoding='utf-8'))}
b = {r["patient_id"].strip() for r in csv.DictReader(open(sys.argv[2], encoding='utf-8'))}
assert a and b and not (a & b), len(a & b)
PY
cp "$tmp/m" "$tmp/mcopy"
run "$bin" text risk score --model "$tmp/mcopy" --csv "$tmp/te.csv" -o "$tmp/mcopy"
[ "$rc" = 2 ] && cmp -s "$tmp/m" "$tmp/mcopy" || fail "score overwrote the model ($rc)"

echo "text risk CLI: ok"
