"""The render entry point used by the CLI, the lifecycle engine and the bot."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot.render.resourcelist import Result
from bot.render.runtimes.base import RuntimeOptions


@dataclass(frozen=True)
class RenderOptions:
    runtime: str = "auto"  # auto | builtin | docker
    runtime_options: RuntimeOptions = field(default_factory=RuntimeOptions)
    results_dir: Path | None = None
    truncate_output: bool = True
    output: str | None = None  # None (in place) | "stdout" | "unwrap" | a directory


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

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def render_package(package_dir: Path, options: RenderOptions | None = None,
                   progress: TextIO | None = None) -> RenderOutcome:
    """Render ``package_dir`` in place (or to ``options.output``) with kpt fn render semantics.

    ``progress`` receives kpt's console output (the ``Package "x":`` / ``[RUNNING]`` lines).
    """
    from bot.render.pipeline import render

    return render(package_dir, options or RenderOptions(), progress)
