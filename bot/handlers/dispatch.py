"""Job entry point for workers: stored delivery → neutral event → one handler.

A handler failure the user should hear about (a `PorchbotError`) ends as one honest report — a failed
status for a push, one reply for a comment — and the job counts as done: the worker keeps going.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from bot.errors import InvalidInput, PorchbotError, RateLimited
from bot.forges.base import RENDER_STATUS_CONTEXT
from bot.forges.models import CommentEvent, Event, PullRequestEvent, PushEvent, event_from_json
from bot.handlers.comment_handler import handle_comment
from bot.handlers.context import BotContext
from bot.handlers.pull_handler import handle_pull
from bot.handlers.release_handler import INTERNAL_KIND, handle_branch_push, handle_release, run_propagation
from bot.handlers.render_handler import render_draft
from bot.handlers.variants_handler import check_branch, reconcile_on_push
from bot.lifecycle import naming
from bot.pr import messages
from bot.queue.store import RATE_LIMIT_ATTEMPTS, Job

log = logging.getLogger("porchbot.handlers")


class UnreadableJob(PorchbotError):
    """A job without a typed event: stored before events were parsed at the edge (it holds the raw
    delivery body), or damaged. It fails with this message instead of being guessed at."""


def job_handler(ctx: BotContext) -> Callable[[Job], None]:
    """The queue's handler: every job of this process runs against ``ctx`` (its engine, forges, locks)."""
    return partial(handle_job, ctx)


def stored_event(job: Job) -> Event:
    try:
        return event_from_json(job.payload)
    except InvalidInput as err:
        old = "payload" in job.payload and "kind" not in job.payload
        why = "it was queued by a version that stored the raw delivery body" if old else str(err)
        raise UnreadableJob(f"job {job.job_id} has no typed event ({why}); redeliver it from the forge's "
                            "webhook settings if it still matters") from None


def handle_push(ctx: BotContext, event: PushEvent) -> None:
    branch = event.branch
    repository = ctx.repository_for(event.repo)
    if repository is None:
        log.info("push to an unregistered repository ignored", extra={"reason": event.repo.full_name})
        return
    if event.ref.startswith("refs/tags/"):
        handle_release(ctx, repository, event)
    elif branch == repository.branch:
        handle_branch_push(ctx, repository)
        reconcile_on_push(ctx, repository)
    elif branch is not None and not event.deleted and naming.draft_parts(branch) is not None:
        render_draft(ctx, repository, branch)
    elif branch is not None and not event.deleted and not branch.startswith(
            (naming.DRAFTS, naming.PROPOSED, naming.DELETION_PROPOSED)):
        check_branch(ctx, repository, branch)  # a person's change under review: its variant files checked


# Called with every push event a worker of this process handles (the dashboard registers a refresh of
# the pushed repository's cache here: handlers may not import the web layer).
PUSH_LISTENERS: list[Callable[[PushEvent], None]] = []


def route(ctx: BotContext, event: Event) -> None:
    if isinstance(event, PushEvent):
        for listener in PUSH_LISTENERS:
            listener(event)
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
        if naming.draft_parts(event.branch) is None:
            return
        head = forge.get_branch_head(event.branch) or event.after
        forge.set_commit_status(head, "error", RENDER_STATUS_CONTEXT, f"Porchbot failed: {err}"[:140])
        pull = forge.find_pull_request(event.branch, repository.branch)
        if pull is not None:
            forge.create_comment(pull.number, messages.job_failed(str(err)))
    elif isinstance(event, CommentEvent):
        forge.create_comment(event.pull_number, messages.command_failed("command", str(err)))


def handle_job(ctx: BotContext, job: Job) -> None:
    if job.kind == INTERNAL_KIND:  # a release's fan-out: one downstream's propagation
        run_propagation(ctx, job)
        return
    event = stored_event(job)  # UnreadableJob: the queue marks the job failed, the log says why
    bound: dict[str, object] = {"forge": event.repo.forge, "event": type(event).__name__,
                                "delivery": event.delivery_id, "key": job.key}
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
