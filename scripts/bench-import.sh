#!/usr/bin/env bash
# Import figures (a benchmark, not a test): 100,000 deals from CSV and from .xlsx through the CLI's
# import (read, load the stored records, validate, apply, and the same CSV imported again), with a
# plain CSV reader and calamine reading the same bytes in the same run beside the read.
# Usage: scripts/bench-import.sh [DEALS]     # 100,000 by default; about 3 minutes after the build
set -euo pipefail
source "$(dirname "$0")/tools.sh"
cd "$ROOT"
export YINGXIAO_BENCH_DEALS="${1:-${YINGXIAO_BENCH_DEALS:-100000}}"
# The profile the start command builds the server with (opt-level 3), not the size-tuned release.
cargo bench --profile server -p yingxiao-server --bench import
