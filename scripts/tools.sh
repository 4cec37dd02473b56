# Makes sure the tools Yingxiao builds and tests with are installed, from the package registries only
# (crates.io, npm, Debian). Sourced by start.sh and test.sh; every step is skipped when already done.
# shellcheck shell=bash

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130
BINARYEN_VERSION=132
GECKODRIVER_VERSION=0.37.1

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

ensure_wasm_target() {
  rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown && return
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
}

# ensure_cargo_tool BINARY CRATE VERSION [--locked]
ensure_cargo_tool() {
  local bin=$1 crate=$2 version=$3 locked=${4:-}
  if command -v "$bin" >/dev/null && "$bin" --version 2>/dev/null | grep -q " $version"; then
    return
  fi
  say "installing $crate $version with cargo (takes several minutes, once)"
  # shellcheck disable=SC2086
  cargo install "$crate" --version "$version" $locked
}

ensure_build_tools() {
  ensure_wasm_target
  # The build writes brotli copies of the app's files (scripts/precompress.sh).
  ensure_debian_packages brotli
  ensure_cargo_tool trunk trunk "$TRUNK_VERSION" --locked
  # Not --locked: its lock file pins a crate version the registry no longer serves.
  ensure_cargo_tool wasm-bindgen wasm-bindgen-cli "$WASM_BINDGEN_VERSION"
  if ! wasm-opt --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
    say "installing binaryen $BINARYEN_VERSION (wasm-opt) from npm"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# ensure_debian_packages PKG... — installs whichever are missing (needs root or sudo).
ensure_debian_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return
  say "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
    || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; } \
    || die "could not install ${missing[*]}"
}

ensure_test_tools() {
  ensure_build_tools
  ensure_debian_packages chromium chromium-driver brotli fonts-noto-cjk postgresql
  # The cross-engine smoke test: Firefox through geckodriver (crates.io), WebKitGTK's MiniBrowser
  # through its WebDriver, on a virtual display.
  ensure_debian_packages firefox-esr webkit2gtk-driver xvfb xauth
  ensure_cargo_tool geckodriver geckodriver "$GECKODRIVER_VERSION"
  if [ ! -x "$ROOT/end2end/node_modules/.bin/playwright" ] || [ ! -d "$ROOT/end2end/node_modules/oidc-provider" ]; then
    say "installing Playwright and oidc-provider from npm (no browser download: Debian's Chromium is used)"
    (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# The test command's Python tools, from PyPI into .tools/venv: schemathesis (API fuzzing), icalendar
# (reads the calendar export back) and openpyxl (reads the .xlsx exports back). Prints the venv's python.
ensure_python_tools() {
  local venv="$ROOT/.tools/venv"
  if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "version 4" \
    || ! "$venv/bin/python" -c 'import icalendar, openpyxl' 2>/dev/null; then
    say "installing schemathesis 4, icalendar 6 and openpyxl 3 from PyPI into .tools/venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'schemathesis>=4,<5' 'icalendar>=6,<7' \
      'openpyxl>=3.1,<4' >&2
  fi
  echo "$venv/bin/python"
}

# Builds the web app in release mode into dist/.
build_web_app() {
  say "building the web app (release)"
  (cd "$ROOT" && cargo fetch --quiet && trunk build --release --skip-version-check --offline=true)
}

# What a page benchmark measures: BENCH_DIST (a web app build) and BENCH_SERVER (a server binary),
# each built here unless given.
bench_builds() {
  if [ -z "${BENCH_DIST:-}" ]; then
    build_web_app
    BENCH_DIST="$ROOT/dist"
  fi
  if [ -z "${BENCH_SERVER:-}" ]; then
    cargo build --quiet --profile server -p yingxiao-server
    BENCH_SERVER="$ROOT/target/server/yingxiao-server"
  fi
}

# Seeds the demo company (as of today) into a new data directory and serves it with the benchmark
# builds (`bench_builds`) on port $1 until the script exits.
serve_demo_bench() {
  bench_builds
  BENCH_DATA="$(mktemp -d /tmp/yingxiao-bench.XXXXXX)"
  say "seeding the demo company as of today"
  "$BENCH_SERVER" seed --demo --data-dir "$BENCH_DATA" >/dev/null
  "$BENCH_SERVER" serve --addr "127.0.0.1:$1" --data-dir "$BENCH_DATA" --dist "$BENCH_DIST" >/dev/null 2>&1 &
  BENCH_SERVER_PID=$!
  trap 'kill $BENCH_SERVER_PID 2>/dev/null || true; rm -rf "$BENCH_DATA"' EXIT
  wait_for_health "$1"
}

# Waits (up to 20 s) until the server on port $1 answers its health check.
wait_for_health() {
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$1/api/v1/health" >/dev/null && return 0
    sleep 0.2
  done
  die "no server answered on port $1"
}
