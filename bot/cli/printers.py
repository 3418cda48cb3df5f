"""kubectl's output options for ``rpkg get`` / ``repo get``: the default table, ``-o wide|json|yaml|name``,
``-o custom-columns=HEADER:.path,...``, ``-o jsonpath=TEMPLATE`` and ``--no-headers``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.cli import jsonpath
from bot.cli.tables import document, table
from bot.errors import InvalidInput

FORMATS = ("", "wide", "json", "yaml", "name")
Rows = tuple[list[str], list[list[str]]]  # headers, rows


def check_output(output: str) -> None:
    if output in FORMATS or output.startswith(("custom-columns=", "jsonpath=")):
        return
    raise InvalidInput(f"unable to match a printer suitable for the output format {output!r}, allowed formats "
                       "are: custom-columns,json,jsonpath,name,wide,yaml")


def _columns(spec: str) -> list[tuple[str, str]]:
    columns = []
    for part in spec.split(","):
        header, sep, path = part.partition(":")
        if not sep or not header:
            raise InvalidInput(f"unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>")
        path = path.strip()
        if path.startswith("{") and path.endswith("}"):
            path = path[1:-1]
        if not path.startswith("."):
            path = "." + path
        columns.append((header, path))
    return columns


def _cell(item: dict[str, Any], path: str) -> str:
    values = jsonpath.walk([item], path)  # the same walker as -o jsonpath
    if not values or all(value is None for value in values):
        return "<none>"
    return ",".join(jsonpath.text(value) for value in values)


def render(objects: list[dict[str, Any]], output: str, no_headers: bool, kind: str,
           default_rows: Callable[[bool], Rows]) -> str:
    """What kubectl prints for ``objects`` (a List's items) in ``output``; ``default_rows(wide)`` gives the
    human-readable table; ``kind`` is the resource for ``-o name`` (``packagerevision.porch.kpt.dev``)."""
    check_output(output)
    if output in ("json", "yaml"):
        return document({"apiVersion": "v1", "kind": "List", "items": objects}, output)
    if output == "name":
        return "".join(f"{kind}/{item['metadata']['name']}\n" for item in objects)
    if output.startswith("jsonpath="):
        template = output[len("jsonpath="):]
        if "items" in template.split("}")[0]:
            return jsonpath.render(template, {"apiVersion": "v1", "kind": "List", "items": objects})
        return "".join(jsonpath.render(template, item) for item in objects)
    if output.startswith("custom-columns="):
        columns = _columns(output[len("custom-columns="):])
        headers = [header for header, _ in columns]
        rows = [[_cell(item, path) for _, path in columns] for item in objects]
    else:
        headers, rows = default_rows(output == "wide")
    if not rows:
        return ""
    text = table(headers, rows)
    return text.split("\n", 1)[1] if no_headers else text
