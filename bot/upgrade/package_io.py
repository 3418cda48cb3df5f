"""Reading and writing a package's resources the way kpt's kio reader and writer do.

kpt reads every ``*.yaml`` / ``*.yml`` file of a package (not the Kptfile, not JSON, not the files of
subpackages: directories holding their own Kptfile), in ``filepath.Walk`` order, one resource per
document, and writes each file back whole in kyaml's format. A file left without resources is deleted.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bot.errors import PorchbotError
from bot.render.yaml import read_file_documents, write_file_documents
from bot.render.yaml.errors import YAMLError
from bot.render.yaml.node import Node
from bot.upgrade import identity as ids

KPTFILE = "Kptfile"
_YAML_SUFFIXES = (".yaml", ".yml")


class PackageReadError(PorchbotError):
    pass


@dataclass
class Resource:
    doc: Node  # the DOCUMENT node; doc.content[0] is the resource
    path: str  # package-relative, '/'-separated
    index: int  # position in its file
    wide: bool  # kyaml's sequence indentation of the document as read

    @property
    def root(self) -> Node:
        return self.doc.content[0]


def is_yaml(name: str) -> bool:
    return name.endswith(_YAML_SUFFIXES)


def walk_files(package: Path, include_subpackages: bool = False) -> list[str]:
    """Package-relative paths of regular files in Go's filepath.Walk order (.git skipped)."""
    found: list[str] = []

    def visit(directory: Path, prefix: str) -> None:
        try:
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name.encode())
        except FileNotFoundError:
            return
        for entry in entries:
            if entry.name == ".git":
                continue
            rel = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                if not include_subpackages and os.path.exists(os.path.join(entry.path, KPTFILE)):
                    continue
                visit(Path(entry.path), rel + "/")
            else:
                found.append(rel)

    visit(package, "")
    return found


def subpackage_dirs(package: Path) -> list[str]:
    """Relative paths of every directory below ``package`` holding a Kptfile (any depth)."""
    result: list[str] = []
    for root, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        if KPTFILE in files and Path(root) != package:
            result.append(Path(root).relative_to(package).as_posix())
    return sorted(result)


def read_file(package: Path, rel: str) -> list[Resource]:
    try:
        text = (package / rel).read_text(encoding="utf-8")
        docs = read_file_documents(text)
    except (OSError, UnicodeDecodeError, YAMLError) as err:
        raise PackageReadError(f"{package / rel}: {err}") from err
    resources = []
    for index, (doc, wide) in enumerate(docs):
        ids.strip_reserved(doc.content[0])
        resources.append(Resource(doc, rel, index, wide))
    return resources


def render_file(resources: list[Resource]) -> str:
    for resource in resources:
        ids.clear_empty_annotations(resource.root)
    return write_file_documents([(r.doc, r.wide) for r in resources])


def write_if_changed(target: Path, text: str) -> None:
    data = text.encode("utf-8")
    try:
        if target.read_bytes() == data:
            return
    except OSError:
        pass
    target.write_bytes(data)


def add_merge_comments_in_dir(package: Path, skip: set[Path] = frozenset()) -> None:  # type: ignore[assignment]
    """addmergecomment.Process: every YAML file below ``package`` (subpackages too), rewritten.

    ``skip`` holds files already written in their final form. kpt ignores errors here (a file it
    cannot read stops the pass silently), and so do we.
    """
    try:
        files = [rel for rel in walk_files(package, include_subpackages=True)
                 if is_yaml(rel) and package / rel not in skip]
        per_file = [(rel, read_file(package, rel)) for rel in files]
        for _, resources in per_file:
            for resource in resources:
                ids.add_merge_comment(resource.root)
    except Exception:
        return
    for rel, resources in per_file:
        if resources:
            write_if_changed(package / rel, render_file(resources))
