#!/usr/bin/env bash
# The classroom from the command line (atelier course ...) against a served
# room: a teacher creates a course, enrols students from a CSV file (the
# sheet written 0600; a bad line named with its line and column), generates
# a cohort, publishes an assignment; a student submits (the day's limit
# refused with its count), the submission is scored; the teacher exports
# the grades and a submitted configuration, which a student may not.
set -euo pipefail
bin="${ATELIER_BIN:?}"
src="${ATELIER_SOURCE_DIR:?}"
command -v bwrap >/dev/null || { echo "SKIP: bubblewrap is not installed (scripts/bootstrap)"; exit 0; }
tmp="$(mktemp -d)"
server_pid=""
cleanup() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi; rm -rf "$tmp"; }
trap cleanup EXIT
export HOME="$tmp" ATELIER_CONFIG_DIR="$tmp/config"
"$bin" room init "$tmp/room" --admin chief --json > "$tmp/init.json"
otp=$(/usr/bin/python3 -c "import json; print(json.load(open('$tmp/init.json'))['password'])")
printf 'jobs.executor = local\njobs.tick_ms = 100\n' >> "$tmp/room/room.conf"
"$bin" serve --room "$tmp/room" --listen 127.0.0.1:0 > "$tmp/serve.out" 2> "$tmp/serve.log" &
server_pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/serve.out" 2>/dev/null && break; sleep 0.1; done
port=$(awk '/listening/{print $3}' "$tmp/serve.out")
[ -n "$port" ] || { echo "FAIL: the server did not start"; cat "$tmp/serve.log"; exit 1; }
export ATELIER_SERVER="https://127.0.0.1:$port" ATELIER_CACERT="$tmp/room/tls.crt"
# a first login through the API: prints the bearer token
login() {
    /usr/bin/python3 - "$ATELIER_SERVER" "$ATELIER_CACERT" "$1" "$2" "$src/tests/room" <<'PY'
import json, ssl, sys, time, urllib.request
url, cacert, user, otp, lib = sys.argv[1:6]
sys.path.insert(0, lib)
import totp
ctx = ssl.create_default_context(cafile=cacert)
def call(path, body, token=None):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    if token:
        req.add_header("Authorization", "Bearer " + token)
    return json.load(urllib.request.urlopen(req, context=ctx))
t = call("/api/v1/login", {"user": user, "password": otp})["token"]
pw = "the long password of " + user
call("/api/v1/password", {"password": pw}, t)
secret = call("/api/v1/mfa/enrol", {}, t)["secret"]
step = int(time.time() // 30)
call("/api/v1/mfa/confirm", {"totp": totp.code(secret, (step - 1) * 30)}, t)
print(call("/api/v1/login", {"user": user, "password": pw, "totp": totp.code(secret, step * 30)})["token"])
PY
}
admin=$(login chief "$otp")
topt=$(ATELIER_TOKEN=$admin "$bin" room users create prof --role teacher --json | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['password'])")
teacher=$(login prof "$topt")
T() { ATELIER_TOKEN=$teacher "$bin" course "$@"; }

T create c1 --title "Un cours" > /dev/null
printf 'name,email\nAnna Bell,anna.bell@u.example\nBob Dyl,bob.dyl@u.example\nCora Lee,cora@u.example\n' > "$tmp/class.csv"
T enrol c1 --csv "$tmp/class.csv" --sheet "$tmp/sheet.html" > "$tmp/enrolled.txt"
[ "$(wc -l < "$tmp/enrolled.txt")" = 3 ] || { echo "FAIL: enrolled: $(cat "$tmp/enrolled.txt")"; exit 1; }
[ "$(stat -c %a "$tmp/sheet.html")" = 600 ] || { echo "FAIL: the sheet is not 0600"; exit 1; }
grep -q "$(awk 'NR==1{print $2}' "$tmp/enrolled.txt")" "$tmp/sheet.html" || { echo "FAIL: the sheet has no password"; exit 1; }
printf 'name,email\nAnna Bell,anna.bell@u.example\nBob Dyl,bob-at-u.example\n' > "$tmp/bad.csv"
if T enrol c1 --csv "$tmp/bad.csv" 2> "$tmp/bad.err"; then echo "FAIL: a bad CSV accepted"; exit 1; fi
grep -q "line 3, column 2: not an e-mail address" "$tmp/bad.err" || { echo "FAIL: $(cat "$tmp/bad.err")"; exit 1; }
T generate c1 --name cohort --patients 100 --seed 3 > /dev/null
T assign c1 a1 --data cohort --deadline +2h --per-day 1 > /dev/null

student=$(login anna.bell "$(awk 'NR==1{print $2}' "$tmp/enrolled.txt")")
S() { ATELIER_TOKEN=$student "$bin" course "$@"; }
S list | grep -q "^c1	student" || { echo "FAIL: the student's course list"; exit 1; }
S submit c1 a1 --C 1 | grep -q "0 remaining today" || { echo "FAIL: submit"; exit 1; }
if S submit c1 a1 2> "$tmp/limit.err"; then echo "FAIL: past the day's limit"; exit 1; fi
grep -q "1 of 1 submissions today" "$tmp/limit.err" || { echo "FAIL: $(cat "$tmp/limit.err")"; exit 1; }
for _ in $(seq 600); do
    S assignment c1 a1 > "$tmp/a1.json"
    grep -q '"state":"scored"' "$tmp/a1.json" && break
    grep -q '"state":"failed"' "$tmp/a1.json" && { echo "FAIL: $(cat "$tmp/a1.json")"; exit 1; }
    sleep 0.5
done
grep -q '"public_score":0\.' "$tmp/a1.json" || { echo "FAIL: not scored: $(cat "$tmp/a1.json")"; exit 1; }
T grades c1 -o "$tmp/grades.csv" 2> /dev/null
grep -q '^anna.bell,Anna Bell,anna.bell@u.example,a1,best,1,0\.' "$tmp/grades.csv" || { echo "FAIL: $(cat "$tmp/grades.csv")"; exit 1; }
T config c1 1 -o "$tmp/cfg.json" 2> /dev/null
grep -q '"kind":"pipeline"' "$tmp/cfg.json" || { echo "FAIL: $(cat "$tmp/cfg.json")"; exit 1; }
if S grades c1 -o "$tmp/x.csv" 2> /dev/null; then echo "FAIL: a student exported the grades"; exit 1; fi
echo "classroom cli: ok"
