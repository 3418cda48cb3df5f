"""The bot's render of a staged package: the sandbox policy's preflight, then the engine, timed.

The default ``BotContext.renderer``; tests pass their own renderer to the context instead of patching.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.config.policy import BotConfig
from bot.errors import PorchbotError
from bot.observability import metrics
from bot.render.render_package import render_package
from bot.render.render_types import RenderOptions, RenderOutcome
from bot.render.sandbox_checks import preflight, runtime_options

# (staged package directory, the bot's config, function images allowed for this repository) → outcome
Renderer = Callable[[Path, BotConfig, tuple[str, ...]], RenderOutcome]


def render_in_sandbox(stage: Path, config: BotConfig, allowed_images: tuple[str, ...]) -> RenderOutcome:
    sandbox = config.sandbox
    try:
        refusal = preflight(stage, allowed_images, sandbox.allow_exec)
        if refusal is not None:
            return RenderOutcome(exit_code=1, error_message=refusal)
        with metrics.render_timer(config.runtime):
            return render_package(stage, RenderOptions(runtime=config.runtime, runtime_options=runtime_options(sandbox)))
    except PorchbotError as err:  # a package the engine refuses outright is a failed render, not a crash
        return RenderOutcome(exit_code=1, error_message=str(err))
