#!/usr/bin/env bash
# Set up everything and serve the demo community on SQLite at http://127.0.0.1:8000/graphql.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh
export YIZHAN_DATABASE_URL=${YIZHAN_DATABASE_URL:-sqlite:///var/demo.db}
mkdir -p var
.venv/bin/yizhan init --demo
cat <<'TXT'

Open http://127.0.0.1:8000/graphql and paste:

  mutation { login(input: {identifier: "li", password: "yizhan-demo"}) { token errors { code message } } }

then, with the header  Authorization: Bearer <token>  (GraphiQL: the Headers tab):

  { needs(community: "shuixie", first: 10) { nodes { title status credits lateNight
      requester { displayName } helper { displayName } building { name } } } }

TXT
exec .venv/bin/yizhan serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
