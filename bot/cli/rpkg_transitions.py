"""The lifecycle transitions behind ``porchbot rpkg propose|approve|reject|del|propose-delete``, free of
typer: the typer commands (bot/cli/rpkg.py) and the argv fast path (bot/cli/argv_fastpath.py) share
them, so an approval pays neither typer's import nor the create/clone modules'."""

from __future__ import annotations

import sys

from bot.errors import PorchbotError
from bot.lifecycle.engine import Engine
from bot.lifecycle.git_proposals import git_only_lifecycle
from bot.lifecycle.repositories import Repository
from bot.lifecycle.transitions import Lifecycle

# verb on the command line -> (Lifecycle method, porchctl's past tense)
TRANSITIONS = {
    "propose": ("propose", "proposed"),
    "approve": ("approve", "approved"),
    "reject": ("reject", "rejected"),
    "del": ("delete", "deleted"),
    "propose-delete": ("propose_delete", "proposed for deletion"),
}


def forge_backed(engine: Engine) -> bool:
    """Whether PR mode can apply at all: its modules (forges, policy) are imported only then, which keeps
    git-only commands ~0.1 s faster to start."""
    return any(repository.forge_backed for repository in engine.repositories().values())


def lifecycle_for(repository: Repository) -> Lifecycle:
    if not repository.forge_backed:
        return git_only_lifecycle()
    from bot.pr.proposals import lifecycle_for as pull_request_lifecycle

    return pull_request_lifecycle(repository)  # PR mode on forge-backed repositories


def each(names: list[str], verb: str, message: str) -> None:
    """Run one transition per name, porchctl-style: report each, fail (exit 1) if any failed."""
    engine = Engine()
    failures: list[str] = []
    for name in names:
        try:
            cache, revision = engine.find(name)
            change = getattr(lifecycle_for(cache.repository), verb)(cache, revision)
            # As typer.echo: one line, flushed at once (a later failure must not hide it).
            sys.stdout.write(f"{change.name} {message}\n")
            sys.stdout.flush()
        except PorchbotError as err:
            failures.append(str(err))
    if failures:
        raise PorchbotError("; ".join(failures))
