#!/usr/bin/env bash
# What durability costs, in pushes per second (issue 17; a benchmark, not a test): SQLite with
# synchronous = FULL (the server's) beside NORMAL, and PostgreSQL with synchronous_commit = on (the
# server's) beside off, on a throwaway PostgreSQL that flushes its commits (fsync on), in one run.
set -euo pipefail
source "$(dirname "$0")/tools.sh"
cd "$ROOT"
source scripts/postgres.sh
start_bench_postgres
# The profile the start command builds the server with (opt-level 3), not the size-tuned release.
cargo bench --profile server -p yingxiao-server --bench sync_throughput -- --durability
