#!/usr/bin/env bash
# Push throughput with the permission checks beside the same pushes on the commit before them, in one
# run: the current sync_throughput bench is built twice (at BEFORE, default the last commit without
# the permission table, and at the working tree) and the two run alternately, twice each.
# Usage: scripts/bench-permissions.sh [BEFORE_COMMIT]
set -euo pipefail
source "$(dirname "$0")/tools.sh"
cd "$ROOT"
BEFORE=${1:-0ce68f4}
ensure_debian_packages postgresql
source scripts/postgres.sh
start_throwaway_postgres

work=$(mktemp -d)
trap 'git worktree remove --force "$work/before" >/dev/null 2>&1 || true; rm -rf "$work"; stop_throwaway_postgres' EXIT
runs=0
# Each run gets an empty PostgreSQL database of its own, as the benchmark expects.
fresh_database() {
  runs=$((runs + 1))
  as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U yingxiao "bench_$runs"
  export YINGXIAO_BENCH_POSTGRES_URL="postgres://yingxiao@127.0.0.1:$PG_PORT/bench_$runs"
}
git worktree add --detach "$work/before" "$BEFORE" >/dev/null
# The bench as it is now, with the one import that moved since (StorageArgs left config for storage).
sed 's/storage::{Storage, StorageArgs},/config::StorageArgs, storage::Storage,/' \
  server/benches/sync_throughput.rs >"$work/before/server/benches/sync_throughput.rs"
say "building the benchmark before ($BEFORE) and now"
(cd "$work/before" && CARGO_TARGET_DIR="$ROOT/target/bench-before" \
  cargo bench --profile server -p yingxiao-server --bench sync_throughput --no-run --quiet)
cargo bench --profile server -p yingxiao-server --bench sync_throughput --no-run --quiet
for round in 1 2; do
  say "round $round: before ($BEFORE)"
  fresh_database
  (cd "$work/before" && CARGO_TARGET_DIR="$ROOT/target/bench-before" \
    cargo bench --profile server -p yingxiao-server --bench sync_throughput --quiet 2>/dev/null | grep -E "push ingest")
  say "round $round: with the permission table"
  fresh_database
  cargo bench --profile server -p yingxiao-server --bench sync_throughput --quiet 2>/dev/null | grep -E "push ingest"
done
