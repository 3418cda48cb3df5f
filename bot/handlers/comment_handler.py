"""PR comments → slash commands → one runner per command → `decide` → the executor.

The comment is acknowledged with a reaction at once; unknown commands get the registry's reply.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.errors import PorchbotError
from bot.forges.base import Forge
from bot.forges.models import CommentEvent, Permission, PullRequest
from bot.handlers import trust
from bot.handlers.actions import apply_actions
from bot.handlers.context import BotContext
from bot.handlers.slash import Command, parse_comment
from bot.lifecycle import naming
from bot.lifecycle.repositories import Repository
from bot.pr import messages
from bot.pr.decide import DraftState, Intent, IntentKind, decide
from bot.pr.state import draft_state

log = logging.getLogger("porchbot.comments")
ACK_REACTION = "eyes"

Runner = Callable[[BotContext, Repository, Forge, PullRequest, Command, CommentEvent], None]


def _timestamp(text: str) -> float | None:
    cleaned = text.strip().replace(" UTC", "+00:00").replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        return None
    return moment.timestamp()


def run_approve(ctx: BotContext, repository: Repository, forge: Forge, pull: PullRequest, command: Command,
                event: CommentEvent) -> None:
    seen = command.args.split()[0] if command.args else None  # `/approve <sha>` names the head explicitly
    with ctx.git(repository) as cache:
        state = draft_state(forge, ctx.config, repository, pull, cache)
        moved = False
        commented_at = _timestamp(event.comment.created_at)
        if seen is None and pull.head_sha and commented_at is not None and pull.is_open:
            committed = cache.git.run("log", "-1", "--format=%ct", pull.head_sha).strip()
            moved = committed.isdigit() and int(committed) > commented_at
    intent = Intent("approve", event.comment.author.login, seen_sha=seen, moved_after_comment=moved)
    apply_actions(ctx, repository, forge, pull, decide(state, intent))


def run_ok_to_render(ctx: BotContext, repository: Repository, forge: Forge, pull: PullRequest, command: Command,
                     event: CommentEvent) -> None:
    """/ok-to-render: a trusted person lets the bot render an untrusted pull request."""
    actor = event.comment.author.login
    needs = trust.needs_ok_to_render(forge, pull)
    approvers = trust.package_approvers(ctx.config, repository, forge, pull) if needs else frozenset[str]()
    permission = forge.get_permission(actor) if needs else Permission.NONE
    state = DraftState(pull=pull, render_state=None, approvers=approvers, needs_ok_to_render=needs)
    apply_actions(ctx, repository, forge, pull, decide(state, Intent("ok-to-render", actor, permission)))


def run_simple(ctx: BotContext, repository: Repository, forge: Forge, pull: PullRequest, command: Command,
               event: CommentEvent) -> None:
    """/propose, /reject, /render, /help: state is the PR and who asks."""
    actor = event.comment.author.login
    kind: IntentKind = command.name  # type: ignore[assignment]
    permission = forge.get_permission(actor) if kind in ("propose", "reject", "render") else Permission.NONE
    actions = decide(DraftState(pull=pull, render_state=None), Intent(kind, actor, permission))
    apply_actions(ctx, repository, forge, pull, actions)


RUNNERS: dict[str, Runner] = {"approve": run_approve, "propose": run_simple, "reject": run_simple,
                              "render": run_simple, "help": run_simple, "ok-to-render": run_ok_to_render}


def handle_comment(ctx: BotContext, event: CommentEvent) -> None:
    if event.action != "created":
        return
    author = event.comment.author
    parsed = parse_comment(event.comment.body, author_is_bot=author.is_bot or ctx.is_bot(author.login))
    if parsed.ignored:
        return
    repository = ctx.repository_for(event.repo)
    if repository is None:
        return
    forge = ctx.forge(repository)
    forge.add_reaction(event.pull_number, event.comment.id, ACK_REACTION)
    for text in parsed.replies:
        forge.create_comment(event.pull_number, messages.acknowledged_unknown(text))
    for command in parsed.commands:
        pull = forge.get_pull_request(event.pull_number)  # fresh for each: an earlier command changed it
        if naming.draft_parts(pull.head_branch) is None and command.name != "help":
            forge.create_comment(pull.number, messages.not_a_draft(pull.head_branch))
            return
        log.info("command", extra={"command": command.name, "pr": pull.number, "head_sha": pull.head_sha})
        try:
            RUNNERS[command.name](ctx, repository, forge, pull, command, event)
        except PorchbotError as err:  # one reply saying what failed; the next command still runs
            log.warning("command failed", extra={"command": command.name, "pr": pull.number,
                                                 "reason": str(err)[:300]})
            forge.create_comment(pull.number, messages.command_failed(command.name, str(err)))
