#!/bin/bash
# sct eval against an independent SynthRAD2023-style computation with
# skimage (structural_similarity, peak_signal_noise_ratio) and nibabel.
set -euo pipefail
BIN=${ATELIER_BIN:?}
PY=/usr/bin/python3
$PY -c 'import skimage, nibabel' 2>/dev/null || { echo "skip: skimage/nibabel missing"; exit 0; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# a synthetic pair: CT phantom as reference, a perturbed copy as prediction
$BIN synth cohort --patients 1 --out "$T/c" --seed 7 --size 48 44 36 --quiet 2>/dev/null ||
  $BIN sct synth --patients 1 --out "$T/c" --seed 7 --size 48 44 36 --quiet
P="$T/c/patient_000"
$PY - "$P" <<'PYEOF'
import sys, numpy as np, nibabel as nib
p = sys.argv[1]
ct = nib.load(p + '/ct.nii.gz')
a = ct.get_fdata()
rng = np.random.default_rng(3)
pred = a + rng.normal(0, 60, a.shape) + 40 * np.sin(np.arange(a.shape[0]) / 5.0)[:, None, None]
pred[a > 800] += 900  # push some values above the 3000 clip
pred[:5] = -2000      # and some below -1024
mask = (a > -400).astype(np.float32)
nib.save(nib.Nifti1Image(pred.astype(np.float32), ct.affine), p + '/pred.nii.gz')
nib.save(nib.Nifti1Image(mask, ct.affine), p + '/mask.nii.gz')
PYEOF
OUT=$($BIN sct eval --reference "$P/ct.nii.gz" --prediction "$P/pred.nii.gz" --mask "$P/mask.nii.gz" --json)
echo "atelier: $OUT"
$PY - "$P" "$OUT" <<'PYEOF'
import sys, json, numpy as np, nibabel as nib
from skimage.metrics import structural_similarity, peak_signal_noise_ratio
from skimage.util import crop
p, out = sys.argv[1], json.loads(sys.argv[2])
gt = nib.load(p + '/ct.nii.gz').get_fdata()
pr = nib.load(p + '/pred.nii.gz').get_fdata()
m = nib.load(p + '/mask.nii.gz').get_fdata() > 0
mae = np.abs(gt[m] - pr[m]).mean()
lo, hi = -1024.0, 3000.0
g, q = np.clip(gt, lo, hi), np.clip(pr, lo, hi)
psnr = peak_signal_noise_ratio(g[m], q[m], data_range=hi - lo)
g2, q2 = np.where(m, g, lo) - lo, np.where(m, q, lo) - lo
_, smap = structural_similarity(g2, q2, win_size=7, use_sample_covariance=True,
                                data_range=hi - lo, full=True)
ssim = crop(smap, 3)[crop(m, 3)].mean(dtype=np.float64)
print("skimage:", {"mae": mae, "psnr": psnr, "ssim": ssim})
ok = abs(out["mae"] - mae) < 1e-3 and abs(out["psnr"] - psnr) < 1e-3 and abs(out["ssim"] - ssim) < 1e-3
# the numbers must not be trivial either
ok = ok and mae > 10 and 0.1 < ssim < 0.999
sys.exit(0 if ok else 1)
PYEOF
# an empty mask is a clear error
$PY -c "
import nibabel as nib, numpy as np
c = nib.load('$P/ct.nii.gz'); nib.save(nib.Nifti1Image(np.zeros(c.shape, np.float32), c.affine), '$P/empty.nii.gz')"
if $BIN sct eval --reference "$P/ct.nii.gz" --prediction "$P/pred.nii.gz" --mask "$P/empty.nii.gz" 2>"$T/err"; then
  echo "empty mask accepted"; exit 1
fi
grep -q "mask is empty" "$T/err"
echo ok
