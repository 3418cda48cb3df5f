"""The render entry point used by the CLI, the lifecycle engine and the bot.

The types it takes and returns live in ``bot.render.render_types`` (importable without the engine).
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from bot.render.pipeline import render
from bot.render.render_types import RenderOptions, RenderOutcome


def render_package(package_dir: Path, options: RenderOptions | None = None,
                   progress: TextIO | None = None) -> RenderOutcome:
    """Render ``package_dir`` in place (or to ``options.output``) with kpt fn render semantics.

    ``progress`` receives kpt's console output (the ``Package "x":`` / ``[RUNNING]`` lines).
    """
    return render(package_dir, options or RenderOptions(), progress)
