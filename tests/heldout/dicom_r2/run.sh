#!/bin/bash
# Held-out DICOM de-identification corpus dicom-r2: build, de-identify, check.
#
#   ./run.sh                       # atelier at /work/main/build/atelier, then gdcmanon
#   ATELIER_BIN=/path/to/atelier ./run.sh
#   SEED=7 GDCM=0 KEEP=1 ./run.sh  # other seed, no gdcmanon comparison, keep the work dir
#   RESULTS=DIR ./run.sh           # also copy the full leak lists (txt + json) into DIR
#
# Exit status: 0 no planted identifier found in atelier's output, 1 leaks, 2 setup error.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${ATELIER_BIN:-/work/main/build/atelier}
PY=/usr/bin/python3
SEED=${SEED:-20241205}
GDCM=${GDCM:-1}
KEEP=${KEEP:-0}
RESULTS=${RESULTS:-}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dicom-r2.XXXXXX") || exit 2
cleanup() { if [ "$KEEP" = 1 ]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

echo "== corpus (seed $SEED)"
"$PY" "$HERE/gen.py" "$WORK/gen" --seed "$SEED" 2> "$WORK/gen.log" || { cat "$WORK/gen.log" >&2; echo "gen.py failed" >&2; exit 2; }
CORPUS=$WORK/gen/corpus
PLANTED=$WORK/gen/planted.json
# self-test: every planted identifier is found in the input, in every file it was planted in, nowhere else
ST=$("$PY" "$HERE/check.py" "$CORPUS" --planted "$PLANTED" --input-mode 2> /dev/null)
STRC=$?
echo "$ST" | grep '^INPUT SELF-TEST'
[ "$STRC" = 0 ] || { echo "$ST" >&2; echo "checker self-test on the input corpus failed" >&2; exit 2; }

echo "== atelier: $BIN"
[ -x "$BIN" ] || { echo "no executable at $BIN (set ATELIER_BIN)" >&2; exit 2; }
# KEY_FILE: a fixed key for a repeatable run (make test); else a fresh random one
if [ -n "${KEY_FILE:-}" ]; then cp "$KEY_FILE" "$WORK/key"; else head -c 32 /dev/urandom > "$WORK/key"; fi
chmod 600 "$WORK/key"
"$BIN" deid "$CORPUS" -o "$WORK/out" --key "$WORK/key" > "$WORK/deid.log" 2>&1
echo "atelier deid exit status $? ($(tail -n 1 "$WORK/deid.log" | tr -d '\r' | sed 's/.*atelier deid: //'))"
"$PY" "$HERE/check.py" "$WORK/out" --planted "$PLANTED" --json "$WORK/atelier-result.json" > "$WORK/atelier-check.txt" 2> /dev/null
RC=$?
grep -E '^(where released|leaked categories|LEAKED)' "$WORK/atelier-check.txt"
[ "$KEEP" = 1 ] && echo "full leak list: $WORK/atelier-check.txt"
if [ -n "$RESULTS" ]; then
    mkdir -p "$RESULTS"
    cp "$WORK/atelier-check.txt" "$RESULTS/results-atelier.txt"
    cp "$WORK/atelier-result.json" "$RESULTS/results-atelier.json"
    cp "$WORK/out/deid-report.json" "$RESULTS/atelier-deid-report.json" 2> /dev/null
fi

if [ "$GDCM" = 1 ] && command -v gdcmanon > /dev/null && command -v openssl > /dev/null; then
    # gdcmanon's Basic Profile mode (-e, PS3.15 E.1.1) needs an X.509 certificate: it
    # encrypts the original values into the Encrypted Attributes Sequence. A throwaway
    # self-signed certificate is made here; its key is discarded with the work dir, so
    # those encrypted values are not recoverable and do not count as leaks. (--dumb mode
    # only does what it is told tag by tag, so it is not a profile to compare against.)
    # gdcmanon stops a whole directory run at the first SOP class it does not know, so it
    # is run file by file; a file it refuses is written nowhere (counted "missing").
    echo "== gdcmanon (GDCM $(gdcmanon --version 2>&1 | sed -n 's/.*gdcm \([0-9.]*\).*/\1/p' | head -n 1), Basic Profile, throwaway certificate)"
    mkdir -p "$WORK/gdcm-cert" "$WORK/gdcm-out"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/gdcm-cert/key.pem" \
        -out "$WORK/gdcm-cert/cert.pem" -days 2 -subj "/CN=dicom-r2 throwaway" > /dev/null 2>&1
    refused=0
    while IFS= read -r -d '' f; do
        rel=${f#"$CORPUS"/}
        mkdir -p "$WORK/gdcm-out/$(dirname "$rel")"
        if ! gdcmanon -e -c "$WORK/gdcm-cert/cert.pem" -i "$f" -o "$WORK/gdcm-out/$rel" > /dev/null 2>&1 \
            || [ ! -s "$WORK/gdcm-out/$rel" ]; then
            rm -f "$WORK/gdcm-out/$rel"
            refused=$((refused + 1))
        fi
    done < <(find "$CORPUS" -type f -print0 | sort -z)
    echo "gdcmanon refused $refused file(s)"
    "$PY" "$HERE/check.py" "$WORK/gdcm-out" --planted "$PLANTED" --json "$WORK/gdcmanon-result.json" \
        > "$WORK/gdcmanon-check.txt" 2> /dev/null
    grep -E '^(leaked categories \(released\)|LEAKED)' "$WORK/gdcmanon-check.txt" | sed 's/^/gdcmanon: /'
    if [ -n "$RESULTS" ]; then
        cp "$WORK/gdcmanon-check.txt" "$RESULTS/results-gdcmanon.txt"
        cp "$WORK/gdcmanon-result.json" "$RESULTS/results-gdcmanon.json"
    fi
fi
exit $RC
