#!/bin/bash
# atelier learn from the command line: bench --json, train on the synthetic
# task with a metrics log and checkpoint, resume, and clear errors for bad
# configs, shapes and checkpoints.
set -u
bin=${ATELIER_BIN:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# strict JSON (no NaN/Infinity literals) with the given keys, one object per line
strict_json() {
  /usr/bin/python3 -c '
import json, sys
def bad(c): raise ValueError("non-JSON constant " + c)
keys = sys.argv[1:]
for n, line in enumerate(sys.stdin, 1):
    o = json.loads(line, parse_constant=bad)
    for k in keys:
        if k not in o: sys.exit("line %d lacks %s: %s" % (n, k, line))
' "$@"
}

# bench on a tiny model: one JSON line with the issue's keys, in 2D and 3D
out=$("$bin" learn bench --base 4 --depth 2 --batch 2 --size 32 --threads 1 --steps 1 --json) || fail "bench"
echo "$out" | strict_json train_slices_per_s infer_slices_per_s train_gflops infer_gflops ||
  fail "bench json: $out"
out=$("$bin" learn bench --model unet3d --base 4 --depth 1 --batch 1 --size 8 --threads 1 --steps 1 --json) ||
  fail "bench 3d"
echo "$out" | strict_json train_slices_per_s infer_slices_per_s train_patches_per_s infer_patches_per_s ||
  fail "bench 3d json: $out"
"$bin" learn bench --help | grep -q -- "--bf16" || fail "bench help"
"$bin" learn --help | grep -q -- "learn predict" || fail "predict help"
# bf16 with a base that is a multiple of 8 but not 16 (where the CPU runs bf16)
if grep -q avx512bw /proc/cpuinfo; then
  "$bin" learn bench --base 8 --depth 2 --batch 2 --size 32 --threads 1 --steps 1 --bf16 --json >"$tmp/bf16" 2>&1 ||
    fail "bf16 base 8: $(cat "$tmp/bf16")"
fi

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
"$bin" learn train --config "$tmp/t.cfg" --out "$tmp/run" --samples 24 \
  --resume "$tmp/run/checkpoint.safetensors" >"$tmp/log" 2>&1 || { cat "$tmp/log"; fail "resume"; }
# not a terminal: no progress drawn; the epoch trained is said in a line
grep -q "^atelier learn train: epoch 3: train_loss " "$tmp/log" || fail "resumed epoch line: $(cat "$tmp/log")"
grep -q "step 1" "$tmp/log" && fail "progress drawn on a file: $(cat "$tmp/log")"
grep -q '"epoch":3,"step":15' "$tmp/run/metrics.jsonl" || { cat "$tmp/run/metrics.jsonl"; fail "resume did not continue at step 10"; }
strict_json step epoch seconds <"$tmp/run/metrics.jsonl" || fail "metrics not strict JSON"

# resuming a finished run says so and changes nothing (exit 1)
before=$(md5sum <"$tmp/run/checkpoint.safetensors")
err=$("$bin" learn train --config "$tmp/t.cfg" --out "$tmp/run" --samples 24 --quiet \
  --resume "$tmp/run/checkpoint.safetensors" 2>&1); rc=$?
[ $rc = 1 ] || fail "finished resume exit $rc: $err"
echo "$err" | grep -q "has already trained 3 epochs (epochs = 3); raise epochs to continue" ||
  fail "finished resume message: $err"
[ "$(md5sum <"$tmp/run/checkpoint.safetensors")" = "$before" ] || fail "finished resume changed the checkpoint"

# an existing run is refused (exit 2, nothing touched) unless --resume or --force
before=$(md5sum <"$tmp/run/checkpoint.safetensors")
err=$("$bin" learn train --config "$tmp/t.cfg" -o "$tmp/run" --samples 24 --quiet 2>&1); rc=$?
[ $rc = 2 ] || fail "existing run exit $rc: $err"
echo "$err" | grep -q "^atelier learn train: $tmp/run exists and is not empty; nothing was written (--force writes over it)" ||
  fail "existing run message: $err"
[ "$(md5sum <"$tmp/run/checkpoint.safetensors")" = "$before" ] || fail "refused run changed the checkpoint"
cp -r "$tmp/run" "$tmp/forced"
"$bin" learn train --config "$tmp/t.cfg" -o "$tmp/forced" --samples 24 --quiet --force >/dev/null 2>&1 ||
  fail "--force"
[ "$(grep -c '"val_loss"' "$tmp/forced/metrics.jsonl")" = 3 ] || fail "--force kept the old log"
# each command's --help is its own, with its defaults
"$bin" learn train --help | grep -q -- "--samples N        synthetic training samples (default 64)" ||
  fail "train --help"
"$bin" learn predict --help | grep -q -- "--overlap F        window overlap fraction 0..0.9 (default 0.5)" ||
  fail "predict --help"

# a real Ctrl-C (SIGINT) writes a checkpoint and exits 130 saying how to
# resume; the run resumes from it
sed -i 's/epochs = 3/epochs = 100000/' "$tmp/t.cfg"
"$bin" learn train --config "$tmp/t.cfg" --out "$tmp/sig" --samples 24 --quiet >"$tmp/sig.log" 2>&1 &
pid=$!
for _ in $(seq 600); do
  [ -f "$tmp/sig/metrics.jsonl" ] && [ "$(wc -l <"$tmp/sig/metrics.jsonl")" -ge 3 ] && break
  sleep 0.1
done
kill -INT "$pid"
wait "$pid"; rc=$?
[ $rc = 130 ] || fail "SIGINT exit $rc: $(cat "$tmp/sig.log")"
grep -q "^atelier learn train: interrupted; kept $tmp/sig/checkpoint.safetensors (step [0-9]*, [0-9]* epochs done); continue with: atelier learn train --config $tmp/t.cfg -o $tmp/sig --resume$" "$tmp/sig.log" ||
  fail "SIGINT message: $(cat "$tmp/sig.log")"
[ "$(wc -l <"$tmp/sig.log")" = 1 ] || fail "SIGINT: more than one line: $(cat "$tmp/sig.log")"
e=$(( $(sed -n 's/.*(step [0-9]*, \([0-9]*\) epochs done).*/\1/p' "$tmp/sig.log") + 1 ))
sed -i "s/epochs = 100000/epochs = $e/" "$tmp/t.cfg"
"$bin" learn train --config "$tmp/t.cfg" --out "$tmp/sig" --samples 24 --quiet \
  --resume >"$tmp/log" 2>&1 || fail "resume after SIGINT: $(cat "$tmp/log")"
grep -q "\"epoch\":$e,\"step\":$((5 * e))," "$tmp/sig/metrics.jsonl" ||
  fail "resume after SIGINT (epoch $e): $(cat "$tmp/sig/metrics.jsonl")"
strict_json step epoch seconds <"$tmp/sig/metrics.jsonl" || fail "metrics after SIGINT not strict JSON"

# a truncated checkpoint is refused with a clear message
head -c 1000 "$tmp/run/checkpoint.safetensors" >"$tmp/trunc.safetensors"
err=$("$bin" learn train --config "$tmp/t.cfg" --out "$tmp/run2" --samples 24 --quiet \
  --resume "$tmp/trunc.safetensors" 2>&1); rc=$?
[ $rc = 1 ] || fail "truncated checkpoint exit $rc"
echo "$err" | grep -q "trunc.safetensors: safetensors:" || fail "truncated message: $err"
echo "ok"
