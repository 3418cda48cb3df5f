"""apply-setters (catalog ``apply-setters``): write setter values into fields tagged ``# kpt-set: <pattern>``.

Legacy kyaml framework (no severity on results). Behaviour is identical in v0.2.0, v0.2.1 and the
June 2025 master (SPECS §8); the 2026 rework adds severities and value sanitising, so ``latest`` is
not claimed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.render.functions._legacy_fn import (
    accept,
    config_data,
    go_quote,
    item_file_path,
    legacy_result,
    mapping_fields,
    parse_value,
    retag_plain,
    run_legacy,
)
from bot.render.functions.registry import BuiltinFunction, register
from bot.render.resourcelist import ResourceList, Result
from bot.render.yaml.node import Kind, Node, Style

SETTER_COMMENT_PREFIX = "# kpt-set: "
_SETTER_REF = re.compile(r"\$\{([^}]*)\}")
# regexp.QuoteMeta escapes exactly these.
_GO_META = set("\\.+*?()|[]{}^$")


class ApplySettersError(Exception):
    pass


@dataclass
class _Applied:
    file_path: str
    field_path: str
    value: str


@dataclass
class ApplySetters:
    setters: list[tuple[str, str]]
    applied: list[_Applied] = field(default_factory=list)
    _file_path: str = ""

    def filter(self, items: list[Node]) -> None:
        for item in items:
            self._file_path = item_file_path(item)
            accept(item, self._visit_mapping, self._visit_scalar)

    def _visit_mapping(self, mapping: Node, path: str) -> None:
        for key, value in mapping_fields(mapping):
            if value.kind is not Kind.SEQUENCE:
                continue
            # A flow sequence carries the comment itself: ``env: [a, b] # kpt-set: ${env}``.
            line_comment = value.line_comment if value.style == Style.FLOW else key.line_comment
            pattern = extract_setter_pattern(line_comment)
            if not pattern or not self._should_set(pattern):
                continue
            refs = _SETTER_REF.findall(pattern)
            if not (len(refs) == 1 and pattern.startswith("${") and pattern.endswith("}")):
                raise ApplySettersError(f"invalid setter pattern for array node: {go_quote(pattern)}")
            setter_value = self._value_of(_clean(pattern))
            field_path = f"{path}.{key.value}".removeprefix(".")
            if setter_value == "":
                value.content = []
                value.style = Style.FLOW
                value.line_comment = line_comment
                key.line_comment = ""
            else:
                value.content = _parse_array(setter_value)
                key.line_comment = line_comment
                # Go sets FoldedStyle, which on a sequence just means block style.
                value.style = Style.FOLDED
            self.applied.append(_Applied(self._file_path, field_path, setter_value))

    def _visit_scalar(self, node: Node, path: str) -> None:
        pattern = extract_setter_pattern(node.line_comment)
        if not pattern or not self._should_set(pattern):
            return
        resolved = pattern
        for name, value in self.setters:
            resolved = resolved.replace(f"${{{name}}}", value)
        for name, value in current_setter_values(pattern, node.value).items():
            resolved = resolved.replace(f"${{{name}}}", value)
        unresolved = [f"${{{ref}}}" for ref in _SETTER_REF.findall(resolved)]
        if unresolved:
            raise ApplySettersError(f"values for setters [{' '.join(unresolved)}] must be provided")
        node.value = resolved
        if resolved == "":
            node.style = Style.DOUBLE_QUOTED
        retag_plain(node)
        self.applied.append(_Applied(self._file_path, path.removeprefix("."), node.value))

    def _should_set(self, pattern: str) -> bool:
        return any(f"${{{name}}}" in pattern for name, _ in self.setters)

    def _value_of(self, name: str) -> str:
        for setter_name, value in self.setters:
            if setter_name == name:
                return value
        return ""

    def results(self) -> list[Result]:
        if not self.applied:
            return [legacy_result("no matches for input setter(s)")]
        return [
            legacy_result(f"set field value to {go_quote(a.value)}", field_path=a.field_path, file_path=a.file_path)
            for a in self.applied
        ]


def extract_setter_pattern(line_comment: str) -> str:
    if not line_comment.startswith(SETTER_COMMENT_PREFIX):
        return ""
    return line_comment[len(SETTER_COMMENT_PREFIX) :].strip()


def current_setter_values(pattern: str, value: str) -> dict[str, str]:
    """Values of the setters in ``pattern`` read back from the field's current ``value``."""
    refs = [m.group(0) for m in _SETTER_REF.finditer(pattern)]
    regex = _quote_meta(pattern)
    for ref in refs:
        regex = regex.replace(_quote_meta(ref), "(.*)")
    try:
        found = re.search(regex, value)
    except re.error:
        return {}
    if found is None:
        return {}
    groups = [g or "" for g in found.groups()]
    if len(groups) != len(refs):
        return {}
    if any(g == "" for g in groups):
        return {}
    return {_clean(ref): group for ref, group in zip(refs, groups, strict=True)}


def _quote_meta(text: str) -> str:
    return "".join("\\" + c if c in _GO_META else c for c in text)


def _clean(ref: str) -> str:
    ref = ref.strip()
    ref = ref.removeprefix("${")
    return ref.removesuffix("}")


def _parse_array(setter_value: str) -> list[Node]:
    message = f"input to array setter must be an array of values, but found {go_quote(setter_value)}"
    try:
        parsed = parse_value(setter_value)
    except ValueError as error:
        raise ApplySettersError(message) from error
    if parsed.kind is not Kind.SEQUENCE:
        raise ApplySettersError(message)
    return parsed.content


def run(rl: ResourceList) -> None:
    # Go ranges over a map here (random order); that only matters when a value holds "${...}".
    run_legacy(rl, lambda: ApplySetters(setters=list(config_data(rl.function_config).items())),
               ApplySettersError, lambda error: f"failed to apply setters: {error}")


register(
    BuiltinFunction(
        name="apply-setters",
        description="Apply setter values to fields tagged with '# kpt-set:' comments",
        tags=("unstable", "v0.2.0", "v0.2.1"),
        run=run,
    )
)
