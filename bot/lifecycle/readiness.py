"""Readiness gates (Porch's ``PackageRevisionIsReady``): a revision may be proposed or approved only when
every condition its Kptfile names in ``info.readinessGates`` is ``"True"`` in ``status.conditions``.

Front-door neutral: the CLI and the bot both ask ``unmet_gates`` / ``require_ready`` before a proposal or
an approval, so a gate holds whichever way the revision moves.
"""

from __future__ import annotations

from typing import Any

import yaml

from bot.errors import Conflict
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.discovery import PackageRevision

NOT_READY = "readiness conditions not met"  # porchctl's words
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class NotReady(Conflict):
    """A gate's condition is missing or not True; ``gates`` names them (the bot shows them on the PR)."""

    def __init__(self, gates: list[str]) -> None:
        super().__init__(NOT_READY)
        self.gates = gates


def unmet_gates(kptfile_text: str | None) -> list[str]:
    """The gate condition types of a Kptfile that are not ``"True"`` (empty: ready)."""
    if not kptfile_text or "readinessGates" not in kptfile_text:
        return []
    try:
        document: Any = yaml.load(kptfile_text, Loader=_LOADER)
    except yaml.YAMLError:
        return []
    if not isinstance(document, dict):
        return []
    info: dict[str, Any] = document["info"] if isinstance(document.get("info"), dict) else {}
    status: dict[str, Any] = document["status"] if isinstance(document.get("status"), dict) else {}
    gates = [gate.get("conditionType") for gate in info.get("readinessGates") or []
             if isinstance(gate, dict) and gate.get("conditionType")]
    conditions = {str(condition.get("type")): str(condition.get("status"))
                  for condition in status.get("conditions") or [] if isinstance(condition, dict)}
    return [str(gate) for gate in gates if conditions.get(str(gate)) != "True"]


def require_ready(cache: RepositoryCache, revision: PackageRevision) -> None:
    """Raise NotReady when the revision's root Kptfile has a gate that is not met."""
    unmet = unmet_gates(cache.git.show_file(revision.commit, f"{revision.package_path}/Kptfile"))
    if unmet:
        raise NotReady(unmet)
