"""The builtin runtime: catalog functions reimplemented in Python, run in-process on the same trees."""

from __future__ import annotations

from bot.render.functions.registry import BuiltinFunction, lookup, parse_image
from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError, FunctionRef, FunctionRun


def lookup_builtin(image: str, allow_wasm: bool = False) -> BuiltinFunction | None:
    """The builtin for ``image``; with ``allow_wasm`` a catalog ``wasm/NAME:TAG`` build maps to NAME
    (the wasm builds are compiled from the same sources as the images)."""
    found = lookup(image)
    if found is None and allow_wasm and "/wasm/" in image:
        ref = parse_image(image)
        found = lookup(f"{ref.name}:{ref.tag}") or lookup(f"{ref.name}:latest")
    return found


class BuiltinRuntime:
    name = "builtin"

    def __init__(self, allow_wasm: bool = False) -> None:
        self.allow_wasm = allow_wasm

    def can_run(self, function: FunctionRef) -> bool:
        return bool(function.image) and lookup_builtin(function.image, self.allow_wasm) is not None

    def run(self, function: FunctionRef, resource_list: ResourceList) -> FunctionRun:
        builtin = lookup_builtin(function.image, self.allow_wasm) if function.image else None
        if builtin is None:
            raise FunctionError(f"no builtin implementation of function {function.display!r} "
                                "(use --runtime docker or auto)", execution_error=True)
        try:
            builtin.run(resource_list)
        except FunctionError as err:
            if err.output is None:
                err.output = resource_list
            raise
        except Exception as err:  # a bug in a builtin must read as a failed function, not a traceback
            raise FunctionError(f"function {function.display} failed: {err}", exit_code=1,
                                stderr=f"{type(err).__name__}: {err}", output=resource_list) from err
        return FunctionRun(output=resource_list, stderr=resource_list.stderr)
