#!/usr/bin/env bash
# Runs every test of Yingxiao: formatting, clippy (native and wasm), core and server tests (SQLite and a
# throwaway PostgreSQL), a sample .xlsx export read back by openpyxl, browser tests of the web crate in
# headless Chromium, the release build with its download size, and Playwright end-to-end tests against
# the real server, and a smoke test of the app in Firefox and WebKit. Installs what is missing first.
set -euo pipefail
source "$(dirname "$0")/tools.sh"
cd "$ROOT"

ensure_test_tools
export CHROMEDRIVER=/usr/bin/chromedriver

say "cargo fmt --check"
cargo fmt --all --check

say "layout rules (ARCHITECTURE.md)"
scripts/check-layout.sh

say "clippy (native)"
cargo clippy --quiet --workspace --all-targets -- -D warnings
say "clippy (wasm32)"
cargo clippy --quiet -p yingxiao --all-targets --target wasm32-unknown-unknown -- -D warnings
# core's own tests use native-only dev-dependencies (proptest); its library must build for the browser.
cargo clippy --quiet -p yingxiao-core --lib --target wasm32-unknown-unknown -- -D warnings

# A throwaway PostgreSQL cluster for the storage tests, removed on exit.
source scripts/postgres.sh
start_throwaway_postgres
export YINGXIAO_REQUIRE_POSTGRES=1

# A real OpenID provider (npm's oidc-provider) for the single sign-on test, started by the test.
export YINGXIAO_TEST_OIDC_PROVIDER="$ROOT/end2end/oidc/provider.mjs"

say "cargo test: core and server (SQLite and PostgreSQL, an OpenID provider)"
cargo test --quiet -p yingxiao-core -p yingxiao-server

say "the .xlsx export read back by openpyxl"
xlsx_sample="$ROOT/target/xlsx-check/sample.xlsx"
rm -f "$xlsx_sample" "${xlsx_sample%.xlsx}.json"
YINGXIAO_XLSX_OUT="$xlsx_sample" cargo test --quiet -p yingxiao-core --lib sample_workbook_for_openpyxl
"$(ensure_python_tools)" scripts/check-xlsx.py "$xlsx_sample" "@${xlsx_sample%.xlsx}.json"

say "wasm-bindgen-test: the web crate in headless Chromium"
cargo test -p yingxiao --target wasm32-unknown-unknown

build_web_app
say "web app download size"
scripts/bundle-size.sh dist

say "building the server for the end-to-end tests"
cargo build --quiet -p yingxiao-server
say "schemathesis against the OpenAPI document, all checks"
scripts/api-fuzz.sh "$ROOT/target/debug/yingxiao-server" "$ROOT/dist"

say "Playwright end-to-end tests (Debian Chromium, real server, release web app)"
(cd end2end && YINGXIAO_SERVER_BIN="$ROOT/target/debug/yingxiao-server" YINGXIAO_DIST="$ROOT/dist" \
  YINGXIAO_PYTHON="$(ensure_python_tools)" npx playwright test)

say "cross-engine smoke test: Firefox (firefox-esr) and WebKit (WebKitGTK), real server, release web app"
"$(ensure_python_tools)" scripts/cross-engine-smoke.py "$ROOT/target/debug/yingxiao-server" "$ROOT/dist"

say "all tests passed"
