"""The package tree: a package's subpackages and its local resources, read as kpt reads them."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from bot.render import annotations as ann
from bot.render import kpt_keys as keys
from bot.render.kptfile import KPTFILE, Kptfile, read_kptfile
from bot.render.krmignore import IgnoreMatcher
from bot.render.render_errors import KptError, PlainError, RenderError
from bot.render.written_form import Lines, in_written_form
from bot.render.yaml.node import Kind, Node

RESOURCE_SUFFIXES = (".yaml", ".yml", ".json")
BARE_SEQ_KEY = "bareSeqNodeWrappingKey"


@dataclass
class SourceDoc:
    """Where a resource came from: its document node (document-level comments) and file format."""

    document: Node
    json: bool = False
    bare_sequence: bool = False


@dataclass
class Package:
    path: Path  # absolute, resolved
    root: Path
    kptfile: Kptfile
    _subpackages: list[Package] | None = field(default=None, repr=False)

    @property
    def relative(self) -> str:
        """Slash path relative to the root; "" for the root itself."""
        rel = self.path.relative_to(self.root).as_posix()
        return "" if rel == "." else rel

    @property
    def display_name(self) -> str:
        return f"{self.root.name}/{self.relative}" if self.relative else self.root.name

    @property
    def display_path(self) -> str:
        """The path kpt shows in error chains (the root later becomes ".")."""
        return str(self.path)

    def direct_subpackages(self) -> list[Package]:
        if self._subpackages is None:
            found: list[Path] = []
            _find_subpackages(self.path, found)
            packages: list[Package] = []
            for sub in sorted(found, key=lambda p: p.relative_to(self.path).as_posix()):
                try:
                    kptfile = read_kptfile(sub)
                except Exception as err:
                    raise KptError("pkg.Subpackages", str(sub), err) from err
                packages.append(Package(path=sub, root=self.root, kptfile=kptfile))
            self._subpackages = packages
        return self._subpackages


def _find_subpackages(directory: Path, found: list[Path]) -> None:
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name == ".git" or not entry.is_dir(follow_symlinks=False):
            continue
        child = Path(entry.path)
        if (child / KPTFILE).is_file():
            found.append(child)
        else:
            _find_subpackages(child, found)


def resource_files(package_dir: Path) -> list[str]:
    """Slash paths (relative to the package) of the files kpt reads, in filepath.Walk order."""
    matcher = IgnoreMatcher(package_dir)
    files: list[str] = []

    def walk(directory: Path, prefix: str) -> None:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
        for entry in entries:
            rel = f"{prefix}{entry.name}"
            if entry.is_symlink():
                continue
            if entry.is_dir():
                if entry.name == ".git" or matcher.ignored(rel, True):
                    continue
                if (Path(entry.path) / KPTFILE).exists():
                    continue  # a subpackage: its resources belong to it
                walk(Path(entry.path), rel + "/")
            elif (entry.name == KPTFILE or entry.name.endswith(RESOURCE_SUFFIXES)) and not matcher.ignored(rel, False):
                files.append(rel)

    walk(package_dir, "")
    return files


def split_documents(text: str) -> list[str]:
    """kyaml splits on ``\\n---\\n`` textually before decoding each piece on its own."""
    pieces = text.replace("\r\n", "\n").split("\n---\n")
    return [piece + "\n" if i != len(pieces) - 1 else piece for i, piece in enumerate(pieces)]


def _read_text(package: Package, rel: str) -> str:
    try:
        return (package.path / rel).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise PlainError(f"failed to read {rel}: {err}") from err


def read_file_resources(package: Package, rel: str, docs: dict[int, SourceDoc], text: str | None = None) -> list[Node]:
    from bot.render.yaml.errors import YAMLError
    from bot.render.yaml.parser import parse_document
    from bot.render.yaml.seqindent import detect_seq_indent

    file_path = package.path / rel
    if text is None:
        text = _read_text(package, rel)
    items: list[Node] = []
    index = 0
    for piece in split_documents(text):
        try:
            document = parse_document(piece)
        except YAMLError as err:
            raise PlainError(f"{file_path}: {err}") from err
        if document is None or not document.content:
            continue
        if "*" in piece and _excessive_aliasing(document):
            raise PlainError(f"{file_path}: yaml: document contains excessive aliasing")
        content = document.content[0]
        if document.head_comment:
            # kpt writes a leading comment block back without the blank line that made yaml.v3
            # attach it to the document: it ends up on the resource itself.
            content.head_comment = "\n".join(c for c in (document.head_comment, content.head_comment) if c)
            document.head_comment = ""
        if content.kind is Kind.SCALAR and content.value == "" and content.tag in ("!!null", ""):
            continue
        bare = False
        if content.kind is Kind.SEQUENCE:
            wrapper = Node.mapping()
            wrapper.set(BARE_SEQ_KEY, content)
            content = wrapper
            bare = True
        if content.kind is not Kind.MAPPING:
            raise PlainError(f"{file_path}: document {index} is not a YAML mapping")
        ann.set_annotations_sorted(content, {
            keys.INDEX: str(index),
            keys.INTERNAL_INDEX: str(index),
            keys.PATH: rel,
            keys.INTERNAL_PATH: rel,
            keys.SEQ_INDENT: detect_seq_indent(piece),
            keys.PACKAGE_PATH: str(package.path),
        })
        docs[id(content)] = SourceDoc(document=document, json=rel.endswith(".json"), bare_sequence=bare)
        items.append(content)
        index += 1
    return items


def _excessive_aliasing(document: Node) -> bool:
    """yaml.v3's alias-bomb guard: aliases expanding to far more nodes than the document holds."""
    sizes: dict[int, int] = {}
    has_alias = False
    real = 0

    def expanded(node: Node) -> int:
        nonlocal has_alias, real
        if node.kind is Kind.ALIAS and node.alias is not None:
            has_alias = True
            target = node.alias
            cached = sizes.get(id(target))
            return cached if cached is not None else expanded(target)
        real += 1
        total = 1 + sum(expanded(child) for child in node.content)
        sizes[id(node)] = total
        return total

    total = expanded(document)
    return has_alias and total > 400_000 + 10 * real


@dataclass
class Settled:
    """A render that runs no function: files already in their written form are neither read as
    resources nor written back (``written_form``); ``paths`` collects them, root-relative."""

    paths: set[str] = field(default_factory=set)
    lines: Lines = field(default_factory=dict)  # written_form's reading of each distinct line


def local_resources(package: Package, docs: dict[int, SourceDoc], settled: Settled | None = None) -> list[Node]:
    resources: list[Node] = []
    for rel in resource_files(package.path):
        text = None
        if settled is not None and not rel.endswith(".json"):
            text = _read_text(package, rel)
            if in_written_form(text, settled.lines):
                settled.paths.add(f"{package.relative}/{rel}" if package.relative else rel)
                continue
        resources.extend(read_file_resources(package, rel, docs, text))
    return resources


def functionless(root: Package) -> bool:
    """Whether no package of the tree has a function in its pipeline (False when a subpackage cannot be
    read: the render then reports it as usual)."""
    stack = [root]
    while stack:
        package = stack.pop()
        if package.kptfile.has_pipeline:
            return False
        try:
            stack.extend(package.direct_subpackages())
        except RenderError:
            return False
    return True
