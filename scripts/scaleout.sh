#!/usr/bin/env bash
# Past one machine, on PostgreSQL's own tools: a primary, a streaming replica made with
# pg_basebackup, and PgBouncer in transaction pooling mode, all on 127.0.0.1 — then the smoke
# flow of scripts/scaleout_smoke.py through them (writes through PgBouncer, lists read from the
# replica), and everything is stopped again. Needs root (it installs Debian's postgresql and
# pgbouncer packages when missing and runs the servers as the postgres user).
#
#   bash scripts/scaleout.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/postgres.sh
[ "$(id -u)" = "0" ] || { echo "error: run as root (servers run as the postgres user)" >&2; exit 1; }

PG_BIN=$(find_pg_bin) || { install_postgres && PG_BIN=$(find_pg_bin); }
if ! command -v pgbouncer >/dev/null; then
  echo "== installing pgbouncer from Debian's packages"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null
fi
id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
as=(runuser -u postgres --)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

ROOT_DIR=$(mktemp -d /tmp/yizhan-scaleout.XXXXXX)
chown postgres "$ROOT_DIR"
PRIMARY_PORT=$(free_port); REPLICA_PORT=$(free_port); BOUNCER_PORT=$(free_port)
SERVER_PID=""

cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  [ -f "$ROOT_DIR/pgbouncer.pid" ] && kill "$(cat "$ROOT_DIR/pgbouncer.pid")" 2>/dev/null || true
  for node in replica primary; do
    [ -d "$ROOT_DIR/$node" ] && "${as[@]}" "$PG_BIN/pg_ctl" -D "$ROOT_DIR/$node" -m fast -w stop \
      >/dev/null 2>&1 || true
  done
  rm -rf "$ROOT_DIR"
}
trap cleanup EXIT

echo "== primary on 127.0.0.1:$PRIMARY_PORT"
"${as[@]}" "$PG_BIN/initdb" -D "$ROOT_DIR/primary" -A trust -U postgres >/dev/null
echo "host replication postgres 127.0.0.1/32 trust" >> "$ROOT_DIR/primary/pg_hba.conf"
"${as[@]}" "$PG_BIN/pg_ctl" -D "$ROOT_DIR/primary" -l "$ROOT_DIR/primary.log" -w -o \
  "-c listen_addresses=127.0.0.1 -p $PRIMARY_PORT -c unix_socket_directories=$ROOT_DIR \
   -c wal_level=replica -c max_wal_senders=5 -c fsync=off" start >/dev/null
"$PG_BIN/psql" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -qc "CREATE DATABASE yizhan" >/dev/null

echo "== replica on 127.0.0.1:$REPLICA_PORT (pg_basebackup, streaming)"
"${as[@]}" "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres \
  -D "$ROOT_DIR/replica" -R -X stream >/dev/null
"${as[@]}" "$PG_BIN/pg_ctl" -D "$ROOT_DIR/replica" -l "$ROOT_DIR/replica.log" -w -o \
  "-c listen_addresses=127.0.0.1 -p $REPLICA_PORT -c unix_socket_directories=$ROOT_DIR \
   -c hot_standby=on -c log_statement=all" start >/dev/null

echo "== pgbouncer (transaction pooling) on 127.0.0.1:$BOUNCER_PORT"
cat > "$ROOT_DIR/pgbouncer.ini" <<INI
[databases]
yizhan = host=127.0.0.1 port=$PRIMARY_PORT dbname=yizhan user=postgres

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $ROOT_DIR/userlist.txt
pool_mode = transaction
max_client_conn = 400
default_pool_size = 20
ignore_startup_parameters = extra_float_digits
logfile = $ROOT_DIR/pgbouncer.log
pidfile = $ROOT_DIR/pgbouncer.pid
admin_users = postgres
INI
echo '"postgres" ""' > "$ROOT_DIR/userlist.txt"
chown postgres "$ROOT_DIR"/pgbouncer.ini "$ROOT_DIR"/userlist.txt
"${as[@]}" pgbouncer -d "$ROOT_DIR/pgbouncer.ini"
for _ in $(seq 1 50); do [ -f "$ROOT_DIR/pgbouncer.pid" ] && break; sleep 0.1; done

export YIZHAN_DATABASE_URL="postgresql://postgres@127.0.0.1:$BOUNCER_PORT/yizhan"
export YIZHAN_DATABASE_READ_URL="postgresql://postgres@127.0.0.1:$REPLICA_PORT/yizhan"
export YIZHAN_DATABASE_POOLER=pgbouncer
export YIZHAN_PUBLIC_URL="http://127.0.0.1:$(free_port)"
export YIZHAN_JOBS_INTERVAL=1
SERVE_PORT=${YIZHAN_PUBLIC_URL##*:}

echo "== migrate and load the demo through pgbouncer"
.venv/bin/yizhan db migrate >/dev/null
.venv/bin/yizhan demo >/dev/null
echo "== yizhan serve (writes via pgbouncer, lists from the replica) on :$SERVE_PORT"
.venv/bin/yizhan serve --port "$SERVE_PORT" --log-level warning >"$ROOT_DIR/serve.log" 2>&1 &
SERVER_PID=$!

.venv/bin/python scripts/scaleout_smoke.py \
  --url "http://127.0.0.1:$SERVE_PORT/graphql" \
  --replica "postgresql://postgres@127.0.0.1:$REPLICA_PORT/yizhan" \
  --replica-log "$ROOT_DIR/replica.log" \
  --bouncer-admin "postgresql://postgres@127.0.0.1:$BOUNCER_PORT/pgbouncer" || {
    echo "== serve log"; tail -50 "$ROOT_DIR/serve.log"; exit 1; }
echo "== ledger verify through pgbouncer"
.venv/bin/yizhan ledger verify -c shuixie
echo "== scale-out smoke passed"
