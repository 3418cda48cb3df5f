"""The lifecycle transitions behind ``porchbot rpkg propose|approve|reject|del|propose-delete``, free of
typer: the typer commands (bot/cli/rpkg.py) and the argv fast path (bot/cli/argv_fastpath.py) share
them, so an approval pays neither typer's import nor the create/clone modules'.

Messages, streams and exit codes are porchctl v4's: ``<name> proposed`` on stdout, ``<name> failed
(<reason>)`` on stderr for each failure and then ``Error: errors:`` listing the reasons (exit 1); the checks
porchctl makes on the client (readiness gates, "already proposed", which lifecycle may be rejected) are
made here before the lifecycle engine is called.
"""

from __future__ import annotations

import sys

from bot.cli import cobra
from bot.errors import NotFound, PorchbotError
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.discovery import DELETION_PROPOSED, DRAFT, PROPOSED, PUBLISHED, PackageRevision
from bot.lifecycle.engine import Engine
from bot.lifecycle.git_proposals import git_only_lifecycle
from bot.lifecycle.readiness import require_ready
from bot.lifecycle.repositories import Repository
from bot.lifecycle.transitions import Lifecycle

TRANSITIONS = ("propose", "approve", "reject", "del", "propose-delete")
_DELETE_PUBLISHED = (
    'admission webhook "packagerevdeletion.google.com" denied the request: failed to delete package revision '
    '"{name}": published PackageRevisions must be proposed for deletion by setting spec.lifecycle to '
    "'DeletionProposed' prior to deletion")


def forge_backed(engine: Engine) -> bool:
    """Whether PR mode can apply at all: its modules (forges, policy) are imported only then, which keeps
    git-only commands ~0.1 s faster to start."""
    return any(repository.forge_backed for repository in engine.repositories().values())


def lifecycle_for(repository: Repository) -> Lifecycle:
    if not repository.forge_backed:
        return git_only_lifecycle()
    from bot.pr.proposals import lifecycle_for as pull_request_lifecycle

    return pull_request_lifecycle(repository)  # PR mode on forge-backed repositories


def not_found(name: str, verb: str = "") -> NotFound:
    """porchctl's (the API server's) words for a name no repository has."""
    if verb == "get":
        return NotFound(f"the server could not find the requested resource (get packagerevisions.porch.kpt.dev "
                        f"{name})")
    return NotFound(f'packagerevisions.porch.kpt.dev "{name}" not found')


def _say(stream: str, line: str) -> None:
    out = sys.stdout if stream == "out" else sys.stderr
    out.write(line + "\n")
    out.flush()  # one line at once: a later failure must not hide it


def transition(engine: Engine, verb: str, name: str) -> None:
    """One transition of ``name``, reported as porchctl reports it; raises with the reason on failure."""
    try:
        cache, revision = engine.find(name)
    except NotFound:
        raise not_found(name) from None
    lifecycle = lifecycle_for(cache.repository)
    revision = lifecycle.backend.current(cache, revision)
    state = revision.lifecycle
    if verb == "propose":
        require_ready(cache, revision)
        if state == PROPOSED:
            return _say("err", f"{name} is already proposed")
        if state != DRAFT:
            raise PorchbotError(f"cannot propose {state} package")
        lifecycle.propose(cache, revision)
        return _say("out", f"{name} proposed")
    if verb == "approve":
        require_ready(cache, revision)
        if state == PUBLISHED and not revision.is_branch_entry:
            return _say("out", f"{name} approved")  # already the wanted lifecycle: porchctl succeeds
        if state != PROPOSED:
            raise PorchbotError(f"cannot change approval from {state} to {PUBLISHED}")
        lifecycle.approve(cache, revision)
        return _say("out", f"{name} approved")
    if verb == "reject":
        if state not in (PROPOSED, DELETION_PROPOSED):
            raise PorchbotError(f"cannot reject {name} with lifecycle '{state}'")
        lifecycle.reject(cache, revision)
        if cobra.era() == "kpt-alpha":
            return _say("out", f"{name} rejected")
        purpose = "approval" if state == PROPOSED else "deletion"
        return _say("out", f"{name} no longer proposed for {purpose}")
    if verb == "del":
        if state == PUBLISHED:
            raise PorchbotError(_DELETE_PUBLISHED.format(name=name))
        lifecycle.delete(cache, revision)
        return _say("out", f"{name} deleted")
    if verb == "propose-delete":
        return _propose_delete(lifecycle, cache, revision, name)
    raise PorchbotError(f"unknown transition {verb!r}")


def _propose_delete(lifecycle: Lifecycle, cache: RepositoryCache, revision: PackageRevision, name: str) -> None:
    if revision.lifecycle == DELETION_PROPOSED:
        return _say("err", f"{name} is already proposed for deletion")  # idempotent, exit 0
    if revision.lifecycle != PUBLISHED:
        raise PorchbotError(f"can only propose published packages for deletion; package {name} is not published")
    lifecycle.propose_delete(cache, revision)
    return _say("out", f"{name} proposed for deletion")


def each(names: list[str], verb: str) -> None:
    """Run one transition per name, porchctl-style: report each, fail (exit 1) if any failed."""
    engine = Engine()
    failures: list[str] = []
    for name in names:
        try:
            transition(engine, verb, name)
        except PorchbotError as err:
            failures.append(str(err))
            _say("err", f"{name} failed ({err})")
    if failures:
        raise PorchbotError("errors:\n  " + "\n  ".join(failures))
