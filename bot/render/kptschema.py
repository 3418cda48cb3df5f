"""kpt's Kptfile Go structs as data: strict decoding (yaml.v3 KnownFields) and canonical re-encoding.

Decoding a Kptfile node against these structs does both jobs kpt does with Go types: it reports
unknown fields and type mismatches with yaml.v3's wording and line numbers, and it yields the
node tree ``yaml.Marshal`` would produce (struct field order, empty fields omitted, map keys sorted,
scalar styles reset so the emitter picks quoting).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.render.yaml.node import BOOL, INT, NULL, STR, Kind, Node, Style

# A field type: "str" | "int" | "bool" | "map" (map[string]string) | "any" | "[]T" | a struct name.
Field = tuple[str, str, bool]  # (yaml key, type, omitempty)

STRUCTS: dict[str, tuple[Field, ...]] = {
    "v1.KptFile": (("apiVersion", "str", True), ("kind", "str", True), ("metadata", "yaml.ObjectMeta", True),
                   ("upstream", "v1.Upstream", True), ("upstreamLock", "v1.UpstreamLock", True),
                   ("info", "v1.PackageInfo", True), ("pipeline", "v1.Pipeline", True),
                   ("inventory", "v1.Inventory", True), ("status", "v1.Status", True)),
    "yaml.ObjectMeta": (("name", "str", True), ("namespace", "str", True), ("labels", "map", True),
                        ("annotations", "map", True)),
    "v1.Upstream": (("type", "str", True), ("git", "v1.Git", True), ("updateStrategy", "str", True)),
    "v1.Git": (("repo", "str", True), ("directory", "str", True), ("ref", "str", True)),
    "v1.UpstreamLock": (("type", "str", True), ("git", "v1.GitLock", True)),
    "v1.GitLock": (("repo", "str", True), ("directory", "str", True), ("ref", "str", True),
                   ("commit", "str", True)),
    "v1.PackageInfo": (("site", "str", True), ("emails", "[]str", True), ("license", "str", True),
                       ("licenseFile", "str", True), ("description", "str", True),
                       ("keywords", "[]str", True), ("man", "str", True),
                       ("readinessGates", "[]v1.ReadinessGate", True)),
    "v1.ReadinessGate": (("conditionType", "str", True),),
    "v1.Pipeline": (("mutators", "[]v1.Function", True), ("validators", "[]v1.Function", True)),
    "v1.Function": (("image", "str", True), ("exec", "str", True), ("configPath", "str", True),
                    ("configMap", "map", True), ("name", "str", True), ("tag", "str", True),
                    ("selectors", "[]v1.Selector", True), ("exclude", "[]v1.Selector", True)),
    "v1.Selector": (("apiVersion", "str", True), ("kind", "str", True), ("name", "str", True),
                    ("namespace", "str", True), ("labels", "map", True), ("annotations", "map", True)),
    "v1.Inventory": (("namespace", "str", True), ("name", "str", True), ("inventoryID", "str", True),
                     ("labels", "map", True), ("annotations", "map", True)),
    "v1.Status": (("conditions", "[]v1.Condition", True), ("renderStatus", "any", True)),
    "v1.Condition": (("type", "str", True), ("status", "str", True), ("reason", "str", True),
                     ("message", "str", True)),
}


@dataclass
class UnmarshalIssue:
    line: int
    text: str


def _tag_name(node: Node) -> str:
    if node.kind is Kind.MAPPING:
        return "!!map"
    if node.kind is Kind.SEQUENCE:
        return "!!seq"
    return node.tag or STR


def _mismatch(node: Node, go_type: str, issues: list[UnmarshalIssue]) -> None:
    if node.kind is Kind.SCALAR:
        text = f"cannot unmarshal {_tag_name(node)} `{node.value}` into {go_type}"
    else:
        text = f"cannot unmarshal {_tag_name(node)} into {go_type}"
    issues.append(UnmarshalIssue(node.line, text))


def _go_type(type_name: str) -> str:
    if type_name == "str":
        return "string"
    if type_name == "map":
        return "map[string]string"
    if type_name.startswith("[]"):
        return "[]" + _go_type(type_name[2:])
    return type_name


def _deref(node: Node) -> Node:
    while node.kind is Kind.ALIAS and node.alias is not None:
        node = node.alias
    return node


def decode(node: Node, type_name: str, issues: list[UnmarshalIssue]) -> Node | None:
    """Canonical node for ``node`` read as ``type_name``; None for an empty (omitted) value."""
    node = _deref(node)
    if node.kind is Kind.SCALAR and node.tag == NULL:
        return None
    if type_name in ("str", "int", "bool"):
        if node.kind is not Kind.SCALAR:
            _mismatch(node, _go_type(type_name), issues)
            return None
        tag = {"str": STR, "int": INT, "bool": BOOL}[type_name]
        if type_name != "str" and node.tag != tag:
            _mismatch(node, _go_type(type_name), issues)
            return None
        return Node.scalar(node.value, tag=tag) if node.value or type_name != "str" else None
    if type_name == "any":
        return _canonical_any(node)
    if type_name == "map":
        return _decode_string_map(node, issues)
    if type_name.startswith("[]"):
        if node.kind is not Kind.SEQUENCE:
            _mismatch(node, _go_type(type_name), issues)
            return None
        seq = Node.sequence()
        for child in node.content:
            decoded = decode(child, type_name[2:], issues)
            seq.content.append(decoded if decoded is not None else _zero(type_name[2:]))
        return seq if seq.content else None
    return _decode_struct(node, type_name, issues)


def _zero(type_name: str) -> Node:
    if type_name == "str":
        return Node.scalar("")
    return Node.mapping(style=Style.FLOW)


def _decode_string_map(node: Node, issues: list[UnmarshalIssue]) -> Node | None:
    if node.kind is not Kind.MAPPING:
        _mismatch(node, "map[string]string", issues)
        return None
    values: dict[str, str] = {}
    for key, value in node.pairs():
        value = _deref(value)
        if value.kind is not Kind.SCALAR:
            _mismatch(value, "string", issues)
            continue
        values[key.value] = "" if value.tag == NULL else value.value
    if not values:
        return None
    result = Node.mapping()
    for name in sorted(values):
        result.content.append(Node.scalar(name))
        result.content.append(Node.scalar(values[name]))
    return result


def _decode_struct(node: Node, type_name: str, issues: list[UnmarshalIssue]) -> Node | None:
    if node.kind is not Kind.MAPPING:
        _mismatch(node, type_name, issues)
        return None
    fields = STRUCTS[type_name]
    known = {name: (ftype, omit) for name, ftype, omit in fields}
    decoded: dict[str, Node] = {}
    for key, value in node.pairs():
        spec = known.get(key.value)
        if spec is None:
            issues.append(UnmarshalIssue(key.line, f"field {key.value} not found in type {type_name}"))
            continue
        result = decode(value, spec[0], issues)
        if result is not None:
            decoded[key.value] = result
    out = Node.mapping()
    for name, _ftype, _omit in fields:
        if name in decoded:
            out.content.append(Node.scalar(name))
            out.content.append(decoded[name])
    return out if out.content else None


def _canonical_any(node: Node) -> Node:
    """What a Go ``map[string]interface{}`` round trip gives: keys sorted, styles reset."""
    node = _deref(node)
    if node.kind is Kind.MAPPING:
        out = Node.mapping()
        pairs = sorted(node.pairs(), key=lambda pair: pair[0].value)
        for key, value in pairs:
            out.content.append(Node.scalar(key.value))
            out.content.append(_canonical_any(value))
        return out
    if node.kind is Kind.SEQUENCE:
        seq = Node.sequence()
        seq.content = [_canonical_any(child) for child in node.content]
        return seq
    return Node.scalar(node.value, tag=node.tag or STR)


def format_issues(issues: list[UnmarshalIssue]) -> str:
    lines = "".join(f"\n  line {issue.line}: {issue.text}" for issue in issues)
    return f"yaml: unmarshal errors:{lines}"
