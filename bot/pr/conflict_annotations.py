"""An upgrade's conflict report → check-run annotations at the file and line of each field in the
rendered package (GitLab lists them in the sticky note, as it does render findings).

The report travels in the upgrade PR's body (bot.pr.upgrade_pulls); the lines are looked up in the files
as they are at the head being rendered, so a reviewer lands on the value upstream wrote.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.forges.models import Annotation

_SEGMENT = re.compile(r"([^.\[\]]+)|\[([^=\]]+)=([^\]]*)\]")
_SENTENCES = {
    "overwritten": "upstream overwrote this customisation: yours was {downstream}, upstream changed {old} to {new}",
    "restored": "you had deleted this field; upstream changed it ({old} to {new}), so it is back",
    "kept": "upstream deleted this resource; you had changed it, so it was kept",
    "added-both": "both you and upstream added this resource; the two were merged",
}


def _shown(value: Any) -> str:
    return "(absent)" if value is None else repr(value) if isinstance(value, str) else str(value)


def _child(node: yaml.Node, step: tuple[str, str, str]) -> yaml.Node | None:
    key, match_key, match_value = step
    if key and isinstance(node, yaml.MappingNode):
        return next((value for k, value in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
    if match_key and isinstance(node, yaml.SequenceNode):
        for item in node.value:
            if isinstance(item, yaml.MappingNode) and any(
                    isinstance(k, yaml.ScalarNode) and k.value == match_key and isinstance(v, yaml.ScalarNode)
                    and v.value == match_value for k, v in item.value):
                return item
    return None


def _documents(text: str) -> list[tuple[int, str]]:
    """(0-based first line, text) per YAML document of a file."""
    found: list[tuple[int, str]] = []
    start, lines = 0, list[str]()
    for number, line in enumerate(text.splitlines(keepends=True)):
        if re.match(r"^---\s*$", line):
            found.append((start, "".join(lines)))
            start, lines = number + 1, []
        else:
            lines.append(line)
    found.append((start, "".join(lines)))
    return found


def _is_resource(document: yaml.MappingNode, text: str, kind: str, namespace: str, name: str) -> bool:
    """The resource kpt's merge named: by kind and name, or by its ``# kpt-merge: ns/name`` identity (a
    downstream whose pipeline renamed the resource still carries upstream's name there)."""
    kind_node = _child(document, ("kind", "", ""))
    if not (isinstance(kind_node, yaml.ScalarNode) and kind_node.value == kind):
        return False
    meta = _child(document, ("metadata", "", ""))
    name_node = _child(meta, ("name", "", "")) if meta is not None else None
    if isinstance(name_node, yaml.ScalarNode) and name_node.value == name:
        return True
    return re.search(rf"#\s*kpt-merge:\s*{re.escape(namespace)}/{re.escape(name)}\s*$", text, re.M) is not None


def field_line(text: str, resource: str, path: str) -> int | None:
    """The 1-based line of ``path`` (``spec.containers[name=web].image``) in the resource named
    ``<group>/<Kind> <namespace>/<name>``, or of the resource itself when ``path`` is empty."""
    _, _, kind_and_name = resource.partition("/")
    kind, _, namespaced = kind_and_name.partition(" ")
    namespace, _, name = namespaced.rpartition("/")
    for start, document_text in _documents(text):
        try:
            document = yaml.compose(document_text)
        except yaml.YAMLError:
            continue
        if not isinstance(document, yaml.MappingNode) or not _is_resource(document, document_text, kind,
                                                                          namespace, name):
            continue
        node: yaml.Node | None = document
        for match in _SEGMENT.finditer(path):
            node = _child(node, (match.group(1) or "", match.group(2) or "", match.group(3) or "")) \
                if node is not None else None
        target = node if node is not None else document
        return start + target.start_mark.line + 1
    return None


def conflict_annotations(conflicts: list[dict[str, Any]], package_dir: Path, package_path: str) -> list[Annotation]:
    found = []
    for conflict in conflicts:
        file_name = str(conflict.get("file") or "")
        sentence = _SENTENCES.get(str(conflict.get("kind")))
        if not file_name or sentence is None:
            continue
        try:
            text = (package_dir / file_name).read_text()
        except (OSError, UnicodeDecodeError):
            text = ""
        line = field_line(text, str(conflict.get("resource") or ""), str(conflict.get("path") or "")) or 1
        message = sentence.format(downstream=_shown(conflict.get("downstream")),
                                  old=_shown(conflict.get("old_upstream")), new=_shown(conflict.get("new_upstream")))
        where = f" ({conflict.get('path')})" if conflict.get("path") else ""
        found.append(Annotation(path=f"{package_path}/{file_name}", start_line=line, level="warning",
                                message=message + where, title=f"upgrade conflict: {conflict.get('resource')}"))
    return found
