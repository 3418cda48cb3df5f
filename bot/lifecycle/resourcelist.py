"""A package revision's resources as a ``config.kubernetes.io/v1`` ResourceList (``rpkg pull`` to stdout).

Read with the render engine's YAML layer so comments, key order and quoting survive, and annotated
with the path/index annotations kpt puts on ResourceList items.
"""

from __future__ import annotations

from bot.errors import InvalidInput
from bot.lifecycle.gitaccess import Git
from bot.render.annotations import set_annotations_sorted
from bot.render.resourcelist import ResourceList
from bot.render.wire import encode_resource_list
from bot.render.yaml.errors import YAMLError
from bot.render.yaml.node import Kind
from bot.render.yaml.parser import parse_documents


def _is_resource_file(path: str) -> bool:
    base = path.rsplit("/", 1)[-1]
    return base == "Kptfile" or base.endswith((".yaml", ".yml"))


def package_resource_list(git: Git, commit: str, package_path: str) -> str:
    resource_list = ResourceList(items=[])
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
                "config.kubernetes.io/index": str(index),
                "config.kubernetes.io/path": relative,
                "internal.config.kubernetes.io/index": str(index),
                "internal.config.kubernetes.io/path": relative,
            })
            resource_list.items.append(root)
    return encode_resource_list(resource_list)
