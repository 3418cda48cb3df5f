"""Pushes that are not drafts: a release tag ``<pkgpath>/v<N>`` propagates to the downstream packages
behind it (one upgrade PR each, bot.pr.propagation); a push to a registered branch keeps the downstream
index current, so that finding a release's downstreams never means scanning every repository.

The release job fans out: one queued job per downstream package (kind ``internal``, keyed by the
downstream package, so two workers never work on one package at once), each idempotent through
``propagate_to``. A worker killed half-way loses one downstream's work to the lease, not a release's; the
ids name the release delivery and the downstream, so a redone release job enqueues nothing twice.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import asdict
from typing import Any

from bot.config.settings import Settings
from bot.errors import PorchbotError, RateLimited
from bot.forges.models import PushEvent
from bot.handlers.context import BotContext
from bot.handlers.variants_handler import reconcile_after_release
from bot.lifecycle.downstream_index import Downstream, DownstreamIndex
from bot.lifecycle.propagation import Release, behind, release_of
from bot.lifecycle.repositories import Repository
from bot.pr.propagation import Propagated, propagate_to
from bot.queue.jobqueue import Queue
from bot.queue.store import RATE_LIMIT_ATTEMPTS, Job

log = logging.getLogger("porchbot.propagation")

INTERNAL_KIND = "internal"
PROPAGATE = "propagate"
_producers: dict[str, Queue] = {}
_producers_lock = threading.Lock()


def handle_branch_push(ctx: BotContext, repository: Repository) -> None:
    with ctx.git(repository):  # fetched just now
        DownstreamIndex(ctx.engine).refresh(repository.name, fetch=False)


def _producer(settings: Settings) -> Queue:
    """This process's producer side of the job queue (the worker's own store and huey queue)."""
    with _producers_lock:
        key = f"{settings.state_dir}|{settings.redis_url}"
        if key not in _producers:
            _producers[key] = Queue(settings)
        return _producers[key]


def propagation_job(release: Release, downstream: Downstream, delivery: str) -> tuple[str, str, dict[str, Any]]:
    """(job id, key, payload) of one downstream's propagation."""
    where = f"{downstream.repository}:{downstream.package_path}"
    digest = hashlib.sha256(f"{delivery}|{release.repository}|{release.tag}|{where}".encode()).hexdigest()[:32]
    return (f"{PROPAGATE}:{digest}", f"{INTERNAL_KIND}:{PROPAGATE}:{where}",
            {"kind": PROPAGATE, "release": asdict(release), "downstream": asdict(downstream)})


def handle_release(ctx: BotContext, repository: Repository, event: PushEvent) -> list[str]:
    """Enqueue one propagation job per downstream behind the release; their ids."""
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
    registered_now = ctx.engine.repositories()
    queue = _producer(ctx.engine.settings)
    delivery = event.delivery_id or f"{event.before}..{event.after}"
    queued = []
    for downstream in behind(index, release):
        target = registered_now.get(downstream.repository)
        if target is None or not target.forge_backed:
            continue  # git-only downstreams have no PRs: `porchbot rpkg upgrade` is theirs to run
        job_id, key, payload = propagation_job(release, downstream, delivery)
        queue.submit(job_id, INTERNAL_KIND, key, payload)  # False: this release job ran before a crash
        queued.append(job_id)
    log.info("release fanned out", extra={"repo": repository.name,
                                          "reason": f"{release.tag}: {len(queued)} downstreams"})
    reconcile_after_release(ctx)  # the variants' own Drafts (not published yet) follow their upstream too
    return queued


def run_propagation(ctx: BotContext, job: Job) -> Propagated | None:
    """One downstream's propagation job: the upgrade PR opened, moved, or found (see ``propagate_to``)."""
    try:
        release = Release(**job.payload["release"])
        downstream = Downstream(**job.payload["downstream"])
    except (KeyError, TypeError) as err:
        log.warning("propagation job unreadable", extra={"key": job.key, "reason": str(err)[:200]})
        return None
    where = f"{downstream.repository}:{downstream.package_path}"
    log.info("propagation started", extra={"key": job.key, "reason": f"{where} -> {release.tag}"})
    try:
        target = ctx.engine.repository(downstream.repository)
        with ctx.git(target):
            outcome = propagate_to(ctx.engine, ctx.forge(target), ctx.config, release, downstream)
    except RateLimited:
        if job.attempts < RATE_LIMIT_ATTEMPTS:
            raise  # the queue defers the job by the forge's wait
        log.warning("propagation failed: rate limited", extra={"key": job.key, "reason": where})
        return None
    except PorchbotError as err:
        log.warning("propagation failed", extra={"key": job.key, "reason": f"{where} -> {release.tag}: {err}"[:300]})
        return None
    log.info("propagated", extra={"repo": target.name, "reason": f"{outcome.downstream}: {outcome.action}"})
    return outcome
