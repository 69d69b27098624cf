#!/usr/bin/env bash
# Set up everything and run the whole test suite on SQLite, then on PostgreSQL.
#
# PostgreSQL: uses $YIZHAN_TEST_DATABASE_URL when set (each test worker makes its own database
# beside it); otherwise starts a private server on
# 127.0.0.1 (installing Debian's postgresql package first when it is missing and we are root)
# and stops it afterwards. SKIP_POSTGRES=1 runs SQLite only. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/postgres.sh
install_debian_extras
bash scripts/setup-venv.sh test
PY=.venv/bin/python
# Plugins installed as their own distributions, as a community developer would install them.
$PY -m pip install -q -e tests/thirdparty/yizhan-hello -e examples/plugins/yizhan-toollib
if command -v npm >/dev/null; then
  (cd examples/clients && npm ci --no-audit --no-fund --loglevel=error)
  (cd scripts/schema-lint && npm ci --no-audit --no-fund --loglevel=error)
  export YIZHAN_REQUIRE_JS=1
else
  echo "== npm not found: the JavaScript client example will be skipped"
fi

if command -v chromium >/dev/null; then
  export YIZHAN_REQUIRE_BROWSER=1
fi

# Test files are shared out to parallel workers (pytest-xdist), each with its own database;
# much of the suite waits on real servers and subprocesses, so three workers keep two cores
# busy. YIZHAN_TEST_WORKERS=0 runs in one process.
WORKERS=${YIZHAN_TEST_WORKERS:-3}
suite() {
  if [ "$WORKERS" = "0" ]; then
    $PY -m pytest -q "$@"
  else
    $PY -m pytest -q -n "$WORKERS" --dist loadfile "$@"
  fi
  $PY -m pytest -q examples/plugins/yizhan-toollib/tests
}

echo "== ruff"
.venv/bin/ruff check .

if [ -x scripts/schema-lint/node_modules/.bin/graphql-schema-linter ]; then
  echo "== graphql-schema-linter (Relay and naming rules; config in scripts/schema-lint)"
  (cd scripts/schema-lint && npm run -s lint)
fi
echo "== import contracts (pyproject.toml [tool.importlinter])"
.venv/bin/lint-imports

echo "== tests on SQLite"
(unset YIZHAN_DATABASE_URL YIZHAN_TEST_DATABASE_URL; suite "$@")

if [ "${SKIP_POSTGRES:-0}" = "1" ]; then
  echo "== PostgreSQL skipped (SKIP_POSTGRES=1)"
  exit 0
fi

if [ -z "${YIZHAN_TEST_DATABASE_URL:-}" ]; then
  start_private_postgres
  trap stop_private_postgres EXIT
fi

echo "== tests on PostgreSQL (those that use the test database; the rest ran above)"
(unset YIZHAN_DATABASE_URL; YIZHAN_TESTS_USING_THE_DATABASE_ONLY=1 suite "$@")

if [ "$(id -u)" = "0" ] && [ "${SKIP_SCALEOUT:-0}" != "1" ]; then
  echo "== scale-out smoke: primary + streaming replica + pgbouncer"
  (unset YIZHAN_DATABASE_URL YIZHAN_TEST_DATABASE_URL; bash scripts/scaleout.sh)
fi
