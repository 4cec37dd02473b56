#!/usr/bin/env bash
# Benchmark (figures, not a test): the demo company at `--scale 10` (about 157,000 records) signed in as
# `hq` in Debian's Chromium at 1280×800 — the first sync, each main page's first visit and later
# switches, and the tab's memory — printed beside issue 10's goals. About 10 minutes; the seeded
# database is kept under target/ and reused.
#   scripts/bench-pages.sh               # builds the web app and the server first
#   BENCH_DIST=/path/to/dist scripts/bench-pages.sh   # another build of the web app (a before/after)
#   BENCH_SERVER=target/debug/yingxiao-server          # a server already built
set -euo pipefail
source "$(dirname "$0")/tools.sh"
cd "$ROOT"
ensure_test_tools

SCALE="${BENCH_SCALE:-10}"
DATA="$ROOT/target/bench-pages-scale$SCALE"
PORT="${BENCH_PORT:-18480}"
bench_builds
SERVER="$BENCH_SERVER"
if [ ! -s "$DATA/yingxiao.sqlite3" ]; then
  say "seeding the demo company at scale $SCALE (once)"
  rm -rf "$DATA" && mkdir -p "$DATA"
  # A fixed as-of date, so every run measures the same company.
  "$SERVER" seed --demo --scale "$SCALE" --as-of 2026-11-30 --data-dir "$DATA" >/dev/null
fi
"$SERVER" serve --addr "127.0.0.1:$PORT" --data-dir "$DATA" --dist "$BENCH_DIST" >/dev/null 2>&1 &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null || true' EXIT
wait_for_health "$PORT"
(cd end2end && BENCH_URL="http://127.0.0.1:$PORT/" npx playwright test -c bench.config.ts pages.bench.ts 2>&1 |
  grep -vE "^\s*$|Running 1 test|^\s+[0-9]+ passed")
