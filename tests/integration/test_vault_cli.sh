#!/usr/bin/env bash
# atelier vault end to end: init, a dataset, snapshots with parents, ls,
# get (whole, one path, a folder), verify clean and after tampering, a
# wrong master key, gc, shredding, usage errors; restic-free.
set -euo pipefail
bin="${ATELIER_BIN:?}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$bin" synth study --series 2 --slices 5 --size 128 --seed 4 --out "$tmp/src/dicom" >/dev/null
printf 'id,age\nP1,60\n' > "$tmp/src/table.csv"
head -c 3000000 /dev/urandom > "$tmp/src/weights.bin"

room="$tmp/room"
"$bin" vault init "$room" 2>"$tmp/err" | grep -q "ready" || fail "init"
[ "$(stat -c %a "$room/keys/master.key")" = 600 ] || fail "master key not 0600"
[ "$(stat -c %a "$room/keys")" = 700 ] || fail "keys folder not 0700"
[ "$(stat -c %a "$room/vault")" = 700 ] || fail "vault folder not 0700"
ds=$("$bin" vault create "$room")
[[ "$ds" =~ ^[0-9a-f]{32}$ ]] || fail "dataset id: $ds"

# a first snapshot, then a child that replaces, adds and removes
"$bin" vault put "$room" "${ds:0:6}" "$tmp/src" -q --json > "$tmp/put1"
s1=$(sed 's/.*"snapshot": "\([0-9a-f]*\)".*/\1/' "$tmp/put1")
grep -q '"files": 12' "$tmp/put1" || fail "first snapshot: $(cat "$tmp/put1")"
printf 'id,age\nP1,61\n' > "$tmp/table.csv"
"$bin" vault put "$room" "$ds@latest" "$tmp/table.csv" --remove dicom/S2_MR -q --json > "$tmp/put2"
grep -q '"files": 7' "$tmp/put2" || fail "child snapshot: $(cat "$tmp/put2")"
grep -q '"files_removed": 5' "$tmp/put2" || fail "child snapshot removed: $(cat "$tmp/put2")"
grep -q '"chunks_new": 1,' "$tmp/put2" || fail "only the new table is new: $(cat "$tmp/put2")"
"$bin" vault ls "$room" "$ds" | wc -l | grep -qx 2 || fail "two snapshots listed"
"$bin" vault ls "$room" "$ds@latest" | grep -q " table.csv$" || fail "ls of a snapshot"
"$bin" vault ls "$room" "$ds@${s1:0:10}" --json | grep -q '"path": "dicom/S2_MR/IM0001.dcm"' || fail "ls json"

# get: all of it, one file, a folder; files identical, private modes
"$bin" vault get "$room" "$ds@$s1" -o "$tmp/out" -q --check >/dev/null
diff -r "$tmp/src" "$tmp/out" || fail "round trip differs"
[ "$(stat -c %a "$tmp/out")" = 700 ] && [ "$(stat -c %a "$tmp/out/table.csv")" = 400 ] || fail "modes"
"$bin" vault get "$room" "$ds@latest" table.csv -o "$tmp/one" -q >/dev/null
cmp "$tmp/table.csv" "$tmp/one/table.csv" || fail "one path"
"$bin" vault get "$room" "$ds@latest" dicom -o "$tmp/sub" -q >/dev/null
diff -r "$tmp/src/dicom/S1_CT" "$tmp/sub/dicom/S1_CT" || fail "a folder"
[ ! -e "$tmp/sub/dicom/S2_MR" ] || fail "a removed folder came back"
set +e
"$bin" vault get "$room" "$ds@latest" -o "$tmp/out" -q 2>"$tmp/err"; rc=$?
set -e
[ "$rc" = 2 ] && grep -q "exists and is not empty; nothing was written" "$tmp/err" || fail "get into an existing folder"
mkdir "$tmp/empty"
"$bin" vault get "$room" "$ds@latest" table.csv -o "$tmp/empty" -q || fail "an empty folder is taken"
cmp "$tmp/table.csv" "$tmp/empty/table.csv" || fail "get into an empty folder"
set +e
"$bin" vault get "$room" "$ds@latest" --bogus -o "$tmp/x" 2>"$tmp/err"; rc=$?
set -e
[ "$rc" = 2 ] && grep -q "unknown option '--bogus'" "$tmp/err" || fail "unknown option wording"

# verify: clean, then one byte of a chunk
"$bin" vault verify "$room" > "$tmp/v" || fail "verify of a clean vault: $(cat "$tmp/v")"
grep -q "^vault verified" "$tmp/v" || fail "verify summary"
chunk=$(find "$room/vault/datasets/$ds/chunks" -type f -size +200k | head -1) # weights.bin: in both snapshots
printf '\x01' | dd of="$chunk" bs=1 seek=45 conv=notrunc 2>/dev/null
set +e
"$bin" vault verify "$room" --json > "$tmp/v"; rc=$?
set -e
[ "$rc" = 1 ] || fail "verify must fail on a corrupted chunk"
grep -q '"ok": false' "$tmp/v" && grep -q '"corrupt_chunks": 1' "$tmp/v" || fail "verify json: $(cat "$tmp/v")"
grep -q "$(basename "$chunk") corrupted (authentication failed), needed by snapshot" "$tmp/v" || fail "chunk not named"
rm -rf "$tmp/bad"
set +e
"$bin" vault get "$room" "$ds@$s1" -o "$tmp/bad" -q 2>"$tmp/err"; rc=$?
set -e
[ "$rc" = 1 ] && [ ! -e "$tmp/bad" ] || fail "reading a corrupted snapshot must fail and leave nothing"
ls "$tmp" | grep -q part && fail "a partial folder was left"

# a wrong master key
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$tmp/other.key"
set +e
"$bin" vault ls "$room" --master-key "$tmp/other.key" 2>"$tmp/err"; rc=$?
set -e
[ "$rc" = 1 ] && grep -q "wrong master key" "$tmp/err" || fail "a wrong master key: $(cat "$tmp/err")"

# gc after forgetting the first snapshot; shredding
"$bin" vault forget "$room" "$ds@$s1"
"$bin" vault gc "$room" | grep -q "removed" || fail "gc"
ds2=$("$bin" vault create "$room")
"$bin" vault put "$room" "$ds2" "$tmp/src/table.csv" -q >/dev/null
set +e
"$bin" vault shred "$room" "$ds2" 2>"$tmp/err"; rc=$?
set -e
[ "$rc" = 2 ] || fail "shred without --yes"
"$bin" vault shred "$room" "$ds2" --yes | grep -q "key destroyed" || fail "shred"
"$bin" vault verify "$room" "$ds2" | grep -q "crypto-shredded" || fail "verify says shredded"
set +e
"$bin" vault get "$room" "$ds2@latest" -o "$tmp/gone" -q 2>"$tmp/err"; rc=$?
set -e
[ "$rc" = 1 ] && grep -q "crypto-shredded" "$tmp/err" || fail "a shredded dataset must be unreadable"

# usage
set +e
"$bin" vault frobnicate "$room" 2>/dev/null; rc=$?
set -e
[ "$rc" = 2 ] || fail "unknown vault command"
"$bin" vault --help | grep -q "low-level" || fail "help"
echo "vault cli: ok"
