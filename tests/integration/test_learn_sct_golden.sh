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

# one line per artefact: NAME SHA256 (checkpoints: their tensors)
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
PY
# the logged values (the log's format and precision may change): the
# numbers the code before the merge logged, to their printed precision
/usr/bin/python3 - <<'PY'
import json, sys
want = json.loads('''{"model/curves.jsonl":[[1,896.826,710.311,0.000466667],[2,510.025,429.117,0.000866667]],"model-bn/curves.jsonl":[[1,676.82,768.48,0.000466667],[2,544.036,853.876,0.000866667]],"lt/metrics.jsonl":[[1,1,1.179834,0.005],[2,1,1.142815,0.004665064],[3,1,1.070669,0.00375],[1,3,1.131106,1.055496],[4,2,1.216975,0.0025],[5,2,0.8792031,0.00125],[6,2,0.9032689,0.0003349365],[2,6,0.9998158,0.9975953]],"ld/metrics.jsonl":[[1,1,226.14,0.005],[2,1,244.4373,0.004994647],[3,1,243.172,0.004978612],[4,1,242.5866,0.004951963],[5,1,244.7308,0.004914815],[6,1,248.8193,0.004867326],[7,1,262.1025,0.004809699],[8,1,258.9265,0.004742182],[9,1,235.942,0.004665064],[10,1,258.5602,0.004578674],[11,1,219.2536,0.004483383],[12,1,219.3827,0.004379599],[13,1,270.7063,0.004267767],[14,1,240.9928,0.004148365],[15,1,241.7179,0.004021903],[16,1,246.7755,0.003888926],[17,1,219.8858,0.00375],[18,1,215.3981,0.003605722],[19,1,279.4374,0.003456709],[20,1,234.9633,0.003303599],[21,1,219.3381,0.003147048],[22,1,262.8402,0.002987726],[23,1,219.6119,0.002826315],[24,1,250.4381,0.002663508],[1,24,241.9233,523.4322],[25,2,267.7553,0.0025],[26,2,241.605,0.002336492],[27,2,226.1758,0.002173685],[28,2,194.1927,0.002012274],[29,2,265.512,0.001852952],[30,2,210.1286,0.001696401],[31,2,238.9341,0.001543291],[32,2,258.7301,0.001394278],[33,2,197.5771,0.00125],[34,2,237.6175,0.001111074],[35,2,241.6772,0.0009780964],[36,2,252.4941,0.0008516355],[37,2,243.3688,0.000732233],[38,2,237.9449,0.0006204005],[39,2,257.6785,0.0005166167],[40,2,277.1715,0.000421326],[41,2,253.3917,0.0003349365],[42,2,203.6672,0.0002578181],[43,2,250.4735,0.0001903012],[44,2,247.5367,0.0001326747],[45,2,303.0058,8.518543e-05],[46,2,242.8852,4.80368e-05],[47,2,244.2645,2.138785e-05],[48,2,281.3641,5.352692e-06],[2,48,244.798,523.2473]]}''')
bad = 0
for p, rows in want.items():
    got = []
    for l in map(json.loads, open(p)):
        if 'loss' in l:          # learn: a step
            keys = ['step', 'epoch', 'loss', 'lr']
        elif 'train_loss' in l:  # learn: an epoch
            keys = ['epoch', 'step', 'train_loss', 'val_loss']
        else:                    # sct: an epoch
            keys = ['epoch', 'train_l1_hu', 'val_mae_hu', 'lr']
        # HU were printed with 3 decimals, the rest with 6 or 7 digits
        got.append([(l[k], 6e-4 if k.endswith('_hu') else 0) for k in keys])
    if len(got) != len(rows):
        print(p, 'has', len(got), 'lines, not', len(rows)); bad = 1; continue
    for g, w in zip(got, rows):
        for (x, atol), y in zip(g, w):
            if (x is None) != (y is None) or (x is not None and abs(x - y) > atol + 1e-5 * abs(y)):
                print(p, 'logged', [v for v, _ in g], 'not', w); bad = 1; break
sys.exit(bad)
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

