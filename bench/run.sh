#!/usr/bin/env bash
# Run every benchmark on SQLite and on a private PostgreSQL; each prints its figures.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || bash scripts/setup-venv.sh test
PY=${PY:-.venv/bin/python}
command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null 2>&1 || true; }
export PYTHONPATH=.
for bench in bench/feed.py bench/credits_*.py; do
  [ -f "$bench" ] || continue
  echo "### $bench (SQLite)"
  env -u YIZHAN_DATABASE_URL $PY "$bench"
done
source scripts/postgres.sh
start_private_postgres
trap stop_private_postgres EXIT
for bench in bench/feed.py bench/credits_*.py; do
  [ -f "$bench" ] || continue
  echo "### $bench (PostgreSQL)"
  YIZHAN_DATABASE_URL=$YIZHAN_TEST_DATABASE_URL $PY "$bench"
done
