# A throwaway PostgreSQL cluster for tests and benchmarks, removed when the calling script exits.
# Sourced after tools.sh; `start_throwaway_postgres` exports YINGXIAO_TEST_POSTGRES_URL. It runs with
# fsync off (tests need no flushes); `start_throwaway_postgres durable` keeps PostgreSQL's fsync on, for
# the durability benchmark.
# shellcheck shell=bash

start_throwaway_postgres() {
  local fsync="-c fsync=off"
  [ "${1:-}" = durable ] && fsync=""
  PG_DIR="$(mktemp -d /tmp/yingxiao-pg.XXXXXX)"
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  [ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
  PG_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  trap stop_throwaway_postgres EXIT
  say "starting a throwaway PostgreSQL on port $PG_PORT"
  as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U yingxiao --auth=trust -E UTF8 >/dev/null
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -l "$PG_DIR/log" \
    -o "-h 127.0.0.1 -p $PG_PORT -k $PG_DIR $fsync -c max_connections=300" start >/dev/null
  as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U yingxiao yingxiao_test
  export YINGXIAO_TEST_POSTGRES_URL="postgres://yingxiao@127.0.0.1:$PG_PORT/yingxiao_test"
}

as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

stop_throwaway_postgres() {
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}

# For benchmarks: Debian's PostgreSQL installed if missing, a throwaway cluster that flushes its
# commits (fsync on, as in production), its URL in YINGXIAO_BENCH_POSTGRES_URL.
start_bench_postgres() {
  ensure_debian_packages postgresql
  start_throwaway_postgres durable
  export YINGXIAO_BENCH_POSTGRES_URL="$YINGXIAO_TEST_POSTGRES_URL"
}

