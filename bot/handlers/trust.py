"""Whose pull request the bot renders without asking: the untrusted-PR gate and ``/ok-to-render``.

Rendering runs the functions a PR's Kptfile names. A PR from a fork, or by an author without write
access, is not rendered until a trusted person (write access, or an approver of the package) comments
``/ok-to-render``; the permission check is the forge's answer now, never the PR's content. Like Prow's
``ok-to-test``, the go-ahead holds for the PR's later pushes too: the image allowlist and the exec
refusal still apply to every render, so it opens the door only to allowed functions.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.config import policy
from bot.forges.base import Forge
from bot.forges.models import Permission, PullRequest
from bot.handlers.slash import parse_comment
from bot.lifecycle import naming
from bot.lifecycle.repositories import Repository

OK_TO_RENDER = "ok-to-render"


def package_approvers(config: policy.BotConfig, repository: Repository, forge: Forge,
                      pull: PullRequest) -> frozenset[str]:
    parts = naming.draft_parts(pull.head_branch)
    package_path = parts[0] if parts else ""
    return policy.approvers_for(config, repository.name, lambda path: forge.get_file(path, pull.base_branch),
                                package_path)


def is_trusted(forge: Forge, login: str, approvers: frozenset[str]) -> bool:
    return login.lower() in approvers or forge.get_permission(login).at_least(Permission.WRITE)


def needs_ok_to_render(forge: Forge, pull: PullRequest) -> bool:
    return pull.is_fork or not forge.get_permission(pull.author.login).at_least(Permission.WRITE)


def ok_to_render_given(forge: Forge, pull: PullRequest, approvers: frozenset[str],
                       is_bot: Callable[[str], bool]) -> bool:
    """A trusted person (not the bot) commented ``/ok-to-render`` on this PR."""
    for comment in forge.list_comments(pull.number):
        author = comment.author
        if author.is_bot or is_bot(author.login) or author.login.lower() == pull.author.login.lower():
            continue
        commands = parse_comment(comment.body).commands
        if any(c.name == OK_TO_RENDER for c in commands) and is_trusted(forge, author.login, approvers):
            return True
    return False


def render_allowed(config: policy.BotConfig, repository: Repository, forge: Forge, pull: PullRequest,
                   is_bot: Callable[[str], bool]) -> bool:
    if not pull.is_fork and is_bot(pull.author.login):
        return True  # the bot's own PR (e.g. opened with an App identity the collaborator API does not list)
    if not needs_ok_to_render(forge, pull):
        return True
    return ok_to_render_given(forge, pull, package_approvers(config, repository, forge, pull), is_bot)
