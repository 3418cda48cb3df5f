"""The builtin runtime: catalog functions reimplemented in Python, run in-process on the same trees."""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager, nullcontext

from bot.render.functions.registry import CATALOG, BuiltinFunction, FunctionRegistry, parse_image
from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError, FunctionRef, FunctionRun, RuntimeOptions
from bot.render.runtimes.docker_config import filter_stderr


def lookup_builtin(image: str, allow_wasm: bool = False,
                   registry: FunctionRegistry = CATALOG) -> BuiltinFunction | None:
    """The builtin for ``image``; with ``allow_wasm`` a catalog ``wasm/NAME:TAG`` build maps to NAME
    (the wasm builds are compiled from the same sources as the images)."""
    found = registry.lookup(image)
    if found is None and allow_wasm and "/wasm/" in image:
        ref = parse_image(image)
        found = registry.lookup(f"{ref.name}:{ref.tag}") or registry.lookup(f"{ref.name}:latest")
    return found


def _mount_context(builtin: BuiltinFunction, mounts: tuple[str, ...]) -> AbstractContextManager[object]:
    """``fn eval --mount`` for an in-process function: a function module that reads files declares
    ``parse_mount`` and ``mounted()`` (the same hook the container entrypoint uses)."""
    if not mounts:
        return nullcontext()
    module = sys.modules.get(getattr(builtin.run, "__module__", "") or "")
    parse_mount = getattr(module, "parse_mount", None)
    mounted = getattr(module, "mounted", None)
    if not callable(parse_mount) or not callable(mounted):
        return nullcontext()  # the function reads no files: nothing to mount
    context: AbstractContextManager[object] = mounted(tuple(parse_mount(spec) for spec in mounts))
    return context


class BuiltinRuntime:
    name = "builtin"

    def __init__(self, options: RuntimeOptions | None = None, registry: FunctionRegistry = CATALOG) -> None:
        self.options = options or RuntimeOptions()
        self.registry = registry

    def _builtin(self, function: FunctionRef) -> BuiltinFunction | None:
        return lookup_builtin(function.image, self.options.allow_wasm, self.registry) if function.image else None

    def reproduces(self, function: FunctionRef, resource_list: ResourceList) -> bool:
        """Whether this call gives the image's output (a builtin may lack what some inputs need)."""
        builtin = self._builtin(function)
        if builtin is None:
            return False
        if builtin.reproduces is None:
            return True
        with _mount_context(builtin, self.options.mounts):
            return builtin.reproduces(resource_list)

    def run(self, function: FunctionRef, resource_list: ResourceList) -> FunctionRun:
        builtin = self._builtin(function)
        if builtin is None:
            raise FunctionError(f"no builtin implementation of function {function.display!r} "
                                "(use --runtime docker or auto)", execution_error=True)
        try:
            with _mount_context(builtin, self.options.mounts):
                builtin.run(resource_list)
        except FunctionError as err:
            if err.output is None:
                err.output = resource_list
            # kpt records a container's stderr line by line, without the final newline: the builtin's
            # text must read as the image's would (results.yaml, the Kptfile status, the console).
            err.stderr = filter_stderr(err.stderr)
            raise
        except Exception as err:  # a bug in a builtin must read as a failed function, not a traceback
            raise FunctionError(f"function {function.display} failed: {err}", exit_code=1,
                                stderr=f"{type(err).__name__}: {err}", output=resource_list) from err
        return FunctionRun(output=resource_list, stderr=filter_stderr(resource_list.stderr))
