#!/bin/bash
# `atelier dicom dump --json` agrees with pydicom's DICOM JSON model (PS3.18
# Annex F) on pydicom's test files (see dicom_json_compare.py for what is tolerated).
set -u
DATA=/usr/lib/python3/dist-packages/pydicom/data/test_files
find "$DATA" -type f -name '*.dcm' | sort | xargs -d '\n' /usr/bin/python3 \
    "${ATELIER_SOURCE_DIR:?}/tests/integration/dicom_json_compare.py" "${ATELIER_BIN:?}"
