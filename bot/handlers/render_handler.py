"""Push to ``drafts/**`` → render the pushed head, commit ``Rendering package`` if it changed, report.

Level-triggered: whatever the event said, the branch head is read again and that head is rendered. The
git side (staging, the bot's commit, its push leased on the head it was made from) is the lifecycle's
``render_commits``: a newer push by a person always wins (the bot drops its result; the newer push renders
itself). The status goes on the final head only while that head is still the branch's head.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.config.sandbox import base_branch_patterns
from bot.forges.base import RENDER_STATUS_CONTEXT, Forge
from bot.forges.models import Annotation, PullRequest
from bot.handlers import trust
from bot.handlers.context import BotContext
from bot.lifecycle import naming, render_commits
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.repositories import Repository
from bot.pr import messages
from bot.pr.conflict_annotations import conflict_annotations
from bot.pr.propagation import auto_upgrade
from bot.pr.render_annotations import annotations_for
from bot.pr.upgrade_pulls import conflicts_in
from bot.queue import crashpoints
from bot.render.render_types import RenderOutcome

log = logging.getLogger("porchbot.render")


@dataclass(frozen=True)
class RenderReport:
    rendered_sha: str  # the head that was rendered
    final_sha: str  # the head the status is on (the bot's commit when it made one)
    ok: bool
    changed: bool
    dropped: bool = False  # the branch moved meanwhile: nothing was reported
    waiting: bool = False  # an untrusted PR waits for /ok-to-render: nothing was rendered


def _already_reported(forge: Forge, sha: str) -> bool:
    """A final status is on ``sha``: a render result, or the error a failed job left (which says to push
    again or comment /render; re-running it on every webhook would repeat its reply)."""
    status = forge.get_combined_status(sha).get(RENDER_STATUS_CONTEXT)
    return status is not None and status.state in ("success", "failure", "error")


def render_draft(ctx: BotContext, repository: Repository, branch: str, force: bool = False) -> RenderReport | None:
    parts = naming.draft_parts(branch)
    if parts is None:
        return None
    package_path, workspace = parts
    forge = ctx.forge(repository)
    with ctx.git(repository) as cache, tempfile.TemporaryDirectory(prefix="porchbot-render-") as scratch:
        head = cache.git.rev_parse(f"refs/heads/{branch}")
        if head is None:
            return None  # deleted since the event
        if not force and _already_reported(forge, head):
            # A job redone after its report (or a push of the bot's render commit): an auto upgrade that
            # a crash interrupted between the report and the merge is finished here.
            auto_upgrade(ctx.config, ctx.is_bot, ctx.bot_login, repository, cache, forge, branch, head)
            return RenderReport(head, head, ok=True, changed=False, dropped=True)
        pull = forge.find_pull_request(branch, repository.branch)
        if pull is not None and not trust.render_allowed(ctx.config, repository, forge, pull, ctx.is_bot):
            report_waiting(forge, pull, head)
            return RenderReport(head, head, ok=False, changed=False, dropped=True, waiting=True)
        allowed = ctx.config.sandbox.allowed_for(repository.name, base_branch_patterns(
            lambda path: forge.get_file(path, repository.branch)))
        stage = Path(scratch) / "package"
        outcome, committed = _render_or_recognise(ctx, cache, head, package_path, stage, allowed)
        final, changed = head, committed
        child = render_commits.render_commit(cache, head, package_path, workspace, stage) \
            if outcome.ok and not committed else None
        if child is not None:
            crashpoints.reached("before_render_commit_push")
            if not render_commits.push_render_commit(cache, branch, child, head, ctx.push_retry_seconds):
                return RenderReport(head, head, outcome.ok, changed=False, dropped=True)
            crashpoints.reached("after_render_commit_push")
            final, changed = child, True
        annotations = annotations_for(outcome, stage, package_path)
        if pull is not None:  # an upgrade PR: the fields upstream overwrote, at their lines
            annotations += conflict_annotations(conflicts_in(pull.body), stage, package_path)
        # Still inside the repository's lock: a PR event for the same draft waits, so there is one
        # sticky comment, not two racing creations.
        if forge.get_branch_head(branch) != final:
            log.info("render result dropped: a newer head exists", extra={"head_sha": final})
            return RenderReport(head, final, outcome.ok, changed, dropped=True)
        report(forge, repository, branch, final, outcome, changed, annotations)
        log.info("rendered", extra={"repo": repository.name, "draft": branch, "head_sha": final,
                                    "outcome": "success" if outcome.ok else "failure"})
        if outcome.ok:  # `propagation: auto` merges a clean upgrade PR once its render is green
            auto_upgrade(ctx.config, ctx.is_bot, ctx.bot_login, repository, cache, forge, branch, final)
        return RenderReport(head, final, outcome.ok, changed)


def _render_or_recognise(ctx: BotContext, cache: RepositoryCache, head: str, package_path: str, stage: Path,
                         allowed: tuple[str, ...]) -> tuple[RenderOutcome, bool]:
    """The render of ``head``, and whether ``head`` already is its committed result.

    A job redone after a crash (or /render) may find the bot's own render commit on top: the head it
    was made from is rendered, and the same tree means that commit is this render's result (nothing to
    push, no second ``Rendering package`` commit).
    """
    made_from = render_commits.render_parent(cache, head)
    if made_from is not None:
        outcome = _render_head(ctx, cache, made_from, package_path, stage, allowed)
        if outcome.ok and render_commits.tree_with(cache, made_from, package_path, stage) == \
                cache.git.subtree(head, ""):
            return outcome, True
        shutil.rmtree(stage)
    return _render_head(ctx, cache, head, package_path, stage, allowed), False


def _render_head(ctx: BotContext, cache: RepositoryCache, head: str, package_path: str, stage: Path,
                 allowed: tuple[str, ...]) -> RenderOutcome:
    if not render_commits.stage_package(cache, head, package_path, stage):
        return RenderOutcome(exit_code=1, error_message=f"{package_path} does not exist at {head[:12]}")
    return ctx.renderer(stage, ctx.config, allowed)


def report_waiting(forge: Forge, pull: PullRequest, head: str) -> None:
    """An untrusted PR: a pending status and the sticky comment say what unblocks it."""
    forge.set_commit_status(head, "pending", RENDER_STATUS_CONTEXT, messages.waiting_status_description())
    upsert_sticky(forge, pull, messages.waiting_for_ok_to_render(head, pull))


def report(forge: Forge, repository: Repository, branch: str, sha: str, outcome: RenderOutcome, changed: bool,
           annotations: list[Annotation]) -> None:
    """Check run and sticky comment first, the status last: a job redone after a crash skips a head
    whose status is set (`_already_reported`), so the status must mean "everything was reported"."""
    listed = True
    if forge.kind == "github" and (annotations or not outcome.ok):
        listed = not _ensure_check_run(forge, sha, outcome, annotations)
    pull = forge.find_pull_request(branch, repository.branch)
    if pull is not None:
        upsert_sticky(forge, pull, messages.render_report(sha, outcome, changed, annotations, listed))
        crashpoints.reached("after_sticky")
    forge.set_commit_status(sha, "success" if outcome.ok else "failure", RENDER_STATUS_CONTEXT,
                            messages.status_description(outcome.ok, changed, outcome.error_message))
    crashpoints.reached("after_status")


def _ensure_check_run(forge: Forge, sha: str, outcome: RenderOutcome, annotations: list[Annotation]) -> bool:
    """One check run per head: a job redone after a crash finds the one it made (the same head renders
    the same findings) instead of adding a second. Whether the forge holds one."""
    if forge.list_check_runs(sha, RENDER_STATUS_CONTEXT):
        return True
    title, summary = messages.check_run_summary(outcome)
    created = forge.create_check_run(sha, RENDER_STATUS_CONTEXT, "success" if outcome.ok else "failure",
                                     title, summary, annotations)
    crashpoints.reached("after_check_run")
    return created is not None


def upsert_sticky(forge: Forge, pull: PullRequest, body: str) -> None:
    """Edit the one comment that carries the status marker, or create it."""
    for comment in forge.list_comments(pull.number):
        if messages.STATUS_MARKER in comment.body:
            if comment.body.strip() != body.strip():
                forge.edit_comment(pull.number, comment.id, body)
            return
    forge.create_comment(pull.number, body)
