#!/usr/bin/env bash
# Set up everything and serve the 水榭花都 demo community on SQLite.
#
#   bash scripts/demo.sh            install (only when needed), create or refresh, serve
#   bash scripts/demo.sh --reset    start over: delete the demo database first
#
# HOST and PORT choose where to serve (default 127.0.0.1 and 8000): PORT=8110 bash scripts/demo.sh
# The demo lives in var/demo.db (YIZHAN_DATABASE_URL overrides it). A warm start — everything
# installed and the package unchanged — skips installing and answers in a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
reset=0
for arg in "$@"; do
  case "$arg" in
    --reset) reset=1 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done
bash scripts/setup-venv.sh
export YIZHAN_DATABASE_URL=${YIZHAN_DATABASE_URL:-sqlite:///var/demo.db}
mkdir -p var
if [ "$reset" = 1 ]; then
  case "$YIZHAN_DATABASE_URL" in
    sqlite:///*) db=${YIZHAN_DATABASE_URL#sqlite:///}; rm -f "$db" "$db-wal" "$db-shm"
                 echo "== removed $db: the demo starts over" ;;
    *) echo "error: --reset only deletes a SQLite demo database" >&2; exit 2 ;;
  esac
fi
url_host=$HOST
[ "$url_host" = "0.0.0.0" ] && url_host=127.0.0.1
# QR codes and credentials printed from the demo link to where it is served.
export YIZHAN_PUBLIC_URL=${YIZHAN_PUBLIC_URL:-http://$url_host:$PORT}
cat <<TXT

Open http://$url_host:$PORT/graphql and paste:

  mutation { login(input: {identifier: "li", password: "yizhan-demo"}) { token errors { code message } } }

then, with the header  Authorization: Bearer <token>  (GraphiQL: the Headers tab):

  { needs(community: "shuixie", first: 10) { nodes { title status credits lateNight
      requester { displayName } helper { displayName } building { name } } } }

Every demo login (sun, wang, zhao, zhang, li, chen, liu) has the password yizhan-demo.
Start over with: bash scripts/demo.sh --reset

TXT
exec .venv/bin/yizhan serve --demo --host "$HOST" --port "$PORT"
