"""The kustomize pieces that set-annotations and set-labels v0.1.x run: FieldSpecs and SetEntry.

kustomize's fieldspec filter walks ``a/b[]/c`` paths through mappings (creating missing maps when
the spec says ``create``) and through every element of any sequence it meets; at the end it
calls a setter on the node found. ``set_entry`` is kyaml's FieldSetter with a string value: an
existing value node is overwritten in place (kpt puts its comments back), a new key goes last,
and a value a YAML 1.1 parser would not read as a string is double-quoted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.render.functions import _common as c
from bot.render.functions._replacement_paths import split_outside_brackets
from bot.render.yaml.node import MAP, NULL, STR, Kind, Node, Style

# setter(node found at the end of the path, its field path)
Setter = Callable[[Node, list[str]], None]


class KustomizeError(Exception):
    pass


@dataclass(frozen=True)
class FieldSpec:
    path: str
    group: str = ""
    version: str = ""
    kind: str = ""
    create: bool = False

    def matches(self, item: Node) -> bool:
        item_group, item_version = c.split_group_version(c.api_version(item))
        if self.kind and self.kind != c.kind(item):
            return False
        if self.group and self.group != item_group:
            return False
        return not (self.version and self.version != item_version)


def field_spec_from_node(node: Node) -> FieldSpec:
    def text(key: str) -> str:
        return c.scalar_str(node.get(key)) if node.kind is Kind.MAPPING else ""

    create_node = node.get("create") if node.kind is Kind.MAPPING else None
    create = create_node is not None and create_node.value.lower() == "true"
    return FieldSpec(path=text("path"), group=text("group"), version=text("version"), kind=text("kind"),
                     create=create)


def split_path(path: str) -> list[str]:
    """kustomize's PathSplitter: "/" separates fields; a bracketed part may hold a "/"."""
    return split_outside_brackets(path, "/")


def apply_field_spec(item: Node, spec: FieldSpec, setter: Setter) -> None:
    if not spec.matches(item):
        return
    try:
        _walk(item, split_path(spec.path), spec.create, setter, [])
    except KustomizeError as err:
        raise KustomizeError(f"considering field '{spec.path}' of object {res_id(item)}: {err}") from err


def _walk(node: Node, path: list[str], create: bool, setter: Setter, field_path: list[str]) -> None:
    if not path:
        setter(node, field_path)
        return
    if node.kind is Kind.SCALAR and node.tag == NULL:
        return
    if node.kind is Kind.ALIAS and node.alias is not None:
        _walk(node.alias, path, create, setter, field_path)
        return
    if node.kind is Kind.SEQUENCE:
        for element in node.content:
            _walk(element, path, create, setter, field_path)
        return
    if node.kind is not Kind.MAPPING:
        raise KustomizeError("expected sequence or mapping node")
    name = path[0]
    is_seq = name.endswith("[]")
    if is_seq:
        name = name[:-2]
    child = node.get(name)
    if child is None:
        if not create or is_seq:
            return
        child = node.set(name, Node(Kind.MAPPING, tag=MAP))
    elif child.kind is Kind.SCALAR and child.tag == NULL and (create or is_seq):
        # kustomize turns an explicit null into the kind it expected to find
        child.kind = Kind.SEQUENCE if is_seq else Kind.MAPPING
        child.tag = "!!seq" if is_seq else MAP
        child.value = ""
    _walk(child, path[1:], create, setter, [*field_path, name])


def set_entry(mapping: Node, key: str, value: str) -> None:
    """kyaml's FieldSetter with a string scalar; the mapping must be a mapping node."""
    if mapping.kind is not Kind.MAPPING:
        raise KustomizeError(f"wrong node kind: expected MappingNode but got {_kind_name(mapping)}")
    style = Style.DOUBLE_QUOTED if c.is_yaml11_non_string(value) else Style.NONE
    existing = mapping.get(key)
    if existing is not None:
        existing.kind, existing.tag, existing.value, existing.style = Kind.SCALAR, STR, value, style
        existing.content = []
        existing.anchor = ""
        existing.alias = None
        return
    mapping.content.append(Node.scalar(key, STR))
    mapping.content.append(Node.scalar(value, STR, style))


def _kind_name(node: Node) -> str:
    return {Kind.SCALAR: "ScalarNode", Kind.SEQUENCE: "SequenceNode", Kind.MAPPING: "MappingNode",
            Kind.DOCUMENT: "DocumentNode", Kind.ALIAS: "AliasNode"}[node.kind]


def res_id(item: Node) -> str:
    """kustomize's ResId.String(): ``Kind.version.group/name.namespace`` with placeholders."""
    item_group, item_version = c.split_group_version(c.api_version(item))
    gvk = ".".join([c.kind(item) or "[noKind]", item_version or "[noVer]", item_group or "[noGrp]"])
    return f"{gvk}/{c.name(item) or '[noName]'}.{c.namespace(item) or '[noNs]'}"


def _go_map(node: Node | None) -> str:
    pairs = sorted((k.value, v.value) for k, v in node.pairs()) if node is not None and node.kind is Kind.MAPPING else []
    return "map[" + " ".join(f"{k}:{v}" for k, v in pairs) + "]"


def _go_meta(item: Node) -> str:
    """Go's %v of a kyaml ResourceMeta, as kustomize's metadata errors print it."""
    labels = item.path("metadata", "labels")
    annotations = item.path("metadata", "annotations")
    return (f"{{{{{c.api_version(item)} {c.kind(item)}}} {{{{{c.name(item)} {c.namespace(item)}}} "
            f"{_go_map(labels)} {_go_map(annotations)}}}}}")


def validate_metadata(item: Node) -> None:
    """kyaml's GetValidatedMetadata, which kustomize runs on every item it loads."""
    present = any(item.get(key) is not None and not _nil_or_empty(item.get(key))
                  for key in ("apiVersion", "kind", "metadata"))
    if not present:
        raise KustomizeError("missing Resource metadata")
    if not c.kind(item):
        raise KustomizeError(f"missing kind in object {_go_meta(item)}")
    if not c.kind(item).endswith("List") and not c.name(item):
        raise KustomizeError(f"missing metadata.name in object {_go_meta(item)}")


def _nil_or_empty(node: Node | None) -> bool:
    if node is None or node.is_null():
        return True
    return node.kind in (Kind.MAPPING, Kind.SEQUENCE) and not node.content


def check_resmap(items: list[Node]) -> None:
    """What building a kustomize ResMap rejects: items without metadata, a second resource with one id."""
    seen: set[tuple[str, str, str, str]] = set()
    for item in items:
        if item.kind is Kind.MAPPING and not item.content:
            continue
        validate_metadata(item)
        ns = c.namespace(item) or c.DEFAULT_NAMESPACE
        key = (c.api_version(item), c.kind(item), c.name(item), ns)
        if key in seen:
            raise KustomizeError(f"may not add resource with an already registered id: {res_id(item)}")
        seen.add(key)


def annotation_field_specs() -> list[FieldSpec]:
    """kustomize's default ``commonAnnotations`` field specs."""
    template = "spec/template/metadata/annotations"
    return [
        FieldSpec("metadata/annotations", create=True),
        FieldSpec(template, version="v1", kind="ReplicationController", create=True),
        FieldSpec(template, kind="Deployment", create=True),
        FieldSpec(template, kind="ReplicaSet", create=True),
        FieldSpec(template, kind="DaemonSet", create=True),
        FieldSpec(template, kind="StatefulSet", create=True),
        FieldSpec(template, group="batch", kind="Job", create=True),
        FieldSpec("spec/jobTemplate/metadata/annotations", group="batch", kind="CronJob", create=True),
        FieldSpec("spec/jobTemplate/spec/template/metadata/annotations", group="batch", kind="CronJob",
                  create=True),
    ]
