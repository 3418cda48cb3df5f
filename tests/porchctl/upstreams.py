"""The upstream repositories Porch's CLI cases clone from, built from ../shared's test-blueprints bundle.

- ``platkrm/test-blueprints.git``: ``main`` at the bundle's basens v3 commit (what github.com's ``main``
  was when the v4 cases were recorded), ``main-branch``, tags ``basens/v1..v3`` and ``empty/v1``;
- ``nephio-project/porch.git``: one commit holding ``test/pkgs/unready/`` with the bundle's
  ``unready/v1`` package, tagged ``test/pkgs/unready/v1`` (rpkg-unready never prints its id).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

BASENS_V3 = "95856c917d3876c5060e44f53b9b5a271185dd8f"
BLUEPRINT_TAGS = ("basens/v1", "basens/v2", "basens/v3", "empty/v1")
UNREADY_PATH = "test/pkgs/unready"
_FIXED_DATE = "2025-02-18T00:00:00Z"


def _git(git_dir: Path, *args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> str:
    full_env = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", **(env or {})}
    result = subprocess.run(["git", f"--git-dir={git_dir}", *args], capture_output=True, text=True, check=True,
                            env=full_env, input=stdin)
    return result.stdout.strip()


def _bare(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(path)], check=True, capture_output=True)
    return path


def build(github_root: Path, bundle: Path) -> None:
    blueprints = _bare(github_root / "platkrm" / "test-blueprints.git")
    refspecs = [f"refs/tags/{tag}:refs/tags/{tag}" for tag in (*BLUEPRINT_TAGS, "unready/v1")]
    _git(blueprints, "fetch", "-q", "--no-tags", str(bundle), "refs/heads/main:refs/heads/main-branch", *refspecs)
    _git(blueprints, "update-ref", "refs/heads/main", BASENS_V3)
    porch = _bare(github_root / "nephio-project" / "porch.git")
    _git(porch, "fetch", "-q", "--no-tags", str(blueprints), "refs/tags/unready/v1:refs/heads/scratch")
    _git(blueprints, "update-ref", "-d", "refs/tags/unready/v1")
    tree = _git(porch, "rev-parse", "refs/heads/scratch:unready")
    for name in reversed(UNREADY_PATH.split("/")):  # nest the package tree as test/pkgs/unready
        tree = _git(porch, "mktree", stdin=f"040000 tree {tree}\t{name}\n")
    identity = {"GIT_AUTHOR_NAME": "porch-e2e", "GIT_AUTHOR_EMAIL": "porch-e2e@example.com",
                "GIT_COMMITTER_NAME": "porch-e2e", "GIT_COMMITTER_EMAIL": "porch-e2e@example.com",
                "GIT_AUTHOR_DATE": _FIXED_DATE, "GIT_COMMITTER_DATE": _FIXED_DATE}
    commit = _git(porch, "commit-tree", tree, "-F", "-", env=identity, stdin="Add unready test package\n")
    _git(porch, "update-ref", "refs/heads/main", commit)
    _git(porch, "update-ref", f"refs/tags/{UNREADY_PATH}/v1", commit)
    _git(porch, "update-ref", "-d", "refs/heads/scratch")
