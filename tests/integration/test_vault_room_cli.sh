#!/usr/bin/env bash
# The vault inside a served room, from the command line (issue 14): users
# through their first login (tests/room/vault_setup.py); DICOM imported
# through the door, its stored result byte-identical to the door run
# locally with the room's site key; clinical text through the text door
# (pseudonymised names only); a synthetic cohort (NIfTI, DICOM, CSV, JSON,
# safetensors, text) stored as generated and got back byte-identical,
# flagged synthetic; a second import adding to the latest snapshot; a
# student refused real data; a member of another project refused on every
# command; a quota refusal naming the quota; an interrupted upload resumed;
# a cancelled and a failed import leaving no raw copy; nothing identifying
# in the catalog; a job reading a snapshot and the lineage from the data to
# the job's result; gc for administrators only; the audit verifies.
set -euo pipefail
bin="${ATELIER_BIN:?}"
src="${ATELIER_SOURCE_DIR:?}"
tmp="$(mktemp -d)"
server_pid=""
cleanup() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'echo "FAIL: line $LINENO: $BASH_COMMAND" >&2' ERR # a silent set -e exit says where
fail() { echo "FAIL: $*" >&2; [ -f "$tmp/serve.log" ] && tail -20 "$tmp/serve.log" >&2; exit 1; }
json() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print(d$1)"; }
unset ATELIER_SERVER ATELIER_TOKEN ATELIER_CACERT ATELIER_PIN ATELIER_TEST_IMPORT_STOP_AFTER ATELIER_IMPORT_CHUNK_KB
export ATELIER_CONFIG_DIR="$tmp/config"

"$bin" room init "$tmp/room" --admin chief --json > "$tmp/init.json"
printf 'vault.quota.project.other = 0.00004\nvault.imports = 2\n' >> "$tmp/room/room.conf"
otp=$(json "['password']" < "$tmp/init.json")
"$bin" serve --room "$tmp/room" --listen 127.0.0.1:0 > "$tmp/serve.out" 2> "$tmp/serve.log" &
server_pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/serve.out" 2>/dev/null && break; sleep 0.1; done
port=$(awk '/listening/{print $3}' "$tmp/serve.out")
[ -n "$port" ] || fail "the server did not start"
url="https://127.0.0.1:$port"
/usr/bin/python3 "$src/tests/room/vault_setup.py" "$url" "$tmp/room/tls.crt" "$otp" "$tmp/setup.json" \
    || fail "setting the room up"
tok() { json "['users']['$1']['token']" < "$tmp/setup.json"; }
member=$(tok member1); lead=$(tok lead1); student=$(tok student1); other=$(tok other1); dpo=$(tok dpo1)
chief=$(tok chief)
export ATELIER_SERVER="$url" ATELIER_CACERT="$tmp/room/tls.crt"
as() { local t="$1"; shift; ATELIER_TOKEN="$t" "$bin" "$@"; }
api() { # TOKEN METHOD PATH [JSON]: prints the HTTP status
    curl -s -o "$tmp/api.out" -w '%{http_code}' --cacert "$tmp/room/tls.crt" -H "Authorization: Bearer $1" \
        -H "Content-Type: application/json" -X "$2" ${4:+-d "$4"} "$url$3"
}
no_uploads() { [ -z "$(ls "$tmp/room/imports")" ] || fail "$1: raw uploads left: $(ls -R "$tmp/room/imports" | head)"; }

# --- DICOM through the door: stored exactly as the door makes it
"$bin" synth study -o "$tmp/study" --series 2 --slices 3 --quiet
snap=$(as "$member" import --project onco --dataset ct dicom "$tmp/study" 2> "$tmp/err") || fail "import: $(cat "$tmp/err")"
[ ${#snap} = 64 ] || fail "import prints the snapshot id: $snap"
no_uploads "after a DICOM import"
as "$member" dataset get "onco/ct@${snap:0:12}" -o "$tmp/got" 2> /dev/null || fail "dataset get"
"$bin" deid "$tmp/study" -o "$tmp/local" --key "$tmp/room/keys/site.key" > /dev/null 2>&1
rm -rf "$tmp/local/deid-report.json" "$tmp/local/quarantine"
diff -r "$tmp/got" "$tmp/local" > /dev/null || fail "the stored DICOM differs from the door's output"
as "$member" dataset log onco/ct > "$tmp/log"
grep -q '"files_done":6' "$tmp/log" || fail "the door's report is kept: $(cat "$tmp/log")"
as "$member" dataset get onco/ct "$(as "$member" dataset show onco/ct@latest | sed -n 2p | awk '{print $2}')" \
    -o "$tmp/one" 2> /dev/null || fail "get one file"
[ "$(find "$tmp/one" -type f | wc -l)" = 1 ] || fail "get PATH gives that file alone"
# a second import adds to the latest snapshot
mkdir -p "$tmp/study2" && cp -r "$tmp/study/S1_CT" "$tmp/study2/" && "$bin" synth study -o "$tmp/study3" --seed 7 --quiet
snap2=$(as "$member" import --project onco --dataset ct dicom "$tmp/study3" 2> /dev/null) || fail "second import"
as "$member" dataset show "onco/ct@$snap2" | tail -n +2 > "$tmp/files2"
[ "$(wc -l < "$tmp/files2")" = 10 ] || fail "the second snapshot holds the first's files and the new ones: $(cat "$tmp/files2")"

# --- text through the text door: only the door's names
"$bin" synth docs -o "$tmp/docs" --docs 4 --quiet
mkdir -p "$tmp/txt"; i=0
for f in "$tmp"/docs/doc-*.txt; do i=$((i + 1)); cp "$f" "$tmp/txt/dupont-jean-$i.txt"; done
as "$member" import --project onco --dataset notes text "$tmp/txt" > /dev/null 2> "$tmp/err" || fail "text import: $(cat "$tmp/err")"
as "$member" dataset show onco/notes@latest > "$tmp/notes"
grep -q "doc-000001.txt" "$tmp/notes" || fail "text files get the door's names: $(cat "$tmp/notes")"
grep -q dupont "$tmp/notes" && fail "an uploaded name reached the vault"

# --- a synthetic cohort, as generated, every file type back byte-identical
"$bin" synth cohort --patients 1 --size 16 16 8 -o "$tmp/cohort" --quiet
"$bin" synth chemo -o "$tmp/cohort/chemo.csv" --patients 20 --quiet
/usr/bin/python3 - "$tmp/cohort/model.safetensors" <<'PY'
import json, struct, sys
h = json.dumps({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}).encode()
open(sys.argv[1], "wb").write(struct.pack("<Q", len(h)) + h + struct.pack("<2f", 0.5, -1.0))
PY
printf 'notes of the synthetic cohort\n' > "$tmp/cohort/README.txt"
as "$student" import --project onco --dataset cohort --synthetic files "$tmp/cohort" > /dev/null 2>&1 || fail "synthetic import"
as "$student" dataset get onco/cohort -o "$tmp/cgot" 2> /dev/null || fail "get the cohort"
diff -r "$tmp/cohort" "$tmp/cgot" || fail "the synthetic cohort came back changed"
as "$student" dataset list --project onco > "$tmp/list"
grep -q "cohort .* yes" "$tmp/list" || fail "the cohort is flagged synthetic: $(cat "$tmp/list")"
grep -q " ct " "$tmp/list" && fail "a student sees a dataset that is not synthetic"
# refusals: real data by a student, files without --synthetic, a synthetic import into real data
as "$student" import --project onco --dataset ct2 dicom "$tmp/study" 2> "$tmp/err" && fail "a student imported real data"
grep -q "synthetic cohorts only" "$tmp/err" || fail "the refusal says why: $(cat "$tmp/err")"
[ "$(api "$member" POST /api/v1/projects/onco/imports '{"dataset":"x","kind":"files","fingerprint":"00112233445566778899aabbccddeeff","files":[{"size":1,"ext":"","path":"a"}]}')" = 409 ] \
    || fail "files without synthetic: $(cat "$tmp/api.out")"
as "$lead" import --project onco --dataset ct --synthetic files "$tmp/cohort" 2> "$tmp/err" && fail "synthetic into real"

# --- a member of another project: refused everywhere
for cmd in "dataset log onco/ct" "dataset show onco/ct" "dataset show onco/ct@latest" "dataset lineage onco/ct" \
           "dataset list --project onco"; do
    as "$other" $cmd > /dev/null 2> "$tmp/err" && fail "other project: $cmd allowed"
    grep -q "403" "$tmp/err" || fail "other project: $cmd: $(cat "$tmp/err")"
done
as "$other" dataset get onco/ct -o "$tmp/stolen" 2> /dev/null && fail "other project: get"
[ -e "$tmp/stolen" ] || [ -e "$tmp/stolen.partial" ] && fail "a refused get left files"
as "$other" import --project onco --dataset ct dicom "$tmp/study" 2> /dev/null && fail "other project: import"
as "$dpo" dataset get onco/ct -o "$tmp/dpo" 2> /dev/null && fail "the DPO reads data"
as "$dpo" dataset log onco/ct > /dev/null || fail "the DPO keeps the register"

# --- the quota of project other (0.00004 GiB, about 43 KB)
as "$other" import --project other --dataset big dicom "$tmp/study" 2> "$tmp/err" && fail "past the quota"
grep -q "storage quota of project other (vault quota" "$tmp/err" || fail "the refusal names the quota: $(cat "$tmp/err")"
no_uploads "after a refusal"

# --- an interrupted upload resumes; a cancelled one and a failed one leave nothing
ATELIER_IMPORT_CHUNK_KB=4 ATELIER_TEST_IMPORT_STOP_AFTER=3 as "$lead" import --project onco --dataset resumed \
    dicom "$tmp/study" > /dev/null 2> "$tmp/err" && fail "the test hook stops the client"
[ -n "$(find "$tmp/room/imports" -type f -size +1k)" ] || fail "the partial upload is on the server"
ATELIER_IMPORT_CHUNK_KB=4 as "$lead" import --project onco --dataset resumed dicom "$tmp/study" > /dev/null 2> "$tmp/err" \
    || fail "resume: $(cat "$tmp/err")"
grep -q "resuming" "$tmp/err" || fail "the second run resumed: $(cat "$tmp/err")"
no_uploads "after a resumed import"
ATELIER_IMPORT_CHUNK_KB=4 ATELIER_TEST_IMPORT_STOP_AFTER=2 as "$lead" import --project onco --dataset dropped \
    dicom "$tmp/study" > /dev/null 2>&1 || true
id=$(ls "$tmp/room/imports")
[ -n "$id" ] || fail "an unfinished upload is kept for its resume"
[ "$(api "$member" POST "/api/v1/projects/onco/imports/$id/cancel")" = 403 ] || fail "another member cancels an import"
[ "$(api "$lead" POST "/api/v1/projects/onco/imports/$id/cancel")" = 200 ] || fail "cancel: $(cat "$tmp/api.out")"
no_uploads "after a cancel"
as "$lead" import --project onco --dataset broken dicom "$tmp/txt" > /dev/null 2> "$tmp/err" && fail "text through the DICOM door"
grep -q "failed: the door wrote no file" "$tmp/err" || fail "the failure says why: $(cat "$tmp/err")"
no_uploads "after a failed import"
as "$lead" dataset list --project onco | grep -q broken && fail "a failed import made a dataset"

# --- deletion: the lead asks, the DPO confirms by naming it, the data are unreadable after
as "$member" dataset delete onco/resumed --reason "consent withdrawn" 2> /dev/null && fail "a member asks a deletion"
as "$lead" dataset delete onco/resumed --reason "consent withdrawn" > /dev/null || fail "the lead asks a deletion"
as "$lead" dataset shred onco/resumed --confirm onco/resumed 2> /dev/null && fail "the lead shreds"
as "$dpo" dataset shred onco/resumed --confirm onco/other 2> "$tmp/err" && fail "a wrong confirmation"
grep -q "confirm by naming it" "$tmp/err" || fail "the refusal says how: $(cat "$tmp/err")"
as "$dpo" dataset shred onco/resumed --confirm onco/resumed > /dev/null || fail "the DPO shreds"
as "$lead" dataset log onco/resumed 2> /dev/null && fail "a shredded dataset is listed"
as "$dpo" dataset deletions | grep -q "onco/resumed  shredded  asked by lead1" || fail "the deletions register"

# --- nothing identifying in the catalog
/usr/bin/python3 - "$tmp/room/catalog.db" > "$tmp/catalog.txt" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
    for row in db.execute("SELECT * FROM %s" % t):
        print(t, *row)
PY
grep -q dataset_snapshot_info "$tmp/catalog.txt" || fail "the catalog dump"
for v in MARTIN PIERRE 158037507762077 IPP077620 "CENTRE HOSPITALIER" IM0001 dupont study; do
    grep -qi "$v" "$tmp/catalog.txt" && fail "the catalog holds '$v'"
done

# --- a job reads a snapshot: lineage from the data to the result
mkdir -p "$tmp/code" && printf 'find /data/ct -type f | wc -l > /out/count.txt\n' > "$tmp/code/run.sh"
as "$member" code push "$tmp/code" --project onco > /dev/null
job=$(as "$member" job submit --project onco --command "sh run.sh" --input "ct@${snap:0:12}:ct" --time 5m)
as "$member" job wait "$job" > /dev/null 2>&1 || fail "the job: $(as "$member" job logs "$job" 2>&1 | tail -5)"
as "$member" dataset lineage "onco/ct@${snap:0:12}" > "$tmp/lineage"
grep -q "import 1 (dicom door) by member1" "$tmp/lineage" || fail "lineage: the import: $(cat "$tmp/lineage")"
grep -q "job $job script by member1" "$tmp/lineage" || fail "lineage: the job: $(cat "$tmp/lineage")"
grep -q "onco/results@" "$tmp/lineage" || fail "lineage: the job's result: $(cat "$tmp/lineage")"
as "$member" dataset lineage onco/results > "$tmp/lineage2"
grep -q "onco/ct@${snap:0:12}" "$tmp/lineage2" || fail "the result's lineage goes back to the data: $(cat "$tmp/lineage2")"

# --- gc, the audit
as "$member" dataset gc 2> /dev/null && fail "a member runs the gc"
as "$chief" dataset gc > "$tmp/gc" || fail "gc"
"$bin" vault verify "$tmp/room" > "$tmp/verify" 2>&1 || fail "vault verify: $(cat "$tmp/verify")"
/usr/bin/python3 -c "import sqlite3,sys; print('\n'.join(a for (a,) in sqlite3.connect(sys.argv[1]).execute('SELECT action FROM audit')))" \
    "$tmp/room/catalog.db" > "$tmp/actions"
for a in dataset.import dataset.get dataset.import.cancel dataset.import.fail vault.gc dataset.delete.request \
         dataset.shred; do
    grep -qx "$a" "$tmp/actions" || fail "$a is audited"
done
"$bin" room audit verify "$tmp/room" > /dev/null || fail "the audit verifies"
echo "vault in the room: ok"
