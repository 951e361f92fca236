#!/bin/bash
# atelier learn from the command line: bench --json, train on the synthetic
# task with a metrics log and checkpoint, resume, and clear errors for bad
# configs, shapes and checkpoints.
set -u
bin=${ATELIER_BIN:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# bench on a tiny model: one JSON line with the documented keys
out=$("$bin" learn bench --base 4 --depth 2 --batch 2 --size 32 --threads 1 --steps 1 --json) || fail "bench"
for k in train_slices_per_s infer_slices_per_s train_gflops infer_gflops; do
  echo "$out" | grep -q "\"$k\":" || fail "bench json lacks $k: $out"
done
"$bin" learn bench --help | grep -q -- "--bf16" || fail "bench help"

# size not divisible by 2^depth: clear error, exit 1
err=$("$bin" learn bench --depth 4 --size 40 --batch 1 2>&1); rc=$?
[ $rc = 1 ] || fail "bad size exit $rc"
echo "$err" | grep -q "not divisible by 2^depth = 16" || fail "bad size message: $err"

# unknown config key names file and line
printf 'base = 4\nlearnin_rate = 1\n' >"$tmp/bad.cfg"
err=$("$bin" learn train --config "$tmp/bad.cfg" --out "$tmp/o" 2>&1); rc=$?
[ $rc = 1 ] || fail "bad config exit $rc"
echo "$err" | grep -q "bad.cfg:2: unknown key 'learnin_rate'" || fail "bad config message: $err"

# a short training run, then a resume that continues from the checkpoint
cat >"$tmp/t.cfg" <<CFG
mode = 2d
base = 4
depth = 2
size = 16
batch = 4
epochs = 2
lr = 0.005
threads = 1
CFG
"$bin" learn train --config "$tmp/t.cfg" --out "$tmp/run" --samples 24 --quiet >"$tmp/log" 2>&1 || { cat "$tmp/log"; fail "train"; }
[ -s "$tmp/run/checkpoint.safetensors" ] || fail "no checkpoint"
grep -q '"val_loss"' "$tmp/run/metrics.jsonl" || fail "no validation line"
[ "$(grep -c '"epoch":2,"step"' "$tmp/run/metrics.jsonl")" = 1 ] || fail "epoch 2 missing"
sed -i 's/epochs = 2/epochs = 3/' "$tmp/t.cfg"
"$bin" learn train --config "$tmp/t.cfg" --out "$tmp/run" --samples 24 --quiet \
  --resume "$tmp/run/checkpoint.safetensors" >"$tmp/log" 2>&1 || { cat "$tmp/log"; fail "resume"; }
grep -q '"epoch":3,"step":15' "$tmp/run/metrics.jsonl" || { cat "$tmp/run/metrics.jsonl"; fail "resume did not continue at step 10"; }

# a truncated checkpoint is refused with a clear message
head -c 1000 "$tmp/run/checkpoint.safetensors" >"$tmp/trunc.safetensors"
err=$("$bin" learn train --config "$tmp/t.cfg" --out "$tmp/run2" --samples 24 --quiet \
  --resume "$tmp/trunc.safetensors" 2>&1); rc=$?
[ $rc = 1 ] || fail "truncated checkpoint exit $rc"
echo "$err" | grep -q "trunc.safetensors: safetensors:" || fail "truncated message: $err"
echo "ok"
