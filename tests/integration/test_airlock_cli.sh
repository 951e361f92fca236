#!/usr/bin/env bash
# The airlock from the command line, in a served room whose job really ran
# (tests/room/airlock_setup.py: users through their first login, a code
# push, a sandboxed job whose result holds a table, a table with a count
# of 4 and neural-network weights): export request, add (a check fires on
# the small table: blocked, the file removed), submit; the author refused
# a vote, one reviewer not enough, the DPO's review approving; export
# download (released, verified); airlock verify on the package, with the
# room's key, with a wrong key, on a copy with one byte changed, on the
# unpacked folder and an edited one; a job's log naming a patient blocked;
# every step in the audit, which verifies.
set -euo pipefail
bin="${ATELIER_BIN:?}"
src="${ATELIER_SOURCE_DIR:?}"
tmp="$(mktemp -d)"
server_pid=""
cleanup() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$tmp/serve.log" ] && tail -20 "$tmp/serve.log" >&2; exit 1; }
json() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print(d$1)"; }
unset ATELIER_SERVER ATELIER_TOKEN ATELIER_CACERT ATELIER_PIN
export ATELIER_CONFIG_DIR="$tmp/config"

"$bin" room init "$tmp/room" --admin chief --json > "$tmp/init.json"
otp=$(json "['password']" < "$tmp/init.json")
"$bin" serve --room "$tmp/room" --listen 127.0.0.1:0 > "$tmp/serve.out" 2> "$tmp/serve.log" &
server_pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/serve.out" 2>/dev/null && break; sleep 0.1; done
port=$(awk '/listening/{print $3}' "$tmp/serve.out")
[ -n "$port" ] || fail "the server did not start"
url="https://127.0.0.1:$port"
/usr/bin/python3 "$src/tests/room/airlock_setup.py" "$url" "$tmp/room/tls.crt" "$otp" "$tmp/setup.json" \
    || fail "setting the room up"
job=$(json "['job']" < "$tmp/setup.json")
tok() { json "['users']['$1']['token']" < "$tmp/setup.json"; }
stu=$(tok student1); lead=$(tok lead1); dpo=$(tok dpo1)
export ATELIER_SERVER="$url" ATELIER_CACERT="$tmp/room/tls.crt"
as() { local t="$1"; shift; ATELIER_TOKEN="$t" "$bin" "$@"; }
api() { # TOKEN METHOD PATH [JSON]: prints the HTTP status
    curl -s -o "$tmp/api.out" -w '%{http_code}' --cacert "$tmp/room/tls.crt" -H "Authorization: Bearer $1" \
        -H "Content-Type: application/json" -X "$2" ${4:+-d "$4"} "$url$3"
}

# --- a request by the student
id=$(as "$stu" export request --project onco --title "stages and a model")
[ "$id" -gt 0 ] || fail "export request prints the number"
f1=$(as "$stu" export add "$id" --job "$job" --path stage.csv --justification "Table 2 of the paper")
f2=$(as "$stu" export add "$id" --job "$job" --path model.safetensors --name unet.safetensors)
f3=$(as "$stu" export add "$id" --job "$job" --path small.csv)
as "$stu" export status "$id" > "$tmp/status"
grep -q "fail   disclosure: 1 count under the threshold of 10" "$tmp/status" || fail "the small count is flagged: $(cat "$tmp/status")"
grep -q "unet.safetensors .*(needs the DPO)" "$tmp/status" || fail "the weights need the DPO"
if as "$stu" export submit "$id" > "$tmp/out" 2> "$tmp/err"; then fail "a failing check must block"; fi
grep -q blocked "$tmp/out" || fail "submit says blocked"
as "$stu" export remove "$id" "$f3"
[ "$(as "$stu" export submit "$id")" = in-review ] || fail "in review once the small table is out"
as lead1 true 2>/dev/null || true

# --- review through the API (the pages' forms do the same)
[ "$(api "$stu" POST "/api/v1/exports/$id/files/$f1/vote" '{"vote":"approve"}')" = 403 ] || fail "the author votes"
for f in "$f1" "$f2"; do
    [ "$(api "$lead" POST "/api/v1/exports/$id/files/$f/vote" '{"vote":"approve"}')" = 200 ] || fail "lead vote"
done
[ "$(api "$lead" POST "/api/v1/exports/$id/review")" = 200 ] || fail "lead hands in"
grep -q '"state":"in-review"' "$tmp/api.out" || fail "one reviewer approved alone: $(cat "$tmp/api.out")"
as "$stu" export download "$id" -o "$tmp/early.tar" 2> "$tmp/err" && fail "downloaded before approval"
[ -e "$tmp/early.tar" ] && fail "a file was left by a refused download"
for f in "$f1" "$f2"; do
    [ "$(api "$dpo" POST "/api/v1/exports/$id/files/$f/vote" '{"vote":"approve"}')" = 200 ] || fail "dpo vote"
done
[ "$(api "$dpo" POST "/api/v1/exports/$id/review")" = 200 ] || fail "dpo hands in"
grep -q '"state":"approved"' "$tmp/api.out" || fail "approved after two reviews: $(cat "$tmp/api.out")"
[ "$(api "$lead" GET "/api/v1/exports/$id/package")" = 403 ] || fail "a reviewer downloads the package"

# --- release, download, verify
as "$stu" export download "$id" -o "$tmp/export.tar" 2> "$tmp/err" || fail "download: $(cat "$tmp/err")"
grep -q "signature and hashes verified" "$tmp/err" || fail "download verifies"
"$bin" airlock verify "$tmp/export.tar" > "$tmp/v" || fail "verify"
grep -q "verified: request $id of project onco by student1" "$tmp/v" || fail "verify says what: $(cat "$tmp/v")"
"$bin" airlock verify "$tmp/export.tar" --key-file "$tmp/room/keys/audit.pub" > /dev/null || fail "verify with the room's key"
wrong=$(printf '%064d' 7)
"$bin" airlock verify "$tmp/export.tar" --key "$wrong" 2> "$tmp/err" && fail "a wrong key must fail"
grep -q "not by the key given" "$tmp/err" || fail "wrong key message"
size=$(stat -c %s "$tmp/export.tar")
for off in 100 600 1500 $((size - 1500)) $((size - 700)); do
    cp "$tmp/export.tar" "$tmp/bad.tar"
    /usr/bin/python3 -c "import sys; f=open(sys.argv[1],'r+b'); f.seek(int(sys.argv[2])); b=f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0]^0x20]))" "$tmp/bad.tar" "$off"
    "$bin" airlock verify "$tmp/bad.tar" 2> "$tmp/err" && fail "a byte changed at $off went unseen"
    grep -q FAILED "$tmp/err" || fail "verify says FAILED"
done
mkdir "$tmp/unpacked"
tar -xf "$tmp/export.tar" -C "$tmp/unpacked"
[ -f "$tmp/unpacked/files/unet.safetensors" ] || fail "the package holds files/NAME"
"$bin" airlock verify "$tmp/unpacked" --json | grep -q '"ok":true' || fail "the unpacked folder verifies"
sed -i 's/25/26/' "$tmp/unpacked/files/stage.csv"
"$bin" airlock verify "$tmp/unpacked" 2> "$tmp/err" && fail "an edited table went unseen"
grep -q "stage.csv" "$tmp/err" || fail "the edited file is named"
# the manifest: hashes, lineage back to the job and its inputs, checks, reviewers
/usr/bin/python3 - "$tmp/unpacked/manifest.json" "$job" <<'PY' || fail "manifest contents"
import json, sys
m = json.load(open(sys.argv[1]))
assert m["format"] == "atelier-airlock-package-1" and m["author"] == "student1", m
names = [f["name"] for f in m["files"]]
assert names == ["stage.csv", "unet.safetensors"], names
for f in m["files"]:
    assert len(f["sha256"]) == 64 and f["lineage"]["job"] == int(sys.argv[2]), f["lineage"]
    assert f["lineage"]["job_lineage"]["inputs"] == [] or "inputs" in f["lineage"]["job_lineage"], f["lineage"]
    assert f["checks"]["outcome"] in ("pass", "review"), f["checks"]
assert {r["user"] for r in m["reviewers"]} == {"lead1", "dpo1"}, m["reviewers"]
assert [r["dpo"] for r in m["reviewers"] if r["user"] == "dpo1"] == [True]
assert m["times"]["released"] and m["room"]["public_key"]
PY

# --- a job whose log names a patient: blocked
ATELIER_TOKEN="$stu" "$bin" job submit --project onco --command "echo 'note of Patient Jean DUPONT, IPP 80012345 read'" \
    --time 1m --wait > "$tmp/job2" 2>/dev/null || fail "the second job"
job2=$(head -1 "$tmp/job2")
id2=$(as "$stu" export request --project onco --title "the log")
as "$stu" export add "$id2" --job "$job2" --log > /dev/null
if as "$stu" export submit "$id2" > /dev/null 2>&1; then fail "a log with a name and an IPP must block"; fi
as "$stu" export status "$id2" | grep -q "fail   identifiers" || fail "the identifiers check fired on the log"
as "$stu" export status | grep -q "blocked" || fail "my requests list the blocked one"

# --- the audit: every step, and the chain verifies
ATELIER_TOKEN="$dpo" "$bin" room audit list --what export. --limit 1000 > "$tmp/audit"
for a in export.create export.file.add export.file.remove export.submit export.blocked export.in-review export.vote \
         export.review.submit export.approved export.release export.download; do
    grep -q " $a " "$tmp/audit" || grep -q "$a" "$tmp/audit" || fail "the audit lacks $a"
done
grep -q "80012345\|DUPONT" "$tmp/audit" && fail "a patient value in the audit"
kill -TERM "$server_pid"; wait "$server_pid"; server_pid=""
"$bin" room audit verify "$tmp/room" > /dev/null || fail "the audit chain"
echo "airlock cli: ok"
