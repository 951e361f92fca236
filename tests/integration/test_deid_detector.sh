#!/bin/bash
# clean-descriptors reuses the French text detector: `atelier deid` hands
# the run to atelier-engine, and a doctor and a hospital that the header
# does not hold, written without a title, are masked in a kept description;
# without the option the description is removed (Table E.1-1: X).
set -euo pipefail
BIN=${ATELIER_BIN:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$BIN" key new "$T/key" >/dev/null 2>&1
mkdir -p "$T/in"
/usr/bin/python3 - "$T/in" <<'PYEOF'
import sys, warnings
warnings.simplefilter("ignore")
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
ds = Dataset()
ds.file_meta = FileMetaDataset()
ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
ds.SOPInstanceUID = generate_uid()
ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
ds.Modality, ds.PatientName, ds.PatientID = "CT", "X^Y", "P1"
ds.StudyDescription = "Scanner thorax demande par Jean Durand, Hopital Necker"
ds.SeriesDescription = "Thorax injecte"
ds.preamble = b"\0" * 128
ds.save_as(sys.argv[1] + "/a.dcm", write_like_original=False)
PYEOF
"$BIN" deid "$T/in" -o "$T/clean" --key "$T/key" -q --option clean-descriptors
f=$(find "$T/clean" -name '*.dcm')
dcmdump +P StudyDescription "$f" | grep -q "Scanner thorax demande par" || { echo "FAIL: description lost"; exit 1; }
if grep -qaE "Durand|Necker" "$f"; then echo "FAIL: the detector did not run"; dcmdump +P StudyDescription "$f"; exit 1; fi
dcmdump +P SeriesDescription "$f" | grep -q "Thorax injecte" || { echo "FAIL: a clean description was changed"; exit 1; }
"$BIN" deid "$T/in" -o "$T/basic" --key "$T/key" -q
if grep -qraE "Durand|Scanner thorax" "$T/basic"; then echo "FAIL: basic kept the description"; exit 1; fi
echo "ok: clean-descriptors through atelier-engine's detector"
