#!/usr/bin/env bash
# Run every benchmark on SQLite and on a private PostgreSQL; each prints its figures, and a
# last table gathers the headline figures with their goals (bench/summary.py).
# Not part of the test suite: `bash bench/run.sh` (a few minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || bash scripts/setup-venv.sh test
PY=${PY:-.venv/bin/python}
export PYTHONPATH=.
if ! command -v wrk >/dev/null && [ "$(id -u)" = 0 ]; then
  apt-get install -y -qq wrk >/dev/null 2>&1 || true
fi
source scripts/postgres.sh
start_private_postgres
trap stop_private_postgres EXIT
PG_BASE="postgresql://postgres@127.0.0.1:$PG_PORT"
WORK=$(mktemp -d)
export BENCH_SUMMARY="$WORK/summary.jsonl"
for db in feed payments chain indicators scale; do
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE bench_$db"
done

echo "### feed (SQLite)"
YIZHAN_DATABASE_URL="sqlite:///$WORK/feed.db" $PY bench/feed.py
echo "### feed (PostgreSQL)"
YIZHAN_DATABASE_URL="$PG_BASE/bench_feed" $PY bench/feed.py
echo "### credits payments (SQLite, PostgreSQL with pgbench)"
$PY bench/credits_payments.py --database "sqlite:///$WORK/payments.db"
PATH="$PG_BIN:$PATH" $PY bench/credits_payments.py --database "$PG_BASE/bench_payments"
echo "### credits chain verification (SQLite, PostgreSQL)"
$PY bench/credits_verify.py --database "sqlite:///$WORK/chain.db"
$PY bench/credits_verify.py --database "$PG_BASE/bench_chain"
echo "### indicators at 100,000 members (SQLite, PostgreSQL)"
YIZHAN_DATABASE_URL="sqlite:///$WORK/indicators.db" $PY bench/indicators.py
YIZHAN_DATABASE_URL="$PG_BASE/bench_indicators" $PY bench/indicators.py
echo "### flat cost with size: 100,000-member ÷ 1,000-member community (PostgreSQL)"
YIZHAN_DATABASE_URL="$PG_BASE/bench_scale" $PY bench/scale.py
echo "### summary: the headline figures and their goals"
$PY bench/summary.py "$BENCH_SUMMARY"
rm -rf "$WORK"
