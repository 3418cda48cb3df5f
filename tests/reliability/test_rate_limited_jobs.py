"""A forge rate limit the adapter would not sleep through reaches the job layer: the job is handed back
to the queue to wait (dispatch re-raises `RateLimited`) until its last attempt, which reports honestly."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.config.settings import Settings
from bot.errors import RateLimited
from bot.forges.models import PullRequest, event_to_json
from bot.handlers import dispatch
from bot.handlers.context import BotContext
from bot.lifecycle.engine import Engine
from bot.lifecycle.repositories import Repository, register
from bot.queue.store import RATE_LIMIT_ATTEMPTS, Job
from bot.web.intake import read_delivery
from tests.bot.fakes import RecordingForge

REPOSITORY = {"full_name": "acme/deployments", "clone_url": "https://forge.example/acme/deployments.git"}
PULL_EVENT = {"action": "opened", "number": 4, "repository": REPOSITORY, "sender": {"login": "dev"},
              "pull_request": {"number": 4, "state": "open", "draft": False, "user": {"login": "dev"},
                               "head": {"ref": "drafts/istions/v1", "sha": "a" * 40}, "base": {"ref": "main"}}}


@dataclass
class RateLimitedForge(RecordingForge):
    def get_pull_request(self, number: int) -> PullRequest:
        raise RateLimited("github: could not read pull request 4: rate limited, retry in 900s", 900.0)


@pytest.fixture
def forge() -> RateLimitedForge:
    return RateLimitedForge()


@pytest.fixture
def ctx(forge: RateLimitedForge, tmp_path: Path) -> BotContext:
    settings = Settings(config_dir=tmp_path / "config", state_dir=tmp_path / "state")
    register(settings, Repository(name="deployments", url="https://forge.example/acme/deployments.git",
                                  forge="github"))
    return BotContext(engine=Engine(settings=settings), build_forge=lambda repository: forge)


def _job(attempts: int, payload: dict[str, Any]) -> Job:
    intake = read_delivery("github", "pull_request", payload, "d1")
    assert intake.event is not None and intake.key == "github:acme/deployments:pr:4"
    return Job("github:d1", "github", intake.key, event_to_json(intake.event), attempts, 0.0)


def test_a_rate_limited_job_goes_back_to_the_queue(ctx: BotContext) -> None:
    with pytest.raises(RateLimited) as caught:
        dispatch.handle_job(ctx, _job(1, PULL_EVENT))
    assert caught.value.retry_after == 900.0


def test_the_last_attempt_ends_the_job_without_raising(ctx: BotContext, forge: RateLimitedForge) -> None:
    dispatch.handle_job(ctx, _job(RATE_LIMIT_ATTEMPTS, PULL_EVENT))  # reported and done, not re-queued forever
    assert forge.comments == []  # a PR event has nobody to reply to; the log says why
