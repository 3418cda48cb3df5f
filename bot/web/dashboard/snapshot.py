"""One repository as the dashboard shows it, built once per change of its refs and then read from memory.

A ``RepoView`` is immutable: the refresher builds a new one when a fetch moved a ref and swaps it in, so a
page never reads git for listings (files and diffs are read by commit id and cached, see ``files``).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

from bot.errors import PorchbotError
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.discovery import DRAFT, PROPOSED, Discovery, PackageRevision
from bot.lifecycle.repositories import Repository
from bot.lifecycle.status import read_statuses
from bot.web.dashboard.activity import Activity, read_activity
from bot.web.dashboard.gitread import KptfileFacts, kptfile_facts, read_blobs
from bot.web.dashboard.variants import VariantRow, read_variants

ACTIVITY_SHOWN = 30


@dataclass(frozen=True)
class PullInfo:
    number: int
    url: str
    state: str
    draft: bool
    render: str  # the forge's porchbot/render status of the head ('' when none)


@dataclass(frozen=True)
class RepoView:
    repository: Repository
    ready: bool
    reason: str
    fetched_at: float = 0.0
    key: str = ""  # hash of the ref snapshot the view was built from
    revisions: tuple[PackageRevision, ...] = ()
    facts: dict[str, KptfileFacts] = field(default_factory=dict)  # by revision name
    status: dict[str, dict[str, Any]] = field(default_factory=dict)  # publishedBy/publishTimestamp by name
    pulls: dict[str, PullInfo] = field(default_factory=dict)  # by revision name (forge-backed only)
    activity: tuple[Activity, ...] = ()  # the newest ACTIVITY_SHOWN events
    warnings: tuple[str, ...] = ()
    who: dict[str, str] = field(default_factory=dict)  # ref -> the person behind its last event
    variants: tuple[VariantRow, ...] = ()  # declared in this repository's variants folder
    variant_errors: tuple[str, ...] = ()
    # What pages derive from the view (package rows, summary): a view never changes, so each is built once.
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def remember(self, key: str, build: Any) -> Any:
        if key not in self.memo:
            self.memo[key] = build()
        return self.memo[key]

    def by_package(self) -> dict[str, list[PackageRevision]]:
        def build() -> dict[str, list[PackageRevision]]:
            packages: dict[str, list[PackageRevision]] = {}
            for revision in self.revisions:
                packages.setdefault(revision.package, []).append(revision)
            return packages

        found: dict[str, list[PackageRevision]] = self.remember("by_package", build)
        return found


def ref_key(cache: RepositoryCache) -> str:
    snapshot = cache.git.run("for-each-ref", "--format=%(objectname) %(refname)", "refs/heads", "refs/tags")
    return hashlib.sha1(snapshot.encode()).hexdigest()


def build_view(cache: RepositoryCache, key: str, previous: RepoView | None,
               overlay: Any = None, registered: dict[str, Any] | None = None) -> RepoView:
    """The view of a freshly fetched cache. ``overlay(revisions, warnings) -> (revisions, pulls)`` gives drafts
    their pull request (forge-backed repositories); Kptfile facts of commits already known are reused."""
    revisions = Discovery(cache).list()
    warnings: list[str] = []
    pulls: dict[str, PullInfo] = {}
    if overlay is not None and any(r.lifecycle in (DRAFT, PROPOSED) for r in revisions):
        revisions, pulls = overlay(revisions, warnings)
    known = {}
    if previous is not None:
        commits = {r.name: r.commit for r in previous.revisions}
        known = {name: facts for name, facts in previous.facts.items() if name in commits}
        known_commits = {commits[name]: facts for name, facts in known.items()}
    else:
        known_commits = {}
    facts: dict[str, KptfileFacts] = {}
    missing = [r for r in revisions if r.commit not in known_commits]
    blobs = read_blobs(cache.git, [f"{r.commit}:{r.package_path}/Kptfile" for r in missing])
    for revision in revisions:
        if revision.commit in known_commits:
            facts[revision.name] = known_commits[revision.commit]
        else:
            data = blobs.get(f"{revision.commit}:{revision.package_path}/Kptfile")
            facts[revision.name] = kptfile_facts(data.decode("utf-8", "replace") if data else None)
    status = read_statuses(cache, list(revisions))
    activity = read_activity(cache.git)
    variants, variant_errors = read_variants(cache, registered or {})
    return RepoView(cache.repository, True, "last fetch succeeded", time.time(), key, tuple(revisions), facts,
                    status, pulls, tuple(activity[:ACTIVITY_SHOWN]), tuple(warnings),
                    {item.ref: item.who for item in activity}, variants, variant_errors)


def failed_view(repository: Repository, reason: str, previous: RepoView | None) -> RepoView:
    """A fetch failed: READY False with the reason; what was listed before stays visible (marked stale)."""
    if previous is None:
        return RepoView(repository, False, reason, time.time())
    return RepoView(repository, False, reason, previous.fetched_at, previous.key, previous.revisions,
                    previous.facts, previous.status, previous.pulls, previous.activity, previous.warnings,
                    previous.who, previous.variants, previous.variant_errors)


def forge_overlay(repository: Repository) -> Any:
    """The PR overlay for a forge-backed repository (None otherwise): lifecycle from the PR, its link and the
    render status of its head. Forge failures become warnings: the page lists the branches alone."""
    if not repository.forge_backed:
        return None

    def overlay(revisions: list[PackageRevision], warnings: list[str]) -> tuple[list[PackageRevision],
                                                                                dict[str, PullInfo]]:
        from bot.forges import factory
        from bot.forges.base import RENDER_STATUS_CONTEXT
        from bot.pr.state import branch_of

        pulls: dict[str, PullInfo] = {}
        try:
            forge = factory.forge_for(repository)
            result = []
            for revision in revisions:
                if revision.lifecycle == DRAFT and revision.ref.startswith("refs/heads/drafts/"):
                    pull = forge.find_pull_request(branch_of(revision), repository.branch)
                    if pull is not None:
                        if pull.is_open and not pull.draft:
                            revision = revision._replace(lifecycle=PROPOSED)
                        render = forge.get_combined_status(pull.head_sha).get(RENDER_STATUS_CONTEXT) \
                            if pull.head_sha else None
                        pulls[revision.name] = PullInfo(pull.number, pull.url, pull.state, pull.draft,
                                                        render.state if render else "")
                result.append(revision)
            return result, pulls
        except PorchbotError as err:
            warnings.append(f"pull requests not read ({err}); drafts are shown from their branches")
            return revisions, {}

    return overlay
