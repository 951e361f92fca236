#!/bin/bash
# Golden bytes of the training paths, recorded from the code before the
# training loops were merged (issue 10) and checked ever since: the same
# synthetic cohort, seed and thread count must give the same prepared
# NIfTI files, the same 2-epoch sct models (whole slices; crops with batch
# norm and its recalibration) and the same `learn train` checkpoints
# (synthetic task; a NIfTI folder in 2.5D), tensors and logged losses.
# Floating-point results depend on the kernels oneDNN picks for the CPU,
# so the hashes are kept per oneDNN ISA; on another ISA the test prints
# the hashes it got (to be recorded) and fails.
set -euo pipefail
BIN=${ATELIER_BIN:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
isa=$(DNNL_VERBOSE=1 ONEDNN_VERBOSE=1 "$BIN" learn bench --base 4 --depth 1 --batch 1 --size 8 \
  --threads 1 --steps 1 --json 2>&1 | sed -n 's/.*info,cpu,isa:\(.*\)/\1/p' | head -1)

"$BIN" synth cohort --patients 3 --out c --seed 7 --size 32 32 12 --spacing 6 6 8 --quiet
"$BIN" sct prepare c --out prep --test 0 --val 1 --quiet
"$BIN" sct train prep --out model --epochs 2 --threads 1 --base 8 --depth 2 --batch 4 --f32 --quiet
"$BIN" sct train prep --out model-bn --epochs 2 --threads 1 --base 8 --depth 2 --batch 4 --f32 \
  --patch 16 --batch-norm --recalibrate 2 --quiet
cat > t.cfg <<CFG
mode = 2d
base = 4
depth = 2
size = 16
batch = 4
epochs = 2
lr = 0.005
threads = 1
CFG
mkdir nd nv
for p in 001 002; do
  ln -s ../prep/patient_$p/mr.nii.gz nd/p${p}_input.nii.gz
  ln -s ../prep/patient_$p/ct.nii.gz nd/p${p}_target.nii.gz
  ln -s ../prep/patient_$p/mask.nii.gz nd/p${p}_mask.nii.gz
done
ln -s ../prep/patient_000/mr.nii.gz nv/p000_input.nii.gz
ln -s ../prep/patient_000/ct.nii.gz nv/p000_target.nii.gz
sed -e 's/mode = 2d/mode = 2.5d\nneighbours = 1/' t.cfg > d.cfg
printf 'data = nd\nval_data = nv\n' >> d.cfg
"$BIN" learn train --config t.cfg --out lt --samples 16 --quiet >/dev/null
"$BIN" learn train --config d.cfg --out ld --quiet >/dev/null

# one line per artefact: NAME SHA256 (checkpoints: their tensors; logs:
# the values they logged then, to 5 significant digits, not the clock)
/usr/bin/python3 - > got.txt <<'PY'
import glob, hashlib, json, struct
def sha(b): return hashlib.sha256(b).hexdigest()
for p in sorted(glob.glob('prep/*/*.nii.gz')):
    print(p, sha(open(p, 'rb').read()))
for p in ['model/model.safetensors', 'model-bn/model.safetensors']:
    print(p, sha(open(p, 'rb').read()))
for p in ['lt/checkpoint.safetensors', 'ld/checkpoint.safetensors']:
    b = open(p, 'rb').read(); n = struct.unpack('<Q', b[:8])[0]
    print(p + ':tensors', sha(b[8 + n:]))
def r5(v): return float('%.5g' % v) if isinstance(v, float) else v
for p in ['model/curves.jsonl', 'model-bn/curves.jsonl', 'lt/metrics.jsonl', 'ld/metrics.jsonl']:
    vals = []
    for l in map(json.loads, open(p)):
        if 'loss' in l:          # learn: a step
            keys = ['step', 'epoch', 'loss', 'lr']
        elif 'train_loss' in l:  # learn: an epoch
            keys = ['epoch', 'step', 'train_loss', 'val_loss']
        else:                    # sct: an epoch
            keys = ['epoch', 'train_l1_hu', 'val_mae_hu', 'lr']
        vals.append([r5(l[k]) for k in keys])
    print(p + ':values', sha(json.dumps(vals).encode()))
PY
want=""
case "$isa" in
"Intel AVX-512 with Intel DL Boost and bfloat16 support")
  want=$(cat <<'W'
prep/patient_000/ct.nii.gz e604d325bd399766fe6065aa725c971c0c92bdad62d01c8a0cba153a65088d10
prep/patient_000/mask.nii.gz 5a75d4a6e61b532f6ae071e8f0ab02a6eacd7ad2acee48fe199205754e20a0ea
prep/patient_000/mr.nii.gz 1429971c2277d96bbabf8e3163e180e3429a5700608728540bdbbdde9456222d
prep/patient_001/ct.nii.gz b10046dd753eb49ebad0acb33aea1cf56d6910af819381f868294d32b403eefb
prep/patient_001/mask.nii.gz cc75a309dea5b60fde75101d75ea0bc9d425abb62359ddb04ac635f13315e6a5
prep/patient_001/mr.nii.gz 0bb7e4ceed9dcc3b96237fc5a10cc0aea30e63d537251660ac41db80de88a3f7
prep/patient_002/ct.nii.gz b44c93976c6a90b169623ef8b9c55771f029473744b812244759269cc56d486a
prep/patient_002/mask.nii.gz a5707f86f4565ffa895def3fb0bd4ca85094a3b9b74c9fe5cc4e5796fa7327af
prep/patient_002/mr.nii.gz e8bd4160a8a1981332fe9f94eb360e37cf688a8f16e27190e0b21249dbab20ce
model/model.safetensors e6d64bbe0c9c4527df7b034d95002261cc4ae4826e16ebbf4b857a0c4b9ea333
model-bn/model.safetensors fcd88a0f3f4c9250fb0bbd78d28e780ca71531f7e7ffcfb786bb1054d07c1241
lt/checkpoint.safetensors:tensors c7e18d98cf1102bac50b391d2d04d479d9ddc6ce32401b48fd7809d4d815c849
ld/checkpoint.safetensors:tensors c3900a8f1bd209f210638f90f21c378b9ba2f3fa99d852dcb62534ce166e74c6
model/curves.jsonl:values 678477447a65bc0cf474a2e78428f8a31a0b7acfbcc5fe2956567a6e9c67c44f
model-bn/curves.jsonl:values 517612647cca54ebad63c51c9ccc496928d8425f0fb03bce2754f298a1f1cb82
lt/metrics.jsonl:values 3742b5ed315b16857e2ebbdc9ad7e7f7d2840672b42b02d725eb961205aeee07
ld/metrics.jsonl:values 8aedf685b06d8cf2a2ade0909e2fafeb5596931c0da1d0820b6c755e8c875f9c
W
)
  ;;
esac
if [ -z "$want" ]; then
  echo "no golden hashes recorded for the oneDNN ISA '$isa'; these were computed:"
  cat got.txt
  exit 1
fi
diff <(echo "$want") got.txt
echo ok
