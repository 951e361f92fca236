#!/usr/bin/env bash
# The command line's contract: --version, --help, exit codes 0/1/2.
set -u
bin=${ATELIER_BIN:?}
fail=0
check() { # expected-rc description command...
  local want=$1 what=$2; shift 2
  "$@" >/dev/null 2>&1; local rc=$?
  if [ "$rc" != "$want" ]; then echo "FAIL: $what: exit $rc, wanted $want"; fail=1; else echo "ok: $what"; fi
}
check 0 "--version" "$bin" --version
check 0 "--help" "$bin" --help
check 2 "no command" "$bin"
check 2 "unknown command" "$bin" frobnicate
"$bin" --version | grep -Eq '^atelier [0-9]+\.[0-9]+\.[0-9]+$' || { echo "FAIL: version format"; fail=1; }
"$bin" frobnicate 2>&1 | grep -q "not a command" || { echo "FAIL: unknown command message"; fail=1; }
exit $fail
