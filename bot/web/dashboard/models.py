"""View models shared by the pages: one row per revision, with what a person reads about it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bot.lifecycle.discovery import DELETION_PROPOSED, DRAFT, PROPOSED, PUBLISHED, PackageRevision
from bot.lifecycle.upstreams import UpstreamLock, locked_number, normalise_url
from bot.web.dashboard.gitread import KptfileFacts
from bot.web.dashboard.snapshot import PullInfo, RepoView

IN_FLIGHT = (DRAFT, PROPOSED, DELETION_PROPOSED)
LIFECYCLE_ORDER = (DRAFT, PROPOSED, PUBLISHED, DELETION_PROPOSED)


@dataclass(frozen=True)
class RevisionRow:
    name: str
    repository: str
    package: str
    package_path: str
    workspace: str
    revision: str
    lifecycle: str
    latest: bool
    published_by: str  # who approved it (published) or last changed it (in flight): the ref's last event
    published_at: str
    render: str  # "passed", "failed", "pending", "" (unknown)
    render_message: str
    pull: PullInfo | None
    upstream: str  # "<upstream package>@<ref>" or ''

    @property
    def label(self) -> str:
        return self.revision or self.workspace


def when(stamp: float | int) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d %H:%M UTC") if stamp else ""


def _readable(stamp: str) -> str:
    """``2026-01-02T03:04:05Z`` as the pages show times (``2026-01-02 03:04 UTC``)."""
    return f"{stamp[:10]} {stamp[11:16]} UTC" if len(stamp) == 20 and stamp.endswith("Z") else stamp


def render_state(facts: KptfileFacts, pull: PullInfo | None) -> tuple[str, str]:
    """The head's render result: the forge's porchbot/render status when there is a PR, else the Kptfile's
    Rendered condition."""
    if pull is not None and pull.render:
        return {"success": "passed", "failure": "failed", "error": "failed"}.get(pull.render, "pending"), \
            f"forge status {pull.render}"
    if facts.rendered == "True":
        return "passed", facts.rendered_message
    if facts.rendered == "False":
        return "failed", facts.rendered_message or "rendering failed"
    return "", ""


def row(view: RepoView, revision: PackageRevision) -> RevisionRow:
    facts = view.facts.get(revision.name, KptfileFacts())
    pull = view.pulls.get(revision.name)
    status = view.status.get(revision.name, {})
    render, message = render_state(facts, pull)
    upstream = f"{facts.upstream_package} at {facts.upstream_ref}" if facts.upstream_repo else ""
    return RevisionRow(revision.name, revision.repository, revision.package, revision.package_path,
                       revision.workspace, revision.revision, revision.lifecycle, revision.latest,
                       "" if revision.is_branch_entry else view.who.get(revision.ref, ""),
                       _readable(str(status.get("publishTimestamp", ""))), render, message,
                       pull, upstream)


def lock_of(facts: KptfileFacts) -> UpstreamLock | None:
    if not facts.upstream_repo:
        return None
    return UpstreamLock(facts.upstream_repo, facts.upstream_directory, facts.upstream_ref, facts.upstream_commit)


def locked_revision(facts: KptfileFacts) -> int | None:
    lock = lock_of(facts)
    return locked_number(lock) if lock is not None else None


def repository_for_url(views: dict[str, RepoView], url: str) -> RepoView | None:
    wanted = normalise_url(url)
    return next((view for view in views.values() if normalise_url(view.repository.url) == wanted), None)


def published(revisions: list[PackageRevision]) -> list[PackageRevision]:
    """Published (and deletion-proposed) revisions, oldest first; the branch entry is not one."""
    found = [r for r in revisions if r.published_number is not None and r.lifecycle in (PUBLISHED, DELETION_PROPOSED)]
    return sorted(found, key=lambda r: r.published_number or 0)


def newest_published(revisions: list[PackageRevision]) -> int:
    return max((r.published_number or 0 for r in published(revisions)), default=0)
