"""What ``porchbot variants get`` and ``GET /api/v1/variants`` show: each variant with its downstream
revision and lifecycle, the upstream revision it tracks, and whether the downstream is behind it; a
variant file with problems shows them instead (the reconciler does nothing for it)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from bot.errors import PorchbotError
from bot.lifecycle.discovery import DRAFT, PUBLISHED
from bot.lifecycle.engine import Engine
from bot.lifecycle.naming import package_path_in
from bot.lifecycle.variants import reconcile as git_side
from bot.lifecycle.variants.files import read_variant_files
from bot.lifecycle.variants.spec import PackageVariant
from bot.lifecycle.variants.state import load_failures
from bot.lifecycle.variants.validate import check


@dataclass
class VariantRow:
    name: str
    owner: str  # the repository whose variant files declare it
    file: str
    set: str  # the PackageVariantSet that generated it ("" for a PackageVariant)
    downstream: str  # <repository>/<package>
    upstream: str  # <repository>/<package>
    tracks: str  # the upstream revision it follows (<package path>/vN), "" when unknown
    revision: str  # the downstream's: vN when published, its Draft's workspace, "" when not made yet
    lifecycle: str  # Draft | Proposed | Published | DeletionProposed | "" (not made yet)
    locked: str  # the upstream revision the downstream is locked to
    behind: bool
    branch: str = ""  # the variant's Draft branch, when it has one open
    pull: str = ""  # its PR's URL (filled in by bot.pr.variants_status on a forge)
    error: str = ""  # a problem in its file, or why its last reconcile failed

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _fresh(engine: Engine, name: str, fetch: bool, fetched: set[str]) -> None:
    cache = engine.cache(name)
    with cache.exclusive():
        if fetch and name not in fetched:
            cache.fetched = False
            cache.fetch()
            fetched.add(name)
        else:
            cache.ensure()


def _published(engine: Engine, repo: str, package: str) -> dict[int, str]:
    path = package_path_in(engine.repository(repo).directory, package)
    return {r.published_number: r.name for r in engine.revisions(repo, fetch=False)
            if r.package_path == path and r.lifecycle == PUBLISHED and r.published_number is not None}


def _row(engine: Engine, variant: PackageVariant, fetch: bool, fetched: set[str]) -> VariantRow:
    upstream_path = package_path_in(engine.repository(variant.upstream_repo).directory, variant.upstream_package)
    numbers = _published(engine, variant.upstream_repo, variant.upstream_package)
    number = variant.upstream_revision or max(numbers, default=0)
    row = VariantRow(variant.name, variant.owner, variant.file, variant.from_set,
                     f"{variant.downstream_repo}/{variant.downstream_package}",
                     f"{variant.upstream_repo}/{variant.upstream_package}",
                     f"{upstream_path}/v{number}" if number else "", "", "", "", False)
    _fresh(engine, variant.downstream_repo, fetch, fetched)
    seen = git_side.observe(engine, variant)
    draft = next((d for d in seen.drafts if d.lifecycle == DRAFT), seen.drafts[0] if seen.drafts else None)
    current = draft or seen.published
    if current is None:
        row.behind = True
        return row
    row.revision = current.revision or current.workspace
    row.lifecycle = current.lifecycle
    row.branch = draft.ref.removeprefix("refs/heads/") if draft is not None else ""
    locked = git_side.revision_lock(engine, current)
    row.locked = f"{upstream_path}/v{locked}" if locked is not None else ""
    row.behind = locked is None or locked < number
    return row


def variant_rows(engine: Engine, fetch: bool = True) -> list[VariantRow]:
    registered = engine.repositories()
    labels = {name: repo.labels for name, repo in registered.items()}
    fetched: set[str] = set()
    rows: list[VariantRow] = []
    for owner in sorted(registered):
        try:
            _fresh(engine, owner, fetch, fetched)
            files = read_variant_files(engine.cache(owner), labels)
            if not files.variants and not files.errors:
                continue
            for repo in {v.upstream_repo for v in files.variants if v.upstream_repo in registered}:
                _fresh(engine, repo, fetch, fetched)
            errors = check(files, registered, lambda repo, package: sorted(_published(engine, repo, package)))
        except PorchbotError as err:
            rows.append(VariantRow("", owner, "", "", "", "", "", "", "", "", False, error=str(err)))
            continue
        for error in errors:
            rows.append(VariantRow("", owner, error.file, "", "", "", "", "", "", "", False, error=str(error)))
        if errors:
            continue
        failures = load_failures(engine, owner)  # the last reconcile's, with their reasons
        for variant in files.variants:
            try:
                rows.append(_row(engine, variant, fetch, fetched))
                rows[-1].error = failures.get(variant.key, "")
            except PorchbotError as err:
                rows.append(VariantRow(variant.name, owner, variant.file, variant.from_set,
                                       f"{variant.downstream_repo}/{variant.downstream_package}",
                                       f"{variant.upstream_repo}/{variant.upstream_package}", "", "", "", "", False,
                                       error=str(err)))
    return rows
