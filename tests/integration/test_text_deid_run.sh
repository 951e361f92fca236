#!/usr/bin/env bash
# atelier text deid: consistency across the documents of one run. An
# invented acronym defined beside its establishment in one note and
# written alone in another is found in both (not with
# --no-run-consistency); a word of the language labelled as a name once
# is not carried to the other notes; the run's words are in no output
# but the spans.
set -euo pipefail
bin="${ATELIER_BIN:?}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p "$tmp/in/sub"
printf "Patiente suivie à l'Institut Xavier Olmetta (IXO) depuis 2019.\nCompte rendu de M. Pierre CARBONE, biologiste.\n" > "$tmp/in/a.txt"
printf "Bilan fait à l'IXO le mois dernier. Revue en consultation.\nDosage du Carbone et du Fer sanguins.\n" > "$tmp/in/sub/b.txt"

"$bin" text deid "$tmp/in" -o "$tmp/on" --json > "$tmp/log" 2>&1 || fail "run failed: $(cat "$tmp/log")"
grep -q "IXO" "$tmp/on/a.txt" && fail "the defined acronym kept in the first note"
grep -q "IXO" "$tmp/on/sub/b.txt" && fail "the acronym alone not found from the run's other note"
grep -q "l'\[HOPITAL\] le mois" "$tmp/on/sub/b.txt" || fail "the acronym not labelled HOPITAL: $(cat "$tmp/on/sub/b.txt")"
grep -q "Dosage du Carbone et du Fer" "$tmp/on/sub/b.txt" || fail "a known word labelled once was carried: $(cat "$tmp/on/sub/b.txt")"
grep -q "CARBONE" "$tmp/on/a.txt" && fail "the name itself not found"
grep -qi "ixo\|olmetta" "$tmp/log" && fail "a run word in the log"

"$bin" text deid "$tmp/in" -o "$tmp/off" --no-run-consistency --quiet || fail "--no-run-consistency run failed"
grep -q "l'IXO le mois" "$tmp/off/sub/b.txt" || fail "the acronym found without run consistency (the test shows nothing)"
grep -q "IXO" "$tmp/off/a.txt" && fail "the defined acronym kept without run consistency"

# one document: a single pass, as before
"$bin" text deid "$tmp/in/sub/b.txt" -o "$tmp/one" --quiet || fail "one document failed"
grep -q "l'IXO le mois" "$tmp/one/b.txt" || fail "one document alone: the acronym found from nowhere"
echo ok
