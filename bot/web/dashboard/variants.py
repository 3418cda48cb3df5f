"""The variants (PackageVariant / PackageVariantSet) a repository declares in its variants folder, as the
fleet page shows them: read with bot.lifecycle.variants when a fetch moved the repository's refs.

A file that does not parse is not an exception here: its error (file and field) is listed, as the
reconciler would report it, and the other variants are still shown.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bot.errors import PorchbotError
from bot.lifecycle.cache import RepositoryCache

log = logging.getLogger("porchbot.dashboard")


@dataclass(frozen=True)
class VariantRow:
    name: str
    file: str
    upstream_repo: str
    upstream_package: str
    upstream_revision: int  # 0: the latest published revision
    downstream_repo: str
    downstream_package: str
    from_set: str


def read_variants(cache: RepositoryCache, registered: dict[str, Any]) -> tuple[tuple[VariantRow, ...],
                                                                               tuple[str, ...]]:
    """(variants, errors) declared in ``cache``'s repository at its branch tip; ((), ()) without support."""
    try:
        from bot.lifecycle.variants.files import read_variant_files
    except ImportError:
        return (), ()
    labels = {name: dict(getattr(repository, "labels", {}) or {}) for name, repository in registered.items()}
    try:
        found = read_variant_files(cache, labels)
    except (PorchbotError, OSError) as err:
        return (), (f"{cache.repository.name}: variants not read: {err}",)
    rows = tuple(VariantRow(v.name, v.file, v.upstream_repo, v.upstream_package, v.upstream_revision,
                            v.downstream_repo, v.downstream_package, v.from_set) for v in found.variants)
    return rows, tuple(str(error) for error in found.errors)
