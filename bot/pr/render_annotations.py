"""Function results → check-run annotations at the file and line of the offending resource. Pure over files.

The file comes from the result's ``file.path``, else from the resource's path annotation (the rendered
package holds it in the file the resource lives in); the line is where that resource starts in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from bot.forges.models import Annotation, AnnotationLevel
from bot.render.render_types import RenderOutcome
from bot.render.resourcelist import Result

_SEPARATOR = re.compile(r"^---\s*$")
_LEVELS: dict[str, AnnotationLevel] = {"error": "failure", "warning": "warning", "info": "notice"}


def _documents(text: str) -> list[tuple[int, list[str]]]:
    """(first line number, lines) per YAML document of a file."""
    documents: list[tuple[int, list[str]]] = []
    start, lines = 1, list[str]()
    for number, line in enumerate(text.splitlines(), start=1):
        if _SEPARATOR.match(line):
            documents.append((start, lines))
            start, lines = number + 1, []
        else:
            lines.append(line)
    documents.append((start, lines))
    return documents


def _first_content_line(start: int, lines: list[str]) -> int:
    for offset, line in enumerate(lines):
        if line.strip() and not line.lstrip().startswith("#"):
            return start + offset
    return start


def resource_line(text: str, kind: str, name: str) -> int | None:
    """The line where the resource ``kind``/``name`` starts in a multi-document YAML file."""
    kind_line = re.compile(rf"^kind:\s*['\"]?{re.escape(kind)}['\"]?\s*$")
    name_line = re.compile(rf"^\s+name:\s*['\"]?{re.escape(name)}['\"]?\s*$")
    for start, lines in _documents(text):
        if any(kind_line.match(line) for line in lines) and (not name or any(name_line.match(line) for line in lines)):
            return _first_content_line(start, lines)
    return None


def _locate(package_dir: Path, result: Result) -> tuple[str, int] | None:
    ref = result.resource_ref
    candidates: Iterable[Path]
    if result.file is not None and result.file.path:
        candidates = [package_dir / result.file.path]
    else:
        candidates = sorted(p for p in package_dir.rglob("*") if p.suffix in (".yaml", ".yml") or p.name == "Kptfile")
    for path in candidates:
        try:
            text = path.read_text()
        except (OSError, UnicodeDecodeError):
            continue
        if ref is None or not ref.kind:
            if result.file is not None and result.file.path:
                return path.relative_to(package_dir).as_posix(), 1
            continue
        line = resource_line(text, ref.kind, ref.name)
        if line is not None:
            return path.relative_to(package_dir).as_posix(), line
    return None


def annotations_for(outcome: RenderOutcome, package_dir: Path, package_path: str) -> list[Annotation]:
    """Annotations for the error and warning results of every step, at repository-relative paths."""
    found: list[Annotation] = []
    for step in outcome.steps:
        label = step.image or step.exec or step.name
        for result in step.results:
            level = _LEVELS.get(result.severity or "error", "failure")
            if level == "notice":
                continue
            where = _locate(package_dir, result)
            if where is None:
                continue
            path, line = where
            found.append(Annotation(path=f"{package_path}/{path}", start_line=line, level=level,
                                    message=" ".join(result.message.split()), title=label or None))
    return found
