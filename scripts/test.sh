#!/usr/bin/env bash
# The whole test suite on a fresh machine: install, start Docker, build function images, run pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
scripts/ensure-services.sh
.venv/bin/python -m tests.images.build
set +e
.venv/bin/python -m pytest -n 2 "$@"
rc=$?
set -e
# pytest's 5 means "no tests collected": that is a failure of the suite, not a pass.
exit $rc
