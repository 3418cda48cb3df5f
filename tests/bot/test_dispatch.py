"""The worker's job entry: a delivery becomes one handler call; a failure becomes one honest report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.config.locations import LifecycleSettings
from bot.forges.models import Permission, PullRequest, User
from bot.handlers import dispatch
from bot.handlers.context import BotContext
from bot.queue.sqlite_store import Job
from bot.lifecycle.engine import Engine
from bot.lifecycle.repositories import Repository, register
from tests.bot.fakes import RecordingForge

REPO = {"full_name": "acme/deployments", "clone_url": "https://forge.example/acme/deployments.git"}
PULL = PullRequest(number=4, title="t", body="", state="open", draft=True, head_branch="drafts/istions/v1",
                   head_sha="a" * 40, base_branch="main", author=User("dev"), url="https://forge.example/pull/4")


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RecordingForge:
    settings = LifecycleSettings(config_dir=tmp_path / "config", state_dir=tmp_path / "state")
    # Registered, but its git URL leads nowhere: every git step fails with a PorchbotError.
    register(settings, Repository(name="deployments", url="https://forge.example/acme/deployments.git",
                                  forge="github"))
    forge = RecordingForge(pulls={4: PULL}, permissions={"dev": Permission.WRITE})
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "0")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    context = BotContext(engine=Engine(settings=settings), build_forge=lambda repository: forge)
    monkeypatch.setattr(dispatch, "_context", context)
    return forge


def job(event: str, payload: dict[str, Any]) -> Job:
    return Job("github:d1", "github", "k", {"forge": "github", "event": event, "delivery": "d1",
                                            "payload": {**payload, "repository": REPO}}, 1, 0.0)


def test_a_push_whose_render_cannot_run_gets_one_error_status(fake: RecordingForge) -> None:
    dispatch.handle_job(job("push", {"ref": "refs/heads/drafts/istions/v1", "before": "b" * 40,
                                     "after": "c" * 40, "sender": {"login": "dev"}}))
    assert [(sha, state) for sha, state, _ in fake.statuses] == [("c" * 40, "error")]
    # Issue 6: a job that finally fails leaves one reply on the PR besides the status.
    assert [number for number, _ in fake.comments] == [4]
    assert "could not finish" in fake.comments[0][1]


def test_pushes_outside_drafts_are_not_rendered(fake: RecordingForge) -> None:
    dispatch.handle_job(job("push", {"ref": "refs/heads/main", "before": "b" * 40, "after": "c" * 40}))
    dispatch.handle_job(job("push", {"ref": "refs/tags/istions/v1", "before": "0" * 40, "after": "c" * 40}))
    assert fake.statuses == [] and fake.comments == []


def comment(body: str, login: str = "dev") -> Job:
    return job("issue_comment", {"action": "created", "issue": {"number": 4, "pull_request": {}},
                                 "comment": {"id": 9, "body": body, "user": {"login": login},
                                             "created_at": "2026-01-01T00:00:00Z"}, "sender": {"login": login}})


def test_a_command_is_acknowledged_and_answered(fake: RecordingForge) -> None:
    dispatch.handle_job(comment("/propose"))
    assert fake.reactions == [(9, "eyes")]
    assert not fake.pulls[4].draft
    assert len(fake.comments) == 1 and "Proposed" in fake.comments[0][1]


def test_unknown_commands_and_help_are_replied_to(fake: RecordingForge) -> None:
    dispatch.handle_job(comment("/aprove\n/help"))
    assert len(fake.comments) == 2
    assert "Unknown command `/aprove`" in fake.comments[0][1] and "/approve" in fake.comments[1][1]


def test_the_bots_own_comments_are_ignored(fake: RecordingForge) -> None:
    dispatch.handle_job(comment("/approve", login="porchbot"))
    assert fake.reactions == [] and fake.comments == []


def test_a_command_that_fails_gets_one_reply(fake: RecordingForge) -> None:
    dispatch.handle_job(comment("/approve", login="alice"))  # needs git: the repository is unreachable
    assert len(fake.comments) == 1 and "`/approve` failed" in fake.comments[0][1]
