"""Builtin no-op (catalog ``no-op``): returns its input unchanged, with no results.

kpt's own e2e cases use it to exercise the pipeline machinery around a function that does nothing.
"""

from __future__ import annotations

from bot.render.functions.registry import BuiltinFunction, register
from bot.render.resourcelist import ResourceList


def run(resource_list: ResourceList) -> None:
    del resource_list  # nothing to do: the items go back as they came


register(BuiltinFunction(
    name="no-op",
    description="returns the resources unchanged (pipeline plumbing tests)",
    tags=("latest", "unstable"),
    run=run,
))
