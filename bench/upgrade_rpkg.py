"""``rpkg_upgrade_s``: the whole ``porchbot rpkg upgrade`` of the 1,000-resource package in a registered
repository (git-only), render included (the median of ``runs``): a blueprint repository publishes ``pkg`` v1 and v2, a deployment
repository holds a published, customised clone of v1, and the command makes the upgrade Draft."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.upgrade.world import Files, write_tree

GIT_ENV = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "Bench",
           "GIT_AUTHOR_EMAIL": "bench@example.com", "GIT_COMMITTER_NAME": "Bench",
           "GIT_COMMITTER_EMAIL": "bench@example.com"}
KPTFILE = "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: pkg\ninfo:\n  description: bench\n"


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env={**os.environ, **GIT_ENV}, check=True, capture_output=True)


def _blueprint(root: Path, v1: Files, v2: Files) -> Path:
    remote = root / "blueprints.git"
    _git(root, "init", "-q", "--bare", "-b", "main", str(remote))
    work = root / "blueprints-work"
    _git(root, "clone", "-q", str(remote), str(work))
    for tag, files in (("pkg/v1", v1), ("pkg/v2", v2)):
        write_tree(work / "pkg", {"Kptfile": KPTFILE, **files})
        _git(work, "add", "-A")
        _git(work, "commit", "-q", "-m", tag)
        _git(work, "tag", tag)
    _git(work, "push", "-q", "origin", "main", "--tags")
    return remote


def rpkg_upgrade_seconds(root: Path, v1: Files, v2: Files, edit: Callable[[Path], None], runs: int = 3) -> float:
    root.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **GIT_ENV, "PORCHBOT_CONFIG_DIR": str(root / "config"),
           "PORCHBOT_STATE_DIR": str(root / "state")}

    def cli(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, capture_output=True, text=True,
                              check=False)
        if done.returncode != 0:
            sys.exit(f"porchbot {' '.join(args)} failed: {done.stderr.strip()[-500:]}")
        return done.stdout

    deployments = root / "deployments.git"
    _git(root, "init", "-q", "--bare", "-b", "main", str(deployments))
    cli("repo", "register", str(_blueprint(root, v1, v2)), "--name", "blueprints")
    cli("repo", "register", str(deployments), "--name", "deployments")
    from bot.lifecycle import naming

    cloned = cli("rpkg", "clone", naming.revision_name("blueprints", "pkg", "v1"), "app",
                 "--repository", "deployments", "--workspace", "first").split()[0]
    cli("rpkg", "propose", cloned)
    cli("rpkg", "approve", cloned)
    custom = cli("rpkg", "copy", cloned, "--workspace", "custom").split()[0]
    folder = root / "custom"
    cli("rpkg", "pull", custom, str(folder))
    edit(folder)
    cli("rpkg", "push", custom, str(folder))
    cli("rpkg", "propose", custom)
    cli("rpkg", "approve", custom)
    times = []
    for run in range(runs):  # each run a new Draft of the same published revision: the same work each time
        start = time.perf_counter()
        cli("rpkg", "upgrade", custom, "--workspace", f"upgrade-{run}")
        times.append(time.perf_counter() - start)
    return statistics.median(times)
