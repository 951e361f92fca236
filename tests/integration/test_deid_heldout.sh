#!/usr/bin/env bash
# The DICOM door against held-out corpora written by testers who never read
# the engine's code or tables (tests/heldout/dicom_r*/: each round's
# generator, checker and README). After the basic profile no planted
# identifier may survive in any released or quarantined byte. The tables
# are never tuned to these corpora: a leak found here is fixed by its rule
# class, and the next round is a fresh corpus.
set -euo pipefail
root="${ATELIER_SOURCE_DIR:?}"
bin="${ATELIER_BIN:?}"
status=0
for run in "$root"/tests/heldout/dicom_r*/run.sh; do
  echo "== $(basename "$(dirname "$run")")"
  GDCM=0 ATELIER_BIN="$bin" bash "$run" || status=1
done
exit $status
