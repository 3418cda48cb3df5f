#!/usr/bin/env bash
# The whole test suite on a fresh machine: install, start Docker, build function images, run pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
scripts/ensure-services.sh
.venv/bin/python -m tests.images.build
# The engine is up and the images are built: a docker test that would skip for want of them fails.
export PORCHBOT_REQUIRE_DOCKER=1
# ensure-services.sh installed chromium: a browser test that would skip for want of it fails.
export PORCHBOT_REQUIRE_BROWSER=1
set +e
.venv/bin/python -m pytest -n 2 "$@"
rc=$?
set -e
# pytest's 5 means "no tests collected": that is a failure of the suite, not a pass.
exit $rc
