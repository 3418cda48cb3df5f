"""Element-wise merge of associative lists, with kyaml's ordering quirks.

kyaml collects the key values of every element of dest, origin and updated (in that order, without
repeats), merges the three versions of each element as a map, and then writes the merged elements
back: with one key, an element replaces the downstream element with the same key where it stands and
a new element is appended; with several keys (``containerPort`` + ``protocol``) every merged element
is removed and appended again. A new element gets its fields in sorted order. Lists of scalars with a
merge strategy (``finalizers``) are merged the same way on the scalar values.
"""

from __future__ import annotations

from typing import Protocol

from bot.render.yaml.node import Kind, Node
from bot.upgrade import schema as schemas
from bot.upgrade.fields import MergeError, associative_key, set_field
from bot.upgrade.values import empty_map, missing_or_null, plain_scalar

Values = list[str]
Sources = list[Node | None]


class Walker(Protocol):
    """The map walker of merge3.py, which merges each element."""

    def walk(self, sources: Sources, schema: schemas.Schema | None, path: list[str]) -> Node | None: ...


def walk_associative(walker: Walker, sources: Sources, schema: schemas.Schema | None,
                     path: list[str]) -> Node | None:
    dest, origin, updated = sources
    if missing_or_null(updated) and not missing_or_null(origin):
        return None  # deleted upstream
    if missing_or_null(dest):
        dest = Node(Kind.SEQUENCE, tag="")
    assert dest is not None
    sources = [dest, origin, updated]
    strategy, keys = schemas.strategy_and_keys(schema) if schema is not None else ("", [])
    if not strategy and not keys:
        key = _element_key(sources, path)
        if key:
            keys = [key]
    values = _element_values(sources, keys)
    if values or keys:
        return _set_elements(walker, sources, schema, path, values, keys, dest)
    return _set_elements(walker, sources, schema, path, _primitive_values(sources), [""], dest)


def _element_key(sources: Sources, path: list[str]) -> str:
    key = ""
    for source in sources:
        if source is not None and source.content:
            new_key = associative_key(source)
            if key and key != new_key:
                raise MergeError(f"conflicting merge keys [{key},{new_key}] for field {'.'.join(path)}")
            key = new_key
    if not key:
        raise MergeError(f"no merge key found for field {'.'.join(path)}")
    return key


def _element_values(sources: Sources, keys: list[str]) -> list[Values]:
    seen: set[tuple[str, ...]] = set()
    result: list[Values] = []
    for source in sources:
        if source is None or source.kind is not Kind.SEQUENCE:
            continue
        for element in source.content:
            values = [_key_value(element, key) for key in keys]
            if not values or tuple(values) in seen:
                continue
            seen.add(tuple(values))
            result.append(values)
    return result


def _key_value(element: Node, key: str) -> str:
    value = element.get(key) if element.kind is Kind.MAPPING else None
    if value is None or value.tag == "!!null" or (value.kind is not Kind.SCALAR and not value.content):
        return ""
    return value.value


def _primitive_values(sources: Sources) -> list[Values]:
    seen: set[str] = set()
    result: list[Values] = []
    for source in sources:
        if source is None:
            continue
        for item in source.content:
            if item.value not in seen:
                seen.add(item.value)
                result.append([item.value])
    return result


def _valid(values_list: list[Values], values: Values, keys: list[str]) -> tuple[list[str], Values]:
    """Drop the keys no element has a value for (kyaml's validateKeys)."""
    present = {keys[i] for vs in values_list for i, v in enumerate(vs) if v != ""}
    if not present:
        return keys, values
    return [k for k in keys if k in present], [v for i, v in enumerate(values) if keys[i] in present]


def _merge_values(values_list: list[Values]) -> None:
    """Complete partial key tuples that share a value with another tuple (in place, as kyaml does)."""
    for i in range(len(values_list)):
        first = values_list[i]
        for j in range(len(values_list)):
            matched, merged = _match(first, values_list[j])
            if matched:
                values_list[i] = merged
                values_list[j] = merged


def _match(one: Values, two: Values) -> tuple[bool, Values]:
    if len(one) != len(two):
        return False, []
    common, merged = False, []
    for a, b in zip(one, two, strict=True):
        if a == b:
            common = True
            merged.append(a)
        elif a and b:
            return False, []
        else:
            merged.append(a or b)
    return common, merged


def _set_elements(walker: Walker, sources: Sources, schema: schemas.Schema | None, path: list[str],
                  values_list: list[Values], keys: list[str], dest: Node) -> Node | None:
    to_add = Node(Kind.SEQUENCE, tag="")
    element_schema = schemas.elements(schema) if schema is not None else None
    if len(keys) > 1:
        _merge_values(values_list)
    valid_keys: list[str] = []
    valid_values: Values = []
    for values in values_list:
        if not values:
            continue
        valid_keys, valid_values = _valid(values_list, values, keys)
        element_sources = [_find(source, *_valid([valid_values], valid_values, valid_keys))
                           for source in sources]
        label = ",".join(f"{k}={v}" if k else v for k, v in zip(valid_keys, valid_values, strict=True))
        value = walker.walk(element_sources, element_schema, [*path, f"[{label}]"])
        removed = False
        for i, key in enumerate(valid_keys):
            if missing_or_null(value) or empty_map(value):
                set_element(dest, None, valid_keys, valid_values)
                removed = True
            elif value is not None and _get(value, key) is None and valid_values[i] != "":
                if key == "":
                    value.kind, value.tag, value.value = Kind.SCALAR, "", valid_values[i]
                    value.head_comment = value.line_comment = value.foot_comment = ""
                    value.content = []
                else:
                    set_field(value, key, plain_scalar(valid_values[i]), None, 0)  # type: ignore[arg-type]
        if removed:
            continue
        set_element(to_add, value, valid_keys, valid_values)
    if values_list:
        dest = _append_list(dest, to_add, valid_keys)
    return None if missing_or_null(dest) else dest


def _get(node: Node, key: str) -> Node | None:
    if key == "" or node.kind is not Kind.MAPPING:
        return None
    return node.get(key)


def _find(source: Node | None, keys: list[str], values: Values) -> Node | None:
    """kyaml's ElementList: the first element whose keys hold exactly these values."""
    if source is None or source.kind is not Kind.SEQUENCE:
        return None
    if not keys or not keys[0]:
        wanted = values[0] if values else ""
        return next((item for item in source.content if item.value == wanted), None)
    for element in source.content:
        if element.kind is not Kind.MAPPING:
            continue
        if all((field := element.get(k)) is not None and field.value == v for k, v in zip(keys, values, strict=True)):
            return element
    return None


def _field_matches(element: Node, key: str, value: str) -> bool:
    """kyaml's FieldMatcher with a string value: an empty value only asks for the field to exist."""
    if key == "":
        if element.kind is not Kind.SCALAR:
            raise MergeError("wrong node kind: expected ScalarNode but got " + element.kind.name.capitalize() + "Node")
        return element.value == value
    if element.kind is not Kind.MAPPING:
        raise MergeError("wrong node kind: expected MappingNode but got " + element.kind.name.capitalize() + "Node")
    found = element.get(key)
    return found is not None and (value == "" or found.value == value)


def set_element(seq: Node, element: Node | None, keys: list[str], values: Values) -> None:
    """kyaml's ElementSetter: replace every matching element (or remove them), else append."""
    keys = keys or [""]
    mapping_setter = bool(keys[0]) and bool(values) and values[0] != ""
    kept: list[Node] = []
    matched = False
    for item in seq.content:
        if missing_or_null(item) or empty_map(item):
            continue
        if item.kind is not Kind.MAPPING and mapping_setter:
            kept.append(item)
            continue
        found = True
        for j, key in enumerate(keys):
            if j < len(values) and not _field_matches(item, key, values[j]):
                found = False
                break
        if not found:
            if values:
                kept.append(item)
            continue
        matched = True
        if element is not None:
            kept.append(element)
    seq.content = kept
    if missing_or_null(element):
        return
    if not matched:
        seq.content.append(element)  # type: ignore[arg-type]


def _append_list(dest: Node, items: Node, keys: list[str]) -> Node:
    for element in items.content:
        if not keys or keys[0] == "":
            set_element(dest, element, [""], [element.value])
            continue
        values: Values = []
        for key in keys:
            found = element.get(key) if element.kind is Kind.MAPPING else None
            if found is None:
                dest.content.append(element)
                continue
            values.append(found.value)
        if len(keys) > 1:
            set_element(dest, None, keys, values)
        set_element(dest, element, keys, values)
    return dest
