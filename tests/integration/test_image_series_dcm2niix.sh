#!/bin/bash
# DICOM series -> volume against dcm2niix: oblique, anisotropic series with
# shuffled file names (classic single-frame) and an enhanced multi-frame CT
# built from it with pydicom; voxels and affine must agree in scanner space.
# Bad series (missing slice, mixed orientations) must fail cleanly.
set -euo pipefail
BIN=${ATELIER_BIN:?}
PY=/usr/bin/python3
command -v dcm2niix >/dev/null || { echo "skip: dcm2niix missing"; exit 0; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
$PY - "$T" <<'PYEOF'
import sys, numpy as np, nibabel as nib
t = sys.argv[1]
rng = np.random.default_rng(5)
shape = (40, 34, 22)
i, j, k = np.meshgrid(*[np.arange(n) for n in shape], indexing='ij')
vol = (200 * np.sin(i / 4.0) + 150 * np.cos(j / 3.0) + 30 * k - 400 + rng.normal(0, 5, shape)).round()
# oblique (rotated about two axes), anisotropic voxels, RAS affine for nibabel
a, b = np.radians(17), np.radians(-11)
ra = np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])
rb = np.array([[np.cos(b), 0, np.sin(b)], [0, 1, 0], [-np.sin(b), 0, np.cos(b)]])
aff = np.eye(4)
aff[:3, :3] = ra @ rb @ np.diag([0.9, 1.3, 2.5])
aff[:3, 3] = [-20.5, 31.25, -12.0]
nib.save(nib.Nifti1Image(vol.astype(np.float32), aff), t + '/src.nii.gz')
PYEOF
$BIN image convert "$T/src.nii.gz" -o "$T/series"
# shuffle file names: order on disk says nothing about position
$PY - "$T/series" <<'PYEOF'
import sys, os, random
d = sys.argv[1]
names = sorted(os.listdir(d)); random.seed(3); new = names[:]; random.shuffle(new)
for n in names: os.rename(os.path.join(d, n), os.path.join(d, 'tmp_' + n))
for n, m in zip(names, new): os.rename(os.path.join(d, 'tmp_' + n), os.path.join(d, 'x' + m))
PYEOF
# enhanced multi-frame CT from the same slices
$PY - "$T/series" "$T/enhanced" <<'PYEOF'
import sys, os, copy, pydicom
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out)
sl = [pydicom.dcmread(os.path.join(src, n)) for n in sorted(os.listdir(src))]  # shuffled order
d0 = sl[0]
meta = FileMetaDataset()
meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.2.1'
meta.MediaStorageSOPInstanceUID = d0.SeriesInstanceUID + '.999'
meta.TransferSyntaxUID = ExplicitVRLittleEndian
ds = FileDataset(out + '/enhanced.dcm', {}, file_meta=meta, preamble=b'\0' * 128)
for kw in ('StudyInstanceUID', 'FrameOfReferenceUID', 'PatientName', 'PatientID', 'StudyDate', 'StudyTime', 'Modality'):
    setattr(ds, kw, getattr(d0, kw))
ds.SOPClassUID = meta.MediaStorageSOPClassUID
ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
ds.SeriesInstanceUID = d0.SeriesInstanceUID + '.1'
ds.ImageType = ['DERIVED', 'PRIMARY', 'AXIAL', 'NONE']
ds.NumberOfFrames = len(sl)
ds.Rows, ds.Columns = d0.Rows, d0.Columns
ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, 'MONOCHROME2'
ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
sh = Dataset()
pm = Dataset(); pm.PixelSpacing = d0.PixelSpacing; pm.SliceThickness = d0.SliceThickness
po = Dataset(); po.ImageOrientationPatient = d0.ImageOrientationPatient
pvt = Dataset(); pvt.RescaleIntercept = '-7'; pvt.RescaleSlope = '2'; pvt.RescaleType = 'HU'
sh.PixelMeasuresSequence = Sequence([pm]); sh.PlaneOrientationSequence = Sequence([po])
sh.PixelValueTransformationSequence = Sequence([pvt])
ds.SharedFunctionalGroupsSequence = Sequence([sh])
pf = []
data = b''
for s in sl:
    f = Dataset(); pp = Dataset(); pp.ImagePositionPatient = s.ImagePositionPatient
    f.PlanePositionSequence = Sequence([pp]); pf.append(f)
    import numpy as np
    a = s.pixel_array.astype(np.int32)
    data += ((a + 7) // 2).astype('<i2').tobytes()   # stored = (HU + 7) / 2
ds.PerFrameFunctionalGroupsSequence = Sequence(pf)
ds.PixelData = data
ds.is_little_endian, ds.is_implicit_VR = True, False
ds.save_as(out + '/enhanced.dcm', write_like_original=False)
PYEOF
for s in series enhanced; do
  $BIN image convert "$T/$s" -o "$T/$s-atelier.nii.gz"
  mkdir -p "$T/$s-d2n"
  dcm2niix -z n -f %s -o "$T/$s-d2n" "$T/$s" >"$T/$s-d2n.log" 2>&1 || { cat "$T/$s-d2n.log"; exit 1; }
done
$PY - "$T" <<'PYEOF'
import sys, glob, numpy as np, nibabel as nib
t = sys.argv[1]
src = nib.load(t + '/src.nii.gz')
def compare(ours_path, theirs_path, label, expect):
    o = nib.load(ours_path); th = nib.load(theirs_path)
    od, td = o.get_fdata(), np.squeeze(th.get_fdata())
    # voxel index of ours -> voxel index of theirs through scanner space
    m = np.linalg.inv(th.affine) @ o.affine
    idx = np.stack(np.meshgrid(*[np.arange(n) for n in od.shape], indexing='ij'), -1).reshape(-1, 3)
    tidx = idx @ m[:3, :3].T + m[:3, 3]
    err_index = np.abs(tidx - np.round(tidx)).max()
    ti = np.round(tidx).astype(int)
    assert (ti >= 0).all() and (ti < np.array(td.shape)).all(), label + ': grids do not overlap fully'
    diff = np.abs(od.reshape(-1) - td[ti[:, 0], ti[:, 1], ti[:, 2]]).max()
    ev = np.abs(od - expect).max()
    print('%s: shape %s vs %s, max index misfit %.2e, max voxel difference %.3g, vs source %.3g' % (label, od.shape, td.shape, err_index, diff, ev))
    assert err_index < 1e-3 and diff < 1e-3 and ev < 1e-3, label
srcd = src.get_fdata()
compare(t + '/series-atelier.nii.gz', glob.glob(t + '/series-d2n/*.nii')[0], 'classic', srcd)
enh = 2 * np.floor((srcd + 7) / 2) - 7
compare(t + '/enhanced-atelier.nii.gz', glob.glob(t + '/enhanced-d2n/*.nii')[0], 'enhanced', enh)
# our geometry equals the source's (LPS vs RAS handled on both sides)
o = nib.load(t + '/series-atelier.nii.gz')
assert np.allclose(o.affine, src.affine, atol=1e-3), (o.affine, src.affine)
PYEOF
# bad series: a missing slice, mixed orientations -> clear error, no output
cp -r "$T/series" "$T/missing"
rm "$(ls -d "$T"/missing/* | $PY -c "
import sys, pydicom
fs = [l.strip() for l in sys.stdin]
z = sorted(fs, key=lambda f: float(pydicom.dcmread(f, stop_before_pixels=True).SliceLocation))
print(z[len(z) // 2])")"
if $BIN image convert "$T/missing" -o "$T/missing.nii.gz" 2>"$T/err"; then echo "missing slice accepted"; exit 1; fi
cat "$T/err"; grep -q "missing slice" "$T/err"; test ! -e "$T/missing.nii.gz"
cp -r "$T/series" "$T/mixed"
files=("$T"/mixed/*); f=${files[0]}
dcmodify -nb -m "(0020,0037)=0\\1\\0\\0\\0\\-1" "$f" >/dev/null
if $BIN image convert "$T/mixed" -o "$T/mixed.nii.gz" 2>"$T/err"; then echo "mixed orientations accepted"; exit 1; fi
cat "$T/err"; grep -q "mixed orientations" "$T/err"; test ! -e "$T/mixed.nii.gz"
echo ok
