"""create-setters (catalog ``create-setters``): tag fields whose values hold setter values with ``kpt-set`` comments.

Legacy kyaml framework (no severity on results; finding nothing is an error). This is the June
2025 master: scalar setters are applied in one pass, longest value first, like Go's
``strings.Replacer``, and multi-line scalars are skipped. v0.1.0 chained its replacements in an
order that depends on Go's map order, and the 2026 code skips kpt's annotations; when ghcr
``v0.1.1`` picked that up is not known. So only ``unstable`` is claimed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.render.functions._legacy_fn import (
    accept,
    comment_as_read_back,
    config_data,
    go_quote,
    item_file_path,
    legacy_result,
    mapping_fields,
    parse_value,
    run_legacy,
)
from bot.render.functions.registry import BuiltinFunction, register
from bot.render.resourcelist import ResourceList, Result
from bot.render.yaml.node import Kind, Node, Style


class CreateSettersError(Exception):
    pass


@dataclass
class _Created:
    file_path: str
    field_path: str
    value: str
    comment: str


@dataclass
class CreateSetters:
    scalar_setters: list[tuple[str, str]] = field(default_factory=list)  # (name, value), longest first
    array_setters: list[tuple[str, list[str]]] = field(default_factory=list)  # (name, sorted values)
    created: list[_Created] = field(default_factory=list)
    _file_path: str = ""

    @classmethod
    def decode(cls, config: Node | None) -> CreateSetters:
        data = config_data(config)
        if not data:
            raise CreateSettersError("config map cannot be empty")
        setters = cls()
        for name, text in data.items():
            try:
                parsed = parse_value(text)
            except ValueError as error:
                raise CreateSettersError("parsing error") from error
            if parsed.kind is Kind.SEQUENCE:
                setters.array_setters.append((name, sorted(e.value for e in parsed.content)))
            elif parsed.kind is Kind.SCALAR:
                setters.scalar_setters.append((name, text))
        # Go sorts by value length, longest first; ties follow map order, which is not fixed anyway.
        setters.scalar_setters.sort(key=lambda setter: -len(setter[1]))
        return setters

    def filter(self, items: list[Node]) -> None:
        for item in items:
            self._file_path = item_file_path(item)
            accept(item, self._visit_mapping, self._visit_scalar)
        if not self.created:
            raise CreateSettersError("no matches for the input list of setters")

    def _visit_mapping(self, mapping: Node, path: str) -> None:
        for key, value in mapping_fields(mapping):
            if value.kind is not Kind.SEQUENCE:
                continue
            field_path = f"{path}.{key.value}".removeprefix(".")
            values = sorted(element.value for element in value.content)
            target = value
            if value.style == Style.FLOW:
                if any(setter_value in v for v in values for _, setter_value in self.scalar_setters):
                    value.style = Style.FOLDED  # block style, so the comment goes on the key
                    target = key
            else:
                target = key
            for name, setter_values in self.array_setters:
                if values != setter_values:
                    continue
                if target.style == Style.FLOW and values:
                    target.style = Style.FOLDED
                    target = key
                comment = f"kpt-set: ${{{name}}}"
                target.line_comment = comment_as_read_back(comment)
                shown = "[" + " ".join(values) + "]"
                self.created.append(_Created(self._file_path, field_path, shown, comment))
                break

    def _visit_scalar(self, node: Node, path: str) -> None:
        if "\n" in node.value:
            return
        replaced = replace_once(node.value, self.scalar_setters)
        if replaced == node.value:
            return
        comment = f"kpt-set: {replaced}"
        node.line_comment = comment_as_read_back(comment)
        self.created.append(_Created(self._file_path, path.removeprefix("."), node.value, comment))

    def results(self) -> list[Result]:
        return [
            legacy_result(
                f"Added line comment {go_quote(c.comment)} for field with value {go_quote(c.value)}",
                field_path=c.field_path,
                file_path=c.file_path,
            )
            for c in self.created
        ]


def replace_once(text: str, setters: list[tuple[str, str]]) -> str:
    """Go ``strings.NewReplacer(v1, "${n1}", ...)``: one left-to-right pass; at each position the first
    listed value that matches wins, and replaced text is never looked at again."""
    if not setters:
        return text
    out: list[str] = []
    index = 0
    length = len(text)
    while index <= length:
        for name, value in setters:
            if text.startswith(value, index):
                out.append(f"${{{name}}}")
                if value:
                    index += len(value)
                    break
                # An empty value matches everywhere: insert, then copy one character on.
                if index < length:
                    out.append(text[index])
                index += 1
                break
        else:
            if index < length:
                out.append(text[index])
            index += 1
    return "".join(out)


def run(rl: ResourceList) -> None:
    run_legacy(rl, lambda: CreateSetters.decode(rl.function_config), CreateSettersError,
               lambda error: f"failed to create setters: {error}")


register(
    BuiltinFunction(
        name="create-setters",
        description="Add '# kpt-set:' setter comments to fields whose values match the given setters",
        tags=("unstable",),
        run=run,
    )
)
