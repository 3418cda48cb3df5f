"""Reconciling a repository's variant files on a forge: each variant's downstream gets its clone Draft and
draft PR, its spec changes and upstream moves applied, or — for a published downstream behind its upstream
— an upgrade through propagation's rules (bot.pr.propagation.propagate_to: one PR per downstream and
release). Variants that left the files follow their deletion policy (bot.pr.variants_deletion).

Level-triggered and safe to redo: the names are deterministic (bot.lifecycle.variants.reconcile), the
Drafts say what they carry, the forge says which PRs exist. Files with any problem reconcile nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.config import policy
from bot.errors import PorchbotError
from bot.forges.base import Forge
from bot.lifecycle.discovery import DRAFT, PUBLISHED, PackageRevision
from bot.lifecycle.downstream_index import Downstream
from bot.lifecycle.engine import Engine
from bot.lifecycle.naming import package_path_in
from bot.lifecycle.propagation import Release, upgrade_workspace
from bot.lifecycle.upgrade import update_draft, upgrade_revision
from bot.lifecycle.upstreams import normalise_url
from bot.lifecycle.variants import reconcile as git_side
from bot.lifecycle.variants.fields import VariantError
from bot.lifecycle.variants.files import VariantFiles, read_variant_files
from bot.lifecycle.variants.spec import PackageVariant
from bot.lifecycle.variants.state import known_of, load_known, save_failures, save_known
from bot.lifecycle.variants.validate import check
from bot.pr import variants_messages as text
from bot.pr.propagation import propagate_to
from bot.pr.variants_deletion import remove_variant
from bot.pr.variants_outcome import ForgeOf, Locked, VariantOutcome

log = logging.getLogger("porchbot.variants")
PARALLEL = 2  # variants reconciled at once
T = TypeVar("T")

@dataclass
class Reconciled:
    owner: str
    commit: str | None
    errors: list[VariantError] = field(default_factory=list)
    outcomes: list[VariantOutcome] = field(default_factory=list)
    count: int = 0


class Upstreams:
    """Published revisions of the upstream packages, read once per reconcile (each repository fetched once)."""

    def __init__(self, engine: Engine, locked: Locked) -> None:
        self.engine, self.locked = engine, locked
        self._revisions: dict[str, list[PackageRevision]] = {}

    def published(self, repo: str, package: str) -> dict[int, PackageRevision]:
        if repo not in self._revisions:
            with self.locked(self.engine.repository(repo)):
                self._revisions[repo] = self.engine.revisions(repo, fetch=False)
        path = package_path_in(self.engine.repository(repo).directory, package)
        return {r.published_number: r for r in self._revisions[repo]
                if r.package_path == path and r.lifecycle == PUBLISHED and r.published_number is not None}

    def numbers(self, repo: str, package: str) -> list[int]:
        return sorted(self.published(repo, package))


def load(engine: Engine, locked: Locked, owner: str,
         commit: str | None = None) -> tuple[VariantFiles, list[VariantError], Upstreams]:
    """The variant files of ``owner`` (at ``commit``, default its branch tip) and every problem in them."""
    registered = engine.repositories()
    labels = {name: repo.labels for name, repo in registered.items()}
    with locked(registered[owner]) as cache:
        files = read_variant_files(cache, labels, commit)
    upstreams = Upstreams(engine, locked)
    return files, check(files, registered, upstreams.numbers), upstreams


def retrying(step: Callable[[], T], attempts: int = 3) -> T:
    """``step`` again when a fetch lost a race for a ref to another fetch into the same cache (git's
    "unable to update local ref"): a thread that fetches without the cache's lock — the dashboard's
    refresher does — makes that happen; everything here is safe to redo."""
    for attempt in range(attempts):
        try:
            return step()
        except PorchbotError as err:
            if "unable to update local ref" not in str(err) or attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def reconcile_owner(engine: Engine, forge_of: ForgeOf, locked: Locked, config: policy.BotConfig,
                    owner: str) -> Reconciled:
    files, errors, upstreams = retrying(lambda: load(engine, locked, owner))
    done = Reconciled(owner, files.commit, errors, count=len(files.variants))
    if errors:
        return done
    known = load_known(engine, owner)
    targets = [(v, upstreams.published(v.upstream_repo, v.upstream_package)) for v in files.variants]

    def one(item: tuple[PackageVariant, dict[int, PackageRevision]]) -> VariantOutcome:
        variant, published = item
        target = engine.repository(variant.downstream_repo)
        number = variant.upstream_revision or max(published)
        def attempt() -> VariantOutcome:
            with locked(target):
                forge = forge_of(target) if target.forge_backed else None
                return _reconcile_one(engine, forge, config, variant, published[number], number, files.resources)

        try:
            outcome = retrying(attempt)
        except PorchbotError as err:
            outcome = VariantOutcome(variant.key, "failed", reason=str(err))
            details = getattr(err, "details", "")  # a failed render's function results: what there is to fix
            if details:
                log.warning("variant render failed", extra={"repo": target.name,
                                                            "reason": f"{variant.key}: {details}"[:4000]})
        log.info("variant reconciled", extra={"repo": target.name, "reason": f"{variant.key}: {outcome.action} "
                                              f"{outcome.reason}"[:300]})
        return outcome

    # Downstreams in different repositories are independent (each under its own repository's lock): a
    # fan-out to many repositories waits on git and the forge more than on the processor.
    with ThreadPoolExecutor(max_workers=PARALLEL, thread_name_prefix="variants") as pool:
        done.outcomes.extend(pool.map(one, targets))
    kept = {variant.name: known_of(variant) for variant in files.variants}
    for name, gone in sorted(known.items()):
        if name in kept:
            continue
        outcome = remove_variant(engine, forge_of, locked, owner, gone)
        done.outcomes.append(outcome)
        if outcome.action == "failed":
            kept[name] = gone  # tried again at the next reconcile
    save_known(engine, owner, kept)
    save_failures(engine, owner, {o.variant: o.reason for o in done.outcomes if o.action == "failed"})
    return done


def _reconcile_one(engine: Engine, forge: Forge | None, config: policy.BotConfig, variant: PackageVariant,
                   upstream: PackageRevision, number: int, resources: list[dict[str, Any]]) -> VariantOutcome:
    seen = git_side.observe(engine, variant)
    tag = f"{upstream.package_path}/v{number}"
    draft = next((d for d in seen.drafts if d.lifecycle == DRAFT), None)
    if draft is not None or seen.drafts:
        return _keep_draft(engine, forge, variant, draft or seen.drafts[0], tag, number, resources)
    if seen.published is None:
        if seen.others:
            return VariantOutcome(variant.key, "blocked", reason=f"{seen.package_path} has revisions that are "
                                  "not this variant's; Porchbot leaves them alone")
        made = git_side.clone_variant(engine, variant, upstream, resources)
        pull = _ensure_pull(forge, engine, variant, made, tag, resources)
        return VariantOutcome(variant.key, "created", pull.number if pull else None)
    if seen.owner != variant.key and variant.adoption == "adoptNone":
        return VariantOutcome(variant.key, "not-adopted", reason=f"{seen.package_path} exists and is not this "
                              "variant's (adoptionPolicy adoptNone)")
    if seen.applied != git_side.spec_hash(variant, resources):
        made = git_side.copy_for_spec(engine, variant, seen.published, resources)
        return _keep_draft(engine, forge, variant, made, tag, number, resources, fresh=True)
    locked_to = git_side.revision_lock(engine, seen.published)
    if locked_to is not None and locked_to >= number:
        return VariantOutcome(variant.key, "current")
    return _upgrade_published(engine, forge, config, variant, seen.published, upstream, number)


def _keep_draft(engine: Engine, forge: Forge | None, variant: PackageVariant, draft: PackageRevision, tag: str,
                number: int, resources: list[dict[str, Any]], fresh: bool = False) -> VariantOutcome:
    repository = engine.repository(draft.repository)
    branch = draft.ref.removeprefix("refs/heads/")
    pull = forge.find_pull_request(branch, repository.branch) if forge else None
    if forge is not None and pull is None and forge.closed_pull_requests(branch, repository.branch):
        return VariantOutcome(variant.key, "declined", reason=f"a person closed the PR of {branch}")
    if draft.lifecycle != DRAFT:
        return VariantOutcome(variant.key, "current", pull.number if pull else None, "proposed: left as it is")
    old_lock = git_side.revision_lock(engine, draft)
    moved = None
    if old_lock is not None and old_lock < number:
        moved = update_draft(engine, draft.name, number)
    changed = None
    if moved is not None or git_side.draft_spec(engine, draft) != git_side.spec_hash(variant, resources):
        changed = git_side.apply_to_draft(engine, draft, variant, resources)  # (it reads the branch's head)
    current = engine.find(draft.name)[1] if moved is not None or changed is not None else draft
    pull = _ensure_pull(forge, engine, variant, current, tag, resources, pull)
    if forge is not None and pull is not None and not fresh:
        if moved is not None:
            forge.create_comment(pull.number, text.upstream_moved(variant, moved.old_upstream, tag))
        if changed is not None:
            forge.create_comment(pull.number, text.spec_applied(variant, git_side.spec_hash(variant, resources)))
    action = "created" if fresh else "moved" if moved else "updated" if changed else "current"
    return VariantOutcome(variant.key, action, pull.number if pull else None)


def _ensure_pull(forge: Forge | None, engine: Engine, variant: PackageVariant, draft: PackageRevision, tag: str,
                 resources: list[dict[str, Any]], pull: Any = None) -> Any:
    """The Draft's PR, opened or brought up to date (``pull``: the open one, when the caller looked)."""
    if forge is None:
        return None
    base = engine.repository(draft.repository).branch
    branch = draft.ref.removeprefix("refs/heads/")
    title = text.pull_title(variant, draft.package_path, tag)
    body = text.pull_body(variant, draft.package_path, draft.workspace, tag, git_side.spec_hash(variant, resources))
    pull = pull or forge.find_pull_request(branch, base)
    if pull is None:
        pull = forge.open_pull_request(branch, base, title, body, draft=True)
        forge.add_labels(pull.number, [text.LABEL])
    elif (pull.title, pull.body) != (title, body):
        pull = forge.edit_pull_request(pull.number, title, body)
    return pull


def _upgrade_published(engine: Engine, forge: Forge | None, config: policy.BotConfig, variant: PackageVariant,
                       published: PackageRevision, upstream: PackageRevision, number: int) -> VariantOutcome:
    upstream_repo = engine.repository(upstream.repository)
    if forge is None:  # a git-only downstream: the upgrade Draft without a PR, once
        workspace = upgrade_workspace(number)
        if git_side.find_draft(engine, published.repository, workspace, published.package_path) is None:
            upgrade_revision(engine, published.name, number, workspace)
        return VariantOutcome(variant.key, "upgrade:opened")
    kptfile_lock = git_side.revision_lock(engine, published)
    release = Release(upstream_repo.name, upstream_repo.url, upstream.package_path, number)
    downstream = Downstream(published.repository, published.package_path, normalise_url(upstream_repo.url),
                            upstream.package_path, f"{upstream.package_path}/v{kptfile_lock}", kptfile_lock)
    done = propagate_to(engine, forge, config, release, downstream)
    return VariantOutcome(variant.key, f"upgrade:{done.action}", done.pull_number)
