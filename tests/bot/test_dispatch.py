"""The worker's job entry: a delivery becomes one handler call; a failure becomes one honest report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.config.settings import Settings
from bot.forges.models import Permission, PullRequest, User, event_to_json
from bot.handlers import dispatch
from bot.handlers.context import BotContext
from bot.lifecycle.engine import Engine
from bot.lifecycle.repositories import Repository, register
from bot.queue.store import Job
from bot.web.intake import read_delivery
from tests.bot.fakes import RecordingForge

Handle = Callable[[Job], None]
REPO = {"full_name": "acme/deployments", "clone_url": "https://forge.example/acme/deployments.git"}
PULL = PullRequest(number=4, title="t", body="", state="open", draft=True, head_branch="drafts/istions/v1",
                   head_sha="a" * 40, base_branch="main", author=User("dev"), url="https://forge.example/pull/4")


@pytest.fixture
def fake() -> RecordingForge:
    return RecordingForge(pulls={4: PULL}, permissions={"dev": Permission.WRITE})


@pytest.fixture
def handle(fake: RecordingForge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Handle:
    """The queue's handler, as the wiring builds it, on a context whose forge is ``fake``."""
    settings = Settings(config_dir=tmp_path / "config", state_dir=tmp_path / "state")
    # Registered, but its git URL leads nowhere: every git step fails with a PorchbotError.
    register(settings, Repository(name="deployments", url="https://forge.example/acme/deployments.git",
                                  forge="github"))
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "0")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    return dispatch.job_handler(BotContext(engine=Engine(settings=settings), build_forge=lambda repository: fake))


def job(event: str, payload: dict[str, Any]) -> Job:
    """The job the web edge stores for this delivery: its typed event, parsed once."""
    intake = read_delivery("github", event, {**payload, "repository": REPO}, "d1")
    assert intake.event is not None, intake.reason
    return Job("github:d1", "github", intake.key, event_to_json(intake.event), 1, 0.0)


def test_a_push_whose_render_cannot_run_gets_one_error_status(fake: RecordingForge, handle: Handle) -> None:
    handle(job("push", {"ref": "refs/heads/drafts/istions/v1", "before": "b" * 40,
                                     "after": "c" * 40, "sender": {"login": "dev"}}))
    assert [(sha, state) for sha, state, _ in fake.statuses] == [("c" * 40, "error")]
    # Issue 6: a job that finally fails leaves one reply on the PR besides the status.
    assert [number for number, _ in fake.comments] == [4]
    assert "could not finish" in fake.comments[0][1]


def test_pushes_outside_drafts_are_not_rendered(fake: RecordingForge, handle: Handle) -> None:
    handle(job("push", {"ref": "refs/heads/main", "before": "b" * 40, "after": "c" * 40}))
    handle(job("push", {"ref": "refs/tags/istions/v1", "before": "0" * 40, "after": "c" * 40}))
    assert fake.statuses == [] and fake.comments == []


def comment(body: str, login: str = "dev") -> Job:
    return job("issue_comment", {"action": "created", "issue": {"number": 4, "pull_request": {}},
                                 "comment": {"id": 9, "body": body, "user": {"login": login},
                                             "created_at": "2026-01-01T00:00:00Z"}, "sender": {"login": login}})


def test_a_command_is_acknowledged_and_answered(fake: RecordingForge, handle: Handle) -> None:
    handle(comment("/propose"))
    assert fake.reactions == [(9, "eyes")]
    assert not fake.pulls[4].draft
    assert len(fake.comments) == 1 and "Proposed" in fake.comments[0][1]


def test_unknown_commands_and_help_are_replied_to(fake: RecordingForge, handle: Handle) -> None:
    handle(comment("/aprove\n/help"))
    assert len(fake.comments) == 2
    assert "Unknown command `/aprove`" in fake.comments[0][1] and "/approve" in fake.comments[1][1]


def test_the_bots_own_comments_are_ignored(fake: RecordingForge, handle: Handle) -> None:
    handle(comment("/approve", login="porchbot"))
    assert fake.reactions == [] and fake.comments == []


def test_a_command_that_fails_gets_one_reply(fake: RecordingForge, handle: Handle) -> None:
    handle(comment("/approve", login="alice"))  # needs git: the repository is unreachable
    assert len(fake.comments) == 1 and "`/approve` failed" in fake.comments[0][1]


def test_a_job_queued_with_a_raw_body_fails_with_a_clear_error(handle: Handle) -> None:
    """Jobs stored before the edge parsed events hold the raw delivery: they fail, and say why."""
    old = Job("github:d0", "github", "k", {"forge": "github", "event": "push", "delivery": "d0",
                                           "payload": {"ref": "refs/heads/main", "repository": REPO}}, 1, 0.0)
    with pytest.raises(dispatch.UnreadableJob, match=r"raw delivery body.*redeliver"):
        handle(old)
