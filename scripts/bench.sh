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
