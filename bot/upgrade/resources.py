"""Resource-level three-way merge of one package (kpt's Merge3 with its resource handler).

Resources are grouped by identity (``identity.py``) into (downstream, old upstream, new upstream)
tuples, in the order they are first seen: downstream files first, then old, then new upstream. Then:

* only downstream -> kept; only new upstream -> added (in the file upstream names);
* deleted on both sides, or deleted downstream -> gone;
* deleted upstream -> removed if the downstream copy equals the old upstream one, else kept;
* otherwise the three versions are merged field by field (``merge3.py``).

Each output file is written with its resources sorted by their position in the file they came from;
kio's index and sequence-indent annotations take part in the merge like any field, so a merged resource
takes upstream's position only when upstream moved it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.render.yaml.emitter import emit_node
from bot.upgrade import identity as ids
from bot.upgrade.conflicts import Conflict, ConflictKind, ConflictLog
from bot.upgrade.merge3 import MergeError, merge_resource
from bot.upgrade.package_io import Resource, read_resources, subpackage_dirs, write_resources


@dataclass
class _Tuple:
    dest: Resource | None = None
    origin: Resource | None = None
    updated: Resource | None = None
    key: ids.Identity | None = None


_SOURCE_NAMES = {"dest": "local", "origin": "original upstream", "updated": "updated upstream"}


def _group(sources: dict[str, list[Resource]]) -> list[_Tuple]:
    tuples: list[_Tuple] = []
    index: dict[ids.Identity, _Tuple] = {}
    for source in ("dest", "origin", "updated"):
        for resource in sources[source]:
            key = ids.identity(resource.root, resource.path)
            found = index.get(key) if key is not None else None
            if found is None:
                found = _Tuple(key=key)
                tuples.append(found)
                if key is not None:
                    index[key] = found
            if getattr(found, source) is not None:
                raise MergeError(f'found duplicate "{_SOURCE_NAMES[source]}" resources in file '
                                 f'"{resource.path}", please refer to "update" documentation for the fix')
            setattr(found, source, resource)
    return tuples


def _same(one: Resource, two: Resource) -> bool:
    """kpt's equality for "unchanged downstream": the text, kio annotations aside (seqindent counts)."""
    return one.wide == two.wide and emit_node(one.root) == emit_node(two.root)


def merge_resources(local: Path, origin: Path, updated: Path, prefix: str = "") -> list[Conflict]:
    """Merge the resources of one package in place under ``local``; returns the conflicts seen."""
    exclusions = subpackage_dirs(local)
    sources = {"dest": read_resources(local),
               "origin": read_resources(origin, exclusions),
               "updated": read_resources(updated, exclusions)}
    previous_files = {r.path for r in sources["dest"]}
    for resources in sources.values():
        for resource in resources:
            ids.add_merge_comment(resource.root)
    conflicts: list[Conflict] = []
    output: list[Resource] = []
    for entry in _group(sources):
        d, o, u = entry.dest, entry.origin, entry.updated
        label = entry.key.label() if entry.key is not None else ""
        if o is None and u is None:
            output.append(d)  # type: ignore[arg-type]
        elif o is None and d is None:
            output.append(u)  # type: ignore[arg-type]
        elif u is None and d is None:
            continue
        elif u is None:
            assert o is not None and d is not None
            if not _same(o, d):
                conflicts.append(Conflict(ConflictKind.KEPT, prefix + d.path, label, line=d.root.line))
                output.append(d)
        elif d is None:
            continue
        else:
            log = ConflictLog(file=prefix + d.path, resource=label)
            if o is None:
                log.resource_conflict(ConflictKind.ADDED_BOTH, d.root.line)
            merged = merge_resource(d.root, o.root if o is not None else None, u.root, log)  # type: ignore[arg-type]
            conflicts.extend(log.items)
            if merged is None:
                continue
            d.doc.content[0] = merged
            changed = o is None or u.index != o.index
            d.index = u.index if changed else d.index
            d.wide = u.wide if (o is None or u.wide != o.wide) else d.wide
            output.append(d)
    for resource in output:
        ids.add_merge_comment(resource.root)
    write_resources(local, output, previous_files)
    return conflicts
