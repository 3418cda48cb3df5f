"""Lifecycle test fixtures: isolated config/state directories, real bare repositories, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.lifecycle.githttp import GitHttpServer, serve_git

PROJECT_DIR = Path(__file__).resolve().parents[2]


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


Cli = Callable[..., CliResult]


def created_name(result: CliResult) -> str:
    """The revision name from ``<name> created``, failing the test with the command's stderr if not."""
    assert result.exit_code == 0 and result.stdout.endswith(" created\n"), result.stderr
    return result.stdout.split()[0]


@pytest.fixture
def porchbot_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {
        "PORCHBOT_CONFIG_DIR": str(tmp_path / "config"),
        "PORCHBOT_STATE_DIR": str(tmp_path / "state"),
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture(autouse=True)
def kpt_book_era(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The seed walkthrough replays the kpt book, whose CLI was ``kpt alpha rpkg`` (six-column table, a
    draft's workspace shown as its revision, ``rejected``, kpt pkg get's clone Kptfile): it runs in that
    era (``PORCHBOT_PORCHCTL=kpt-alpha``). Every other lifecycle test runs porchctl v4, the default."""
    if request.module.__name__.rsplit(".", 1)[-1] == "test_walkthrough":
        monkeypatch.setenv("PORCHBOT_PORCHCTL", "kpt-alpha")
    else:
        monkeypatch.delenv("PORCHBOT_PORCHCTL", raising=False)


@pytest.fixture
def cli(porchbot_env: dict[str, str]) -> Cli:
    """Run ``porchbot ARGS...`` as a real process (what a user runs), in this test's directories."""

    def run(*args: str, cwd: Path | None = None, stdin: str | None = None) -> CliResult:
        result = subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True,
                                env={**os.environ, **porchbot_env}, cwd=cwd or PROJECT_DIR, check=False,
                                timeout=120, input=stdin)
        return CliResult(result.returncode, result.stdout, result.stderr)

    return run


def git(*args: str, cwd: Path | None = None) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_AUTHOR_NAME": "Test Author",
           "GIT_AUTHOR_EMAIL": "author@example.com", "GIT_COMMITTER_NAME": "Test Author",
           "GIT_COMMITTER_EMAIL": "author@example.com"}
    result = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return result.stdout


@pytest.fixture
def bare_repo(tmp_path: Path) -> Callable[[str], Path]:
    def make(name: str) -> Path:
        path = tmp_path / "remotes" / f"{name}.git"
        path.parent.mkdir(parents=True, exist_ok=True)
        git("init", "-q", "--bare", "-b", "main", str(path))
        return path

    return make


def write_files(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def kptfile(name: str) -> str:
    return (f"apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: {name}\n  annotations:\n"
            "    config.kubernetes.io/local-config: \"true\"\ninfo:\n  description: test package\n")


@pytest.fixture
def packages_repo(tmp_path: Path, bare_repo: Callable[[str], Path]) -> Path:
    """A bare repository with packages 'app' (tag app/v1, app/v2) and 'nested/db' (with a subpackage)."""
    remote = bare_repo("blueprints")
    work = tmp_path / "work-blueprints"
    git("clone", "-q", str(remote), str(work))
    write_files(work, {
        "README.md": "blueprints\n",
        "app/Kptfile": kptfile("app"),
        "app/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n",
        "nested/db/Kptfile": kptfile("db"),
        "nested/db/sub/Kptfile": kptfile("sub"),
        "nested/db/sub/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n",
    })
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "first", cwd=work)
    git("tag", "app/v1", cwd=work)
    (work / "app" / "deploy.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  replicas: 2\n")
    git("commit", "-q", "-am", "second", cwd=work)
    git("tag", "-a", "-m", "release", "app/v2", cwd=work)
    git("push", "-q", "origin", "main", "--tags", cwd=work)
    return remote


@pytest.fixture
def http_git(tmp_path: Path) -> Iterator[GitHttpServer]:
    root = tmp_path / "served"
    root.mkdir()
    with serve_git(root, {"alice": "s3cret", "token": "t0ken-value"}) as server:
        yield server
