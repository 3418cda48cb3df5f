#!/usr/bin/env bash
# Build Porchbot's KRM function image offline and tag it under the catalog names our builtins reproduce
# (gcr.io/kpt-fn/NAME:TAG, ghcr.io/kptdev/krm-functions-catalog/NAME:TAG), so that `kpt fn render` and
# `porchbot fn render --runtime docker` run our functions in containers without any registry.
#   scripts/build-function-image.sh           # build what is missing or stale (fast when nothing changed)
#   scripts/build-function-image.sh --force   # rebuild everything, the mmdebstrap base included
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/ensure-services.sh docker
exec .venv/bin/python -m tests.images.build --only krm-fn "$@"
