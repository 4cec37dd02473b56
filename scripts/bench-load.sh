#!/usr/bin/env bash
# Many devices against real server processes (issue 17; a benchmark, not a test): 500 sales reps'
# devices and 4 HQ devices make their first sync at once, then push and pull for 60 s, against one
# server on SQLite and 1, 2 and 4 servers on one PostgreSQL (fsync on) behind a round-robin proxy.
# Prints throughput and p50/p99 latency of each set-up beside the others, and checks that every
# change was applied once and no cursor skipped one. Options: --devices N --observers N --seconds N
# --pause-ms N --servers 1,2,4.
set -euo pipefail
source "$(dirname "$0")/tools.sh"
cd "$ROOT"
source scripts/postgres.sh
start_bench_postgres
# The profile the start command builds the server with (opt-level 3), not the size-tuned release.
cargo bench --profile server -p yingxiao-server --bench load -- "$@"
