#!/usr/bin/env bash
# Benchmark (figures, not a test): store mode as the demo promoter (sh_promoter) on a 1024×768 tablet
# viewport in Debian's Chromium — the cold start after the first visit on a slow network beside the
# same start unthrottled, and 20 photos uploaded over a throttled line with a drop midway. The demo
# company is seeded as of today (its promoter's promotions run today). About 3 minutes after builds.
#   scripts/bench-store.sh
#   BENCH_DIST=/path/to/dist BENCH_SERVER=target/debug/yingxiao-server scripts/bench-store.sh
set -euo pipefail
source "$(dirname "$0")/tools.sh"
cd "$ROOT"
ensure_test_tools

PORT="${BENCH_PORT:-18490}"
serve_demo_bench "$PORT"
(cd end2end && BENCH_URL="http://127.0.0.1:$PORT/" npx playwright test -c bench.config.ts store-mode.bench.ts 2>&1 |
  grep -vE "^\s*$|Running 1 test|^\s+[0-9]+ passed")
