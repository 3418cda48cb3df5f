#!/usr/bin/env bash
# Install and run the main job: porchbot serve on the embedded defaults (SQLite queue under .state/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PORCHBOT_CONFIG_DIR=${PORCHBOT_CONFIG_DIR:-$PWD/config}
export PORCHBOT_STATE_DIR=${PORCHBOT_STATE_DIR:-$PWD/.state}
exec .venv/bin/porchbot serve "$@"
