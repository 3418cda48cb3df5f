"""Rendering a staged package through bot.render (kpt fn render semantics) before it is committed."""

from __future__ import annotations

from pathlib import Path

from bot.errors import PorchbotError


class RenderFailed(PorchbotError):
    """The package's pipeline failed: nothing was pushed; ``details`` holds the function results."""

    def __init__(self, message: str, details: str) -> None:
        super().__init__(message)
        self.details = details


def render_staged(package_dir: Path) -> None:
    """Render ``package_dir`` in place; raise RenderFailed with the function results when it fails."""
    from bot.render.render_package import render_package
    from bot.render.render_types import RenderOptions

    outcome = render_package(package_dir, RenderOptions())
    if outcome.ok:
        return
    failed = [step for step in outcome.steps if step.exit_code or step.execution_error]
    if failed:
        where = f"function \"{failed[0].image or failed[0].exec or failed[0].name}\" failed"
    else:
        where = " ".join(outcome.error_message.split()) or "a function failed"
    raise RenderFailed(f"rendering the package failed: {where} (nothing was pushed)", format_outcome(outcome))


def format_outcome(outcome: object) -> str:
    """The function results of a failed render, one block per step, as porchctl shows them."""
    lines: list[str] = []
    for step in getattr(outcome, "steps", []):
        label = step.image or step.exec or step.name
        status = "FAIL" if step.exit_code or step.execution_error else "PASS"
        lines.append(f"[{status}] \"{label}\"")
        for result in step.results:
            severity = f"[{result.severity}] " if result.severity else ""
            where = ""
            if result.resource_ref is not None:
                ref = result.resource_ref
                where = f" {ref.kind}/{ref.name}" if ref.kind else ""
            lines.append(f"  Results: {severity}{result.message}{where}")
        if step.stderr:
            lines.extend(f"  Stderr: {line}" for line in step.stderr.strip().splitlines())
        if step.execution_error:
            lines.append(f"  Error: {step.execution_error}")
    return "\n".join(lines)
