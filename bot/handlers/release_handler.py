"""Pushes that are not drafts: a release tag ``<pkgpath>/v<N>`` propagates to the downstream packages
behind it (one upgrade PR each, bot.pr.propagation); a push to a registered branch keeps the downstream
index current, so that finding a release's downstreams never means scanning every repository."""

from __future__ import annotations

import logging

from bot.errors import PorchbotError
from bot.forges.models import PushEvent
from bot.handlers.context import BotContext
from bot.handlers.variants_handler import reconcile_after_release
from bot.lifecycle.downstream_index import DownstreamIndex
from bot.lifecycle.propagation import behind, release_of
from bot.lifecycle.repositories import Repository
from bot.pr.propagation import Propagated, propagate_to

log = logging.getLogger("porchbot.propagation")


def handle_branch_push(ctx: BotContext, repository: Repository) -> None:
    with ctx.git(repository):  # fetched just now
        DownstreamIndex(ctx.engine).refresh(repository.name, fetch=False)


def handle_release(ctx: BotContext, repository: Repository, event: PushEvent) -> list[Propagated]:
    release = release_of(ctx.engine, repository.name, event.ref)
    if release is None or event.deleted:
        return []
    index = DownstreamIndex(ctx.engine)
    for name, registered in sorted(ctx.engine.repositories().items()):
        try:
            with ctx.git(registered):
                index.refresh(name, fetch=False)
        except PorchbotError as err:  # one unreachable repository does not stop the others' upgrades
            log.warning("downstream index not refreshed", extra={"repo": name, "reason": str(err)[:200]})
    done = []
    for downstream in behind(index, release):
        target = ctx.engine.repository(downstream.repository)
        if not target.forge_backed:
            continue  # git-only downstreams have no PRs: `porchbot rpkg upgrade` is theirs to run
        with ctx.git(target):
            outcome = propagate_to(ctx.engine, ctx.forge(target), ctx.config, release, downstream)
        log.info("propagated", extra={"repo": target.name, "reason": f"{outcome.downstream}: {outcome.action}"})
        done.append(outcome)
    reconcile_after_release(ctx)  # the variants' own Drafts (not yet published) follow their upstream too
    return done
