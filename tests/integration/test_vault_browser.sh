#!/usr/bin/env bash
# The vault's pages in a real browser: Debian's chromium, headless, driven
# by chromium-driver through python3-selenium (tests/room/vault_browser.py),
# over HTTPS, in a room where a member imported a DICOM study through the
# door and a lead a synthetic cohort: the datasets of my projects, a
# dataset's snapshots and door report, its lineage SVG, an import's page,
# a student and another project's member kept out, a deletion asked by the
# lead and confirmed by the DPO. Skipped (saying why) only when chromium is
# absent; scripts/bootstrap installs it.
set -euo pipefail
bin="${ATELIER_BIN:?}"
src="${ATELIER_SOURCE_DIR:?}"
if ! command -v chromium >/dev/null || [ ! -x /usr/bin/chromedriver ]; then
    echo "SKIP: chromium or chromium-driver is not installed (scripts/bootstrap installs them)"
    exit 0
fi
/usr/bin/python3 -c "import selenium" 2>/dev/null || { echo "FAIL: python3-selenium is missing (scripts/bootstrap)"; exit 1; }
tmp="$(mktemp -d)"
server_pid=""
cleanup() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi; rm -rf "$tmp"; }
trap cleanup EXIT
export HOME="$tmp" ATELIER_CONFIG_DIR="$tmp/config" # chromium's profile and caches; the CLI's login
unset ATELIER_SERVER ATELIER_TOKEN ATELIER_CACERT ATELIER_PIN
"$bin" room init "$tmp/room" --admin chief --json > "$tmp/init.json"
otp=$(/usr/bin/python3 -c "import json; print(json.load(open('$tmp/init.json'))['password'])")
"$bin" serve --room "$tmp/room" --listen 127.0.0.1:0 > "$tmp/serve.out" 2> "$tmp/serve.log" &
server_pid=$!
for _ in $(seq 300); do grep -q listening "$tmp/serve.out" 2>/dev/null && break; sleep 0.1; done
port=$(awk '/listening/{print $3}' "$tmp/serve.out")
[ -n "$port" ] || { echo "FAIL: the server did not start"; cat "$tmp/serve.log"; exit 1; }
/usr/bin/python3 "$src/tests/room/vault_setup.py" "https://127.0.0.1:$port" "$tmp/room/tls.crt" "$otp" "$tmp/setup.json"
tok() { /usr/bin/python3 -c "import json; print(json.load(open('$tmp/setup.json'))['users']['$1']['token'])"; }
export ATELIER_SERVER="https://127.0.0.1:$port" ATELIER_CACERT="$tmp/room/tls.crt"
"$bin" synth study -o "$tmp/study" --quiet
"$bin" synth cohort --patients 1 --size 16 16 8 -o "$tmp/cohort" --quiet
ATELIER_TOKEN=$(tok member1) "$bin" import --project onco --dataset ct dicom "$tmp/study" > /dev/null
ATELIER_TOKEN=$(tok lead1) "$bin" import --project onco --dataset cohort --synthetic files "$tmp/cohort" > /dev/null
if ! timeout 600 /usr/bin/python3 "$src/tests/room/vault_browser.py" "https://127.0.0.1:$port" "$tmp/setup.json"; then
    echo "--- server log"; tail -40 "$tmp/serve.log"
    exit 1
fi
kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""
"$bin" room audit verify "$tmp/room"
