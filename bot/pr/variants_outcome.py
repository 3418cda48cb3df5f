"""What reconciling one variant did, and the seams the reconciler is given (a locked, fetched repository
cache; the forge of a repository)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from bot.forges.base import Forge
from bot.lifecycle.repositories import Repository

Locked = Callable[[Repository], AbstractContextManager[Any]]  # the repository's cache, fetched, held
ForgeOf = Callable[[Repository], Forge]


@dataclass(frozen=True)
class VariantOutcome:
    variant: str  # <holding repository>/<name>
    # created | updated | moved | current | declined | not-adopted | blocked | upgrade:<propagation's action>
    # | failed; for a variant that left the files: deleted | deletion-proposed | orphaned
    action: str
    pull_number: int | None = None
    reason: str = ""
