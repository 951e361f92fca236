#!/bin/bash
# Images still open after the allow-list: dcm2niix converts the
# de-identified CT and MR series of a synthetic study to the same voxels and
# the same geometry (affine) as the originals, and dcmdump reads every
# output with no warning.
set -euo pipefail
BIN=${ATELIER_BIN:?}
PY=/usr/bin/python3
command -v dcm2niix >/dev/null || { echo "skip: dcm2niix missing"; exit 0; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$BIN" key new "$T/key" >/dev/null 2>&1
"$BIN" synth study --out "$T/in" --series 2 --slices 12 --size 48 --seed 11 2>/dev/null
"$BIN" deid "$T/in" -o "$T/out" --key "$T/key" -q
mkdir -p "$T/nii_in" "$T/nii_out"
for s in "$T"/in/*/; do
    dcm2niix -z n -f "$(basename "$s")" -o "$T/nii_in" "$s" >/dev/null
done
for s in $(find "$T/out" -mindepth 3 -maxdepth 3 -type d); do
    m=$(dcmdump +P Modality "$(ls "$s"/*.dcm | head -1)" | sed 's/.*\[\(.*\)\].*/\1/')
    dcm2niix -z n -f "$m" -o "$T/nii_out" "$s" >/dev/null
    for f in "$s"/*.dcm; do
        w=$(dcmdump -q "$f" 2>&1 >/dev/null | wc -l)
        [ "$w" = 0 ] || { echo "FAIL: dcmdump warns on $f"; exit 1; }
    done
done
$PY - "$T/nii_in" "$T/nii_out" <<'PYEOF'
import sys, glob, os, numpy as np, nibabel as nib
a_dir, b_dir = sys.argv[1:3]
pairs = 0
for mod in ("CT", "MR"):
    a = [p for p in glob.glob(a_dir + "/*.nii") if mod in os.path.basename(p)]
    b = glob.glob(b_dir + "/%s*.nii" % mod)
    assert len(a) == 1 and len(b) == 1, (mod, a, b)
    ia, ib = nib.load(a[0]), nib.load(b[0])
    assert ia.shape == ib.shape, (mod, ia.shape, ib.shape)
    assert np.array_equal(np.asarray(ia.dataobj), np.asarray(ib.dataobj)), mod
    assert np.allclose(ia.affine, ib.affine, atol=1e-4), (mod, ia.affine, ib.affine)
    pairs += 1
print("ok: dcm2niix gives the same voxels and affine for %d series" % pairs)
PYEOF
