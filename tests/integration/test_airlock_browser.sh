#!/usr/bin/env bash
# The airlock in a real browser: Debian's chromium, headless, driven by
# chromium-driver through python3-selenium (tests/room/airlock_browser.py),
# over HTTPS, in a room whose student ran a job in its sandbox
# (tests/room/airlock_setup.py). A student submits a table and a model, the
# DPO and a lead review (one asks for a change, the student rounds the
# table, both approve), the student downloads the package, and `atelier
# airlock verify` accepts it. Skipped (saying why) only when chromium is
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
export HOME="$tmp" # chromium's profile and caches
"$bin" room init "$tmp/room" --admin chief --json > "$tmp/init.json"
otp=$(/usr/bin/python3 -c "import json; print(json.load(open('$tmp/init.json'))['password'])")
"$bin" serve --room "$tmp/room" --listen 127.0.0.1:0 > "$tmp/serve.out" 2> "$tmp/serve.log" &
server_pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/serve.out" 2>/dev/null && break; sleep 0.1; done
port=$(awk '/listening/{print $3}' "$tmp/serve.out")
[ -n "$port" ] || { echo "FAIL: the server did not start"; cat "$tmp/serve.log"; exit 1; }
/usr/bin/python3 "$src/tests/room/airlock_setup.py" "https://127.0.0.1:$port" "$tmp/room/tls.crt" "$otp" "$tmp/setup.json"
mkdir "$tmp/downloads"
if ! timeout 600 /usr/bin/python3 "$src/tests/room/airlock_browser.py" "https://127.0.0.1:$port" "$tmp/setup.json" \
    "$tmp/downloads" "$bin"; then
    echo "--- server log"; tail -40 "$tmp/serve.log"
    exit 1
fi
kill -TERM "$server_pid"; wait "$server_pid"; server_pid=""
"$bin" room audit verify "$tmp/room"
