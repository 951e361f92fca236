#!/usr/bin/env bash
# atelier text deid end to end: no output ever overwrites an input or
# another output; per-patient date shifts and surrogates in CSV files and
# patient folders; every --patient-info field used; CSV delimiters.
set -euo pipefail
bin="${ATELIER_BIN:?}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# run CMD...: sets rc, stderr in $tmp/err
run() { set +e; "$@" 2> "$tmp/err" > "$tmp/out.txt"; rc=$?; set -e; }

# --- data loss: collisions, -o equal to or inside an input, an input under -o
mkdir -p "$tmp/dl/a" "$tmp/dl/b"
echo "M. Jean DUPONT vu ce jour." > "$tmp/dl/a/x.txt"
echo "Mme Anne DURAND vue ce jour." > "$tmp/dl/b/x.txt"
cp "$tmp/dl/a/x.txt" "$tmp/a.orig"
run "$bin" text deid "$tmp/dl/a/x.txt" "$tmp/dl/b/x.txt" -o "$tmp/dl/out"
[ "$rc" = 2 ] || fail "two inputs with one output name: exit $rc, not 2"
grep -q "would both be written to" "$tmp/err" || fail "collision not explained"
[ ! -e "$tmp/dl/out/x.txt" ] || fail "a colliding output was written"
run "$bin" text deid "$tmp/dl/a" "$tmp/dl/b" -o "$tmp/dl/out"
[ "$rc" = 2 ] || fail "two folders with one relative path: exit $rc"
run "$bin" text deid "$tmp/dl/a" -o "$tmp/dl/a"
[ "$rc" = 2 ] && grep -q "is the input" "$tmp/err" || fail "-o equal to the input folder not refused ($rc)"
cmp -s "$tmp/dl/a/x.txt" "$tmp/a.orig" || fail "an original was overwritten"
run "$bin" text deid "$tmp/dl/a" -o "$tmp/dl/a/out"
[ "$rc" = 2 ] && grep -q "is inside the input" "$tmp/err" || fail "-o inside the input folder not refused ($rc)"
[ ! -e "$tmp/dl/a/out" ] || fail "an output folder was made inside the input"
run "$bin" text deid "$tmp/dl/a/x.txt" -o "$tmp/dl/a"
[ "$rc" = 2 ] && grep -q "exists and is not empty; nothing was written (--force writes over it)" "$tmp/err" ||
    fail "an existing -o not refused ($rc)"
run "$bin" text deid "$tmp/dl/a/x.txt" -o "$tmp/dl/a" --force
[ "$rc" = 2 ] && grep -q "is an input" "$tmp/err" || fail "an output over its own input not refused ($rc)"
cmp -s "$tmp/dl/a/x.txt" "$tmp/a.orig" || fail "an original was overwritten in place"
echo '{}' > "$tmp/dl/a/x.txt.json"
run "$bin" text deid "$tmp/dl/a/x.txt" "$tmp/dl/a/x.txt.json" -o "$tmp/dl/out" --json
[ "$rc" = 2 ] || fail "an output colliding with a standoff file not refused ($rc)"
run "$bin" text deid "$tmp/dl/a" -o "$tmp/dl/out"
[ "$rc" = 0 ] && [ -s "$tmp/dl/out/x.txt" ] || fail "a plain folder run failed ($rc)"
grep -q DUPONT "$tmp/dl/out/x.txt" && fail "not de-identified"

# --- per-patient date shifts and surrogates: CSV rows by their patient id
/usr/bin/python3 -c "print('ab' * 32)" > "$tmp/k.key"
mkdir -p "$tmp/pp"
printf 'patient_id,text\nA,"Vu le 01/03/2024, revu le 11/03/2024, M. Jean DUPONT"\nB,"Vu le 01/03/2024, M. Jean DUPONT"\nA,"Le 2024-03-21, M. Jean DUPONT"\n' > "$tmp/pp/n.csv"
run "$bin" text deid "$tmp/pp/n.csv" -o "$tmp/ppo" --column text --mode pseudonymise --key "$tmp/k.key"
[ "$rc" = 0 ] || fail "CSV with patient ids ($rc): $(cat "$tmp/err")"
/usr/bin/python3 - "$tmp/ppo/n.csv" <<'PY' || fail "CSV rows not shifted by their own patient"
import csv, datetime, re, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
def dates(t):
    out = []
    for m in re.finditer(r"(\d{2})/(\d{2})/(\d{4})|(\d{4})-(\d{2})-(\d{2})", t):
        g = m.groups()
        out.append(datetime.date(int(g[2]), int(g[1]), int(g[0])) if g[0] else datetime.date(int(g[3]), int(g[4]), int(g[5])))
    return out
a1, b1, a2 = (dates(r["text"]) for r in rows)
base = datetime.date(2024, 3, 1)
sa, sb = (a1[0] - base).days, (b1[0] - base).days
assert (a1[1] - a1[0]).days == 10, "interval in a row"
assert (a2[0] - datetime.date(2024, 3, 21)).days == sa, "same patient, same shift across rows"
assert sa != sb and sa != 0 and sb != 0, "two patients, two shifts"
name = lambda t: t.split("M. ")[1]
assert name(rows[0]["text"]) == name(rows[2]["text"]) != name(rows[1]["text"]), "surrogates per patient"
assert "DUPONT" not in open(sys.argv[1], encoding="utf-8").read()
PY
run "$bin" text deid "$tmp/pp/n.csv" -o "$tmp/ppo2" --column text --id-column nope
[ "$rc" = 1 ] && grep -q "n.csv: no column named by --id-column" "$tmp/err" || fail "a missing --id-column not reported"
printf 'patient_id,text\nA,"Vu le 01/03/2024"\n,"M. Jean DUPONT"\n' > "$tmp/pp/empty-id.csv"
run "$bin" text deid "$tmp/pp/empty-id.csv" -o "$tmp/ppo3" --column text --mode pseudonymise --key "$tmp/k.key"
[ "$rc" = 1 ] && grep -q "empty-id.csv: line 3: empty patient id" "$tmp/err" || fail "an empty patient id not reported"
[ ! -e "$tmp/ppo3/empty-id.csv" ] || fail "a CSV with an empty patient id was written"

# --- folders: one subfolder per patient with --patient-dirs
mkdir -p "$tmp/pd/P1" "$tmp/pd/P2"
echo "Vu le 01/03/2024 avec M. Jean DUPONT" > "$tmp/pd/P1/a.txt"
cp "$tmp/pd/P1/a.txt" "$tmp/pd/P2/a.txt"
cp "$tmp/pd/P1/a.txt" "$tmp/pd/P1/b.txt"
run "$bin" text deid "$tmp/pd" -o "$tmp/pdo" --patient-dirs --mode pseudonymise --key "$tmp/k.key"
[ "$rc" = 0 ] || fail "--patient-dirs ($rc)"
cmp -s "$tmp/pdo/P1/a.txt" "$tmp/pdo/P1/b.txt" || fail "one patient's documents differ"
cmp -s "$tmp/pdo/P1/a.txt" "$tmp/pdo/P2/a.txt" && fail "two patients got the same shift and surrogates"

# --- CSV delimiters: ';' (French spreadsheets) and tab, read from the header, written back the same
printf 'patient_id;texte;note\nA;"Vu par le Dr Jean DUPONT; tél 06 11 22 33 44";x\nB;RAS, rien;y\n' > "$tmp/pp/fr.csv"
run "$bin" text deid "$tmp/pp/fr.csv" -o "$tmp/fro" --column texte --json
[ "$rc" = 0 ] || fail "';' CSV ($rc): $(cat "$tmp/err")"
grep -q DUPONT "$tmp/fro/fr.csv" && fail "';' CSV column not de-identified"
grep -q '^patient_id;texte;note$' "$tmp/fro/fr.csv" && grep -q '^B;RAS, rien;y$' "$tmp/fro/fr.csv" || fail "';' CSV not written back with ';'"
grep -q '^A;"Vu par le Dr \[PRENOM\] \[NOM\]; tél \[TEL\]";x$' "$tmp/fro/fr.csv" || fail "';' CSV quoting: $(cat "$tmp/fro/fr.csv")"
grep -q '"row":1' "$tmp/fro/fr.csv.json" || fail "';' CSV standoff"
printf 'patient_id\ttext\nA\tM. Jean DUPONT\n' > "$tmp/pp/t.csv"
run "$bin" text deid "$tmp/pp/t.csv" -o "$tmp/fro" --column text --force
printf 'patient_id\ttext\nA\tM. [PRENOM] [NOM]\n' | cmp -s - "$tmp/fro/t.csv" || fail "tab CSV"
run "$bin" text deid "$tmp/pp/fr.csv" -o "$tmp/fro2" --column texte --delimiter ,
[ "$rc" = 1 ] && grep -q "fr.csv: line 2: " "$tmp/err" || fail "--delimiter not applied: $(cat "$tmp/err")"
run "$bin" text deid "$tmp/pp/fr.csv" -o "$tmp/fro2" --column texte --delimiter '|'
[ "$rc" = 2 ] || fail "a bad --delimiter is a usage error ($rc)"

# --- --column with --json: one standoff object per row, offsets into the cell
printf 'id,text\n1,"M. Jean DUPONT, vu le 12/03/2024"\n2,RAS\n' > "$tmp/pp/j.csv"
run "$bin" text deid "$tmp/pp/j.csv" -o "$tmp/jo" --column text --json
/usr/bin/python3 - "$tmp/jo/j.csv.json" <<'PY' || fail "CSV standoff with --json"
import json, sys
rows = json.load(open(sys.argv[1], encoding="utf-8"))
assert [r["row"] for r in rows] == [1, 2], rows
cell = "M. Jean DUPONT, vu le 12/03/2024"
got = [(cell[s["offset"]:s["offset"] + s["length"]], s["label"]) for s in rows[0]["spans"]]
assert got == [("Jean", "PRENOM"), ("DUPONT", "NOM"), ("12/03/2024", "DATE")], got
assert rows[1]["spans"] == []
PY

# --- --patient-info of several patients: each row or patient folder matched
# against its own patient's identity; a row of a patient absent from the
# table gets the rules only (and is counted); a document without a patient
# is refused when the table holds several
mkdir -p "$tmp/mp/notes/P1" "$tmp/mp/notes/P2" "$tmp/mp/ids"
printf 'patient_id,text\nP1,"Vu Soizic Kerhervé, IPP 80012345."\nP2,"Vu Yannick Le Goff, né le 14/07/1955."\nP3,"Vu ce jour."\n' > "$tmp/mp/notes.csv"
printf '# admissions\nid;nom;prenom;date_naissance;ipp\nP1;Kerhervé;Soizic;;80012345\nP2;Le Goff;Yannick;14/07/1955;\n' > "$tmp/mp/patients.csv"
run "$bin" text deid "$tmp/mp/notes.csv" --column text -o "$tmp/mpo" --patient-info "$tmp/mp/patients.csv"
[ "$rc" = 0 ] || fail "patients table ($rc): $(cat "$tmp/err")"
printf 'patient_id,text\nP1,"Vu [PRENOM] [NOM], IPP [IPP]."\nP2,"Vu [PRENOM] [NOM], né le [DATE_NAISSANCE]."\nP3,Vu ce jour.\n' |
  cmp -s - "$tmp/mpo/notes.csv" || fail "patients table: $(cat "$tmp/mpo/notes.csv")"
grep -q "1 document(s) or row(s) of patients absent from --patient-info" "$tmp/err" || fail "absent patient not counted"
grep -q -e P3 -e Kerhervé "$tmp/err" && fail "an id or a name in the messages"
echo "Vu Soizic Kerhervé ce jour." > "$tmp/mp/notes/P1/a.txt"
echo "Vu Yannick Le Goff ce jour." > "$tmp/mp/notes/P2/a.txt"
printf 'nom: Kerhervé\nprenom: Soizic\nid: P1\n' > "$tmp/mp/ids/1.txt"
printf 'nom: Le Goff\nprenom: Yannick\nid: P2\n' > "$tmp/mp/ids/2.txt"
run "$bin" text deid "$tmp/mp/notes" -o "$tmp/mpd" --patient-dirs --patient-info "$tmp/mp/ids"
[ "$rc" = 0 ] || fail "patient folders with identities ($rc): $(cat "$tmp/err")"
grep -q "^Vu \[PRENOM\] \[NOM\] ce jour.$" "$tmp/mpd/P1/a.txt" && grep -q "^Vu \[PRENOM\] \[NOM\] ce jour.$" "$tmp/mpd/P2/a.txt" ||
  fail "identity folder: $(cat "$tmp/mpd/P1/a.txt" "$tmp/mpd/P2/a.txt")"
run "$bin" text deid "$tmp/mp/notes" -o "$tmp/mpn" --patient-info "$tmp/mp/ids"
[ "$rc" = 1 ] && grep -q "no patient for this document, and --patient-info holds 2 patients" "$tmp/err" ||
  fail "documents without a patient against several identities ($rc)"
[ -z "$(find "$tmp/mpn" -type f 2>/dev/null)" ] || fail "output written for a document without its patient"
printf 'id,nom\nP1,Kerhervé\nP1,Le Goff\n' > "$tmp/mp/dup.csv"
run "$bin" text deid "$tmp/mp/notes.csv" --column text -o "$tmp/mpx" --patient-info "$tmp/mp/dup.csv"
[ "$rc" = 1 ] && grep -q "dup.csv: line 3: the same id as line 2" "$tmp/err" || fail "duplicate id ($rc)"

# --- the cells of a CSV detected together (blocks of rows of one patient)
# give the same cells and standoff as each row de-identified alone (a CSV
# of one row), with patients that change from row to row and one absent
# from --patient-info
/usr/bin/python3 - "$tmp/mp" <<'PY'
import csv, os, sys
d = sys.argv[1]
notes = ["Vu Soizic Kerhervé, IPP 80012345, le 12/03/2024. Tél 06 12 34 56 78.",
         "M. Yannick Le Goff, né le 14/07/1955, demeurant 3 rue des Lilas, 29200 Brest.",
         "", "Dr Anne MARTIN (CHU de Rennes) : RAS. Revu le 2024-03-21 par Mme Kerhervé.",
         "Patient suivi par le Dr Jean DUPONT, hôpital Saint-Louis, Paris 10e."]
# (what only a patient's identity finds: the names in lower case, the ipp)
both = " kerhervé et goff revus, appel 80012345, soizic et yannick ok"
rows = [(p, notes[k % len(notes)] + (both if k % 3 else "")) for k, p in enumerate("P1 P1 P2 P3 P1 P2 P2 P3 P1 P1".split())]
os.makedirs(d + "/one", exist_ok=True)
with open(d + "/many.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f); w.writerow(["patient_id", "text"]); w.writerows(rows)
for k, r in enumerate(rows):
    with open(d + "/one/r%d.csv" % k, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f); w.writerow(["patient_id", "text"]); w.writerow(r)
PY
for mode in redact pseudonymise; do
  run "$bin" text deid "$tmp/mp/many.csv" --column text --json --mode "$mode" --key "$tmp/k.key" \
      --patient-info "$tmp/mp/patients.csv" -o "$tmp/mp/many-$mode"
  [ "$rc" = 0 ] || fail "CSV of several rows ($mode, $rc): $(cat "$tmp/err")"
  run "$bin" text deid "$tmp/mp/one" --column text --json --mode "$mode" --key "$tmp/k.key" \
      --patient-info "$tmp/mp/patients.csv" --no-run-consistency -o "$tmp/mp/one-$mode"
  [ "$rc" = 0 ] || fail "CSV rows alone ($mode, $rc): $(cat "$tmp/err")"
  /usr/bin/python3 - "$tmp/mp" "$mode" <<'PY' || fail "CSV rows detected together differ from rows alone ($mode)"
import csv, json, sys
d, mode = sys.argv[1], sys.argv[2]
many = list(csv.reader(open(d + "/many-%s/many.csv" % mode, encoding="utf-8")))[1:]
spans = json.load(open(d + "/many-%s/many.csv.json" % mode, encoding="utf-8"))
assert len(many) == 10 and len(spans) == 10, (len(many), len(spans))
for k in range(10):
    one = list(csv.reader(open(d + "/one-%s/r%d.csv" % (mode, k), encoding="utf-8")))[1:]
    sp = json.load(open(d + "/one-%s/r%d.csv.json" % (mode, k), encoding="utf-8"))
    assert one == [many[k]], (k, one, many[k])
    assert sp[0]["spans"] == spans[k]["spans"] and spans[k]["row"] == k + 1, k
PY
done

# --- the site key never travels with the outputs: refused inside -o, skipped among the inputs
mkdir -p "$tmp/kd"
echo "Vu M. Jean DUPONT." > "$tmp/kd/a.txt"
run "$bin" text deid "$tmp/kd" -o "$tmp/kdo" --mode pseudonymise --key "$tmp/kdo/site.key"
[ "$rc" = 2 ] && [ ! -e "$tmp/kdo" ] || fail "a key inside -o accepted ($rc)"
"$bin" key new "$tmp/kd/site.key" 2>/dev/null
run "$bin" text deid "$tmp/kd" -o "$tmp/kdo" --mode pseudonymise --key "$tmp/kd/site.key"
[ "$rc" = 0 ] || fail "key beside the documents ($rc)"
run "$bin" text deid "$tmp/kd" -o "$tmp/kdo2" --key "$tmp/kd/site.key"
[ "$rc" = 0 ] && grep -q "is the site key: not a document, skipped" "$tmp/err" || fail "the key among the inputs not skipped"
[ ! -e "$tmp/kdo2/site.key" ] && [ -e "$tmp/kdo2/a.txt" ] || fail "the key was copied into the outputs"

# --- a --patient-info file saved by Windows Notepad (byte order mark, CRLF)
# with a surname written with an elided particle
mkdir -p "$tmp/bom"
printf '\xef\xbb\xbfnom: d\xe2\x80\x99Ormesson\r\nipp: 80012345\r\n' > "$tmp/bom/p.txt"
printf "Vu le dossier d'Ormesson (ipp80012345), ORMESSON.\n" > "$tmp/bom/n.txt"
run "$bin" text deid "$tmp/bom/n.txt" -o "$tmp/bomo" --patient-info "$tmp/bom/p.txt"
[ "$rc" = 0 ] || fail "a patient-info file with a BOM ($rc): $(cat "$tmp/err")"
printf 'Vu le dossier [NOM] ([IPP]), [NOM].\n' | cmp -s - "$tmp/bomo/n.txt" || fail "BOM patient info: $(cat "$tmp/bomo/n.txt")"

# --- a mistyped --key path never becomes a new key: refused, with the way to make one
run "$bin" text deid "$tmp/dl/a/x.txt" -o "$tmp/kout" --mode pseudonymise --key "$tmp/no-such.key"
[ "$rc" = 2 ] && grep -q "no key at .*no-such.key; nothing was written (make one with 'atelier key new" "$tmp/err" ||
    fail "a missing --key not refused ($rc): $(cat "$tmp/err")"
[ ! -e "$tmp/no-such.key" ] && [ ! -e "$tmp/kout" ] || fail "a key or an output was made for a mistyped --key"
run "$bin" key new "$tmp/no-such.key"
[ "$rc" = 0 ] && [ "$(stat -c %a "$tmp/no-such.key")" = 600 ] || fail "key new ($rc)"
grep -q -i -e "$(head -c 16 "$tmp/no-such.key")" "$tmp/err" && fail "the key was printed"
run "$bin" key new "$tmp/no-such.key"
[ "$rc" = 1 ] && grep -q "already there" "$tmp/err" || fail "key new over a key ($rc)"
run "$bin" text deid "$tmp/dl/a/x.txt" -o "$tmp/kout2" --mode pseudonymise --key "$tmp/no-such.key"
[ "$rc" = 0 ] || fail "the new key refused ($rc)"
grep -q "created" "$tmp/err" && fail "an existing key announced as created"
# the default key: made on the first run at the default place, said even with --quiet
run env ATELIER_KEY="$tmp/dk/site.key" "$bin" text deid "$tmp/dl/a/x.txt" -o "$tmp/kout3" --mode pseudonymise --quiet
[ "$rc" = 0 ] && grep -q "created the site key .*dk/site.key" "$tmp/err" || fail "default key not made or not said ($rc)"
[ "$(grep -c . "$tmp/err")" = 1 ] || fail "--quiet printed more than the key line: $(cat "$tmp/err")"

# --- the documented --patient-info example (docs/text.md, the block after
# "--patient-info FILE") is accepted as written, so docs and parser agree
src="${ATELIER_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
awk '/^\* `--patient-info FILE`/ { f = 1 }
     f && /^ *```/ { if (b) exit; b = 1; next }
     b { sub(/^  /, ""); print }' "$src/docs/text.md" > "$tmp/doc-patient.txt"
grep -q "^nom: " "$tmp/doc-patient.txt" && grep -q "^id: " "$tmp/doc-patient.txt" ||
    fail "the --patient-info example was not found in docs/text.md"
echo "Mme Soizic Kerhervé, née le 03/02/1961, vue ce jour." > "$tmp/doc-note.txt"
run "$bin" text deid "$tmp/doc-note.txt" -o "$tmp/doc-out" --patient-info "$tmp/doc-patient.txt"
[ "$rc" = 0 ] || fail "the documented --patient-info example is refused ($rc): $(cat "$tmp/err")"
grep -q -e Kerherv -e 1961 "$tmp/doc-out/doc-note.txt" && fail "the documented example's fields were not used"

echo "text deid CLI: ok"
