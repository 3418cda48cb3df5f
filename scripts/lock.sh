#!/usr/bin/env bash
# Refresh the locks from pyproject.toml: requirements.lock (what Porchbot runs on) and requirements-test.lock
# (that plus the test extras, held to the same versions). Every package, direct or not, is pinned with its
# hashes, for every platform and every Python >= 3.11 (uv's universal resolution: one lock serves the host,
# the official python:3.12 image and the offline Debian base alike).
#   scripts/lock.sh                          # after editing pyproject.toml: add what is new, keep the rest
#   scripts/lock.sh --upgrade                # move everything to the newest versions pyproject allows
#   scripts/lock.sh --upgrade-package NAME   # just one
set -euo pipefail
cd "$(dirname "$0")/.."
uv=$(command -v uv || true)
if [ -z "$uv" ]; then
  # uv comes from the package index into a throw-away venv: it is a tool for this script, not a dependency.
  tools=${TMPDIR:-/tmp}/porchbot-lock-tools
  [ -x "$tools/bin/uv" ] || { python3 -m venv "$tools" && "$tools/bin/pip" install -q uv; }
  uv=$tools/bin/uv
fi
common=(--quiet --universal --python-version 3.11 --generate-hashes --custom-compile-command scripts/lock.sh)
"$uv" pip compile pyproject.toml "${common[@]}" "$@" -o requirements.lock
"$uv" pip compile pyproject.toml --extra test -c requirements.lock "${common[@]}" "$@" -o requirements-test.lock
