"""Per-step outcomes as kpt records them: the results file and the Kptfile renderStatus entries."""

from __future__ import annotations

from pathlib import Path

from bot.render.render_types import StepOutcome
from bot.render.resourcelist_wire import result_to_node
from bot.render.yaml.node import INT, Node


def _results_sequence(step: StepOutcome, errors_only: bool = False) -> Node | None:
    results = [r for r in step.results if not errors_only or r.severity == "error"]
    if not results:
        return None
    seq = Node.sequence()
    seq.content = [result_to_node(r) for r in results]
    return seq


def _set_present(node: Node, fields: list[tuple[str, str]]) -> None:
    # kpt's structs tag these fields omitempty: an empty string is left out, not written as "".
    for key, value in fields:
        if value:
            node.set(key, Node.scalar(value))


def _set_outcome(node: Node, step: StepOutcome) -> None:
    """What both records of a step end with: its exit code, then its results when there are any."""
    node.set("exitCode", Node.scalar(str(step.exit_code), tag=INT))
    results = _results_sequence(step)
    if results is not None:
        node.set("results", results)


def step_status_node(step: StepOutcome) -> Node:
    """One ``renderStatus`` step: name, image|exec, executionError, stderr, exitCode, results, errorResults."""
    node = Node.mapping()
    _set_present(node, [("name", step.name), ("image", step.image), ("exec", step.exec),
                        ("executionError", step.execution_error), ("stderr", step.stderr)])
    _set_outcome(node, step)
    errors = _results_sequence(step, errors_only=True)
    if errors is not None:
        node.set("errorResults", errors)
    return node


def results_file_node(steps: list[StepOutcome], exit_code: int) -> Node:
    root = Node.mapping()
    root.set("apiVersion", Node.scalar("kpt.dev/v1"))
    root.set("kind", Node.scalar("FunctionResultList"))
    metadata = root.set("metadata", Node.mapping())
    metadata.set("name", Node.scalar("fnresults"))
    root.set("exitCode", Node.scalar(str(exit_code), tag=INT))
    items = Node.sequence()
    for step in steps:
        if step.execution_error:
            continue  # never started: kpt records no item for it
        item = Node.mapping()
        _set_present(item, [("image", step.image), ("exec", step.exec), ("stderr", step.stderr)])
        _set_outcome(item, step)
        items.content.append(item)
    if items.content:
        root.set("items", items)
    return root


def write_results_dir(results_dir: Path, steps: list[StepOutcome], exit_code: int) -> Path:
    from bot.render.yaml.emitter import emit_node

    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / "results.yaml"
    path.write_text(emit_node(results_file_node(steps, exit_code), wide=True), encoding="utf-8")
    return path
