"""Resource-level three-way merge of one package (kpt's Merge3 with its resource handler).

Resources are grouped by identity (``identity.py``) into (downstream, old upstream, new upstream)
tuples, in the order they are first seen: downstream files first, then old, then new upstream. Then:

* only downstream -> kept; only new upstream -> added (in the file upstream names);
* deleted on both sides, or deleted downstream -> gone;
* deleted upstream -> removed if the downstream copy equals the old upstream one, else kept;
* otherwise the three versions are merged field by field (``merge3.py``).

Each output file is written with its resources sorted by their position in the file they came from;
kio's index and sequence-indent annotations take part in the merge like any field, so a merged resource
takes upstream's position only when upstream moved it. Documents are parsed only when needed
(``fastlane.py`` recognises the untouched ones from their text), plain ones without the YAML parser
(``fastparse.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.render.yaml import emit_documents, read_file_documents, split_documents
from bot.render.yaml.emitter import emit_node
from bot.render.yaml.errors import YAMLError
from bot.render.yaml.seqindent import WIDE, detect_seq_indent
from bot.upgrade import fastlane, fastparse
from bot.upgrade import identity as ids
from bot.upgrade.conflicts import Conflict, ConflictKind, ConflictLog
from bot.upgrade.locate import locate
from bot.upgrade.merge3 import MergeError, merge_resource
from bot.upgrade.package_io import PackageReadError, Resource, is_yaml, subpackage_dirs, walk_files

_KEY_LINE = re.compile(r"^[A-Za-z]")
_SOURCE_NAMES = {"dest": "local", "origin": "original upstream", "updated": "updated upstream"}


@dataclass
class Doc:
    path: str
    index: int
    text: str | None  # the document's text while it is not parsed
    parsed: Resource | None = None
    key: ids.Identity | None = None
    package: Path | None = None  # for error messages

    def resource(self) -> Resource:
        if self.parsed is None:
            assert self.text is not None
            built = fastparse.document(self.text) if fastlane.enabled() else None
            try:
                doc, wide = (built, detect_seq_indent(self.text) == WIDE) if built is not None \
                    else read_file_documents(self.text)[0]
            except YAMLError as err:
                raise PackageReadError(f"{(self.package or Path()) / self.path}: {err}") from err
            ids.strip_reserved(doc.content[0])
            self.parsed = Resource(doc, self.path, self.index, wide)
        return self.parsed


def read_docs(package: Path, exclusions: list[str] = (),  # type: ignore[assignment]
              texts: dict[str, str] | None = None) -> list[Doc]:
    """The documents of a package's files; ``texts`` receives each file's text when given."""
    if not package.is_dir():
        return []
    docs: list[Doc] = []
    for rel in walk_files(package):
        if not is_yaml(rel) or any(rel.startswith(prefix) for prefix in exclusions):
            continue
        try:
            text = (package / rel).read_text(encoding="utf-8")
            if texts is not None:
                texts[rel] = text
            pieces = split_documents(text)
        except (OSError, UnicodeDecodeError, YAMLError) as err:
            raise PackageReadError(f"{package / rel}: {err}") from err
        index = 0
        for piece in pieces:
            key = None
            if fastlane.enabled() and _KEY_LINE.match(piece) and "config.kubernetes.io/" not in piece:
                key = fastlane.quick_identity(piece, rel)
            if key is not None:
                docs.append(Doc(rel, index, piece, key=key, package=package))
                index += 1
                continue
            try:
                parsed = read_file_documents(piece)
            except YAMLError as err:
                raise PackageReadError(f"{package / rel}: {err}") from err
            for doc, wide in parsed:
                ids.strip_reserved(doc.content[0])
                ids.add_merge_comment(doc.content[0])
                docs.append(Doc(rel, index, None, Resource(doc, rel, index, wide),
                                ids.identity(doc.content[0], rel)))
                index += 1
    return docs


@dataclass
class _Tuple:
    dest: Doc | None = None
    origin: Doc | None = None
    updated: Doc | None = None


def _group(sources: dict[str, list[Doc]]) -> list[_Tuple]:
    tuples: list[_Tuple] = []
    index: dict[ids.Identity, _Tuple] = {}
    for source in ("dest", "origin", "updated"):
        for doc in sources[source]:
            found = index.get(doc.key) if doc.key is not None else None
            if found is None:
                found = _Tuple()
                tuples.append(found)
                if doc.key is not None:
                    index[doc.key] = found
            if getattr(found, source) is not None:
                raise MergeError(f'found duplicate "{_SOURCE_NAMES[source]}" resources in file '
                                 f'"{doc.path}", please refer to "update" documentation for the fix')
            setattr(found, source, doc)
    return tuples


def _parsed(doc: Doc) -> Resource:
    resource = doc.resource()
    ids.add_merge_comment(resource.root)
    return resource


def _untouched(dest: Doc, origin: Doc) -> bool:
    """The downstream text is the old upstream's plus kpt's additions, and merging keeps it as it is."""
    return (dest.text is not None and origin.text is not None and fastlane.strip_additions(dest.text) == origin.text
            and fastlane.stable(dest.text))


def _same(origin: Doc, dest: Doc) -> bool:
    """kpt's equality for "unchanged downstream": the text, kio annotations aside (seqindent counts)."""
    if _untouched(dest, origin):
        return True
    one, two = _parsed(origin), _parsed(dest)
    return one.wide == two.wide and emit_node(one.root) == emit_node(two.root)


def _merge(entry: _Tuple, label: str, conflicts: dict[int, list[Conflict]], prefix: str) -> Doc | None:
    d, o, u = entry.dest, entry.origin, entry.updated
    assert d is not None and u is not None
    if o is not None and u.text is not None and u.text == o.text and _untouched(d, o):
        d.index = d.index if u.index == o.index else u.index
        return d
    if o is not None and o.text is not None and o.text == u.text and o.parsed is None:
        o.parsed = u.parsed = u.resource()  # identical upstream copies: the merge never moves them
    dest, updated = _parsed(d), _parsed(u)
    origin = _parsed(o) if o is not None else None
    log = ConflictLog(file=prefix + d.path, resource=label)
    if origin is None:
        log.resource_conflict(ConflictKind.ADDED_BOTH)
    merged = merge_resource(dest.root, origin.root if origin is not None else None, updated.root, log)  # type: ignore[arg-type]
    if log.items:
        conflicts[id(d)] = log.items
    if merged is None:
        return None
    dest.doc.content[0] = merged
    moved = origin is None or updated.index != origin.index
    d.index = updated.index if moved else d.index
    dest.wide = updated.wide if (origin is None or updated.wide != origin.wide) else dest.wide
    d.text = None
    return d


def merge_resources(local: Path, origin: Path, updated: Path, prefix: str = "") -> tuple[list[Conflict], set[Path]]:
    """Merge the resources of one package in place under ``local``.

    Returns the conflicts seen and the files written (already in kpt's final form).
    """
    exclusions = subpackage_dirs(local)
    before: dict[str, str] = {}
    sources = {"dest": read_docs(local, texts=before), "origin": read_docs(origin, exclusions),
               "updated": read_docs(updated, exclusions)}
    previous_files = {doc.path for doc in sources["dest"]}
    conflicts: dict[int, list[Conflict]] = {}  # by id() of the output document
    output: list[Doc] = []
    for entry in _group(sources):
        d, o, u = entry.dest, entry.origin, entry.updated
        key = next(x.key for x in (d, o, u) if x is not None)
        label = key.label() if key is not None else ""
        if o is None and u is None:
            output.append(d)  # type: ignore[arg-type]
        elif o is None and d is None:
            _parsed(u)  # type: ignore[arg-type]
            u.text = None  # type: ignore[union-attr]
            output.append(u)  # type: ignore[arg-type]
        elif d is None or (u is None and o is not None and _same(o, d)):
            continue
        elif u is None:
            conflicts[id(d)] = [Conflict(ConflictKind.KEPT, prefix + d.path, label)]
            output.append(d)
        else:
            merged = _merge(entry, label, conflicts, prefix)
            if merged is not None:
                output.append(merged)
    if not output:  # kio's pipeline writes nothing (and deletes nothing) for an empty result
        return [c for doc_conflicts in conflicts.values() for c in doc_conflicts], set()
    written, texts = _write(local, output, previous_files, before)
    located: list[Conflict] = []
    placed: set[int] = set()
    for text, group in texts.values():
        by_doc = {i: conflicts[id(doc)] for i, doc in enumerate(group) if id(doc) in conflicts}
        placed.update(id(doc) for doc in group)
        if by_doc:
            for items in locate(text, by_doc).values():
                located.extend(items)
    located.extend(c for key, items in conflicts.items() if key not in placed for c in items)
    return located, written


def _text(doc: Doc) -> str:
    if doc.text is not None and fastlane.stable(doc.text):
        return doc.text
    resource = _parsed(doc)
    ids.clear_empty_annotations(resource.root)
    return emit_documents([(resource.doc, resource.wide)])


def _write(package: Path, docs: list[Doc], previous_files: set[str],
           before: dict[str, str]) -> tuple[set[Path], dict[str, tuple[str, list[Doc]]]]:
    """Write each file (documents by index); returns the files and each file's (text, documents)."""
    by_file: dict[str, list[Doc]] = {}
    for doc in docs:
        by_file.setdefault(doc.path, []).append(doc)
    written: set[Path] = set()
    texts: dict[str, tuple[str, list[Doc]]] = {}
    for rel, group in by_file.items():
        group.sort(key=lambda doc: doc.index)
        target = package / rel
        text = "---\n".join(_text(doc) for doc in group)
        if before.get(rel) != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        written.add(target)
        texts[rel] = (text, group)
    for rel in previous_files - set(by_file):
        (package / rel).unlink(missing_ok=True)
    return written, texts
