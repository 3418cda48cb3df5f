"""Bounded retries on 5xx, timeouts and rate limits, driven by the emulator's fault injection."""

from __future__ import annotations

import pytest

from bot.errors import RateLimited
from bot.forges.base import Forge
from bot.forges.failures import ForgeUnavailable
from tests.forge_emulator import Emulator

from .conftest import REPO, RecordingSleep, make_forge

PULLS = r"/(pulls|merge_requests)/1$"


@pytest.fixture
def pr_number(forge_emulator: Emulator, forge: Forge) -> int:
    forge_emulator.commit_files(REPO, "drafts/basens/v1", {"basens/Kptfile": "a: 1\n"}, "owner")
    return forge.open_pull_request("drafts/basens/v1", "main", "basens v1", "", draft=False).number


def rate_limit_status(emulator: Emulator) -> int:
    # GitHub signals primary limits with 403 + x-ratelimit-remaining: 0; GitLab answers 429.
    return 403 if emulator.kind == "github" else 429


def test_5xx_is_retried_with_backoff(forge_emulator: Emulator, forge: Forge, sleep: RecordingSleep,
                                     pr_number: int) -> None:
    forge_emulator.faults.inject(PULLS, method="GET", times=2, status=502)
    assert forge.get_pull_request(pr_number).number == pr_number
    assert sleep.waits == [0.25, 0.5]
    assert forge_emulator.faults.triggered == 2


def test_5xx_gives_up_after_the_last_attempt(forge_emulator: Emulator, forge: Forge, sleep: RecordingSleep,
                                             pr_number: int) -> None:
    forge_emulator.faults.inject(PULLS, method="GET", times=10, status=503)
    with pytest.raises(ForgeUnavailable, match="HTTP 503"):
        forge.get_pull_request(pr_number)
    assert sleep.waits == [0.25, 0.5, 1.0]  # four attempts in all
    assert forge_emulator.faults.triggered == 4


def test_retry_after_is_honoured(forge_emulator: Emulator, forge: Forge, sleep: RecordingSleep,
                                 pr_number: int) -> None:
    forge_emulator.faults.rate_limit(PULLS, times=1, retry_after=3, status=rate_limit_status(forge_emulator))
    assert forge.get_pull_request(pr_number).number == pr_number
    assert sleep.waits == [3.0]


def test_ratelimit_reset_is_honoured(forge_emulator: Emulator, forge: Forge, sleep: RecordingSleep,
                                     pr_number: int) -> None:
    forge_emulator.faults.rate_limit(PULLS, times=1, reset_in=20, status=rate_limit_status(forge_emulator))
    forge.get_pull_request(pr_number)
    assert len(sleep.waits) == 1 and 17 <= sleep.waits[0] <= 21


def test_a_long_rate_limit_is_raised_not_slept(forge_emulator: Emulator, forge: Forge, sleep: RecordingSleep,
                                               pr_number: int) -> None:
    forge_emulator.faults.rate_limit(PULLS, times=1, retry_after=600, status=rate_limit_status(forge_emulator))
    with pytest.raises(RateLimited) as raised:
        forge.get_pull_request(pr_number)
    assert raised.value.retry_after == 600 and sleep.waits == []


def test_writes_are_retried_too(forge_emulator: Emulator, forge: Forge, sleep: RecordingSleep,
                                pr_number: int) -> None:
    # The emulator fails before acting, so a retried comment is created exactly once.
    forge_emulator.faults.inject(r"/(comments|notes)$", method="POST", times=1, status=500)
    forge.create_comment(pr_number, "hello")
    assert [c.body for c in forge_emulator.comments(REPO, pr_number)] == ["hello"]
    assert sleep.waits == [0.25]


def test_a_timeout_is_retried(forge_emulator: Emulator, bot_user: str, pr_number: int) -> None:
    sleep = RecordingSleep()
    impatient = make_forge(forge_emulator, bot_user, sleep, timeout=1)
    forge_emulator.faults.inject(PULLS, method="GET", times=1, status=0, delay=1.6)
    assert impatient.get_pull_request(pr_number).number == pr_number
    assert sleep.waits == [0.25]
