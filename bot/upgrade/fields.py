"""Field and key primitives shared by the map walker (merge3.py) and the list merge (lists.py)."""

from __future__ import annotations

from bot.errors import PorchbotError
from bot.render.yaml.node import Kind, Node, Style
from bot.upgrade.values import STR, tagged_null, yaml11_non_string


class MergeError(PorchbotError):
    """The three versions cannot be merged (kyaml's wording where it has one)."""


def set_field(dest: Node, name: str, value: Node | None, key: Node | None, key_style: Style) -> None:
    """kyaml's FieldSetter: replace (keeping the old value's style), append, or clear a field."""
    if value is not None and value.kind is Kind.SCALAR and value.tag == STR and value.style == Style.NONE \
            and yaml11_non_string(value.value):
        value.style = Style.DOUBLE_QUOTED
    content = dest.content
    index = next((i for i in range(0, len(content) - 1, 2) if content[i].value == name), -1)
    if value is None or tagged_null(value):
        if index >= 0:
            del content[index:index + 2]
        return
    if index >= 0:
        existing = content[index + 1]
        if existing is not value:
            value.style = existing.style
            content[index + 1] = value
        return
    new_key = Node(Kind.SCALAR, tag="", value=name, style=key_style)
    if key is not None:
        new_key.head_comment, new_key.line_comment, new_key.foot_comment = (
            key.head_comment, key.line_comment, key.foot_comment)
    content.append(new_key)
    content.append(value)


def associative_key(node: Node) -> str:
    """kyaml's inferred key: ``name`` when every element has it (an empty list counts)."""
    for element in node.content:
        if element.kind is not Kind.MAPPING or "name" not in element.keys():
            return ""
    return "name"
