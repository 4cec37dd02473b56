#!/usr/bin/env bash
# Targets figures (issue 14): a 10,000-person organisation's year target decomposed to every unit,
# person and month, and attainment recomputed for every row after one new order — natively (the
# reference) and in headless Chromium, in one run, beside the goals (100 ms, 16 ms). Prints figures;
# never fails on time. Usage: scripts/bench-targets.sh
set -euo pipefail
source "$(dirname "$0")/tools.sh"
cd "$ROOT"
ensure_build_tools
ensure_debian_packages chromium chromium-driver
say "native (the reference)"
cargo bench -q -p yingxiao-core --bench targets 2>/dev/null | grep -E "targets|ms"
say "wasm in headless Chromium"
export CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=1800
cargo test --release -p yingxiao --target wasm32-unknown-unknown --test targets_bench -- --nocapture \
  2>&1 | grep -E "targets,| ms|test result|panicked"
