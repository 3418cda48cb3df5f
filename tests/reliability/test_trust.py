"""bot.handlers.trust: which pull requests the bot renders without a trusted `/ok-to-render`."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bot.config.policy import parse_config
from bot.forges.models import Comment, Permission, PullRequest, User
from bot.handlers import trust
from bot.lifecycle.repositories import Repository
from tests.bot.fakes import RecordingForge

CONFIG = parse_config("repositories:\n  deployments:\n    approvers: [olga]\n")
REPOSITORY = Repository(name="deployments", url="https://forge.example/acme/deployments.git", forge="github")
PERMISSIONS = {"dev": Permission.WRITE, "alice": Permission.MAINTAIN, "mallory": Permission.READ,
               "eve": Permission.NONE, "olga": Permission.READ}


@dataclass
class CommentingForge(RecordingForge):
    authored: list[tuple[str, str]] = field(default_factory=list)  # (login, body)

    def list_comments(self, number: int) -> list[Comment]:
        return [Comment(id=i, body=body, author=User(login, is_bot=login == "porchbot"), created_at="")
                for i, (login, body) in enumerate(self.authored)]


def _pull(author: str, is_fork: bool = False) -> PullRequest:
    return PullRequest(number=7, title="t", body="", state="open", draft=False, head_branch="drafts/app/v1",
                       head_sha="c" * 40, base_branch="main", author=User(author), url="", is_fork=is_fork)


@pytest.mark.parametrize(("author", "is_fork", "comments", "allowed"), [
    pytest.param("dev", False, [], True, id="writer"),
    pytest.param("porchbot", False, [], True, id="the-bot-itself"),
    pytest.param("mallory", False, [], False, id="reader"),
    pytest.param("dev", True, [], False, id="writer-from-a-fork"),
    pytest.param("mallory", False, [("alice", "/ok-to-render")], True, id="ok-from-a-maintainer"),
    pytest.param("mallory", False, [("olga", "/OK-to-render")], True, id="ok-from-an-approver"),
    pytest.param("mallory", False, [("mallory", "/ok-to-render")], False, id="ok-from-the-author"),
    pytest.param("mallory", False, [("eve", "/ok-to-render")], False, id="ok-from-a-stranger"),
    pytest.param("mallory", False, [("alice", "> /ok-to-render")], False, id="quoted-ok"),
    pytest.param("mallory", False, [("alice", "```\n/ok-to-render\n```")], False, id="ok-in-a-code-block"),
    pytest.param("mallory", False, [("porchbot", "/ok-to-render")], False, id="the-bot-saying-it"),
    pytest.param("dev", True, [("alice", "looks fine\n/ok-to-render")], True, id="fork-with-ok"),
])
def test_render_allowed(author: str, is_fork: bool, comments: list[tuple[str, str]], allowed: bool) -> None:
    forge = CommentingForge(permissions=PERMISSIONS, authored=comments)
    pull = _pull(author, is_fork)
    assert trust.render_allowed(CONFIG, REPOSITORY, forge, pull, lambda login: login == "porchbot") is allowed
