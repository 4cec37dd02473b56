#!/usr/bin/env bash
# Starts Yingxiao: installs what is missing, builds the web app (release) and the server, seeds the demo
# company into an empty database, prints the demo logins, and serves both.
# Usage: scripts/start.sh [extra `yingxiao-server serve` flags]
# Environment: YINGXIAO_ADDR (default 127.0.0.1:8080), YINGXIAO_DATA_DIR (./data), YINGXIAO_BASE_PATH (/),
#              DATABASE_URL (PostgreSQL instead of the embedded SQLite).
set -euo pipefail
source "$(dirname "$0")/tools.sh"
cd "$ROOT"

ensure_build_tools
build_web_app
say "building the server"
cargo build --quiet --profile server -p yingxiao-server

export YINGXIAO_ADDR="${YINGXIAO_ADDR:-127.0.0.1:8080}"
export YINGXIAO_DATA_DIR="${YINGXIAO_DATA_DIR:-$ROOT/data}"
export YINGXIAO_DIST="${YINGXIAO_DIST:-$ROOT/dist}"
# On an empty database, the demo company (示例公司); either way, the demo logins are listed.
"$ROOT/target/server/yingxiao-server" seed --demo --if-empty
say "starting the server (Ctrl-C stops it)"
exec "$ROOT/target/server/yingxiao-server" serve "$@"
