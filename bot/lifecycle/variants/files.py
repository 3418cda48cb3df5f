"""Reading a registered repository's variant files from git: every ``*.yaml``/``*.yml`` under its variants
folder (``variants/`` unless the repository's own ``.porchbot.yaml`` on its branch says
``variants: {directory: <path>}``), at one commit, in one ``git cat-file --batch``.

A document is a PackageVariant (v1alpha1), a PackageVariantSet (v1alpha2, expanded per target), or any
other KRM resource: those are the named in-repository resources the variants' injectors draw from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.variants.fields import VariantError
from bot.lifecycle.variants.sets import expand_set
from bot.lifecycle.variants.spec import GROUP, SET_API, VARIANT_API, PackageVariant, parse_variant

DEFAULT_DIRECTORY = "variants"
SETTINGS_FILE = ".porchbot.yaml"


@dataclass
class VariantFiles:
    owner: str
    commit: str | None
    directory: str
    variants: list[PackageVariant] = field(default_factory=list)
    resources: list[dict[str, Any]] = field(default_factory=list)  # for injectors
    errors: list[VariantError] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)


def variants_directory(settings_text: str | None) -> str:
    try:
        document = yaml.safe_load(settings_text or "") or {}
    except yaml.YAMLError:
        return DEFAULT_DIRECTORY
    entry = document.get("variants") if isinstance(document, dict) else None
    directory = entry.get("directory") if isinstance(entry, dict) else None
    return str(directory).strip("/") if isinstance(directory, str) and directory.strip("/") else DEFAULT_DIRECTORY


def parse_documents(owner: str, texts: Mapping[str, str], labels: Mapping[str, Mapping[str, str]],
                    commit: str | None = None, directory: str = DEFAULT_DIRECTORY) -> VariantFiles:
    """Parse the variant files ``texts`` (path → YAML) of repository ``owner``; ``labels``: every
    registered repository's labels (a set's selector reads them)."""
    found = VariantFiles(owner, commit, directory, paths=sorted(texts))
    for path in sorted(texts):
        file = f"{owner}:{path}"
        try:
            documents = [d for d in yaml.safe_load_all(texts[path]) if d is not None]
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            line = f"line {mark.line + 1}: " if mark is not None else ""
            found.errors.append(VariantError(file, "", f"{line}not valid YAML: {getattr(err, 'problem', err)}"))
            continue
        for index, document in enumerate(documents):
            where = file if len(documents) == 1 else f"{file}[{index}]"
            try:
                _add(found, document, where, owner, labels)
            except VariantError as err:
                found.errors.append(err)
    return found


def _add(found: VariantFiles, document: Any, file: str, owner: str,
         labels: Mapping[str, Mapping[str, str]]) -> None:
    if not isinstance(document, dict):
        raise VariantError(file, "", "a document must be a mapping (a KRM resource)")
    api, kind = str(document.get("apiVersion") or ""), str(document.get("kind") or "")
    if kind == "PackageVariant" and api.startswith(GROUP + "/"):
        if api != VARIANT_API:
            raise VariantError(file, "apiVersion", f"{api!r}: PackageVariant is {VARIANT_API}")
        found.variants.append(parse_variant(document, file, owner))
    elif kind == "PackageVariantSet" and api.startswith(GROUP + "/"):
        if api != SET_API:
            raise VariantError(file, "apiVersion", f"{api!r}: PackageVariantSet is {SET_API} "
                                                   "(v1alpha1 sets are not supported)")
        found.variants.extend(expand_set(document, file, owner, labels))
    elif not api or not kind or not isinstance(document.get("metadata"), dict) \
            or not document["metadata"].get("name"):
        raise VariantError(file, "", "not a KRM resource (apiVersion, kind and metadata.name are required)")
    else:
        found.resources.append({**document, "__file__": file})


def read_variant_files(cache: RepositoryCache, labels: Mapping[str, Mapping[str, str]],
                       commit: str | None = None) -> VariantFiles:
    """The variant files of the cached repository at ``commit`` (default: its branch tip)."""
    git = cache.git
    owner = cache.repository.name
    commit = commit or git.rev_parse(f"refs/heads/{cache.repository.branch}")
    if commit is None:
        return VariantFiles(owner, None, DEFAULT_DIRECTORY)
    directory = variants_directory(git.show_file(commit, SETTINGS_FILE))
    names = [n for n in git.ls_tree_names(commit, directory) if n.endswith((".yaml", ".yml"))
             and n.startswith(directory + "/")]
    blobs = git.read_objects([f"{commit}:{name}" for name in names])
    texts = {name: blob.decode(errors="replace") for name, blob in zip(names, blobs, strict=True) if blob is not None}
    return parse_documents(owner, texts, labels, commit, directory)


def folder_tree(cache: RepositoryCache, commit: str | None) -> str | None:
    """The variants folder's tree id at ``commit`` (None: no folder), to tell whether a branch changes it."""
    if commit is None:
        return None
    directory = variants_directory(cache.git.show_file(commit, SETTINGS_FILE))
    return cache.git.rev_parse(f"{commit}:{directory}")
