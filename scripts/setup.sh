#!/usr/bin/env bash
# Create .venv and install porchbot (with the test extras when given "test").
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
fi
extras=""
[ "${1:-}" = "test" ] && extras="[test]"
# Reinstall only when pyproject.toml changed since the last install.
stamp=.venv/.porchbot-installed${extras:+-test}
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q -e ".${extras}"
  touch "$stamp"
fi
