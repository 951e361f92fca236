#!/usr/bin/env bash
# The room from the command line: init, serve over HTTPS, a new account's
# first login (one-time password, own password, TOTP) through `atelier
# login`, the certificate checked by --cacert or by the pinned key, whoami,
# users and projects as an administrator, ATELIER_SERVER/ATELIER_TOKEN,
# logout, a graceful stop, and `room audit verify` on copies of the room
# tampered with in four ways (edit, newest deleted, middle deleted, chain
# rebuilt without the key): each named.
set -euo pipefail
bin="${ATELIER_BIN:?}"
src="${ATELIER_SOURCE_DIR:?}"
tmp="$(mktemp -d)"
server_pid=""
cleanup() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
json() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print(d$1)"; }
export ATELIER_CONFIG_DIR="$tmp/config"
unset ATELIER_SERVER ATELIER_TOKEN ATELIER_CACERT ATELIER_PIN

# --- init
"$bin" room init "$tmp/room" --admin chief --json > "$tmp/init.json"
otp=$(json "['password']" < "$tmp/init.json")
pin=$(json "['tls_pin']" < "$tmp/init.json")
[ "$(json "['user']" < "$tmp/init.json")" = chief ] || fail "init names the administrator"
[ "$(stat -c %a "$tmp/room/keys")" = 700 ] || fail "keys folder mode"
for k in master site audit tls; do [ "$(stat -c %a "$tmp/room/keys/$k.key")" = 600 ] || fail "$k.key mode"; done
grep -q -- "$otp" "$tmp/room/catalog.db" && fail "the one-time password is stored in clear"
"$bin" room init "$tmp/room" 2>/dev/null && fail "init into a room folder must be refused"
"$bin" serve --room "$tmp/room" --listen 0.0.0.0:0 --insecure-http 2>"$tmp/err" && fail "plain HTTP off loopback"
grep -q "loopback" "$tmp/err" || fail "plain HTTP refusal says why"

# --- serve
"$bin" serve --room "$tmp/room" --listen 127.0.0.1:0 > "$tmp/serve.out" 2> "$tmp/serve.log" &
server_pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/serve.out" 2>/dev/null && break; sleep 0.1; done
port=$(awk '/listening/{print $3}' "$tmp/serve.out")
[ -n "$port" ] || fail "the server did not start: $(cat "$tmp/serve.log")"
url="https://127.0.0.1:$port"

# --- first login of the administrator, checking the certificate with --cacert
/usr/bin/python3 "$src/tests/room/login_driver.py" "$bin" "$otp" "chief's long password" -- "$url" --user chief \
    --cacert "$tmp/room/tls.crt" > "$tmp/driver.out" || fail "first login of the administrator"
[ "$(stat -c %a "$ATELIER_CONFIG_DIR/login.json")" = 600 ] || fail "login.json mode"
"$bin" whoami --json > "$tmp/me.json"
[ "$(json "['user']" < "$tmp/me.json")" = chief ] || fail "whoami"
[ "$(json "['roles'][0]" < "$tmp/me.json")" = admin ] || fail "whoami roles"

# --- administration
"$bin" room users create alice --role dpo --full-name "Alice O'Neil" --json > "$tmp/alice.json"
alice_otp=$(json "['password']" < "$tmp/alice.json")
"$bin" room users create bob --json > "$tmp/bob.json"
"$bin" room users create 'bad name' 2>/dev/null && fail "an invalid user name must be refused"
"$bin" room users list | grep -q "alice .*dpo" || fail "users list"
"$bin" room projects create onco-1 --title "Radiothérapie \"IRM seule\"; 'v2'"
"$bin" room projects add-member onco-1 bob member
"$bin" room projects add-member onco-1 alice lead
"$bin" room projects show onco-1 --json > "$tmp/p.json"
[ "$(json "['title']" < "$tmp/p.json")" = "Radiothérapie \"IRM seule\"; 'v2'" ] || fail "title returned intact"
"$bin" room projects remove-member onco-1 bob
"$bin" room projects show onco-1 | grep -q bob && fail "remove-member"
"$bin" room users disable bob
"$bin" room users list --json | /usr/bin/python3 -c "import json,sys; u=[x for x in json.load(sys.stdin)['users'] if x['user']=='bob'][0]; sys.exit(0 if u['disabled'] else 1)" || fail "disable"
"$bin" room users enable bob
"$bin" room users grant bob teacher
"$bin" room users reset-password bob | grep -q "one-time password of bob" || fail "reset-password"
"$bin" room users reset-mfa bob
"$bin" room audit list 2>"$tmp/err" && fail "the administrator is not the DPO"
grep -q "HTTP 403" "$tmp/err" || fail "audit list refusal"

# --- the environment instead of the login file
token=$(json "['token']" < "$ATELIER_CONFIG_DIR/login.json")
ATELIER_CONFIG_DIR="$tmp/empty" ATELIER_SERVER="$url" ATELIER_TOKEN="$token" ATELIER_CACERT="$tmp/room/tls.crt" \
    "$bin" whoami | grep -q "^chief" || fail "ATELIER_SERVER and ATELIER_TOKEN"
ATELIER_CONFIG_DIR="$tmp/empty" ATELIER_SERVER="$url" ATELIER_TOKEN="$token" "$bin" whoami 2>"$tmp/err" \
    && fail "no way to check the certificate must refuse"

# --- the DPO's first login, trusting the key printed at init (--pin)
ATELIER_CONFIG_DIR="$tmp/alice" /usr/bin/python3 "$src/tests/room/login_driver.py" "$bin" "$alice_otp" \
    "alice's long password" -- "$url" --user alice --pin "$pin" > /dev/null || fail "login with --pin"
ATELIER_CONFIG_DIR="$tmp/alice" "$bin" room audit list --what user. --json > "$tmp/audit.json"
/usr/bin/python3 -c "import json,sys; e=json.load(open('$tmp/audit.json'))['entries']; sys.exit(0 if any(x['action']=='user.create' and x['object']=='user:bob' for x in e) else 1)" \
    || fail "the DPO lists the audit"
ATELIER_CONFIG_DIR="$tmp/alice" "$bin" whoami | grep -q "onco-1 (lead)" || fail "whoami lists projects"
# a wrong pin is refused
echo | ATELIER_CONFIG_DIR="$tmp/x" "$bin" login "$url" --user alice --pin "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" \
    2>"$tmp/err" && fail "a wrong pin must be refused"
# without --cacert or --pin, off a terminal, nothing is trusted blindly
echo | ATELIER_CONFIG_DIR="$tmp/y" "$bin" login "$url" --user alice 2>"$tmp/err" && fail "trust on first use without a terminal"
grep -q -- "--pin sha256//" "$tmp/err" || fail "the key to pin is shown"

# --- password change, logout
printf "alice's long password\nalice's newer password\nalice's newer password\n" \
    | ATELIER_CONFIG_DIR="$tmp/alice" "$bin" room password > /dev/null || fail "room password"
"$bin" logout
"$bin" whoami 2>/dev/null && fail "whoami after logout"

# --- graceful stop, then verify
kill -TERM "$server_pid"
wait "$server_pid" || fail "serve exits 0 on SIGTERM"
server_pid=""
grep -q "http POST /api/v1/login 200 chief\|http POST /api/v1/login 200 -" "$tmp/serve.log" || fail "request log"
grep -q -e "$otp" -e "long password" -e "atl_" "$tmp/serve.log" && fail "a secret in the server's log"
"$bin" room audit verify "$tmp/room" > "$tmp/verify.out" || fail "audit verify after a clean stop: $(cat "$tmp/verify.out")"
/usr/bin/python3 "$src/tests/room/audit_tamper.py" "$tmp/room" check 0 || fail "the chain follows the documented rule"
n=$("$bin" room audit verify "$tmp/room" --json | json "['entries']")
[ "$n" -gt 20 ] || fail "few audit entries ($n)"

# --- tampering: each case is named, with its entry
tamper() { # MODE SEQ EXPECTED-WORDS
    rm -rf "$tmp/t"; cp -a "$tmp/room" "$tmp/t"
    /usr/bin/python3 "$src/tests/room/audit_tamper.py" "$tmp/t" "$1" "$2"
    if "$bin" room audit verify "$tmp/t" > "$tmp/t.out"; then fail "audit verify missed: $1"; fi
    grep -q "BROKEN at entry $2: .*$3" "$tmp/t.out" || fail "audit verify on $1: $(cat "$tmp/t.out")"
}
tamper edit 7 "entry 7 was edited"
tamper delete-newest $((n - 2)) "missing (the newest deleted)"
tamper delete-middle 9 "entry 9 is missing"
tamper rebuild 5 "entry 5 differs from its signed anchor"
echo "room CLI: ok ($n audit entries)"
