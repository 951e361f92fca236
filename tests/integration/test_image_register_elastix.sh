#!/bin/bash
# Rigid MRI->CT registration: atelier beside elastix (EulerTransform +
# AdvancedMattesMutualInformation) on the same synthetic phantom pair; both
# must recover the known misalignment and agree with each other.
set -euo pipefail
BIN=${ATELIER_BIN:?}
PY=/usr/bin/python3
command -v elastix >/dev/null || { echo "skip: elastix missing"; exit 0; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
$BIN sct synth --patients 1 --out "$T/c" --seed 11 --quiet
P="$T/c/patient_000"
# elastix reads .nii; give it the same voxels uncompressed
$PY -c "
import nibabel as nib
for n in ('ct', 'mr'):
    nib.save(nib.load('$P/%s.nii.gz' % n), '$T/%s.nii' % n)"
cat >"$T/rigid.txt" <<'PAR'
(FixedInternalImagePixelType "float")
(MovingInternalImagePixelType "float")
(FixedImageDimension 3)
(MovingImageDimension 3)
(UseDirectionCosines "true")
(Registration "MultiResolutionRegistration")
(Interpolator "BSplineInterpolator")
(ResampleInterpolator "FinalBSplineInterpolator")
(Resampler "DefaultResampler")
(FixedImagePyramid "FixedSmoothingImagePyramid")
(MovingImagePyramid "MovingSmoothingImagePyramid")
(Optimizer "AdaptiveStochasticGradientDescent")
(Transform "EulerTransform")
(Metric "AdvancedMattesMutualInformation")
(AutomaticScalesEstimation "true")
(AutomaticTransformInitialization "false")
(HowToCombineTransforms "Compose")
(NumberOfHistogramBins 32)
(NumberOfResolutions 3)
(MaximumNumberOfIterations 400)
(NumberOfSpatialSamples 6000)
(NewSamplesEveryIteration "true")
(ImageSampler "RandomCoordinate")
(RandomSeed 1)
(BSplineInterpolationOrder 1)
(FinalBSplineInterpolationOrder 3)
(DefaultPixelValue 0)
(WriteResultImage "false")
PAR
mkdir -p "$T/ex"
elastix -f "$T/ct.nii" -m "$T/mr.nii" -p "$T/rigid.txt" -out "$T/ex" -threads 2 >"$T/ex.log" 2>&1 ||
  { tail -20 "$T/ex.log"; exit 1; }
OURS=$($BIN sct register --fixed "$P/ct.nii.gz" --moving "$P/mr.nii.gz" --json)
echo "atelier: $OURS"
$PY - "$T/ex/TransformParameters.0.txt" "$OURS" "$P/truth.json" <<'PYEOF'
import sys, json, re, numpy as np
text = open(sys.argv[1]).read()
def field(name):
    m = re.search(r'\(' + name + r' ([^)]*)\)', text)
    return np.array([float(x) for x in m.group(1).split()])
ep = field('TransformParameters'); ec = field('CenterOfRotationPoint')
ours = json.loads(sys.argv[2]); truth = json.loads(open(sys.argv[3]).read())['mr_to_ct']
def R(a):
    cx, sx, cy, sy, cz, sz = np.cos(a[0]), np.sin(a[0]), np.cos(a[1]), np.sin(a[1]), np.cos(a[2]), np.sin(a[2])
    rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return rz @ rx @ ry
def apply(ang, t, c, x):
    return (R(ang) @ (x - c).T).T + c + t
rng = np.random.default_rng(0)
pts = rng.uniform(-60, 60, (200, 3))   # points inside the head
deg = np.pi / 180
e = apply(ep[:3], ep[3:], ec, pts)
o = apply(np.array(ours['angles_deg']) * deg, np.array(ours['translation_mm']), np.array(ours['centre_mm']), pts)
t = apply(np.array(truth['angles_deg']) * deg, np.array(truth['translation_mm']), np.array(truth['centre_mm']), pts)
d_oe = np.linalg.norm(o - e, axis=1).max(); d_ot = np.linalg.norm(o - t, axis=1).max(); d_et = np.linalg.norm(e - t, axis=1).max()
ang_oe = np.abs(np.array(ours['angles_deg']) - ep[:3] / deg).max()
ang_ot = np.abs(np.array(ours['angles_deg']) - np.array(truth['angles_deg'])).max()
print('elastix angles (deg)', ep[:3] / deg, 'translation', ep[3:], 'centre', ec)
print('max point distance within 60 mm: atelier-elastix %.3f mm, atelier-truth %.3f mm, elastix-truth %.3f mm' % (d_oe, d_ot, d_et))
print('max angle difference: atelier-elastix %.3f deg, atelier-truth %.3f deg' % (ang_oe, ang_ot))
# translation at the common centre
tr_ot = np.abs(apply(np.array(ours['angles_deg']) * deg, np.array(ours['translation_mm']), np.array(ours['centre_mm']), np.zeros((1, 3)))
               - apply(np.array(truth['angles_deg']) * deg, np.array(truth['translation_mm']), np.array(truth['centre_mm']), np.zeros((1, 3)))).max()
ok = ang_ot < 0.5 and tr_ot < 0.5 and ang_oe < 0.5 and d_oe < 1.0
sys.exit(0 if ok else 1)
PYEOF
echo ok
