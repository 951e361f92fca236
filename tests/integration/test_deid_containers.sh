#!/bin/bash
# Pixel data containers through the door, against DCMTK and pydicom:
# encapsulated JPEG (lossless and baseline, single and multi-frame, frames
# split over fragments, basic offset table) whose frames carry COM and APPn
# segments holding a name and an IPP: after `atelier deid` no such segment
# is left (the JPEG markers of every frame are parsed), JFIF is kept, the
# name and IPP are nowhere in the bytes, dcmdump reads the output with no
# warning, and dcmdjpeg decodes it to the same pixels as the input. An
# encapsulated PDF (pdf2dcm) goes to quarantine, unless --allow-documents.
set -euo pipefail
BIN=${ATELIER_BIN:?}
PY=/usr/bin/python3
for p in dcmcjpeg dcmdjpeg dcmdump pdf2dcm; do
    command -v $p >/dev/null || { echo "skip: $p missing"; exit 0; }
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$BIN" key new "$T/key" >/dev/null 2>&1
mkdir -p "$T/raw" "$T/in"
# native sources: 16-bit CT (lossless) and 8-bit (baseline), 3 frames each
$PY - "$T/raw" <<'PYEOF'
import sys, numpy as np, pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
out = sys.argv[1]
rng = np.random.default_rng(7)
for name, bits in (("ct16", 16), ("sc8", 8)):
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.2" if bits == 16 else "1.2.840.10008.5.1.4.1.1.7.2"
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.Modality = "CT" if bits == 16 else "OT"
    ds.PatientName, ds.PatientID = "DUPONT^JEAN", "IPP884211"
    ds.Rows = ds.Columns = 32
    ds.NumberOfFrames = 3
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = bits, (12 if bits == 16 else 8), (11 if bits == 16 else 7), 0
    hi = 4095 if bits == 16 else 255
    arr = rng.integers(0, hi, (3, 32, 32)).astype(np.uint16 if bits == 16 else np.uint8)
    ds.PixelData = arr.tobytes()
    ds.preamble = b"\0" * 128
    ds.save_as(f"{out}/{name}.dcm", write_like_original=False)
PYEOF
dcmcjpeg "$T/raw/ct16.dcm" "$T/raw/ct16_jpeg.dcm"          # lossless, process 14 SV1
dcmcjpeg +eb "$T/raw/sc8.dcm" "$T/raw/sc8_jpeg.dcm"         # baseline, process 1
# plant COM, APP1 (Exif-like) and APP13 segments in every frame, split the
# frames over two fragments each, with a basic offset table
$PY - "$T/raw" "$T/in" <<'PYEOF'
import sys, pydicom
from pydicom.encaps import generate_pixel_data_frame, encapsulate
src, out = sys.argv[1], sys.argv[2]
def seg(marker, payload):
    return b"\xff" + bytes([marker]) + (len(payload) + 2).to_bytes(2, "big") + payload
for name in ("ct16_jpeg", "sc8_jpeg"):
    ds = pydicom.dcmread(f"{src}/{name}.dcm")
    frames = list(generate_pixel_data_frame(ds.PixelData, int(ds.NumberOfFrames)))
    new = []
    for f in frames:
        assert f[:2] == b"\xff\xd8"
        extra = (seg(0xFE, b"COM DUPONT^JEAN IPP884211") + seg(0xE1, b"Exif\0\0DUPONT JEAN") +
                 seg(0xED, b"Photoshop 3.0\0IPP884211"))
        new.append(f[:2] + extra + f[2:])
    ds.PixelData = encapsulate(new, fragments_per_frame=2, has_bot=True)
    ds.save_as(f"{out}/{name}.dcm")
PYEOF
for f in "$T"/in/*.dcm; do
    grep -qa DUPONT "$f" || { echo "FAIL: the name was not planted in $f"; exit 1; }
done
"$BIN" deid "$T/in" -o "$T/out" --key "$T/key" --allow-burned-in -q
n=$(find "$T/out" -name '*.dcm' | wc -l)
[ "$n" = 2 ] || { echo "FAIL: $n outputs, expected 2"; cat "$T/out/deid-report.json"; exit 1; }
grep -q '"jpeg_segments_removed":18' "$T/out/deid-report.json" || { echo "FAIL: report"; cat "$T/out/deid-report.json"; exit 1; }
if grep -rqaE "DUPONT|IPP884211" "$T/out"; then echo "FAIL: a planted value survived"; exit 1; fi
for f in $(find "$T/out" -name '*.dcm'); do
    w=$(dcmdump -q "$f" 2>&1 >/dev/null | wc -l)
    [ "$w" = 0 ] || { echo "FAIL: dcmdump warns on $f"; dcmdump -q "$f" >/dev/null; exit 1; }
done
# every frame: markers parsed, no COM/APPn but JFIF/Adobe; decoded pixels equal
$PY - "$T/in" "$T/out" "$T" <<'PYEOF'
import sys, os, glob, subprocess, numpy as np, pydicom
from pydicom.encaps import generate_pixel_data_frame
src, out, tmp = sys.argv[1:4]
def markers(frame):
    i, found = 2, []
    while i < len(frame):
        assert frame[i] == 0xFF, "marker expected"
        m = frame[i + 1]
        if m == 0xD9:
            break
        n = int.from_bytes(frame[i + 2:i + 4], "big")
        found.append((m, frame[i + 4:i + 4 + min(n - 2, 5)]))
        if m == 0xDA:  # skip the scan: to the next marker that is not RST or stuffing
            j = i + 2 + n
            while not (frame[j] == 0xFF and frame[j + 1] not in (0x00,) and not 0xD0 <= frame[j + 1] <= 0xD7):
                j += 1
            i = j
            continue
        i += 2 + n
    return found
outs = {pydicom.dcmread(p).Rows and pydicom.dcmread(p).BitsAllocated: p for p in glob.glob(out + "/**/*.dcm", recursive=True)}
for p in sorted(glob.glob(src + "/*.dcm")):
    a = pydicom.dcmread(p)
    b = pydicom.dcmread(outs[a.BitsAllocated])
    assert b.file_meta.TransferSyntaxUID == a.file_meta.TransferSyntaxUID
    for fr in generate_pixel_data_frame(b.PixelData, int(b.NumberOfFrames)):
        for m, head in markers(fr):
            assert m == 0xFE or not (0xE0 <= m <= 0xEF) or head.startswith((b"JFIF", b"Adobe")), (p, hex(m), head)
            assert m != 0xFE, (p, "COM left")
    for q, tag in ((p, "a"), (outs[a.BitsAllocated], "b")):
        subprocess.run(["dcmdjpeg", q, f"{tmp}/{tag}.dcm"], check=True)
    pa = pydicom.dcmread(f"{tmp}/a.dcm").pixel_array
    pb = pydicom.dcmread(f"{tmp}/b.dcm").pixel_array
    assert pa.shape == (3, 32, 32) and np.array_equal(pa, pb), p
print("ok: JPEG frames cleaned, pixels decode identically")
PYEOF
# JPEG-LS (DCMTK) and JPEG 2000 (GDCM): a COM segment with the name in each
# frame, removed; decoded pixels equal to the source
if command -v dcmcjpls >/dev/null && command -v dcmdjpls >/dev/null && command -v gdcmconv >/dev/null; then
    mkdir -p "$T/in2"
    dcmcjpls "$T/raw/ct16.dcm" "$T/raw/ct16_jls.dcm"
    gdcmconv --j2k "$T/raw/ct16.dcm" "$T/raw/ct16_j2k.dcm"
    $PY - "$T/raw" "$T/in2" <<'PYEOF'
import sys, pydicom
from pydicom.encaps import generate_pixel_data_frame, encapsulate
src, out = sys.argv[1], sys.argv[2]
text = b"DUPONT^JEAN IPP884211"
for name in ("ct16_jls", "ct16_j2k"):
    ds = pydicom.dcmread(f"{src}/{name}.dcm")
    new = []
    for f in generate_pixel_data_frame(ds.PixelData, int(ds.NumberOfFrames)):
        if name.endswith("jls"):
            new.append(f[:2] + b"\xff\xfe" + (len(text) + 2).to_bytes(2, "big") + text + f[2:])
        else:  # after SIZ, in the main header: COM with Rcom 1 (Latin-1 text)
            siz = 4 + int.from_bytes(f[4:6], "big")
            com = b"\xff\x64" + (len(text) + 4).to_bytes(2, "big") + b"\x00\x01" + text
            new.append(f[:siz] + com + f[siz:])
    ds.PixelData = encapsulate(new, has_bot=False)
    ds.SOPInstanceUID = pydicom.uid.generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.save_as(f"{out}/{name}.dcm")
PYEOF
    "$BIN" deid "$T/in2" -o "$T/out2" --key "$T/key" -q
    if grep -rqaE "DUPONT|IPP884211" "$T/out2"; then echo "FAIL: a COM survived (JPEG-LS, JPEG 2000)"; exit 1; fi
    [ "$(find "$T/out2" -name '*.dcm' | wc -l)" = 2 ] || { echo "FAIL: JPEG-LS/JPEG 2000 outputs"; exit 1; }
    [ ! -d "$T/out2/quarantine" ] || { echo "FAIL: a JPEG-LS/JPEG 2000 frame could not be rewritten"; exit 1; }
    for f in $(find "$T/out2" -name '*.dcm'); do
        ts=$(dcmdump +P TransferSyntaxUID "$f" | sed 's/.*\[\(.*\)\].*/\1/; s/.*=//')
        case "$ts" in
        *LS*|1.2.840.10008.1.2.4.80) dcmdjpls "$f" "$T/dec_ls.dcm" ;;
        *) gdcmconv --raw "$f" "$T/dec_j2k.dcm" ;;
        esac
    done
    $PY - "$T/raw/ct16.dcm" "$T/dec_ls.dcm" "$T/dec_j2k.dcm" <<'PYEOF'
import sys, numpy as np, pydicom
ref = pydicom.dcmread(sys.argv[1]).pixel_array
for p in sys.argv[2:]:
    assert np.array_equal(pydicom.dcmread(p).pixel_array, ref), p
print("ok: JPEG-LS and JPEG 2000 frames cleaned, pixels decode identically")
PYEOF
fi
# encapsulated PDF: quarantined (content replaced) unless --allow-documents
printf '%%PDF-1.1\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 99 99]>>endobj\n%% DUPONT JEAN IPP884211\ntrailer<</Root 1 0 R>>\n%%%%EOF\n' > "$T/doc.pdf"
mkdir -p "$T/pdf"
pdf2dcm --patient-name "DUPONT^JEAN" --patient-id IPP884211 --title "CR de DUPONT" "$T/doc.pdf" "$T/pdf/doc.dcm"
grep -qa DUPONT "$T/pdf/doc.dcm" || { echo "FAIL: the PDF holds no name"; exit 1; }
"$BIN" deid "$T/pdf" -o "$T/pout" --key "$T/key" -q
[ "$(find "$T/pout/quarantine" -name '*.dcm' | wc -l)" = 1 ] || { echo "FAIL: PDF not quarantined"; exit 1; }
grep -q 'encapsulated document' "$T/pout/deid-report.json" || { echo "FAIL: no reason in the report"; exit 1; }
if grep -rqaE "DUPONT|IPP884211" "$T/pout"; then echo "FAIL: the PDF's identity survived"; exit 1; fi
# pdf2dcm says Burned In Annotation YES: --allow-burned-in alone is not enough
"$BIN" deid "$T/pdf" -o "$T/pout1" --key "$T/key" -q --allow-burned-in
[ -d "$T/pout1/quarantine" ] || { echo "FAIL: --allow-burned-in lets a document through"; exit 1; }
"$BIN" deid "$T/pdf" -o "$T/pout2" --key "$T/key" -q --allow-documents --allow-burned-in
[ ! -d "$T/pout2/quarantine" ] || { echo "FAIL: --allow-documents still quarantines"; exit 1; }
echo "ok: containers"
