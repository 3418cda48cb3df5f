"""The worker's side of applying a decision: bot.pr.executor gets this job's git access and a re-render."""

from __future__ import annotations

from collections.abc import Sequence

from bot.forges.base import Forge
from bot.forges.models import PullRequest
from bot.handlers.context import BotContext
from bot.handlers.render_handler import render_draft
from bot.lifecycle.repositories import Repository
from bot.pr.decide import Action
from bot.pr.executor import apply


def apply_actions(ctx: BotContext, repository: Repository, forge: Forge, pull: PullRequest,
                  actions: Sequence[Action]) -> None:
    apply(ctx.git, lambda: render_draft(ctx, repository, pull.head_branch, force=True), repository, forge, pull,
          actions)
