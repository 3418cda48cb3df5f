"""What the reconciler last made from each repository's variant files, under the state directory: a
variant that has left the files (its file removed, or a set's target no longer selected) is known by its
downstream, so that its deletion policy can be applied. Written after each reconcile, whole (a reader never
sees half a file); a variant's deletion is idempotent, so a job killed before the write simply redoes it."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.lifecycle.engine import Engine
from bot.lifecycle.variants.spec import PackageVariant


@dataclass(frozen=True)
class Known:
    name: str
    key: str
    workspace: str
    downstream_repo: str
    downstream_package: str
    deletion: str
    file: str


def known_of(variant: PackageVariant) -> Known:
    return Known(variant.name, variant.key, variant.workspace, variant.downstream_repo, variant.downstream_package,
                 variant.deletion, variant.file)


def _path(engine: Engine, owner: str) -> Path:
    return engine.settings.state_dir / "variants" / f"{owner}.json"


def load_known(engine: Engine, owner: str) -> dict[str, Known]:
    try:
        entries = json.loads(_path(engine, owner).read_text())
        return {entry["name"]: Known(**entry) for entry in entries}
    except (OSError, ValueError, TypeError, KeyError):
        return {}


def save_known(engine: Engine, owner: str, known: dict[str, Known]) -> None:
    path = _path(engine, owner)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".variants-")
    with os.fdopen(handle, "w") as out:
        json.dump([asdict(k) for k in sorted(known.values(), key=lambda k: k.name)], out)
    os.replace(temporary, path)


def _failures_path(engine: Engine, owner: str) -> Path:
    return engine.settings.state_dir / "variants" / f"{owner}.failures.json"


def save_failures(engine: Engine, owner: str, failures: dict[str, str]) -> None:
    """Why each variant's last reconcile failed (variant key → reason), for `variants get` to say."""
    path = _failures_path(engine, owner)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".failures-")
    with os.fdopen(handle, "w") as out:
        json.dump(failures, out, sort_keys=True)
    os.replace(temporary, path)


def load_failures(engine: Engine, owner: str) -> dict[str, str]:
    try:
        found = json.loads(_failures_path(engine, owner).read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}
