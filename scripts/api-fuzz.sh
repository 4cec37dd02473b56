#!/usr/bin/env bash
# Property-based API fuzzing with schemathesis against the OpenAPI document of a real server, with all
# its checks: no input may produce a 5xx, every answer matches the document, schema-invalid input is
# refused and schema-valid input accepted (schemathesis.toml says where and why a push may still be 422).
# Usage: scripts/api-fuzz.sh SERVER_BINARY DIST_DIR (called by test.sh).
set -euo pipefail
source "$(dirname "$0")/tools.sh"
server="$1" dist="$2"

ensure_python_tools >/dev/null
venv="$ROOT/.tools/venv"

work="$(mktemp -d /tmp/yingxiao-fuzz.XXXXXX)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
printf '%s\n' 'fuzz-password-1' | "$server" user add --login fuzz --role admin --password-stdin \
  --data-dir "$work/data" >/dev/null
RUST_LOG=warn "$server" serve --addr "127.0.0.1:$port" --data-dir "$work/data" --dist "$dist" \
  >"$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/api/v1/health" >/dev/null && break; sleep 0.1; done
token="$(curl -fs -H 'Content-Type: application/json' -d '{"login":"fuzz","password":"fuzz-password-1"}' \
  "http://127.0.0.1:$port/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"

# Signed in, so the fuzzer reaches past the token check into the sync endpoint's validation. Sign-out
# and setting a password are left out: either ends the very session the rest of the run needs (their
# own tests cover them: server/tests/sync.rs, audit_accounts.rs).
# `ensure_resource_availability` is left out: its only link is starting a calendar feed → reading it,
# and a user has one live feed, so a chain that starts a second feed and then reads the first rightly
# gets 404 (server/tests/calendar_feed.rs checks that a new feed is read at once and the old one ends).
# One worker: with two threads, hypothesis describes its filter lambdas by parsing their source with
# `ast` on both at once, which CPython 3.11 does not allow ("AST constructor recursion depth
# mismatch"); the attachment operations' coverage phase hit it every run (a tool error, not an
# answer of the server). The whole run takes about as long on one.
"$venv/bin/schemathesis" --config-file "$ROOT/schemathesis.toml" run \
  "http://127.0.0.1:$port/api/v1/openapi.json" \
  --header "Authorization: Bearer $token" \
  --exclude-path /api/v1/auth/logout \
  --exclude-path '/api/v1/accounts/{user_id}/password' \
  --checks "${YINGXIAO_FUZZ_CHECKS:-all}" --exclude-checks ensure_resource_availability \
  --max-examples 60 --seed 1 --workers 1
if grep -q "panicked" "$work/server.log"; then
  die "the server panicked during fuzzing: $(grep -m1 panicked "$work/server.log")"
fi
