#!/usr/bin/env bash
# Benchmark (figures, not a test): the browser half of the import figures. 100,000 deals of the demo
# company as CSV and as .xlsx through the import page in Debian's Chromium as the demo administrator:
# the worker's read beside a plain reader of the same bytes, the check, the write into the device's
# outbox and the sync to the server; then the .xlsx of the same deals (nothing to change).
#   scripts/bench-import-browser.sh [DEALS]      # 100,000 by default
# The CLI half is scripts/bench-import.sh.
set -euo pipefail
source "$(dirname "$0")/tools.sh"
cd "$ROOT"
ensure_test_tools
ensure_python_tools >/dev/null

PORT="${BENCH_PORT:-18495}"
serve_demo_bench "$PORT"
(cd end2end && BENCH_DEALS="${1:-100000}" YINGXIAO_PYTHON="$ROOT/.tools/venv/bin/python" \
  BENCH_URL="http://127.0.0.1:$PORT/" npx playwright test -c bench.config.ts import.bench.ts 2>&1 |
  grep -vE "^\s*$|Running 1 test|^\s+[0-9]+ passed")
