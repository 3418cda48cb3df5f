"""Adapters wired to a running emulator, with retries that do not sleep."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.forges.base import Forge, RetryPolicy
from bot.forges.github import GitHubForge
from bot.forges.gitlab import GitLabForge
from tests.forge_emulator import Emulator
from tests.forge_emulator.fixtures import forge_emulator, github_emulator, gitlab_emulator  # noqa: F401

REPO = "acme/deployments"


class RecordingSleep:
    """Stands in for time.sleep so retry tests stay fast and can assert the waits."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def make_forge(emulator: Emulator, login: str, sleep: RecordingSleep | None = None,
               attempts: int = 4, timeout: float = 15.0) -> Forge:
    policy = RetryPolicy(attempts=attempts, base_delay=0.25, max_delay=2.0, max_wait=30.0,
                         sleep=sleep or RecordingSleep())
    token = emulator.user(login).token
    if emulator.kind == "github":
        return GitHubForge.with_token(REPO, token, base_url=emulator.api_url, retry=policy, timeout=timeout)
    return GitLabForge(REPO, token, url=emulator.api_url, retry=policy, timeout=timeout)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=Dev", "-c", "user.email=dev@example.com", *args], cwd=cwd,
                          check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def bot_user(forge_emulator: Emulator) -> str:  # noqa: F811
    forge_emulator.add_user("porchbot")
    forge_emulator.grant(REPO, "porchbot", "maintain")
    return "porchbot"


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def forge(forge_emulator: Emulator, bot_user: str, sleep: RecordingSleep) -> Forge:  # noqa: F811
    return make_forge(forge_emulator, bot_user, sleep)
