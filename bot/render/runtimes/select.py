"""Which runtime runs a step: ``--runtime auto`` = builtin when we reproduce the image, else docker."""

from __future__ import annotations

from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError, FunctionRef, FunctionRun, FunctionRuntime, RuntimeOptions

RUNTIME_CHOICES = ("auto", "builtin", "docker")


class RuntimeSelector:
    """Creates each runtime once per render (the docker client is costly and imported lazily)."""

    def __init__(self, runtime: str, options: RuntimeOptions) -> None:
        if runtime not in RUNTIME_CHOICES:
            raise FunctionError(f"unknown runtime {runtime!r}: choose one of {', '.join(RUNTIME_CHOICES)}")
        self.runtime = runtime
        self.options = options
        self._cache: dict[str, FunctionRuntime] = {}

    def for_function(self, function: FunctionRef) -> FunctionRuntime:
        if function.exec:
            return self._get("exec")
        if self.runtime == "builtin":
            return self._get("builtin")
        from bot.render.runtimes.builtin import lookup_builtin

        builtin = lookup_builtin(function.image, self.options.allow_wasm) if self.runtime == "auto" else None
        if builtin is not None and builtin.reproduces is not None:
            return _PerCall(self)  # whether the builtin reproduces depends on the input (kubeval)
        if builtin is not None:
            return self._get("builtin")
        return self._get("docker")

    def _get(self, name: str) -> FunctionRuntime:
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

            return BuiltinRuntime(self.options)
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

    def run(self, function: FunctionRef, resource_list: ResourceList) -> FunctionRun:
        from bot.render.runtimes.builtin import BuiltinRuntime

        builtin = self.selector._get("builtin")
        if isinstance(builtin, BuiltinRuntime) and builtin.reproduces(function, resource_list):
            return builtin.run(function, resource_list)
        return self.selector._get("docker").run(function, resource_list)
