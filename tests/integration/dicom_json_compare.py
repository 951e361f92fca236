#!/usr/bin/python3
"""Compare `atelier dicom dump --json` with pydicom's DICOM JSON model
(Dataset.to_json_dict) on every file both can read.

usage: dicom_json_compare.py [--min-compared N] ATELIER_BIN FILE...

Tolerated, on purpose: group length elements (atelier leaves them out);
an element the file itself declares UN (atelier keeps UN, pydicom looks the
tag up); numbers equal within 1e-6 relative (float formatting); leading and
trailing spaces of string values (insignificant in DICOM); InlineBinary of
big endian files (atelier gives little endian bytes, pydicom the file's).
Exits 1 when any other difference is found.
"""
import json
import subprocess
import sys
import warnings

warnings.simplefilter("ignore")
import pydicom  # noqa: E402

BIG_ENDIAN = "1.2.840.10008.1.2.2"


def same_number(x, y):
    try:
        fx, fy = float(x), float(y)
    except (TypeError, ValueError):
        return False
    return fx == fy or abs(fx - fy) <= 1e-6 * max(abs(fx), abs(fy))


def same_value(x, y):
    if isinstance(x, dict) or isinstance(y, dict):
        if not isinstance(x, dict) or not isinstance(y, dict):
            return False
        kx = {k: v.strip() for k, v in x.items() if v and v.strip()}
        ky = {k: v.strip() for k, v in y.items() if v and v.strip()}
        return kx == ky
    if isinstance(x, str) and isinstance(y, str):
        return x.strip() == y.strip()
    if x is None or y is None:
        return (x or "") == (y or "")
    if isinstance(x, (int, float)) or isinstance(y, (int, float)):
        return same_number(x, y)
    return x == y


def compare(a, p, path, big_endian, out):
    ka = {k for k in a if not k.endswith("0000")}
    kp = {k for k in p if not k.endswith("0000")}
    if ka != kp:
        out.append("%skeys differ: %s" % (path, sorted(ka ^ kp)[:5]))
    for k in sorted(ka & kp):
        x, y = a[k], p[k]
        vx, vy = x.get("vr"), getattr(y.get("vr"), "value", y.get("vr"))
        if vx != vy:
            if vx != "UN":
                out.append("%s%s: vr %s vs pydicom %s" % (path, k, vx, vy))
            continue
        if vx == "SQ":
            ix, iy = x.get("Value", []), y.get("Value", [])
            if len(ix) != len(iy):
                out.append("%s%s: %d items vs %d" % (path, k, len(ix), len(iy)))
                continue
            for i, (s, t) in enumerate(zip(ix, iy)):
                compare(s, t, "%s%s/%d/" % (path, k, i), big_endian, out)
            continue
        if "InlineBinary" in x or "InlineBinary" in y:
            if x.get("InlineBinary") != y.get("InlineBinary") and not big_endian:
                out.append("%s%s: InlineBinary differs" % (path, k))
            continue
        xv, yv = x.get("Value", []), y.get("Value", [])
        if len(xv) != len(yv) or not all(same_value(s, t) for s, t in zip(xv, yv)):
            out.append("%s%s: value differs" % (path, k))


def main():
    args = sys.argv[1:]
    min_compared = 50
    if args[0] == "--min-compared":
        min_compared = int(args[1])
        args = args[2:]
    atelier = args[0]
    compared = skipped = failed = 0
    for f in args[1:]:
        name = f.rsplit("/", 1)[-1]
        try:
            ds = pydicom.dcmread(f)
            pj = ds.to_json_dict(bulk_data_threshold=1 << 40)
            ts = str(getattr(ds, "file_meta", {}).get("TransferSyntaxUID", "") and ds.file_meta.TransferSyntaxUID)
        except Exception:
            skipped += 1
            continue
        r = subprocess.run([atelier, "dicom", "dump", "--json", f], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode == 1:
            skipped += 1
            continue
        if r.returncode != 0:
            print("FAIL %s: exit %d" % (name, r.returncode))
            failed += 1
            continue
        try:
            aj = json.loads(r.stdout.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            print("FAIL %s: not UTF-8 JSON: %s" % (name, e))
            failed += 1
            continue
        problems = []
        compare(aj, pj, "", ts == BIG_ENDIAN, problems)
        compared += 1
        if problems:
            failed += 1
            print("FAIL %s: %s" % (name, "; ".join(problems[:4])))
    print("json: %d files compared with pydicom, %d skipped (unreadable by one side), %d failed"
          % (compared, skipped, failed))
    return 1 if failed or compared < min_compared else 0


if __name__ == "__main__":
    sys.exit(main())
