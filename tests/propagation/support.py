"""Real git repositories registered with an engine in a temporary config/state, and Kptfiles that follow an
upstream package, for the index and planning tests."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.config.settings import Settings
from bot.lifecycle import repositories
from bot.lifecycle.engine import Engine
from bot.lifecycle.repositories import Repository

BLUEPRINTS_URL = "https://forge.example/acme/blueprints.git"


def git(*args: str, cwd: Path | None = None) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.com",
           "GIT_COMMITTER_NAME": "Dev", "GIT_COMMITTER_EMAIL": "dev@example.com"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout


def kptfile(name: str, upstream_url: str = BLUEPRINTS_URL, package: str = "basens", ref: str = "basens/v1",
            slash: str = "/") -> str:
    """A downstream Kptfile as kpt writes it (``directory: /basens``; Porch writes none: ``slash=""``)."""
    return f"""\
apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: {name}
upstream:
  type: git
  git:
    repo: {upstream_url}
    directory: {slash}{package}
    ref: {ref}
  updateStrategy: resource-merge
upstreamLock:
  type: git
  git:
    repo: {upstream_url}
    directory: {slash}{package}
    ref: {ref}
    commit: 0123456789abcdef0123456789abcdef01234567
"""


@dataclass
class Fleet:
    root: Path
    settings: Settings
    engine: Engine

    def repository(self, name: str, files: dict[str, str]) -> Path:
        """A bare repository ``name`` with ``files`` on main, registered; its work clone."""
        bare, work = self.root / f"{name}.git", self.root / f"{name}-work"
        git("init", "-q", "--bare", "-b", "main", str(bare))
        git("clone", "-q", str(bare), str(work))
        git("checkout", "-q", "-b", "main", cwd=work)
        self.commit(work, files or {"README.md": "empty\n"}, "first")
        repositories.register(self.settings, Repository(name=name, url=str(bare), branch="main"))
        return work

    def commit(self, work: Path, files: Mapping[str, str | None], message: str) -> str:
        """Write (or, for None, delete) files, commit and push to main."""
        for path, text in files.items():
            target = work / path
            if text is None:
                git("rm", "-q", "-r", path, cwd=work)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        git("add", "-A", cwd=work)
        git("commit", "-q", "-m", message, cwd=work)
        git("push", "-q", "origin", "HEAD:refs/heads/main", cwd=work)
        return git("rev-parse", "HEAD", cwd=work).strip()


def make_fleet(root: Path) -> Fleet:
    settings = Settings(config_dir=root / "config", state_dir=root / "state")
    settings.config_dir.mkdir(parents=True)
    return Fleet(root, settings, Engine(settings=settings))
