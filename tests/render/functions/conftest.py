"""Builders for builtin-function tests: ResourceLists from YAML text, as kpt hands them over."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.render.functions.registry import CATALOG, FunctionRegistry
from bot.render.resourcelist import ResourceList
from bot.render.yaml.node import Node

MakeRL = Callable[..., ResourceList]


def parse_items(text: str) -> list[Node]:
    from bot.render.yaml.parser import parse_documents

    return [doc.content[0] for doc in parse_documents(text) if doc.content]


def annotate(items: list[Node], path: str) -> list[Node]:
    """Give each item kpt's path/index bookkeeping annotations, as the engine does before a call."""
    for index, item in enumerate(items):
        annotations = item.ensure_map("metadata", "annotations")
        for key, value in (("config.kubernetes.io/path", path), ("config.kubernetes.io/index", str(index)),
                           ("internal.config.kubernetes.io/path", path),
                           ("internal.config.kubernetes.io/index", str(index))):
            annotations.set(key, Node.scalar(value))
    return items


@pytest.fixture
def make_rl() -> MakeRL:
    def build(items: str, config: str | None = None, *, path: str = "resources.yaml",
              bookkeeping: bool = True) -> ResourceList:
        nodes = parse_items(items)
        if bookkeeping:
            annotate(nodes, path)
        function_config = parse_items(config)[0] if config else None
        return ResourceList(items=nodes, function_config=function_config)

    return build


@pytest.fixture
def only_these_builtins() -> FunctionRegistry:
    """The builtins the set-namespace/set-labels/set-annotations/apply-replacements tables run."""
    return builtins_of("apply-replacements", "set-annotations", "set-labels", "set-namespace")


def builtins_of(*names: str) -> FunctionRegistry:
    """A registry of these catalog functions alone: only their modules are imported, so a broken
    neighbour module cannot fail their tests."""
    return CATALOG.only(*names)


def run_builtin(image: str, rl: ResourceList, builtins: FunctionRegistry = CATALOG) -> ResourceList:
    """Run the builtin ``builtins`` has for ``image`` on ``rl`` in place; ``rl`` comes back for chaining."""
    function = builtins.lookup(image)
    assert function is not None, image
    function.run(rl)
    return rl


def result_rows(rl: ResourceList) -> list[tuple[str, str, str, str]]:
    """Each result as (message, severity, field path, file path): what the tables compare."""
    return [(r.message, r.severity, r.field.path if r.field else "", r.file.path if r.file else "")
            for r in rl.results]


def emit(node: Node) -> str:
    from bot.render.yaml.emitter import emit_node

    return emit_node(node)
