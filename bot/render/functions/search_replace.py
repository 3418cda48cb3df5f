"""search-replace (catalog ``search-replace``): find fields by value, regex, path or file and set them.

A legacy kyaml-framework function: results carry no severity, and kpt flattens its ``{name, items}``
result block. The tree walk, Go's ``%q`` quoting and the config ``data`` reading it shares with
apply-setters and create-setters live in ``_legacy_fn``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.render.functions._legacy_fn import (
    accept,
    comment_as_read_back,
    config_data,
    go_quote,
    item_file_path,
    legacy_result,
    mapping_fields,
    node_text,
    retag_plain,
    run_legacy,
)
from bot.render.functions.registry import BuiltinFunction, register
from bot.render.resourcelist import ResourceList, Result
from bot.render.yaml.node import Kind, Node, Style

BY_VALUE = "by-value"
BY_VALUE_REGEX = "by-value-regex"
BY_PATH = "by-path"
BY_FILE_PATH = "by-file-path"
PUT_VALUE = "put-value"
PUT_COMMENT = "put-comment"
# Go prints the list with %q, in this order.
MATCHERS = (BY_VALUE, BY_FILE_PATH, BY_VALUE_REGEX, BY_PATH, PUT_VALUE, PUT_COMMENT)

_CAPTURE_REF = re.compile(r"\$\{([0-9]+)\}")


class SearchReplaceError(Exception):
    pass


@dataclass
class _Match:
    file_path: str
    field_path: str
    value: str


@dataclass
class SearchReplace:
    by_value: str = ""
    by_value_regex: str = ""
    by_path: str = ""
    by_file_path: str = ""
    put_value: str = ""
    put_comment: str = ""
    matches: list[_Match] = field(default_factory=list)
    _regex: re.Pattern[str] | None = None
    _file_path: str = ""

    # ---- configuration ------------------------------------------------
    @classmethod
    def decode(cls, config: Node | None) -> SearchReplace:
        data = config_data(config)
        for key in data:
            if key not in MATCHERS:
                quoted = " ".join(go_quote(m) for m in MATCHERS)
                raise SearchReplaceError(f"invalid matcher {go_quote(key)}, must be one of [{quoted}]")
        return cls(
            by_value=data.get(BY_VALUE, ""),
            by_value_regex=data.get(BY_VALUE_REGEX, ""),
            by_path=data.get(BY_PATH, ""),
            by_file_path=data.get(BY_FILE_PATH, ""),
            put_value=data.get(PUT_VALUE, ""),
            put_comment=data.get(PUT_COMMENT, ""),
        )

    def filter(self, items: list[Node]) -> None:
        if self.by_value and self.by_value_regex:
            raise SearchReplaceError(f"only one of [{go_quote(BY_VALUE)}, {go_quote(BY_VALUE_REGEX)}] can be provided")
        if self.by_value_regex:
            self._regex = _compile(self.by_value_regex)
        for item in items:
            self._perform(item)

    # ---- per item ------------------------------------------------------
    def _perform(self, item: Node) -> None:
        file_path = item_file_path(item)
        if self.by_file_path and not doublestar_match(self.by_file_path, file_path):
            return
        self._file_path = file_path
        if self._should_put_value_by_path():
            self._put_value_by_path(item)
            return
        accept(item, self._visit_mapping, self._visit_scalar)

    def _visit_mapping(self, mapping: Node, path: str) -> None:
        # Only put-comment acts on mappings: a sequence under a matching key gets the comment on the key.
        if not self.put_comment:
            return
        for key, value in mapping_fields(mapping):
            # kyaml skips nil or empty values: an empty sequence never gets the comment.
            if value.kind is not Kind.SEQUENCE or not value.content:
                continue
            path_to_key = f"{path}.{node_text(key).strip()}"
            if not self.path_match(path_to_key.removeprefix(".")):
                continue
            key.line_comment = comment_as_read_back(self.put_comment)
            value.style = Style.FLOW
            shown = node_text(value).strip()
            # Go sets FoldedStyle here; on a sequence that only means "not flow", i.e. block.
            value.style = Style.FOLDED
            self.matches.append(_Match(self._file_path, f"{self.by_path} # {self.put_comment}", shown))

    def _visit_scalar(self, node: Node, path: str) -> None:
        if not self._criteria_match(node, path):
            return
        if self.put_comment:
            node.line_comment = comment_as_read_back(
                resolve_pattern(node.value, self.by_value_regex, self.put_comment))
        if self.put_value:
            node.value = resolve_pattern(node.value, self.by_value_regex, self.put_value)
            retag_plain(node)
        if self._file_path:
            self.matches.append(_Match(self._file_path, path.removeprefix("."), node_text(node).strip()))

    def _criteria_match(self, node: Node, path: str) -> bool:
        path_match = self.path_match(path)
        value_match = (self.by_value != "" and self.by_value == node.value) or (
            self._regex is not None and self._regex.search(node.value) is not None
        )
        return (
            (value_match and path_match)
            or (value_match and self.by_path == "")
            or (path_match and self.by_value == "" and self.by_value_regex == "")
        )

    def path_match(self, yaml_path: str) -> bool:
        if not self.by_path:
            return False
        return path_pattern_match(yaml_path.removeprefix(".").split("."), self.by_path.split("."))

    def _should_put_value_by_path(self) -> bool:
        return (
            _is_abs_path(self.by_path)
            and "[" not in self.by_path
            and not self.by_value
            and not self.by_value_regex
            and self.put_value != ""
        )

    def _put_value_by_path(self, item: Node) -> None:
        parts = self.by_path.split(".")
        parent = item
        for part in parts[:-1]:
            parent = _lookup_create_map(parent, part)
        new_value = Node.scalar(self.put_value)
        retag_plain(new_value)
        old_value = parent.get(parts[-1])
        if old_value is not None:
            # kyaml overwrites the node wholesale; kpt then copies the old comments back.
            new_value.head_comment = old_value.head_comment
            new_value.line_comment = old_value.line_comment
            new_value.foot_comment = old_value.foot_comment
        parent.set(parts[-1], new_value)
        self.matches.append(_Match(self._file_path, self.by_path, self.put_value))

    # ---- results -------------------------------------------------------
    def results(self) -> list[Result]:
        if not self.matches:
            return [legacy_result("no matches")]
        mutated = bool(self.put_comment or self.put_value)
        out = []
        for match in self.matches:
            if mutated:
                message = f"Mutated field value to {go_quote(match.value)}"
            else:
                message = f"Matched field value {go_quote(match.value)}"
            out.append(legacy_result(message, field_path=match.field_path, file_path=match.file_path))
        return out


def resolve_pattern(field_value: str, value_regex: str, pattern: str) -> str:
    """Fill ``${N}`` in ``pattern`` from the capture groups of ``value_regex`` on ``field_value``."""
    if not value_regex:
        return pattern
    found = _compile(value_regex).search(field_value)
    result = pattern
    if found is not None:
        for index, group in enumerate(found.groups(), start=1):
            result = result.replace(f"${{{index}}}", group or "")
    if _CAPTURE_REF.search(result):
        raise SearchReplaceError("unable to resolve capture groups")
    return result


def path_pattern_match(path: list[str], pattern: list[str]) -> bool:
    """``*`` matches one element, ``**`` zero or more, ``name[*]`` any index of ``name``."""
    rows, cols = len(path), len(pattern)
    table = [[False] * (cols + 1) for _ in range(rows + 1)]
    table[0][0] = True
    for j in range(1, cols + 1):
        if pattern[j - 1] == "**":
            table[0][j] = table[0][j - 1]
    for i in range(1, rows + 1):
        for j in range(1, cols + 1):
            element = pattern[j - 1]
            if element == "**":
                table[i][j] = table[i][j - 1] or table[i - 1][j]
            elif element == "*" or _element_match(path[i - 1], element):
                table[i][j] = table[i - 1][j - 1]
    return table[rows][cols]


def _element_match(element: str, pattern: str) -> bool:
    if element == pattern:
        return True
    if "[" in element:
        element_parts = element.split("[")
        pattern_parts = pattern.split("[")
        if pattern_parts[0] != "*" and element_parts[0] != pattern_parts[0]:
            return False
        return len(pattern_parts) > 1 and (pattern_parts[1] == "*]" or element_parts[1] == pattern_parts[1])
    return False


def _is_abs_path(path: str) -> bool:
    return all(part != "" and "*" not in part for part in path.split("."))


def _lookup_create_map(parent: Node, key: str) -> Node:
    if parent.kind is not Kind.MAPPING:
        raise SearchReplaceError(f"wrong node kind: expected MappingNode but got {parent.kind.name.title()}Node")
    child = parent.get(key)
    if child is None or child.is_null():
        return parent.set(key, Node.mapping())
    return child


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as error:
        raise SearchReplaceError(f"error parsing regexp: {error}") from error


# ---- doublestar (github.com/bmatcuk/doublestar/v4) matching of by-file-path -------------------------


def doublestar_match(pattern: str, name: str) -> bool:
    try:
        return re.fullmatch(_glob_to_regex(pattern), name) is not None
    except (re.error, SearchReplaceError) as error:
        raise SearchReplaceError("syntax error in pattern") from error


def _glob_to_regex(pattern: str) -> str:
    segments = pattern.split("/")
    out: list[str] = []
    last = len(segments) - 1
    for index, segment in enumerate(segments):
        if segment == "**":
            if index == last:
                # "a/**" also matches "a" itself; a lone "**" matches everything.
                out.append(".*" if index == 0 else "(?:/.*)?")
            else:
                out.append("(?:.*/)?" if index == 0 else "/(?:.*/)?")
            continue
        if index > 0 and segments[index - 1] != "**":
            out.append("/")
        out.append(_segment_to_regex(segment))
    return "".join(out)


def _segment_to_regex(segment: str) -> str:
    out: list[str] = []
    i = 0
    depth = 0
    while i < len(segment):
        char = segment[i]
        if char == "\\" and i + 1 < len(segment):
            out.append(re.escape(segment[i + 1]))
            i += 2
            continue
        if char == "*":
            while i + 1 < len(segment) and segment[i + 1] == "*":
                i += 1
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = segment.find("]", i + 2)
            if end < 0:
                raise SearchReplaceError("syntax error in pattern")
            body = segment[i + 1 : end]
            negate = body[:1] in ("!", "^")
            body = body[1:] if negate else body
            out.append("[" + ("^/" if negate else "") + body.replace("\\", "\\\\") + "]")
            i = end
        elif char == "{":
            depth += 1
            out.append("(?:")
        elif char == "}" and depth:
            depth -= 1
            out.append(")")
        elif char == "," and depth:
            out.append("|")
        else:
            out.append(re.escape(char))
        i += 1
    if depth:
        raise SearchReplaceError("syntax error in pattern")
    return "".join(out)


# ---- the function ---------------------------------------------------------------------------------


def run(rl: ResourceList) -> None:
    run_legacy(rl, lambda: SearchReplace.decode(rl.function_config), SearchReplaceError,
               lambda error: f"failed to perform search-replace operation: {go_quote(error)}")


register(
    BuiltinFunction(
        name="search-replace",
        description="Search fields by value, regex, path or file and replace values or add comments",
        # v0.2.0 onwards share this logic (SPECS §5); v0.1.x had no by-file-path.
        tags=("unstable", "latest", "v0.2.0", "v0.2.1", "v0.2"),
        run=run,
    )
)
