#!/usr/bin/env bash
# Benchmarks (figures, not tests): sync push/pull throughput on SQLite and a throwaway PostgreSQL,
# beside a plain SQLite insert of the same rows.
set -euo pipefail
source "$(dirname "$0")/tools.sh"
cd "$ROOT"
ensure_debian_packages postgresql
source scripts/postgres.sh
start_throwaway_postgres
export YINGXIAO_BENCH_POSTGRES_URL="$YINGXIAO_TEST_POSTGRES_URL"
# The profile the start command builds the server with (opt-level 3), not the size-tuned release.
cargo bench --profile server -p yingxiao-server --bench sync_throughput

# The device store in headless Chromium: first sync of 100,000 records beside a raw IndexedDB bulk
# put, and opening and filtering a list of 50,000 customers.
ensure_debian_packages chromium chromium-driver
export CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=1800
cargo test --release -p yingxiao --target wasm32-unknown-unknown --test store_bench -- --nocapture \
  2>&1 | grep -E "first sync|list of|test result|panicked"
cargo test --release -p yingxiao --target wasm32-unknown-unknown --test funnel_bench -- --nocapture 2>&1 | grep -E " ms|funnel analytics|filter change|test result|panicked"
