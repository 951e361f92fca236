#!/bin/bash
# The pseudo-CT pipeline end to end on a tiny synthetic cohort: prepare,
# a short training, eval per patient (+ PNG), predict a DICOM CT series
# that dcmdump reads without warning and dcm2niix converts; bad inputs
# give clear errors and leave no partial output.
set -euo pipefail
BIN=${ATELIER_BIN:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
$BIN sct synth --patients 4 --out "$T/c" --seed 3 --size 48 48 32 --spacing 5 5 6 --quiet
$BIN sct prepare "$T/c" --out "$T/prep" --test 1 --val 1 --quiet
/usr/bin/python3 - "$T/prep/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
s = sorted(p['split'] for p in m['patients'])
assert s == ['test', 'train', 'train', 'val'], s
PY
$BIN sct train "$T/prep" --out "$T/model" --minutes 0.5 --epochs 4 --base 8 --depth 2 --batch 4 --patch 32 --quiet
test -s "$T/model/model.safetensors" && test -s "$T/model/model.json" && test -s "$T/model/curves.jsonl"
# the validation MAE logged during training is the MAE of the weights kept
# (regression: the validation copy of the network once kept stale weights)
$BIN sct eval --prepared "$T/prep" --model "$T/model" --split val --no-flip --json > "$T/val.json"
/usr/bin/python3 - "$T/model/model.json" "$T/model/curves.jsonl" "$T/val.json" <<'PY'
import json, sys
best = json.load(open(sys.argv[1]))['best_val_mae_hu']
curve = [json.loads(l) for l in open(sys.argv[2])]
assert min(c['val_mae_hu'] for c in curve) == best or abs(min(c['val_mae_hu'] for c in curve) - best) < 1e-3
mae = json.load(open(sys.argv[3]))['mean']['mae']
assert abs(mae - best) <= 0.03 * best, (mae, best, curve)
PY
# no validation patients: the last epoch is kept, no validation MAE claimed
$BIN sct prepare "$T/c" --out "$T/prep0" --test 1 --val 0 --quiet
$BIN sct train "$T/prep0" --out "$T/model0" --epochs 2 --base 8 --depth 2 --batch 4 --quiet
/usr/bin/python3 - "$T/model0/model.json" "$T/model0/curves.jsonl" <<'PY'
import json, sys
assert json.load(open(sys.argv[1]))['best_val_mae_hu'] is None
curve = [json.loads(l) for l in open(sys.argv[2])]
assert len(curve) == 2 and all(c['val_mae_hu'] is None for c in curve), curve
PY
$BIN sct train "$T/prep" --out "$T/bad" --rotate 90 --quiet 2>/dev/null && exit 1 || test $? -eq 2
test ! -e "$T/bad"
$BIN sct eval --prepared "$T/prep" --model "$T/model" --split test --png "$T/eval.png" --json > "$T/eval.json"
/usr/bin/python3 - "$T/eval.json" "$T/eval.png" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
assert len(e['patients']) == 1 and e['mean']['mae'] > 0 and 0 < e['mean']['ssim'] <= 1, e
png = open(sys.argv[2], 'rb').read()
assert png[:8] == b'\x89PNG\r\n\x1a\n'
import skimage.io
im = skimage.io.imread(sys.argv[2])
assert im.shape == (3 * 48, 4 * 48), im.shape
PY
$BIN sct predict "$T/c/patient_000/mr_dicom" --model "$T/model" -o "$T/pct"
n=$(ls "$T/pct" | wc -l); test "$n" -eq 32
if command -v dcmdump >/dev/null; then
  out=$(dcmdump -q "$T"/pct/*.dcm 2>&1 >/dev/null || true); test -z "$out" || { echo "$out"; exit 1; }
  dump=$(dcmdump "$T/pct/CT0001.dcm")   # no pipe into grep -q: SIGPIPE under pipefail
  grep -q 'DERIVED\\SECONDARY' <<<"$dump"
  grep -q 'SYNTHETIC CT' <<<"$dump"
  # the MRI's frame of reference, a new series
  f1=$(dcmdump +P 0020,0052 "$T/pct/CT0001.dcm"); f2=$(dcmdump +P 0020,0052 "$T/c/patient_000/mr_dicom/MR0001.dcm")
  test "$f1" = "$f2"
  s1=$(dcmdump +P 0020,000e "$T/pct/CT0001.dcm"); s2=$(dcmdump +P 0020,000e "$T/c/patient_000/mr_dicom/MR0001.dcm")
  test "$s1" != "$s2"
fi
if command -v dcm2niix >/dev/null; then
  mkdir "$T/d2n"; dcm2niix -z n -f %s -o "$T/d2n" "$T/pct" >/dev/null; ls "$T"/d2n/*.nii >/dev/null
fi
# same inputs, same bytes
$BIN sct predict "$T/c/patient_000/mr_dicom" --model "$T/model" -o "$T/pct2"
diff -r "$T/pct" "$T/pct2" >/dev/null
# a sagittal MRI gives the same pseudo-CT as the same MRI stored axially:
# the network runs on the model's (axial) axes whatever the series' own
/usr/bin/python3 - "$T/c/patient_000/mr.nii.gz" "$T/sag.nii.gz" <<'PY'
import sys, nibabel as nib
from nibabel.orientations import io_orientation, axcodes2ornt, ornt_transform
img = nib.load(sys.argv[1])
sag = img.as_reoriented(ornt_transform(io_orientation(img.affine), axcodes2ornt(('P', 'S', 'L'))))
nib.save(sag, sys.argv[2])
PY
$BIN image convert "$T/sag.nii.gz" -o "$T/sagdcm" --modality MR
$BIN sct predict "$T/sagdcm" --model "$T/model" -o "$T/pct-sag"
$BIN image convert "$T/pct" -o "$T/pct-ax.nii.gz"
$BIN image convert "$T/pct-sag" -o "$T/pct-sag.nii.gz"
/usr/bin/python3 - "$T/pct-ax.nii.gz" "$T/pct-sag.nii.gz" <<'PY'
import sys, numpy as np, nibabel as nib
from nibabel.orientations import io_orientation, ornt_transform
a, s = nib.load(sys.argv[1]), nib.load(sys.argv[2])
s = s.as_reoriented(ornt_transform(io_orientation(s.affine), io_orientation(a.affine)))
assert a.shape == s.shape and np.abs(a.affine - s.affine).max() < 1e-3, (a.shape, s.shape)
A, S = a.get_fdata(), s.get_fdata()
d = np.abs(A - S)[A > -1000].mean()
assert d < 2.0, d   # the same voxels through the same network (was 160 HU)
PY
# a float MRI (normalised, negative values) survives a DICOM MR series
# through Rescale Slope/Intercept instead of being rounded and clipped
$BIN image convert "$T/prep/patient_000/mr.nii.gz" -o "$T/mrf" --modality MR
$BIN image convert "$T/mrf" -o "$T/mrf.nii.gz"
/usr/bin/python3 - "$T/prep/patient_000/mr.nii.gz" "$T/mrf.nii.gz" <<'PY'
import sys, numpy as np, nibabel as nib
a, b = (nib.load(p).get_fdata() for p in sys.argv[1:3])
assert a.min() < 0 and np.abs(a - b).max() < 1e-4 * (a.max() - a.min()), np.abs(a - b).max()
PY
# a perfect prediction: PSNR is infinite, printed as JSON null
$BIN sct eval --reference "$T/prep/patient_000/ct.nii.gz" --prediction "$T/prep/patient_000/ct.nii.gz" \
  --mask "$T/prep/patient_000/mask.nii.gz" --json > "$T/perfect.json"
/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['mae'] == 0 and d['psnr'] is None, d" "$T/perfect.json"
# an empty mask names its file
/usr/bin/python3 - "$T/prep/patient_000/mask.nii.gz" "$T/empty.nii.gz" <<'PY'
import sys, numpy as np, nibabel as nib
m = nib.load(sys.argv[1]); nib.save(nib.Nifti1Image(np.zeros(m.shape, np.float32), m.affine), sys.argv[2])
PY
if $BIN sct eval --reference "$T/prep/patient_000/ct.nii.gz" --prediction "$T/prep/patient_000/ct.nii.gz" \
  --mask "$T/empty.nii.gz" 2>"$T/err"; then echo "empty mask accepted"; exit 1; fi
grep -q "empty.nii.gz: the mask is empty" "$T/err"
# a CT with no body (uniform): prepare names the patient and writes nothing
mkdir -p "$T/flat/p9"
cp "$T/c/patient_000/mr.nii.gz" "$T/flat/p9/"; cp "$T/c/patient_001/mr.nii.gz" "$T/c/patient_001/ct.nii.gz" "$T/flat/" 2>/dev/null || true
mkdir -p "$T/flat/p8"; mv "$T/flat/mr.nii.gz" "$T/flat/ct.nii.gz" "$T/flat/p8/"
/usr/bin/python3 - "$T/c/patient_000/ct.nii.gz" "$T/flat/p9/ct.nii.gz" <<'PY'
import sys, numpy as np, nibabel as nib
c = nib.load(sys.argv[1]); nib.save(nib.Nifti1Image(np.full(c.shape, -1000, np.float32), c.affine), sys.argv[2])
PY
if $BIN sct prepare "$T/flat" --out "$T/flat-prep" --test 0 --val 0 --no-register --quiet 2>"$T/err"; then echo "empty CT accepted"; exit 1; fi
grep -q "p9: the CT's body mask is empty" "$T/err"; test ! -e "$T/flat-prep"
# bad input 1: CT and MRI of different patients
mkdir -p "$T/bad/p"; cp -r "$T/c/patient_000/ct_dicom" "$T/bad/p/"; cp -r "$T/c/patient_001/mr_dicom" "$T/bad/p/"
mkdir -p "$T/bad/q"; cp -r "$T/c/patient_002/ct_dicom" "$T/c/patient_002/mr_dicom" "$T/bad/q/"
if $BIN sct prepare "$T/bad" --out "$T/bad-prep" --test 0 --val 0 --quiet 2>"$T/err"; then echo "mixed patients accepted"; exit 1; fi
grep -q "different patients" "$T/err"; test ! -e "$T/bad-prep"
# bad input 2: different frames of reference with no registration asked for
if $BIN sct prepare "$T/c" --out "$T/nr" --test 1 --val 1 --no-register --quiet 2>"$T/err"; then echo "no-register accepted"; exit 1; fi
grep -q "different frames of reference" "$T/err"; test ! -e "$T/nr"
# bad input 3: an MRI series with a missing slice
cp -r "$T/c/patient_000/mr_dicom" "$T/gap"; rm "$T/gap/MR0010.dcm"
if $BIN sct predict "$T/gap" --model "$T/model" -o "$T/gap-out" 2>"$T/err"; then echo "gap accepted"; exit 1; fi
grep -q "missing slice" "$T/err"; test ! -e "$T/gap-out"
# bad input 4: a CT series given as the MRI
if $BIN sct predict "$T/c/patient_000/ct_dicom" --model "$T/model" -o "$T/ct-out" 2>"$T/err"; then echo "CT accepted"; exit 1; fi
grep -q "not MR" "$T/err"; test ! -e "$T/ct-out"
if compgen -G "$T/*partial*" >/dev/null; then echo "partial output left"; exit 1; fi
echo ok
