"""What the legacy kyaml-framework catalog functions share (search-replace, apply-setters, create-setters).

Those functions walk every field of every item with the same visitor (mapping first, then each field
value; sequences by index), read their settings from the config's ``data`` map, report results in a
``{name, items}`` block with no severity, and on error print the message twice (``command.Build``
prints it, then ``main`` prints it again with a newline) before exiting 1.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from bot.render import kpt_keys as keys
from bot.render.resourcelist import ResourceList, Result, ResultField, ResultFile
from bot.render.runtimes.base import FunctionError
from bot.render.yaml.convert import resolve_scalar_tag
from bot.render.yaml.node import STR, Kind, Node, Style

Visit = Callable[[Node, str], None]

# kioutil.GetFileAnnotations: the internal annotation first, then the legacy one.
PATH_ANNOTATIONS = keys.PATH_KEYS


def accept(item: Node, visit_mapping: Visit, visit_scalar: Visit, path: str = "") -> None:
    """kyaml ``acceptImpl``: paths are ``.a.b[0].c`` (callers trim the leading dot)."""
    if item.kind is Kind.MAPPING:
        visit_mapping(item, path)
        for key_name in item.keys():
            # VisitFields looks every name up again, so a duplicated key visits its first value twice.
            value = item.get(key_name)
            if value is not None:
                accept(value, visit_mapping, visit_scalar, f"{path}.{key_name}")
    elif item.kind is Kind.SEQUENCE:
        for index, element in enumerate(list(item.content)):
            accept(element, visit_mapping, visit_scalar, f"{path}[{index}]")
    elif item.kind is Kind.SCALAR:
        visit_scalar(item, path)


def mapping_fields(mapping: Node) -> list[tuple[Node, Node]]:
    """kyaml ``VisitFields``: each key name in order, resolved to its first occurrence."""
    out = []
    for key_name in mapping.keys():
        key = mapping.key_node(key_name)
        value = mapping.get(key_name)
        if key is not None and value is not None:
            out.append((key, value))
    return out


def config_data(config: Node | None) -> dict[str, str]:
    """kyaml ``GetDataMap``: ``data`` entries as strings (non-scalars read as ""); first key wins."""
    data = config.get("data") if config is not None else None
    result: dict[str, str] = {}
    if data is None or data.kind is not Kind.MAPPING:
        return result
    for key, value in data.pairs():
        if key.value not in result:
            result[key.value] = value.value if value.kind is Kind.SCALAR else ""
    return result


def item_file_path(item: Node) -> str:
    annotations = item.path("metadata", "annotations")
    if annotations is None:
        return ""
    for name in PATH_ANNOTATIONS:
        value = annotations.str_value(name)
        if value:
            return value
    return ""


def go_quote(text: str) -> str:
    """Go's ``strconv.Quote`` (``%q``): printable runes kept, the rest escaped."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif char in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[char])
        elif char == " " or char.isprintable():
            out.append(char)
        elif code < 0x80:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


_SIMPLE_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def node_text(node: Node) -> str:
    """kyaml ``yaml.String(node)``: the node encoded on its own (untrimmed), comments included."""
    from bot.render.yaml.emitter import emit_node

    text = emit_node(node)
    # yaml.v3's encoder clears open_ended before the stream end, so a lone plain scalar gets no "...".
    return text.removesuffix("...\n") if text.endswith("\n...\n") else text


def parse_value(text: str) -> Node:
    """kyaml ``yaml.Parse``: the content node of the first document; raises ValueError on bad YAML."""
    from bot.render.yaml.parser import parse_document

    try:
        document = parse_document(text)
    except Exception as error:  # any parse failure is "not valid YAML" to the callers
        raise ValueError(str(error)) from error
    if document is None:
        raise ValueError("EOF")
    if document.kind is Kind.DOCUMENT:
        if not document.content:
            raise ValueError("EOF")
        return document.content[0]
    return document


def retag_plain(node: Node) -> None:
    """Go clears the tag (``NodeTagEmpty``) so the type is implied when kpt re-reads the output.

    We give the node the tag kpt's re-read would give: quoted or block styles read as strings,
    plain scalars as whatever yaml.v3 resolves them to.
    """
    if node.style & (Style.DOUBLE_QUOTED | Style.SINGLE_QUOTED | Style.LITERAL | Style.FOLDED):
        node.tag = STR
        return
    node.tag = resolve_scalar_tag(node.value)


def comment_as_read_back(text: str) -> str:
    """A comment the way kpt reads it back: yaml.v3 writes ``# `` before every line that lacks a ``#``.

    The Go functions store bare text (``kpt-set: ...``); in-process the next step sees our node, so we
    store what the next step would have parsed from the image's output.
    """
    return "\n".join(line if line.startswith("#") else f"# {line}" for line in text.split("\n"))


def legacy_result(message: str, *, field_path: str = "", file_path: str = "", severity: str = "") -> Result:
    return Result(
        message=message,
        severity=severity,
        field=ResultField(path=field_path) if field_path else None,
        file=ResultFile(path=file_path) if file_path else None,
    )


def fail_legacy(rl: ResourceList, result_message: str, error_text: str) -> None:
    """Record the single error result the function emits, then fail as its binary does."""
    rl.results.append(legacy_result(result_message, severity="error"))
    raise FunctionError(error_text, exit_code=1, stderr=f"{error_text}{error_text}\n")


class LegacyFilter(Protocol):
    """A decoded legacy function: it edits the items in place, then says what it did."""

    def filter(self, items: list[Node]) -> None: ...

    def results(self) -> list[Result]: ...


def run_legacy(rl: ResourceList, make_filter: Callable[[], LegacyFilter], error_type: type[Exception],
               failure: Callable[[str], str]) -> None:
    """The kyaml framework's flow: decode the config, filter every item, report; ``error_type`` is fatal
    and ``failure`` turns its text into the function's one error result."""
    try:
        legacy_filter = make_filter()
        legacy_filter.filter(rl.items)
    except error_type as error:
        fail_legacy(rl, failure(str(error)), str(error))
    rl.results.extend(legacy_filter.results())
