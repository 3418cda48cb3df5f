"""The Kptfile's three-way merge: kpt merges it as a typed struct, not as text.

The three Kptfiles are decoded (``bot.render.kptschema``), merged with the same walker as resources
(lists matched by ``name``; when no pipeline function has a name and none repeats, kpt names them
``_kpt-merge_<image without tag>`` for the merge only) and re-encoded canonically: comments dropped,
struct field order, sequences indented. From the merge result the downstream takes labels,
annotations, info, pipeline, inventory and status; its name, namespace and upstream stay its own
(a subpackage takes upstream's ``upstream``/``upstreamLock`` when it has them).
"""

from __future__ import annotations

from pathlib import Path

from bot.render.kptfile import KPTFILE, marshal_kptfile, parse_kptfile
from bot.render.kptschema import UnmarshalIssue, decode
from bot.render.yaml.node import Kind, Node
from bot.upgrade.merge3 import Walker

_SYNTHETIC = "_kpt-merge_"
_TAKEN = ("info", "pipeline", "inventory", "status")


def read_canonical(package: Path) -> Node | None:
    """The decoded Kptfile of a package, None when it has none (errors are kpt's read errors)."""
    path = package / KPTFILE
    if not path.is_file():
        return None
    return parse_kptfile(path.read_text(encoding="utf-8"), str(package)).canonical.copy()


def canonical(node: Node) -> Node:
    issues: list[UnmarshalIssue] = []
    return decode(node, "v1.KptFile", issues) or Node.mapping()


def write_canonical(package: Path, node: Node) -> None:
    (package / KPTFILE).write_text(marshal_kptfile(canonical(node)), encoding="utf-8")


def _functions(kptfile: Node) -> list[list[Node]]:
    pipeline = kptfile.get("pipeline")
    if pipeline is None:
        return []
    return [seq.content for key in ("mutators", "validators") if (seq := pipeline.get(key)) is not None]


def _fn_key(fn: Node) -> str:
    exec_ = fn.str_value("exec") or ""
    return exec_ if exec_ else (fn.str_value("image") or "").split(":")[0]


def _can_add_names(kptfiles: list[Node]) -> bool:
    for kptfile in kptfiles:
        for functions in _functions(kptfile):
            seen: set[str] = set()
            for fn in functions:
                if fn.str_value("name"):
                    return False
                key = _fn_key(fn)
                if key in seen:
                    return False
                seen.add(key)
    return True


def _add_names(kptfile: Node) -> None:
    for functions in _functions(kptfile):
        for fn in functions:
            if not fn.str_value("name"):
                fn.set("name", Node.scalar(_SYNTHETIC + _fn_key(fn)))


def _remove_names(kptfile: Node) -> None:
    for functions in _functions(kptfile):
        for fn in functions:
            if (fn.str_value("name") or "").startswith(_SYNTHETIC):
                fn.delete("name")


def merge_kptfiles(local: Node | None, updated: Node | None, origin: Node | None,
                   take_upstream: bool) -> Node:
    """The downstream Kptfile after the update (canonical node)."""
    local = local.copy() if local is not None else Node.mapping()
    inputs = [local.copy(), updated.copy() if updated is not None else Node.mapping(),
              origin.copy() if origin is not None else Node.mapping()]
    synthetic = _can_add_names(inputs)
    if synthetic:
        for kptfile in inputs:
            _add_names(kptfile)
    merged = Walker(infer_lists=True).walk([inputs[0], inputs[2], inputs[1]], None, []) or Node.mapping()
    merged = canonical(merged)
    if synthetic:
        _remove_names(merged)
    metadata = local.get("metadata")
    merged_meta = merged.get("metadata")
    for key in ("labels", "annotations"):
        value = merged_meta.get(key) if merged_meta is not None else None
        if value is not None:
            if metadata is None:
                metadata = local.set("metadata", Node.mapping())
            metadata.set(key, value)
        elif metadata is not None:
            metadata.delete(key)
    for key in _TAKEN:
        value = merged.get(key)
        if value is not None:
            local.set(key, value)
        else:
            local.delete(key)
    if take_upstream and updated is not None:
        for key in ("upstream", "upstreamLock"):
            value = updated.get(key)
            if value is not None:
                local.set(key, value.copy())
    return canonical(local)


def update_kptfile(local_dir: Path, updated_dir: Path, origin_dir: Path, take_upstream: bool) -> None:
    """kptfileutil.UpdateKptfile: merge the three Kptfiles into the downstream one."""
    result = merge_kptfiles(read_canonical(local_dir), read_canonical(updated_dir), read_canonical(origin_dir),
                            take_upstream)
    write_canonical(local_dir, result)


def set_upstream_ref(kptfile: Node, ref: str | None, strategy: str | None) -> Node:
    upstream = kptfile.get("upstream")
    if upstream is None or upstream.kind is not Kind.MAPPING:
        return kptfile
    if ref:
        git = upstream.get("git")
        if git is not None and git.kind is Kind.MAPPING:
            git.set("ref", Node.scalar(ref))
    if strategy:
        upstream.set("updateStrategy", Node.scalar(strategy))
    return canonical(kptfile)
