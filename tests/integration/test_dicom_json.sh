#!/bin/bash
# `atelier dicom dump --json` agrees with pydicom's DICOM JSON model (PS3.18
# Annex F) on pydicom's test files (see dicom_json_compare.py for what is
# tolerated), and on pydicom's character set files: every one of them must
# be compared and agree (strings converted to UTF-8 from each Specific
# Character Set, ISO 2022 code extensions included).
set -u
PYD=/usr/lib/python3/dist-packages/pydicom/data
CMP="${ATELIER_SOURCE_DIR:?}/tests/integration/dicom_json_compare.py"
fail=0
find "$PYD/test_files" -type f -name '*.dcm' | sort | xargs -d '\n' /usr/bin/python3 "$CMP" "${ATELIER_BIN:?}" || fail=1
n=$(find "$PYD/charset_files" -type f -name '*.dcm' | wc -l)
[ "$n" -ge 17 ] || { echo "FAIL: pydicom charset files missing ($n)"; fail=1; }
find "$PYD/charset_files" -type f -name '*.dcm' | sort |
    xargs -d '\n' /usr/bin/python3 "$CMP" --min-compared "$n" "$ATELIER_BIN" || fail=1
exit $fail
