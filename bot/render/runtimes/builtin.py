"""The builtin runtime: catalog functions reimplemented in Python, run in-process on the same trees."""

from __future__ import annotations

from bot.render.functions.registry import lookup
from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError, FunctionRef, FunctionRun


class BuiltinRuntime:
    name = "builtin"

    def can_run(self, function: FunctionRef) -> bool:
        return bool(function.image) and lookup(function.image) is not None

    def run(self, function: FunctionRef, resource_list: ResourceList) -> FunctionRun:
        builtin = lookup(function.image) if function.image else None
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
