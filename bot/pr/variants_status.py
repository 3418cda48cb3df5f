"""The variants listing with each open Draft's PR (``variants get``, the read API): one forge call per
variant that has a Draft in a forge-backed repository; a forge that fails leaves the row without its PR
and says why in ``error``."""

from __future__ import annotations

from collections.abc import Callable

from bot.errors import PorchbotError
from bot.forges import factory as forge_factory
from bot.forges.base import Forge
from bot.lifecycle.engine import Engine
from bot.lifecycle.repositories import Repository
from bot.lifecycle.variants.status import VariantRow, variant_rows


def rows_with_pulls(engine: Engine, fetch: bool = True,
                    forge_of: Callable[[Repository], Forge] = forge_factory.forge_for) -> list[VariantRow]:
    """``forge_of``: the CLI's user's forge by default; the server passes its own identity."""
    rows = variant_rows(engine, fetch)
    forges: dict[str, Forge] = {}
    for row in rows:
        if not row.branch:
            continue
        repository = engine.repository(row.downstream.split("/", 1)[0])
        if not repository.forge_backed:
            continue
        try:
            forge = forges.get(repository.name) or forges.setdefault(repository.name,
                                                                      forge_of(repository))
            pull = forge.find_pull_request(row.branch, repository.branch)
        except PorchbotError as err:
            row.error = row.error or f"PR not read: {err}"
            continue
        row.pull = pull.url if pull is not None else ""
    return rows
