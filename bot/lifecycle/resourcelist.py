"""A package revision's resources as a ``config.kubernetes.io/v1`` ResourceList (``rpkg pull`` to stdout).

Read with the render engine's YAML layer so comments, key order and quoting survive, and annotated
with the path/index annotations kpt puts on ResourceList items.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from bot.errors import InvalidInput
from bot.lifecycle.gitaccess import Git
from bot.render import kpt_keys as keys
from bot.render.annotations import set_annotations_sorted
from bot.render.resourcelist import ResourceList
from bot.render.resourcelist_wire import encode_resource_list
from bot.render.yaml.errors import YAMLError
from bot.render.yaml.node import Kind, Node
from bot.render.yaml.parser import parse_documents


def _is_resource_file(path: str) -> bool:
    base = path.rsplit("/", 1)[-1]
    return base == "Kptfile" or base.endswith((".yaml", ".yml"))


METADATA_FILE = ".KptRevisionMetadata"
METADATA_KIND = "KptRevisionMetadata"
# Porch's namespace for PackageRevision UIDs (pkg/git/package.go): uid = uuid5(space, resource/ns/name).
_UID_SPACE = uuid.UUID("aac71d91-5c67-456f-8fd2-902ef6da820e")
_READER_ANNOTATIONS = (keys.INDEX, keys.PATH, keys.INTERNAL_INDEX, keys.INTERNAL_PATH)


def revision_uid(namespace: str, name: str) -> str:
    return str(uuid.uuid5(_UID_SPACE, f"packagerevisions.porch.kpt.dev/v1alpha1/{namespace.lower()}/{name.lower()}"))


def revision_metadata(name: str, namespace: str, version: str, unix_time: str) -> str:
    """The ``.KptRevisionMetadata`` document porchctl's pull writes (apiVersion empty, as porchctl's)."""
    created = datetime.fromtimestamp(int(unix_time or 0), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (f"apiVersion: \"\"\nkind: {METADATA_KIND}\nmetadata:\n  name: {name}\n  namespace: {namespace}\n"
            f"  uid: {revision_uid(namespace, name)}\n  resourceVersion: \"{version}\"\n"
            f"  creationTimestamp: \"{created}\"\n")


def _version_of(item: Node) -> str:
    metadata = item.get("metadata")
    version = metadata.get("resourceVersion") if metadata is not None and metadata.kind is Kind.MAPPING else None
    return str(version.value) if version is not None and version.value is not None else ""


def metadata_version(text: str) -> str:
    """The resourceVersion of a ``.KptRevisionMetadata`` file ('' when it has none)."""
    try:
        documents = parse_documents(text)
    except YAMLError as err:
        raise InvalidInput(f"{METADATA_FILE}: {err}") from None
    root = documents[0].content[0] if documents and documents[0].content else None
    return _version_of(root) if root is not None and root.kind is Kind.MAPPING else ""


def with_version(text: str, version: str) -> str:
    """The metadata file's text with its resourceVersion replaced (after a push moved the draft)."""
    lines = [f'  resourceVersion: "{version}"' if line.startswith("  resourceVersion:") else line
             for line in text.splitlines()]
    return "\n".join(lines) + "\n"


def split_metadata(text: str) -> tuple[ResourceList, str | None]:
    """A pushed ResourceList without its KptRevisionMetadata item, and that item's resourceVersion
    (None when there is no such item)."""
    from bot.render.resourcelist_wire import decode_resource_list

    resource_list = decode_resource_list(text, source="stdin")
    version: str | None = None
    kept = []
    for item in resource_list.items:
        kind = item.get("kind")
        if kind is not None and kind.value == METADATA_KIND:
            version = _version_of(item)
            continue
        kept.append(item)
    resource_list.items = kept
    return resource_list, version


def write_resources(stage: Path, resource_list: ResourceList) -> None:
    """Replace the resource files of the package in ``stage`` with the ResourceList's items."""
    from bot.render.writeback import write_to_dir

    for path in sorted(stage.rglob("*")):
        if path.is_file() and _is_resource_file(path.name):
            path.unlink()
    write_to_dir(stage, stage, resource_list.items, {})


def package_resource_list(git: Git, commit: str, package_path: str, metadata: str | None = None) -> str:
    """The package's resources as a ResourceList; ``metadata`` (a KptRevisionMetadata document) first."""
    resource_list = ResourceList(items=[])
    if metadata is not None:
        metadata_root = parse_documents(metadata)[0].content[0]
        set_annotations_sorted(metadata_root, {
            keys.INDEX: "0", keys.PATH: METADATA_FILE, keys.INTERNAL_INDEX: "0", keys.INTERNAL_PATH: METADATA_FILE,
        })
        resource_list.items.append(metadata_root)
    prefix = package_path + "/"
    for file_path in git.ls_tree_names(commit, package_path):
        relative = file_path[len(prefix):] if file_path.startswith(prefix) else file_path
        if not _is_resource_file(relative):
            continue
        text = git.show_file(commit, file_path) or ""
        try:
            documents = parse_documents(text)
        except YAMLError as err:
            raise InvalidInput(f"{relative}: {err}") from None
        for index, document in enumerate(documents):
            root = document.content[0] if document.content else None
            if root is None or root.kind is not Kind.MAPPING or root.get("kind") is None:
                continue
            if document.head_comment:  # a comment above the document belongs to its resource here
                root.head_comment = "\n".join(c for c in (document.head_comment, root.head_comment) if c)
            set_annotations_sorted(root, {
                keys.INDEX: str(index),
                keys.PATH: relative,
                keys.INTERNAL_INDEX: str(index),
                keys.INTERNAL_PATH: relative,
            })
            resource_list.items.append(root)
    return encode_resource_list(resource_list)
