"""The function-runtime interface: the pipeline never knows which runtime ran a step."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from bot.config.sandbox import Limits
from bot.errors import PorchbotError
from bot.render.resourcelist import ResourceList
from bot.render.resourcelist_wire import WireError, decode_resource_list


@dataclass(frozen=True)
class FunctionRef:
    """What a pipeline step (or ``fn eval``) names: exactly one of ``image`` and ``exec``.

    ``image`` is already resolved (prefix added for short names, ``:latest`` for no tag).
    """

    image: str = ""
    exec: str = ""
    name: str = ""

    @property
    def display(self) -> str:
        return self.image or self.exec


@dataclass
class FunctionRun:
    """What one call produced: the output list, the function's stderr and exit code."""

    output: ResourceList | None
    stderr: str = ""
    exit_code: int = 0


def partial_output(stdout: str) -> ResourceList | None:
    """The ResourceList a failed function still printed, if it printed a well-formed one: kpt shows its
    results beside the exit code."""
    if not stdout.strip():
        return None
    try:
        return decode_resource_list(stdout)
    except WireError:
        return None


class FunctionError(PorchbotError):
    """A function could not be run or exited non-zero. ``stderr`` is the function's own stderr."""

    def __init__(self, message: str, *, exit_code: int = 1, stderr: str = "",
                 output: ResourceList | None = None, execution_error: bool = False) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.stderr = stderr
        self.output = output
        # True when the function never produced a result (missing image, --allow-exec not given...):
        # kpt records that as ``executionError`` instead of exitCode/stderr.
        self.execution_error = execution_error


# One set of limits with one set of defaults: what porchbot.yaml states is what a container gets.
ContainerLimits = Limits


@dataclass(frozen=True)
class RuntimeOptions:
    image_pull_policy: str = "ifNotPresent"  # always | ifNotPresent | never
    allow_exec: bool = False
    allow_network: bool = False
    allow_wasm: bool = False  # --allow-alpha-wasm: catalog wasm builds run as their builtin twins
    limits: ContainerLimits = field(default_factory=ContainerLimits)
    # Images the docker runtime may run (fnmatch patterns, e.g. "gcr.io/kpt-fn/*"); empty = any.
    allowed_images: tuple[str, ...] = ()
    # ``fn eval --mount`` values as docker takes them: "type=bind,src=DIR,dst=PATH[,rw=true]" (read-only
    # unless rw=true), and ``--env`` values "KEY=VALUE" or "KEY" (taken from this process).
    mounts: tuple[str, ...] = ()
    env: tuple[str, ...] = ()


class FunctionRuntime(Protocol):
    name: str

    def reproduces(self, function: FunctionRef, resource_list: ResourceList) -> bool:
        """Whether this call's output is the function's own: always for a runtime that runs the image or
        the executable; for a builtin, only when it reimplements what this call needs."""
        ...

    def run(self, function: FunctionRef, resource_list: ResourceList) -> FunctionRun:
        """Run one function. Raise FunctionError for non-zero exits and execution errors."""
        ...
