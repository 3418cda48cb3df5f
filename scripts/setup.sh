#!/usr/bin/env bash
# Create .venv and install porchbot from the lock (with the test extras when given "test").
# Dependencies come from requirements.lock / requirements-test.lock (exact versions, hash-checked; refresh
# them with scripts/lock.sh); Porchbot itself is then installed editable without touching them.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
fi
lock=requirements.lock
suffix=""
if [ "${1:-}" = "test" ]; then
  lock=requirements-test.lock
  suffix="-test"
fi
# Reinstall only when pyproject.toml or the lock changed since the last install.
stamp=.venv/.porchbot-installed$suffix
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ "$lock" -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --require-hashes -r "$lock"
  .venv/bin/python -m pip install -q --no-deps -e .
  touch "$stamp"
fi
