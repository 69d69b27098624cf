#!/usr/bin/env bash
# Start and stop a private PostgreSQL server on 127.0.0.1 for tests and benchmarks.
# Source it, then: start_private_postgres (exports YIZHAN_TEST_DATABASE_URL and PG_PORT,
# PG_BIN), stop_private_postgres.

find_pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

install_postgres() {
  if [ "$(id -u)" != "0" ]; then
    echo "error: PostgreSQL is not installed; install Debian's 'postgresql' package (or set" \
         "YIZHAN_TEST_DATABASE_URL, or SKIP_POSTGRES=1)" >&2
    return 1
  fi
  echo "== installing PostgreSQL from Debian's packages"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
}

install_debian_extras() {
  # A CJK font for the Chinese on printed voucher cards and statements, and pdftotext for the
  # tests that read those PDFs back. Optional: without them the PDFs fall back to English.
  [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null || return 0
  if [ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || ! command -v pdftotext >/dev/null; then
    echo "== installing fonts-wqy-microhei and poppler-utils from Debian's packages"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      fonts-wqy-microhei poppler-utils) >/dev/null 2>&1 || echo "   (could not install; continuing)"
  fi
  # A headless browser for the test that GraphiQL renders and runs a query with no network.
  if ! command -v chromium >/dev/null; then
    echo "== installing chromium from Debian's packages"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
      >/dev/null 2>&1 || echo "   (could not install; continuing)"
  fi
}

start_private_postgres() {
  PG_BIN=$(find_pg_bin) || { install_postgres && PG_BIN=$(find_pg_bin); }
  PG_DIR=$(mktemp -d /tmp/yizhan-pg.XXXXXX)
  PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  local as=()
  if [ "$(id -u)" = "0" ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$PG_DIR"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres >/dev/null
  "${as[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -o \
    "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=$PG_DIR -c fsync=off -c max_connections=200" \
    start >/dev/null
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE yizhan_test" >/dev/null
  export PG_BIN PG_DIR PG_PORT
  export YIZHAN_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/yizhan_test"
  echo "== private PostgreSQL on 127.0.0.1:$PG_PORT"
}

stop_private_postgres() {
  [ -n "${PG_DIR:-}" ] || return 0
  local as=()
  [ "$(id -u)" = "0" ] && as=(runuser -u postgres --)
  "${as[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
