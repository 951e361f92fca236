#!/usr/bin/env bash
# atelier text extract end to end: tab-separated and JSON-lines output,
# --date for relative dates, and bad input (empty, binary, missing files)
# reported by file while the good files are still processed.
set -euo pipefail
bin="${ATELIER_BIN:?}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
run() { set +e; "$@" 2> "$tmp/err" > "$tmp/out.txt"; rc=$?; set -e; }

printf 'Consultation du 2024-03-12. Homme de 78 ans, OMS à 3, C4 FOLFIRINOX.\nPas de mucite, neutropénie fébrile grade 4. Oxaliplatine 85mg/m2 IV. Scanner il y a 2 mois.\n' > "$tmp/a.txt"
printf 'Fièvre depuis hier.\n' > "$tmp/b.txt"

# --- tab-separated: file, offset, length, type, value, then grade/cycle/qualifiers
run "$bin" text extract "$tmp/a.txt"
[ "$rc" = 0 ] || fail "extract ($rc): $(cat "$tmp/err")"
grep -q "a.txt	16	10	DATE	2024-03-12" "$tmp/out.txt" || fail "ISO date: $(cat "$tmp/out.txt")"
grep -q "	AGE	78" "$tmp/out.txt" || fail "age"
grep -q "	PS	ECOG 3" "$tmp/out.txt" || fail "OMS à 3"
grep -q "	REGIMEN	FOLFIRINOX	cycle 4" "$tmp/out.txt" || fail "C4 FOLFIRINOX"
grep -q "	AE	mucite	\[negated\]" "$tmp/out.txt" || fail "negated mucite"
grep -q "	AE	neutropénie fébrile	grade 4$" "$tmp/out.txt" || fail "febrile neutropenia not graded or wrongly negated"
grep -q "	DOSE	85 mg/m2" "$tmp/out.txt" || fail "glued dose"
grep -q "	DATE	2024-01-12" "$tmp/out.txt" || fail "il y a 2 mois on the calendar"

# --- JSON lines with the file; --date resolves relative dates
run "$bin" text extract "$tmp/b.txt" --json --date 2024-03-01
[ "$rc" = 0 ] || fail "extract --json ($rc)"
/usr/bin/python3 - "$tmp/out.txt" "$tmp/b.txt" <<'PY' || fail "JSON lines"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(rows) == 1, rows
r = rows[0]
assert r["file"] == sys.argv[2] and r["type"] == "DATE" and r["value"] == "2024-02-29" and r["text"] == "hier", r
assert r["negated"] is False and r["offset"] == 15 and r["length"] == 4
PY

# --- one line of 3.3 MB, 300,000 dates in one clause: linear work (once
# quadratic, minutes; now under a second, so the limit is generous)
/usr/bin/python3 -c "print('12/03/2024 ' * 300000)" > "$tmp/long.txt"
set +e
timeout 120 "$bin" text extract "$tmp/long.txt" > "$tmp/out.txt" 2> "$tmp/err"
rc=$?
set -e
[ "$rc" = 0 ] || fail "one long line: exit $rc (124: over 120 s) $(head -c 300 "$tmp/err")"
[ "$(grep -c "	DATE	2024-03-12$" "$tmp/out.txt")" = 300000 ] || fail "one long line: not 300000 dates"

# --- bad input: each reported by file, the good file still processed, exit 1
: > "$tmp/empty.txt"
printf 'Mme Durand\000binaire' > "$tmp/bin.txt"
run "$bin" text extract "$tmp/empty.txt" "$tmp/bin.txt" "$tmp/missing.txt" "$tmp/b.txt"
[ "$rc" = 1 ] || fail "bad files must give exit status 1 (got $rc)"
grep -q "empty.txt: empty document" "$tmp/err" || fail "empty file not reported: $(cat "$tmp/err")"
grep -q "bin.txt: byte 10: not UTF-8" "$tmp/err" || fail "binary file not reported"
grep -q "missing.txt" "$tmp/err" || fail "missing file not reported"
grep -q Durand "$tmp/err" && fail "an error message holds document content"
grep -q "b.txt	.*DATE" "$tmp/out.txt" || fail "the good file was not processed"
# --- --date must be a day of the calendar: usage error naming the option
for d in hello 2024-02-30 2023-02-29 2024-3-1 ""; do
    run "$bin" text extract "$tmp/b.txt" --date "$d"
    [ "$rc" = 2 ] || fail "--date '$d': exit $rc, not 2"
    grep -q -- "--date" "$tmp/err" || fail "--date '$d': the message does not name the option"
    [ -s "$tmp/out.txt" ] && fail "--date '$d': mentions written"
done
run "$bin" text extract "$tmp/b.txt" --date
[ "$rc" = 2 ] || fail "--date without a value: exit $rc, not 2"
# --- a day not on the calendar is no date (it was rolled over into March)
printf 'Vu le 31/02/2024, le 29/02/2023 et le 29/02/2024.\n' > "$tmp/c.txt"
run "$bin" text extract "$tmp/c.txt"
[ "$rc" = 0 ] || fail "impossible dates: exit $rc"
[ "$(cut -f4,5 "$tmp/out.txt")" = "DATE	2024-02-29" ] || fail "impossible dates: $(cat "$tmp/out.txt")"

# --- a date without a year and no year to take (no --date, no full date in
# the note): the ISO 8601 month-day, never an empty value
printf 'Revu le 12/03, puis le 12 mars.\n' > "$tmp/noyear.txt"
run "$bin" text extract "$tmp/noyear.txt"
[ "$rc" = 0 ] || fail "dates without a year: exit $rc"
[ "$(cut -f4,5 "$tmp/out.txt")" = "$(printf 'DATE\t--03-12\nDATE\t--03-12')" ] ||
    fail "dates without a year (TSV): $(cat "$tmp/out.txt")"
run "$bin" text extract "$tmp/noyear.txt" --json
[ "$rc" = 0 ] || fail "dates without a year --json: exit $rc"
/usr/bin/python3 - "$tmp/out.txt" <<'PY' || fail "dates without a year (JSON): $(cat "$tmp/out.txt")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert [(r["type"], r["text"], r["value"]) for r in rows] == [
    ("DATE", "12/03", "--03-12"), ("DATE", "12 mars", "--03-12")], rows
PY
run "$bin" text extract "$tmp/noyear.txt" --date 2023-06-01
[ "$(cut -f5 "$tmp/out.txt" | sort -u)" = 2023-03-12 ] || fail "--date gives the year: $(cat "$tmp/out.txt")"

run "$bin" text extract --bogus "$tmp/b.txt"
[ "$rc" = 2 ] || fail "unknown option: exit $rc, not 2"
run "$bin" text extract
[ "$rc" = 2 ] || fail "no input: exit $rc, not 2"

# --- a document date before 1970 is a date like any other
printf 'Revu hier.\n' > "$tmp/old.txt"
run "$bin" text extract "$tmp/old.txt" --date 1965-03-10
[ "$rc" = 0 ] && grep -q "DATE	1965-03-09" "$tmp/out.txt" || fail "--date before 1970: $(cat "$tmp/out.txt")"

echo "text extract CLI: ok"
