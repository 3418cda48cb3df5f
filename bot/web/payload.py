"""Reading fields out of a webhook's JSON: required ones refuse the delivery with a clear message (the
edge answers 400), optional ones fall back quietly (a forge omitting a display field is not an error).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.errors import InvalidInput


@dataclass(frozen=True)
class Ignored:
    """A well-formed delivery the bot does not act on, and why (the edge answers 200 with the reason)."""

    reason: str


def need(node: Any, path: str, within: str = "") -> Any:
    """The value at dotted ``path`` under ``node``; ``within`` names ``node`` itself in messages."""
    shown = f"{within}.{path}" if within else path
    for name in path.split("."):
        if not isinstance(node, dict) or name not in node:
            raise InvalidInput(f"payload has no `{shown}`")
        node = node[name]
    return node


def need_dict(node: Any, path: str, within: str = "") -> dict[str, Any]:
    value = need(node, path, within)
    if not isinstance(value, dict):
        raise InvalidInput(f"`{f'{within}.{path}' if within else path}` has the wrong type")
    return value


def need_text(node: Any, path: str, within: str = "") -> str:
    """A required string (ids sent as numbers are accepted: some senders do)."""
    value = need(node, path, within)
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise InvalidInput(f"`{f'{within}.{path}' if within else path}` has the wrong type")
    return str(value)


def need_number(node: Any, path: str, within: str = "") -> int:
    """A required positive number (a PR number, an MR iid); digits in a string are accepted."""
    value = need_text(node, path, within)
    if not value.isdigit():
        raise InvalidInput(f"`{f'{within}.{path}' if within else path}` is not a number")
    return int(value)


def optional_dict(node: dict[str, Any], name: str) -> dict[str, Any]:
    value = node.get(name)
    return value if isinstance(value, dict) else {}


def text(value: Any) -> str:
    return "" if value is None or isinstance(value, dict | list) else str(value)


def number(value: Any) -> int | None:
    """An optional numeric id, or None when it is absent or not a number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None
