"""What a render is asked for and what it gives back: the types callers hold, apart from the engine.

The CLI, the lifecycle engine, the PR report and the bot import these without loading the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bot.render.resourcelist import Result
from bot.render.runtimes.base import RuntimeOptions

if TYPE_CHECKING:  # callers holding only these types need not load the function registry
    from bot.render.functions.registry import FunctionRegistry

OUTPUT_STDOUT = "stdout"
OUTPUT_UNWRAP = "unwrap"


@dataclass(frozen=True)
class RenderOptions:
    runtime: str = "auto"  # auto | builtin | docker
    runtime_options: RuntimeOptions = field(default_factory=RuntimeOptions)
    results_dir: Path | None = None
    truncate_output: bool = True
    output: str | None = None  # None (in place) | "stdout" | "unwrap" | a directory
    builtins: FunctionRegistry | None = None  # the builtin functions to look images up in (None: the catalog)
    # A render that runs no function skips files already in their written form (written_form.py); off only
    # to compare with the ordinary path.
    skip_written_files: bool = True


@dataclass
class StepOutcome:
    image: str = ""
    exec: str = ""
    name: str = ""
    stderr: str = ""
    exit_code: int = 0
    execution_error: str = ""
    results: list[Result] = field(default_factory=list)


@dataclass
class RenderOutcome:
    exit_code: int  # 0 success, 1 failure (kpt's codes)
    error_message: str = ""  # the hydration error text, empty on success
    steps: list[StepOutcome] = field(default_factory=list)
    changed_paths: list[str] = field(default_factory=list)  # files written or deleted, relative to the package
    stdout: str = ""  # the resources for ``-o stdout``/``unwrap``: the caller prints them (the engine never does)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0
