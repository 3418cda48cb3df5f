"""Resource identity for the merge, and the ``# kpt-merge:`` comments kpt writes to keep it.

kpt matches a downstream resource with its upstream versions by API group (not version), kind,
namespace, name and file. Namespace and name come from a ``# kpt-merge: <namespace>/<name>`` line
comment on ``metadata:`` when there is one, so a downstream rename keeps the match. Before merging,
and again on the result, kpt adds that comment and an ``internal.kpt.dev/upstream-identifier``
annotation to every resource with a name, namespace or labels (addmergecomment).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.render.yaml.node import Kind, Node, Style
from bot.upgrade.fields import MergeError

MERGE_PREFIX = "kpt-merge:"
UPSTREAM_IDENTIFIER = "internal.kpt.dev/upstream-identifier"
_NOT_A_NAMESPACE = "~X"  # kustomize's placeholder namespace, written as ~C in the identifier


@dataclass(frozen=True)
class Identity:
    group: str
    kind: str
    namespace: str
    name: str
    path: str

    def label(self) -> str:
        return f"{self.group}/{self.kind} {self.namespace}/{self.name}"


def group_of(api_version: str) -> str:
    return api_version.split("/", 1)[0] if "/" in api_version else ""


def merge_comment(comment: str) -> tuple[str, str] | None:
    """(namespace, name) from a ``# kpt-merge: ns/name`` comment, None when it is not one."""
    text = comment.lstrip("#").strip()
    if not text.startswith(MERGE_PREFIX):
        return None
    parts = text[len(MERGE_PREFIX):].strip().split("/", 1)
    return (parts[0], parts[1]) if len(parts) == 2 else None


def _str(node: Node | None, key: str) -> str:
    value = node.get(key) if node is not None and node.kind is Kind.MAPPING else None
    return value.value if value is not None and value.kind is Kind.SCALAR and value.tag != "!!null" else ""


def metadata_key(root: Node) -> Node | None:
    if root.kind is not Kind.MAPPING:
        return None
    return root.key_node("metadata")


def identity(root: Node, path: str) -> Identity | None:
    """None for a document kpt cannot read the metadata of (it then matches nothing)."""
    if root.kind is not Kind.MAPPING:
        return None
    metadata = root.get("metadata")
    if metadata is not None and metadata.kind is not Kind.MAPPING and metadata.tag != "!!null":
        return None
    key = metadata_key(root)
    from_comment = merge_comment(key.line_comment) if key is not None else None
    namespace, name = from_comment or (_str(metadata, "namespace"), _str(metadata, "name"))
    return Identity(group_of(_str(root, "apiVersion")), _str(root, "kind"), namespace, name, path)


def add_merge_comment(root: Node) -> None:
    """addmergecomment's filter for one resource (in place)."""
    if root.kind is not Kind.MAPPING:
        return
    metadata = root.get("metadata")
    if metadata is not None and metadata.kind is not Kind.MAPPING:
        return
    name, namespace = _str(metadata, "name"), _str(metadata, "namespace")
    labels = metadata.get("labels") if metadata is not None else None
    has_labels = labels is not None and labels.kind is Kind.MAPPING and bool(labels.content)
    if not name and not namespace and not has_labels:
        return
    key = metadata_key(root)
    assert key is not None
    if MERGE_PREFIX not in key.line_comment:
        key.line_comment = f"# {MERGE_PREFIX} {namespace}/{name}"
    if MERGE_PREFIX in key.line_comment:
        parsed = merge_comment(key.line_comment)
        if parsed is None:
            raise MergeError(f"invalid merge comment {key.line_comment.lstrip('#').strip()!r} on "
                             f"{_str(root, 'kind')} {name!r}: expected '{MERGE_PREFIX} <namespace>/<name>'")
        namespace, name = parsed
    if not namespace:
        namespace = "default"
    elif _str(metadata, "namespace") == _NOT_A_NAMESPACE:
        namespace = "~C"
    value = f"{group_of(_str(root, 'apiVersion'))}|{_str(root, 'kind')}|{namespace}|{name}"
    set_annotation(root, UPSTREAM_IDENTIFIER, value)


def clear_empty_annotations(root: Node) -> None:
    """kyaml drops an ``annotations`` (then a ``metadata``) without content before writing."""
    metadata = root.get("metadata")
    if metadata is not None and metadata.kind is Kind.MAPPING:
        _clear_if_empty(metadata, "annotations")
    _clear_if_empty(root, "metadata")


def _clear_if_empty(mapping: Node, key: str) -> None:
    content = mapping.content
    for i in range(0, len(content) - 1, 2):
        if content[i].value == key:
            if not content[i + 1].content:
                del content[i:i + 2]
            return


def set_annotation(root: Node, key: str, value: str) -> None:
    clear_empty_annotations(root)
    metadata = _child_map(root, "metadata")
    annotations = _child_map(metadata, "annotations")
    new = Node(Kind.SCALAR, tag="!!str", value=value, style=Style.SINGLE_QUOTED)
    content = annotations.content
    for i in range(0, len(content) - 1, 2):
        if content[i].value == key:
            new.style = content[i + 1].style
            content[i + 1] = new
            return
    content.append(Node(Kind.SCALAR, tag="", value=key))
    content.append(new)


def _child_map(parent: Node, key: str) -> Node:
    found = parent.get(key)
    if found is None:
        found = Node(Kind.MAPPING, tag="")
        parent.content.append(Node(Kind.SCALAR, tag="", value=key))
        parent.content.append(found)
    return found


RESERVED_ANNOTATIONS = frozenset({
    "config.kubernetes.io/path", "config.kubernetes.io/index", "config.kubernetes.io/merge-source",
    "internal.config.kubernetes.io/path", "internal.config.kubernetes.io/index",
    "internal.config.kubernetes.io/seqindent",
})


def strip_reserved(root: Node) -> None:
    """The kio annotations kpt's reader sets and its writer clears never survive a round trip."""
    if root.kind is not Kind.MAPPING:
        return
    metadata = root.get("metadata")
    annotations = metadata.get("annotations") if metadata is not None else None
    if annotations is None or annotations.kind is not Kind.MAPPING:
        return
    content = annotations.content
    annotations.content = [item for i in range(0, len(content) - 1, 2)
                           if content[i].value not in RESERVED_ANNOTATIONS for item in content[i:i + 2]]
