#!/usr/bin/python3
"""Patient-level split of a cohort CSV: one patient in five (by a stable
hash of patient_id) goes to the test file."""
import csv, sys, zlib
src, train, test = sys.argv[1:4]
with open(src, newline='', encoding='utf-8') as f:
    rows = list(csv.DictReader(f))
fields = list(rows[0].keys())
with open(train, 'w', newline='', encoding='utf-8') as a, open(test, 'w', newline='', encoding='utf-8') as b:
    wa, wb = csv.DictWriter(a, fields), csv.DictWriter(b, fields)
    wa.writeheader(); wb.writeheader()
    for r in rows:
        (wb if zlib.crc32(r['patient_id'].encode()) % 5 == 0 else wa).writerow(r)
