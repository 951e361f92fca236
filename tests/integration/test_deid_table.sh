#!/bin/bash
# The committed src/deid/profile_table.c is what scripts/gen-deid-table makes
# of the PS3.15 Table E.1-1 JSON (skipped where the JSON is not present), and
# so are the allow-list (src/deid/allow_table.c, docs/deid-allowlist.md, from
# data/deid/allowlist.txt) and the folding table (src/deid/fold_table.c).
# The vocabulary of known safe words (src/deid/vocab_table.c) is what
# scripts/gen-deid-vocabulary makes of the Debian packages it names
# (skipped where one is missing; they record their versions in the file).
set -u
SRC=${ATELIER_SOURCE_DIR:?}
if [ -d /usr/share/gdcm-3.0/XML ] && [ -f /usr/share/hunspell/en_med_glut.dic ] && [ -f /usr/share/hunspell/fr.dic ] \
    && [ -f /usr/share/dict/french ]; then
    V=$(mktemp "${TMPDIR:-/tmp}/atelier-deid-vocab-XXXXXX")
    /usr/bin/python3 "$SRC/scripts/gen-deid-vocabulary" "$V" >/dev/null || { rm -f "$V"; echo "FAIL: vocabulary generator"; exit 1; }
    cmp -s "$V" "$SRC/src/deid/vocab_table.c" || { rm -f "$V"; echo "FAIL: src/deid/vocab_table.c is stale (or the packages' versions changed); run scripts/gen-deid-vocabulary"; exit 1; }
    rm -f "$V"
    echo "ok: vocabulary as generated"
else
    echo "vocabulary check skipped: its Debian packages are not all installed"
fi
# shared/ lies beside the checkout (as in CI); an explicit path may be given
JSON=${ATELIER_DEID_TABLE_JSON:-$SRC/../shared/data/confidentiality_profile_attributes.json}
if [ ! -f "$JSON" ]; then
    echo "skipped: $JSON not present"
    exit 0
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/atelier-deid-table-XXXXXX")
trap 'rm -rf "$T"' EXIT
/usr/bin/python3 "$SRC/scripts/gen-deid-table" "$JSON" "$T/profile_table.c" "$T/allow_table.c" "$T/deid-allowlist.md" \
    "$T/fold_table.c" >/dev/null || { echo "FAIL: generator"; exit 1; }
for f in src/deid/profile_table.c src/deid/allow_table.c docs/deid-allowlist.md src/deid/fold_table.c; do
    cmp -s "$T/$(basename "$f")" "$SRC/$f" || { echo "FAIL: $f is stale; run scripts/gen-deid-table"; exit 1; }
done
# spot checks against the JSON itself, independent of the generator
/usr/bin/python3 - "$JSON" "$SRC/src/deid/profile_table.c" <<'PY' || exit 1
import json, re, sys
rows = json.load(open(sys.argv[1]))
table = open(sys.argv[2]).read()
cols = ["rtnSafePrivOpt", "rtnUIDsOpt", "rtnDevIdOpt", "rtnInstIdOpt", "rtnPatCharsOpt",
        "rtnLongFullDatesOpt", "rtnLongModifDatesOpt", "cleanDescOpt", "cleanStructContOpt", "cleanGraphOpt"]
n = 0
for r in rows:
    t = r["tag"]
    if not re.fullmatch(r"\([0-9A-F]{4},[0-9A-F]{4}\)", t):
        continue
    m = re.search(r"\{0x%s%su, 0xFFFFFFFFu, \"[^\"]*\", \"([^\"]+)\", '(.)', \"([-KC]{10})\"\}" % (t[1:5], t[6:10]), table)
    assert m, t
    assert m.group(1) == r["basicProfile"], t
    assert m.group(2) in r["basicProfile"].replace("*", ""), t
    assert m.group(3) == "".join(r.get(c, "-") for c in cols), t
    n += 1
assert n == 617, n
print("ok: %d rows match" % n)
PY
