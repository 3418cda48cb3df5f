"""Job entry point for workers: stored delivery → neutral event → one handler.

A handler failure the user should hear about (a `PorchbotError`) ends as one honest report — a failed
status for a push, one reply for a comment — and the job counts as done: the worker keeps going.
"""

from __future__ import annotations

import logging
import threading

from bot.pr import messages
from bot.errors import PorchbotError, RateLimited
from bot.forges.base import RENDER_STATUS_CONTEXT
from bot.forges.models import CommentEvent, PullRequestEvent, PushEvent
from bot.handlers.comment_handler import handle_comment
from bot.handlers.context import BotContext
from bot.handlers.events import Event, parse_event
from bot.handlers.pull_handler import handle_pull
from bot.handlers.render_handler import draft_parts, render_draft
from bot.queue.sqlite_store import RATE_LIMIT_ATTEMPTS, Job

log = logging.getLogger("porchbot.handlers")
_context: BotContext | None = None
_context_lock = threading.Lock()


def context() -> BotContext:
    global _context
    with _context_lock:
        if _context is None:
            from bot.config.settings import load_settings

            _context = BotContext(bot_login=load_settings().bot_login)
        return _context


def handle_push(ctx: BotContext, event: PushEvent) -> None:
    branch = event.branch
    if branch is None or event.deleted or draft_parts(branch) is None:
        return
    repository = ctx.repository_for(event.repo)
    if repository is None:
        log.info("push to an unregistered repository ignored", extra={"reason": event.repo.full_name})
        return
    render_draft(ctx, repository, branch)


def route(ctx: BotContext, event: Event) -> None:
    if isinstance(event, PushEvent):
        handle_push(ctx, event)
    elif isinstance(event, PullRequestEvent):
        handle_pull(ctx, event)
    elif isinstance(event, CommentEvent):
        handle_comment(ctx, event)


def _report_failure(ctx: BotContext, event: Event, err: PorchbotError) -> None:
    """One honest report: an error status on the draft's current head and one reply on its PR."""
    repository = ctx.repository_for(event.repo)
    if repository is None:
        return
    forge = ctx.forge(repository)
    if isinstance(event, PushEvent) and not event.deleted and event.branch:
        if draft_parts(event.branch) is None:
            return
        head = forge.get_branch_head(event.branch) or event.after
        forge.set_commit_status(head, "error", RENDER_STATUS_CONTEXT, f"Porchbot failed: {err}"[:140])
        pull = forge.find_pull_request(event.branch, repository.branch)
        if pull is not None:
            forge.create_comment(pull.number, messages.job_failed(str(err)))
    elif isinstance(event, CommentEvent):
        forge.create_comment(event.pull_number, messages.command_failed("command", str(err)))


def handle_job(job: Job) -> None:
    payload = job.payload
    forge, name, delivery = str(payload.get("forge")), str(payload.get("event")), payload.get("delivery")
    bound = {"forge": forge, "event": name, "delivery": delivery, "key": job.key}
    body = payload.get("payload")
    if not isinstance(body, dict):
        log.warning("job without a payload", extra=bound)
        return
    try:
        event = parse_event(forge, name, body, delivery if isinstance(delivery, str) else None)
    except PorchbotError as err:
        log.warning("delivery not understood", extra={**bound, "reason": str(err)[:200]})
        return
    if event is None:
        return
    ctx = context()
    log.info("job started", extra=bound)
    try:
        route(ctx, event)
    except RateLimited as err:
        if job.attempts < RATE_LIMIT_ATTEMPTS:
            raise  # the queue defers the job by the forge's wait instead of failing it
        _failed(ctx, event, err, bound)
    except PorchbotError as err:
        _failed(ctx, event, err, bound)
    except Exception:  # a bug: the person still gets one honest report, the log gets the traceback
        log.exception("job crashed", extra=bound)
        _failed(ctx, event, PorchbotError("an internal error (the bot's log has the details)"), bound)
    log.info("job finished", extra=bound)


def _failed(ctx: BotContext, event: Event, err: PorchbotError, bound: dict[str, object]) -> None:
    log.warning("job failed", extra={**bound, "reason": str(err)[:300]})
    try:
        _report_failure(ctx, event, err)
    except PorchbotError as report_err:
        log.warning("could not report the failure", extra={**bound, "reason": str(report_err)[:200]})
