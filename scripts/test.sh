#!/usr/bin/env bash
# Set up everything and run the whole test suite on SQLite, then on PostgreSQL.
#
# PostgreSQL: uses $YIZHAN_TEST_DATABASE_URL when set; otherwise starts a private server on
# 127.0.0.1 (installing Debian's postgresql package first when it is missing and we are root)
# and stops it afterwards. SKIP_POSTGRES=1 runs SQLite only.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh test
.venv/bin/python -m pip install -q -e tests/thirdparty/yizhan-hello
PY=.venv/bin/python

echo "== ruff"
.venv/bin/ruff check .

echo "== tests on SQLite"
env -u YIZHAN_DATABASE_URL -u YIZHAN_TEST_DATABASE_URL $PY -m pytest -q "$@"

if [ "${SKIP_POSTGRES:-0}" = "1" ]; then
  echo "== PostgreSQL skipped (SKIP_POSTGRES=1)"
  exit 0
fi

if [ -z "${YIZHAN_TEST_DATABASE_URL:-}" ]; then
  source scripts/postgres.sh
  start_private_postgres
  trap stop_private_postgres EXIT
fi

echo "== tests on PostgreSQL"
YIZHAN_TEST_DATABASE_URL=${YIZHAN_TEST_DATABASE_URL} $PY -m pytest -q "$@"
