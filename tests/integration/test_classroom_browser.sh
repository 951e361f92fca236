#!/usr/bin/env bash
# The classroom in a real browser: Debian's chromium, headless, driven by
# chromium-driver through python3-selenium (tests/room/classroom_browser.py),
# over HTTPS: a teacher's first hour (create a course, enrol 20 students from
# a CSV, generate a cohort, publish an assignment) and a student's (first
# login with MFA, submit twice, see the leaderboard), each submission trained
# and scored in the room's sandboxed jobs. Screenshots go to a temporary
# folder, or to ATELIER_CLASSROOM_SHOTS (docs/classroom/ is made so).
# Skipped (saying why) only when chromium or bubblewrap is absent.
set -euo pipefail
bin="${ATELIER_BIN:?}"
src="${ATELIER_SOURCE_DIR:?}"
if ! command -v chromium >/dev/null || [ ! -x /usr/bin/chromedriver ]; then
    echo "SKIP: chromium or chromium-driver is not installed (scripts/bootstrap installs them)"
    exit 0
fi
command -v bwrap >/dev/null || { echo "SKIP: bubblewrap is not installed (scripts/bootstrap)"; exit 0; }
/usr/bin/python3 -c "import selenium" 2>/dev/null || { echo "FAIL: python3-selenium is missing (scripts/bootstrap)"; exit 1; }
tmp="$(mktemp -d)"
server_pid=""
cleanup() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi; rm -rf "$tmp"; }
trap cleanup EXIT
export HOME="$tmp"
"$bin" room init "$tmp/room" --admin chief --json > "$tmp/init.json"
otp=$(/usr/bin/python3 -c "import json; print(json.load(open('$tmp/init.json'))['password'])")
printf 'jobs.executor = local\njobs.tick_ms = 100\n' >> "$tmp/room/room.conf"
"$bin" serve --room "$tmp/room" --listen 127.0.0.1:0 > "$tmp/serve.out" 2> "$tmp/serve.log" &
server_pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/serve.out" 2>/dev/null && break; sleep 0.1; done
port=$(awk '/listening/{print $3}' "$tmp/serve.out")
[ -n "$port" ] || { echo "FAIL: the server did not start"; cat "$tmp/serve.log"; exit 1; }
shots="${ATELIER_CLASSROOM_SHOTS:-$tmp/shots}"
if ! timeout 800 /usr/bin/python3 "$src/tests/room/classroom_browser.py" "https://127.0.0.1:$port" "$tmp/room/tls.crt" \
    "$otp" "$shots"; then
    echo "--- server log"; tail -40 "$tmp/serve.log"
    exit 1
fi
kill -TERM "$server_pid"; wait "$server_pid"; server_pid=""
"$bin" room audit verify "$tmp/room"
