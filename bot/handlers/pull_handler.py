"""PR / MR events: opened, ready, converted to draft, closed, merged.

The lifecycle of a draft is its PR's state (see `bot.pr.proposals`), so opening, readying,
converting and closing need no bookkeeping; what the bot does is render a newly opened draft (so that
its sticky report is there) and publish a merge done by a person: tag ``<pkgpath>/v<N>``, delete the branch.
"""

from __future__ import annotations

import logging

from bot.forges.models import PullRequestEvent
from bot.handlers.actions import apply_actions
from bot.handlers.context import BotContext
from bot.handlers.render_handler import render_draft
from bot.lifecycle import naming
from bot.pr.decide import Intent, decide
from bot.pr.state import draft_state

log = logging.getLogger("porchbot.pulls")

LIFECYCLE_AFTER = {"opened": "Proposed or Draft", "ready_for_review": "Proposed", "converted_to_draft": "Draft",
                   "closed": "Draft", "reopened": "Proposed or Draft"}


def handle_pull(ctx: BotContext, event: PullRequestEvent) -> None:
    hinted = event.pull_request
    if naming.draft_parts(hinted.head_branch) is None:
        return  # not a package draft: none of the bot's business
    repository = ctx.repository_for(event.repo)
    if repository is None or hinted.base_branch != repository.branch:
        return
    forge = ctx.forge(repository)
    pull = forge.get_pull_request(hinted.number)  # the event is a hint; the forge has the truth
    if event.action == "merged" or pull.merged:
        actor = (pull.merged_by or event.sender).login
        with ctx.git(repository) as cache:
            state = draft_state(forge, ctx.config, repository, pull, cache)
        apply_actions(ctx, repository, forge, pull, decide(state, Intent("merged", actor)))
        return
    if event.action in ("opened", "reopened") and pull.is_open:
        render_draft(ctx, repository, pull.head_branch, force=True)
    if event.action in LIFECYCLE_AFTER:
        log.info("draft lifecycle", extra={"reason": f"#{pull.number} {event.action}: "
                                                    f"{'Proposed' if pull.is_open and not pull.draft else 'Draft'}"})
