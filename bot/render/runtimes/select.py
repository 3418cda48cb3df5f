"""Which runtime runs a step: ``--runtime auto`` = builtin when we reproduce the image, else docker."""

from __future__ import annotations

from bot.render.functions.registry import CATALOG, FunctionRegistry
from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError, FunctionRef, FunctionRun, FunctionRuntime, RuntimeOptions

RUNTIME_CHOICES = ("auto", "builtin", "docker")


class RuntimeSelector:
    """Creates each runtime once per render (the docker client is costly and imported lazily).

    ``builtins`` is the function registry the builtin runtime looks images up in (the catalog's unless
    a caller, a test, passes its own).
    """

    def __init__(self, runtime: str, options: RuntimeOptions, builtins: FunctionRegistry | None = None) -> None:
        if runtime not in RUNTIME_CHOICES:
            raise FunctionError(f"unknown runtime {runtime!r}: choose one of {', '.join(RUNTIME_CHOICES)}")
        self.runtime = runtime
        self.options = options
        self.builtins = builtins or CATALOG
        self._cache: dict[str, FunctionRuntime] = {}

    def for_function(self, function: FunctionRef) -> FunctionRuntime:
        if function.exec:
            return self.runtime_named("exec")
        if self.runtime == "builtin":
            return self.runtime_named("builtin")
        from bot.render.runtimes.builtin import lookup_builtin

        builtin = lookup_builtin(function.image, self.options.allow_wasm, self.builtins) \
            if self.runtime == "auto" else None
        if builtin is not None and builtin.reproduces is not None:
            return _PerCall(self)  # whether the builtin reproduces depends on the input (kubeval)
        if builtin is not None:
            return self.runtime_named("builtin")
        return self.runtime_named("docker")

    def runtime_named(self, name: str) -> FunctionRuntime:
        """The ``exec``, ``builtin`` or ``docker`` runtime of this render, created on first use."""
        runtime = self._cache.get(name)
        if runtime is None:
            runtime = self._create(name)
            self._cache[name] = runtime
        return runtime

    def _create(self, name: str) -> FunctionRuntime:
        if name == "exec":
            from bot.render.runtimes.exec_runtime import ExecRuntime

            return ExecRuntime(self.options)
        if name == "builtin":
            from bot.render.runtimes.builtin import BuiltinRuntime

            return BuiltinRuntime(self.options, self.builtins)
        try:
            from bot.render.runtimes.docker import DockerRuntime
        except ImportError as err:
            raise FunctionError(f"the docker runtime is not available: {err}", execution_error=True) from err
        runtime: FunctionRuntime = DockerRuntime(self.options)
        return runtime


class _PerCall:
    """``auto`` for a builtin that reproduces the image only for some inputs: decided per call."""

    name = "auto"

    def __init__(self, selector: RuntimeSelector) -> None:
        self.selector = selector

    def reproduces(self, function: FunctionRef, resource_list: ResourceList) -> bool:
        return True  # the image runs whenever the builtin would not reproduce it

    def run(self, function: FunctionRef, resource_list: ResourceList) -> FunctionRun:
        builtin = self.selector.runtime_named("builtin")
        if builtin.reproduces(function, resource_list):
            return builtin.run(function, resource_list)
        return self.selector.runtime_named("docker").run(function, resource_list)
