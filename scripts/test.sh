#!/usr/bin/env bash
# Runs every test of Yingxiao: formatting, clippy (native and wasm), core and server tests (SQLite and a
# throwaway PostgreSQL), browser tests of the web crate in headless Chromium, the release build with its
# download size, and Playwright end-to-end tests against the real server. Installs what is missing first.
set -euo pipefail
source "$(dirname "$0")/tools.sh"
cd "$ROOT"

ensure_test_tools
export CHROMEDRIVER=/usr/bin/chromedriver

say "cargo fmt --check"
cargo fmt --all --check

say "clippy (native)"
cargo clippy --quiet --workspace --all-targets -- -D warnings
say "clippy (wasm32)"
cargo clippy --quiet -p yingxiao --all-targets --target wasm32-unknown-unknown -- -D warnings
# core's own tests use native-only dev-dependencies (proptest); its library must build for the browser.
cargo clippy --quiet -p yingxiao-core --lib --target wasm32-unknown-unknown -- -D warnings

# A throwaway PostgreSQL cluster for the storage tests, removed on exit.
PG_DIR="$(mktemp -d /tmp/yingxiao-pg.XXXXXX)"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
stop_pg() {
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap stop_pg EXIT
[ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
PG_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
say "starting a throwaway PostgreSQL on port $PG_PORT"
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U yingxiao --auth=trust -E UTF8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -l "$PG_DIR/log" \
  -o "-h 127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off" start >/dev/null
as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U yingxiao yingxiao_test
export YINGXIAO_TEST_POSTGRES_URL="postgres://yingxiao@127.0.0.1:$PG_PORT/yingxiao_test"
export YINGXIAO_REQUIRE_POSTGRES=1

say "cargo test: core and server (SQLite and PostgreSQL)"
cargo test --quiet -p yingxiao-core -p yingxiao-server

say "wasm-bindgen-test: the web crate in headless Chromium"
cargo test -p yingxiao --target wasm32-unknown-unknown

build_web_app
say "web app download size"
scripts/bundle-size.sh dist

say "building the server for the end-to-end tests"
cargo build --quiet -p yingxiao-server
say "Playwright end-to-end tests (Debian Chromium, real server, release web app)"
(cd end2end && YINGXIAO_SERVER_BIN="$ROOT/target/debug/yingxiao-server" YINGXIAO_DIST="$ROOT/dist" \
  npx playwright test)

say "all tests passed"
