"""Pytest fixtures for the emulator. Import them into a conftest: `from tests.forge_emulator.fixtures import *`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .emulator import Emulator

__all__ = ["forge_emulator", "github_emulator", "gitlab_emulator", "start_emulator"]


def start_emulator(kind: str, root: Path, webhook_url: str | None = None,
                   webhook_secret: str = "emulator-secret") -> Emulator:
    """A running emulator with one owner (`owner`) and one repository (`acme/deployments`, branch main)."""
    emulator = Emulator(kind, root, webhook_url=webhook_url, webhook_secret=webhook_secret).start()
    emulator.add_user("owner")
    emulator.create_repo("acme/deployments", "owner", files={"README.md": "deployments\n"})
    return emulator


@pytest.fixture
def github_emulator(tmp_path: Path) -> Iterator[Emulator]:
    emulator = start_emulator("github", tmp_path / "github")
    yield emulator
    emulator.stop()


@pytest.fixture
def gitlab_emulator(tmp_path: Path) -> Iterator[Emulator]:
    emulator = start_emulator("gitlab", tmp_path / "gitlab")
    yield emulator
    emulator.stop()


@pytest.fixture(params=["github", "gitlab"])
def forge_emulator(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Emulator]:
    emulator = start_emulator(request.param, tmp_path / request.param)
    yield emulator
    emulator.stop()
