"""The root Kptfile's ``status``: the Rendered condition and per-step renderStatus, as current kpt writes."""

from __future__ import annotations

from pathlib import Path

from bot.render.kptfile import KPTFILE, marshal_kptfile, read_kptfile
from bot.render.render_types import StepOutcome
from bot.render.step_records import step_status_node
from bot.render.yaml.node import Kind, Node


def error_summary(steps: list[StepOutcome]) -> str:
    lines = []
    for step in steps:
        label = step.image or step.exec
        if step.execution_error:
            lines.append(f"{label}: {step.execution_error}")
        elif step.exit_code != 0:
            lines.append(f"{label}: exit code {step.exit_code}")
    return "\n".join(lines)


def rendered_condition(message: str | None) -> Node:
    condition = Node.mapping()
    condition.set("type", Node.scalar("Rendered"))
    condition.set("status", Node.scalar("True" if message is None else "False"))
    condition.set("reason", Node.scalar("RenderSuccess" if message is None else "RenderFailed"))
    if message:
        condition.set("message", Node.scalar(message))
    return condition


def status_node(existing: Node | None, mutators: list[StepOutcome], validators: list[StepOutcome],
                message: str | None) -> Node:
    status = Node.mapping()
    conditions = Node.sequence()
    replaced = False
    old = existing.get("conditions") if existing is not None else None
    if old is not None and old.kind is Kind.SEQUENCE:
        for condition in old.content:
            if condition.str_value("type") == "Rendered":
                if not replaced:
                    conditions.content.append(rendered_condition(message))
                    replaced = True
            else:
                conditions.content.append(condition)
    if not replaced:
        conditions.content.append(rendered_condition(message))
    status.set("conditions", conditions)
    if mutators or validators:
        render_status = Node.mapping()
        if mutators:
            seq = render_status.set("mutationSteps", Node.sequence())
            seq.content = [step_status_node(step) for step in mutators]
        if validators:
            seq = render_status.set("validationSteps", Node.sequence())
            seq.content = [step_status_node(step) for step in validators]
        summary = error_summary(mutators + validators)
        if summary:
            render_status.set("errorSummary", Node.scalar(summary))
        status.set("renderStatus", render_status)
    return status


def write_status(root_dir: Path, mutators: list[StepOutcome], validators: list[StepOutcome],
                 message: str | None) -> bool:
    """Re-read the root Kptfile, set its status, write it back canonically. False if unreadable."""
    try:
        kptfile = read_kptfile(root_dir)
    except Exception:
        return False
    canonical = kptfile.canonical
    canonical.set("status", status_node(canonical.get("status"), mutators, validators, message))
    text = marshal_kptfile(canonical)
    path = root_dir / KPTFILE
    if path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return True
