#!/bin/bash
# atelier deid end to end: synthetic study in, pseudonymised tree out.
# Checks: same key -> byte-identical outputs whatever --threads; another key
# -> different outputs; dcmdump reads every output (every transfer syntax)
# with no error and no warning; no identifying value of the input remains;
# referential integrity across files; inputs untouched; rejected and
# quarantined inputs reported by number and output path, never by input path
# (unless --report-input-paths); FIFOs and links in walks skipped and
# counted, a FIFO INPUT refused without blocking; an empty input folder
# exits 1; key file created 0600; --json; usage errors.
set -u
BIN=${ATELIER_BIN:?}
T=$(mktemp -d "${TMPDIR:-/tmp}/atelier-deid-cli-XXXXXX")
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$BIN" synth study --out "$T/in" --series 2 --slices 3 --size 32 --seed 5 2>/dev/null || fail "synth study"
[ "$(find "$T/in" -name '*.dcm' | wc -l)" = 6 ] || fail "synth study wrote 6 files"
(cd "$T/in" && find . -type f -print0 | sort -z | xargs -0 sha256sum) > "$T/in.sha"

# identifying values of the input, read back with dcmdump
name=$(dcmdump +P PatientName "$T/in/S1_CT/IM0001.dcm" | sed 's/.*\[\(.*\)\].*/\1/')
pid=$(dcmdump +P PatientID "$T/in/S1_CT/IM0001.dcm" | sed 's/.*\[\(.*\)\].*/\1/')
sop=$(dcmdump +P SOPInstanceUID "$T/in/S1_CT/IM0001.dcm" | sed 's/.*\[\(.*\)\].*/\1/')
[ -n "$name" ] && [ -n "$pid" ] && [ -n "$sop" ] || fail "could not read input identity"
family=${name%%^*}

"$BIN" key new "$T/k1" 2>/dev/null && "$BIN" key new "$T/k2" 2>/dev/null || fail "key new"
"$BIN" deid "$T/in" -o "$T/o1" --key "$T/k1" --threads 1 -q || fail "deid run 1"
"$BIN" deid "$T/in" -o "$T/o2" --key "$T/k1" --threads 2 --sync -q || fail "deid run 2"
"$BIN" deid "$T/in" -o "$T/o3" --key "$T/k2" --threads 2 -q || fail "deid run 3"
[ "$(stat -c %a "$T/k1")" = 600 ] || fail "key file mode is not 0600"
diff -r "$T/o1" "$T/o2" >/dev/null || fail "outputs differ between --threads 1 and 2 with the same key"
[ "$(cd "$T/o1" && find . -name '*.dcm' | sort)" != "$(cd "$T/o3" && find . -name '*.dcm' | sort)" ] ||
    fail "a different key gave the same pseudonyms"
(cd "$T/in" && find . -type f -print0 | sort -z | xargs -0 sha256sum) | cmp -s - "$T/in.sha" || fail "input modified"

n=0
for f in $(find "$T/o1" -name '*.dcm'); do
    n=$((n + 1))
    dcmdump "$f" >/dev/null 2>"$T/err" || fail "dcmdump cannot read $f"
    [ -s "$T/err" ] && fail "dcmdump complains about $f: $(head -1 "$T/err")"
    rel=${f#"$T/o1/"}
    [ "$(echo "$rel" | tr -cd / | wc -c)" = 3 ] || fail "layout is not patient/study/series/file: $rel"
done
[ "$n" = 6 ] || fail "expected 6 outputs, got $n"
grep -rqa -- "$family" "$T/o1" && fail "patient name left in the output"
grep -rqa -- "$pid" "$T/o1" && fail "patient ID left in the output"
grep -rqa -- "$sop" "$T/o1" && fail "original SOP Instance UID left in the output"

# pixel data passes through unchanged
/usr/bin/python3 - "$T/in" "$T/o1" <<'EOF' || fail "pixel data changed"
import os, sys, pydicom
def pixels(root):
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            if f.endswith(".dcm"):
                ds = pydicom.dcmread(os.path.join(d, f))
                out[(ds.Modality, int(ds.InstanceNumber))] = bytes(ds.PixelData)
    return out
a, b = pixels(sys.argv[1]), pixels(sys.argv[2])
assert len(a) == 6 and a == b, (len(a), len(b))
EOF

# the same through implicit VR, big endian and deflated inputs (dcmdump: no error, no warning)
for ts in 1.2.840.10008.1.2 1.2.840.10008.1.2.2 1.2.840.10008.1.2.1.99; do
    rm -rf "$T/ts_in" "$T/ts_out"
    "$BIN" synth study --out "$T/ts_in" --series 2 --slices 3 --size 16 --seed 5 --transfer-syntax $ts 2>/dev/null ||
        fail "synth $ts"
    "$BIN" deid "$T/ts_in" -o "$T/ts_out" --key "$T/k1" -q || fail "deid $ts"
    for f in $(find "$T/ts_out" -name '*.dcm'); do
        dcmdump "$f" >/dev/null 2>"$T/err" || fail "dcmdump $ts $f"
        [ -s "$T/err" ] && fail "dcmdump warns about an output of $ts: $(head -1 "$T/err")"
    done
    /usr/bin/python3 - "$T/ts_in" "$T/ts_out" <<'EOF' || fail "pixel data changed ($ts)"
import os, sys, pydicom
def pixels(root):
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            if f.endswith(".dcm"):
                ds = pydicom.dcmread(os.path.join(d, f))
                out[(ds.Modality, int(ds.InstanceNumber))] = (ds.file_meta.TransferSyntaxUID, ds.pixel_array.tobytes())
    return out
a, b = pixels(sys.argv[1]), pixels(sys.argv[2])
assert len(a) == 6 and a == b, (len(a), len(b))
EOF
done

# referential integrity: each reference names a SOP Instance UID of the output
refs=$(for f in $(find "$T/o1" -name '*.dcm'); do dcmdump +P ReferencedSOPInstanceUID "$f"; done |
    sed -n 's/.*\[\(2\.25\.[0-9]*\)\].*/\1/p' | sort -u)
sops=$(for f in $(find "$T/o1" -name '*.dcm'); do dcmdump +P SOPInstanceUID "$f"; done |
    sed -n 's/.*\[\(.*\)\].*/\1/p' | sort -u)
[ "$(echo "$refs" | wc -l)" = 4 ] || fail "expected 4 image references, got: $refs"
for r in $refs; do echo "$sops" | grep -qx "$r" || fail "reference $r points to no output instance"; done
dcmdump +P PatientIdentityRemoved "$(find "$T/o1" -name '*.dcm' | head -1)" | grep -q YES || fail "0012,0062 not YES"

# rejected and quarantined inputs, in a folder named like a patient (as
# hospital exports often are): the report names no input path by default
M="$T/DUPONT_JEAN_1234567"
mkdir -p "$M/sub"
cp "$T/in/S1_CT/IM0001.dcm" "$M/ok.dcm"
echo "not dicom at all" >"$M/sub/notes.txt"
head -c 700 "$T/in/S1_CT/IM0002.dcm" >"$M/sub/truncated.dcm"
cp "$T/in/S2_MR/IM0001.dcm" "$M/us.dcm"
ln -s .. "$M/sub/loop" # a cycle: must not be followed
ln -s "$M/nowhere" "$M/sub/dangling"
mkfifo "$M/sub/pipe" # a FIFO in a walk: skipped and counted, never opened
dcmodify -nb -m "(0008,0060)=US" "$M/us.dcm" || fail "dcmodify"
timeout 60 "$BIN" deid "$M" -o "$T/o4" --key "$T/k1" --json >"$T/report.json" 2>"$T/err4"
rc=$?
[ "$rc" = 1 ] || fail "rejected inputs should exit 1, got $rc"
grep -q "skipped in the folders: 1 not regular files" "$T/err4" || fail "skipped entries not summarised: $(cat "$T/err4")"
/usr/bin/python3 - "$T/report.json" "$T/o4/deid-report.json" <<'EOF' || fail "report content"
import json, sys
a = json.load(open(sys.argv[1]))
b = json.load(open(sys.argv[2]))
assert a == b, "stdout and report file differ"
assert a["files_seen"] == 4 and a["files_done"] == 1, a
assert a["files_quarantined"] == 1 and a["files_rejected"] == 2, a
assert a["skipped_not_regular"] == 1 and a["skipped_dangling_links"] == 1 and a["skipped_folder_links"] == 1, a
# walk order: the folder's files by name (ok.dcm, us.dcm), then sub/ (notes.txt, truncated.dcm)
assert sorted(r["input"] for r in a["rejected"]) == [3, 4], a["rejected"]
q = a["quarantined"][0]
assert q["input"] == 2 and q["output"].startswith("quarantine/ATL") and q["output"].endswith(".dcm"), q
for r in a["rejected"] + a["quarantined"]:
    assert r["reason"] and "file" not in r, r
notes = [r for r in a["rejected"] if r["input"] == 3][0]
assert "not a DICOM file" in notes["reason"] and notes["reason"].startswith("input 3:"), notes
assert "dicom" not in notes["reason"].replace("DICOM", ""), notes  # no bytes of the file quoted
EOF
for w in DUPONT 1234567 notes.txt truncated us.dcm ok.dcm; do
    grep -q -- "$w" "$T/o4/deid-report.json" && fail "the report names an input path ($w)"
done
q=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["quarantined"][0]["output"])' "$T/report.json")
[ -f "$T/o4/$q" ] || fail "quarantined output path in the report does not exist: $q"
[ "$(find "$T/o4/quarantine" -name '*.dcm' | wc -l)" = 1 ] || fail "quarantine holds the US file"
[ "$(find "$T/o4" -name '*.dcm' | wc -l)" = 2 ] || fail "no output for rejected inputs"
grep -rqa -- "$family" "$T/o4" && fail "identity left in the quarantine, outputs or report"
# on request (documented as possibly identifying), input paths relative to their root
"$BIN" deid "$M" -o "$T/o4p" --key "$T/k1" --report-input-paths -q 2>/dev/null
/usr/bin/python3 - "$T/o4p/deid-report.json" <<'EOF' || fail "report with input paths"
import json, sys
a = json.load(open(sys.argv[1]))
assert sorted(r["file"] for r in a["rejected"]) == ["sub/notes.txt", "sub/truncated.dcm"], a["rejected"]
assert a["quarantined"][0]["file"] == "us.dcm", a["quarantined"]
EOF
# the same instance twice (a re-export): one output, the later input
# rejected as a duplicate, into a fresh output (built in OUT.partial-PID,
# most files named at once) and into an existing one (--force), on one
# thread and on two
mkdir -p "$T/dups"
for i in 1 2 3; do cp "$T/in/S1_CT/IM0001.dcm" "$T/dups/c$i.dcm"; done
cp "$T/in/S1_CT/IM0002.dcm" "$T/dups/d.dcm"
for th in 1 2; do
    for mode in fresh existing; do
        o="$T/od$th"
        [ "$mode" = fresh ] && rm -rf "$o"
        "$BIN" deid "$T/dups" -o "$o" --key "$T/k1" --threads "$th" --force --json >"$T/dups.json" 2>/dev/null
        rc=$?
        [ "$rc" = 1 ] || fail "duplicates ($mode, $th threads): exit $rc"
        [ "$(find "$o" -name '*.dcm' | wc -l)" = 2 ] || fail "duplicates ($mode, $th threads): not 2 outputs"
        compgen -G "$o.partial-*" >/dev/null && fail "duplicates ($mode): partial folder left"
        [ -z "$(find "$o" -name '.deid.tmp.*')" ] || fail "duplicates ($mode): temporary file left"
        /usr/bin/python3 - "$T/dups.json" <<'EOF2' || fail "duplicates ($mode, $th threads): report"
import json, sys
a = json.load(open(sys.argv[1]))
assert a["files_done"] == 2 and a["files_rejected"] == 2, a
assert sorted(r["input"] for r in a["rejected"]) == [2, 3], a["rejected"]
assert all("duplicate SOP Instance UID" in r["reason"] for r in a["rejected"]), a["rejected"]
EOF2
    done
    cmp <(cd "$T/od1" 2>/dev/null && find . -name '*.dcm' -print0 | sort -z | xargs -0 sha256sum) \
        <(cd "$T/od$th" && find . -name '*.dcm' -print0 | sort -z | xargs -0 sha256sum) ||
        fail "duplicates: outputs differ between 1 and $th threads"
done
mkdir -p "$T/mixed"
cp "$M/us.dcm" "$M/ok.dcm" "$T/mixed/"

# a FIFO given as INPUT (deid) or FILE (dicom dump, convert): refused at once, never blocks
mkfifo "$T/fifo.dcm"
timeout 20 "$BIN" deid "$T/fifo.dcm" -o "$T/o8" --key "$T/k1" -q 2>"$T/err8"
rc=$?
[ "$rc" = 1 ] || fail "deid on a FIFO should exit 1, got $rc"
grep -q "not a regular file or a folder (a FIFO)" "$T/err8" || fail "deid FIFO message: $(cat "$T/err8")"
timeout 20 "$BIN" dicom dump "$T/fifo.dcm" >/dev/null 2>"$T/err9"
rc=$?
[ "$rc" = 1 ] || fail "dicom dump on a FIFO should exit 1, got $rc"
grep -q "not a regular file (a FIFO)" "$T/err9" || fail "dump FIFO message: $(cat "$T/err9")"
timeout 20 "$BIN" dicom convert "$T/fifo.dcm" "$T/x.dcm" 2>/dev/null
[ $? = 1 ] || fail "dicom convert on a FIFO should exit 1"

# no input file at all (an empty folder): exit 1 and say so
mkdir -p "$T/empty"
"$BIN" deid "$T/empty" -o "$T/o9" --key "$T/k1" -q 2>"$T/err10"
rc=$?
[ "$rc" = 1 ] || fail "an empty input folder should exit 1, got $rc"
grep -q "no input file found" "$T/err10" || fail "empty folder message: $(cat "$T/err10")"

"$BIN" deid "$T/mixed/us.dcm" -o "$T/o5" --key "$T/k1" --allow-burned-in -q || fail "--allow-burned-in"
[ -d "$T/o5/quarantine" ] && fail "--allow-burned-in still quarantined"

# default key path from ATELIER_KEY, created 0600
ATELIER_KEY="$T/keys/site.key" "$BIN" deid "$T/mixed/ok.dcm" -o "$T/o6" -q || fail "default key run"
[ "$(stat -c %a "$T/keys/site.key")" = 600 ] || fail "default key not created 0600"

# usage
"$BIN" deid --help | grep -q "OUTDIR" || fail "--help"
"$BIN" deid "$T/in" 2>/dev/null; [ $? = 2 ] || fail "missing -o should be a usage error"
"$BIN" deid "$T/in" -o "$T/o7" --option nope 2>/dev/null; [ $? = 2 ] || fail "unknown option should be a usage error"
"$BIN" deid "$T/in" -o "$T/o7" --option full-dates --option modified-dates 2>/dev/null
[ $? = 2 ] || fail "full-dates with modified-dates should be a usage error"
"$BIN" demo --part door >"$T/demo.txt" || fail "demo" # the door only (the whole demo trains a model)
grep -q "PatientName" "$T/demo.txt" && grep -q "pseudonym" "$T/demo.txt" || fail "demo output"
echo "ok"
