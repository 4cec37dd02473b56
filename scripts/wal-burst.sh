#!/usr/bin/env bash
# The SQLite WAL under a burst of pushes with steady pulls, for the figure of issue 9 (a benchmark, not
# a test): prints the largest WAL file seen. Usage: scripts/wal-burst.sh [--seconds N] [--no-checkpoint]
# (60 s by default; --no-checkpoint leaves out the server's periodic checkpoint, for comparison).
set -euo pipefail
source "$(dirname "$0")/tools.sh"
cd "$ROOT"
# The profile the start command builds the server with (opt-level 3), not the size-tuned release.
cargo bench --profile server -p yingxiao-server --bench wal_burst -- "$@"
