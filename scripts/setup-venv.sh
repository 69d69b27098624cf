#!/usr/bin/env bash
# Create .venv (if missing) and install Yizhan into it. Usage: scripts/setup-venv.sh [extras]
# Installing is skipped when .venv already has this exact version of the package files
# (pyproject.toml and setup.py unchanged since the last install with the same extras).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "error: Yizhan needs Python 3.11 or newer ($PYTHON is $("$PYTHON" --version 2>&1))" >&2
  exit 1
fi
extras=${1:-}
stamp=".venv/.yizhan-installed${extras:+-$extras}"
wanted=$(cat pyproject.toml setup.py | "$PYTHON" -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')
for have in "$stamp" ${extras:+} $([ -z "$extras" ] && echo .venv/.yizhan-installed-test); do
  if [ -x .venv/bin/yizhan ] && [ "$(cat "$have" 2>/dev/null)" = "$wanted" ]; then
    exit 0  # current: nothing to install (an install with the test extras has it all)
  fi
done
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
if [ -n "$extras" ]; then
  .venv/bin/python -m pip install -q -e ".[$extras]"
else
  .venv/bin/python -m pip install -q -e .
fi
echo "$wanted" > "$stamp"
