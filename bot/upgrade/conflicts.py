"""The conflict report: what kpt's resource-merge decides silently, as typed data.

kpt's merge never reports a conflict: a field both sides changed takes upstream's new value, a field
the downstream deleted comes back when upstream changed it, a resource upstream deleted stays when the
downstream changed it, and a resource both sides added is merged. Each of these becomes one
``Conflict`` here; the merge result itself is exactly kpt's.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from bot.render.yaml.convert import node_to_python
from bot.render.yaml.node import Node


class ConflictKind(StrEnum):
    OVERWRITTEN = "overwritten"  # downstream had its own value; upstream's new value won
    RESTORED = "restored"  # downstream deleted the field; upstream changed it, so it came back
    KEPT = "kept"  # upstream deleted the resource; the downstream changed it, so it stays
    ADDED_BOTH = "added-both"  # both sides added a resource with the same identity; they were merged


@dataclass(frozen=True)
class Conflict:
    kind: ConflictKind
    file: str  # package-relative path of the resource's file (subpackages included)
    resource: str  # "<group>/<Kind> <namespace>/<name>" as kpt identifies it
    path: str = ""  # field path, e.g. spec.template.spec.containers[name=web].image ("" for a resource)
    downstream: Any = None  # plain values (what YAML would load); None when absent
    old_upstream: Any = None
    new_upstream: Any = None
    line: int = 0  # line of the field (or of the resource's first line) in the file after the update
    segments: tuple[str, ...] = field(default=(), compare=False, repr=False)  # ``path`` unambiguously

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.value
        del data["segments"]
        return data


@dataclass
class ConflictLog:
    """Collects conflicts while one resource is merged; the merge code sets ``file``/``resource``."""

    file: str = ""
    resource: str = ""
    items: list[Conflict] = field(default_factory=list)

    def field_conflict(self, kind: ConflictKind, path: list[str], dest: Node | None, origin: Node | None,
                       updated: Node | None) -> None:
        self.items.append(Conflict(kind, self.file, self.resource, ".".join(path).replace(".[", "["),
                                   plain(dest), plain(origin), plain(updated), 0, tuple(path)))

    def resource_conflict(self, kind: ConflictKind) -> None:
        self.items.append(Conflict(kind, self.file, self.resource))


def plain(node: Node | None) -> Any:
    if node is None:
        return None
    try:
        return node_to_python(node)
    except Exception:  # an odd tag or alias: the report shows the text instead of failing the update
        return node.value
