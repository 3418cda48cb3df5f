"""Package file contents as kpt writes them: ``kpt pkg init`` files, a cloned Kptfile's upstream and
upstreamLock, ``kpt pkg get``'s merge-key comments, and Porch's package context for deployments.

Edits are line-based on purpose: they touch only the lines kpt touches, so everything else in a file
(comments, quoting, sequence indentation) stays byte for byte as the author wrote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from bot.render.kpt_keys import UPSTREAM_IDENTIFIER

KPTFILE = "Kptfile"
PACKAGE_CONTEXT = "package-context.yaml"
DEFAULT_DESCRIPTION = "sample description"
_INDICATORS = "-?:,[]{}#&*!|>'\"%@`"
_TOP_KEY = re.compile(r"^([A-Za-z_][\w.-]*):(\s.*)?$")


def init_files(name: str, description: str = DEFAULT_DESCRIPTION, keywords: list[str] | None = None,
               site: str = "") -> dict[str, str]:
    """The three files ``kpt pkg init`` writes for a package directory called ``name`` (``--keywords`` and
    ``--site`` as ``info.keywords`` / ``info.site``)."""
    description = description or DEFAULT_DESCRIPTION
    info = f"info:\n  description: {scalar(description)}\n"
    if site:
        info += f"  site: {scalar(site)}\n"
    if keywords:
        info += "  keywords:\n" + "".join(f"  - {scalar(word)}\n" for word in keywords)
    kptfile = (
        "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n"
        f"  name: {scalar(name)}\n  annotations:\n    config.kubernetes.io/local-config: \"true\"\n" + info
    )
    readme = (
        f"# {name}\n\n## Description\n{description}\n\n## Usage\n\n### Fetch the package\n"
        f"`kpt pkg get REPO_URI[.git]/PKG_PATH[@VERSION] {name}`\n"
        "Details: https://kpt.dev/reference/cli/pkg/get/\n\n### View package content\n"
        f"`kpt pkg tree {name}`\nDetails: https://kpt.dev/reference/cli/pkg/tree/\n\n"
        f"### Apply the package\n```\nkpt live init {name}\n"
        f"kpt live apply {name} --reconcile-timeout=2m --output=table\n```\n"
        "Details: https://kpt.dev/reference/cli/live/\n"
    )
    return {KPTFILE: kptfile, "README.md": readme, PACKAGE_CONTEXT: package_context("example")}


def package_context(name: str) -> str:
    return (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kptfile.kpt.dev\n  annotations:\n"
        f"    config.kubernetes.io/local-config: \"true\"\ndata:\n  name: {scalar(name)}\n"
    )


def scalar(value: str) -> str:
    """A YAML scalar for ``value``: plain when that reads back as the same string, else single-quoted."""
    plain = (value and value == value.strip() and "\n" not in value and value[0] not in _INDICATORS
             and ": " not in value and " #" not in value and not value.endswith(":"))
    if plain and yaml.safe_load(value) == value:
        return value
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True)
class GitLock:
    repo: str
    directory: str  # as kpt writes it: with a leading slash
    ref: str
    commit: str


def _blocks(text: str) -> list[tuple[str | None, list[str]]]:
    """Top-level blocks: (key or None for leading lines, lines including the key line)."""
    blocks: list[tuple[str | None, list[str]]] = [(None, [])]
    for line in text.splitlines(keepends=True):
        match = _TOP_KEY.match(line)
        if match:
            blocks.append((match.group(1), [line]))
        else:
            blocks[-1][1].append(line)
    return blocks




def set_upstream(kptfile: str, name: str, lock: GitLock, porch_form: bool = False) -> str:
    """The Kptfile renamed to ``name`` with upstream and upstreamLock as ``kpt pkg get`` writes them, or
    (``porch_form``) as Porch's clone task does: no updateStrategy, and the Kptfile's own
    upstream-identifier annotation."""
    git = (f"    repo: {scalar(lock.repo)}\n    directory: {scalar(lock.directory)}\n"
           f"    ref: {scalar(lock.ref)}\n")
    strategy = "" if porch_form else "  updateStrategy: resource-merge\n"
    upstream = f"upstream:\n  type: git\n  git:\n{git}{strategy}"
    upstream_lock = f"upstreamLock:\n  type: git\n  git:\n{git}    commit: {scalar(lock.commit)}\n"
    out: list[str] = []
    for key, lines in _blocks(kptfile):
        if key in ("upstream", "upstreamLock"):
            continue
        if key == "metadata":
            lines = _rename(lines, name)
            if porch_form:
                lines = _annotate(lines, UPSTREAM_IDENTIFIER, f"kpt.dev|Kptfile|default|{name}")
            out.extend(lines)
            out.append(upstream + upstream_lock)
            continue
        out.extend(lines)
    return "".join(out)


def _rename(metadata_lines: list[str], name: str) -> list[str]:
    indent = _child_indent(metadata_lines)
    pattern = re.compile(rf"^{indent}name:(\s.*)?$")
    return [f"{indent}name: {scalar(name)}\n" if pattern.match(line) else line for line in metadata_lines]


def _annotate(metadata_lines: list[str], key: str, value: str) -> list[str]:
    """The metadata block with ``annotations.<key>: value`` set (line-based: other lines untouched)."""
    indent = _child_indent(metadata_lines)
    entry = re.compile(rf"^{indent}annotations:\s*$")
    kept = [line for line in metadata_lines if not line.lstrip(" ").startswith(key + ":")]
    for position, line in enumerate(kept):
        if entry.match(line):
            child = _child_indent(kept[position:]) if position + 1 < len(kept) else indent * 2
            child = child if len(child) > len(indent) else indent * 2
            return [*kept[:position + 1], f"{child}{key}: {scalar(value)}\n", *kept[position + 1:]]
    body_end = len(kept)
    while body_end > 1 and not kept[body_end - 1].strip():
        body_end -= 1
    return [*kept[:body_end], f"{indent}annotations:\n", f"{indent * 2}{key}: {scalar(value)}\n",
            *kept[body_end:]]


def _child_indent(block: list[str]) -> str:
    for line in block[1:]:
        stripped = line.lstrip(" ")
        if stripped.strip() and not stripped.startswith("#"):
            return line[: len(line) - len(stripped)]
    return "  "


def set_package_context_name(text: str | None, name: str) -> str:
    """Porch's generated package context for a deployment: ``data.name`` is the package's name."""
    if text is None or "kptfile.kpt.dev" not in text:
        return package_context(name)
    out: list[str] = []
    for key, lines in _blocks(text):
        if key == "data":
            indent = _child_indent(lines)
            pattern = re.compile(rf"^{indent}name:(\s.*)?$")
            if any(pattern.match(line) for line in lines):
                lines = [f"{indent}name: {scalar(name)}\n" if pattern.match(line) else line for line in lines]
            else:
                lines = [lines[0], f"{indent}name: {scalar(name)}\n", *lines[1:]]
        out.extend(lines)
    if not any(key == "data" for key, _ in _blocks(text)):
        out.append(f"data:\n  name: {scalar(name)}\n")
    return "".join(out)
