"""Running one pipeline step: selection, functionConfig, the runtime call, and kpt's checks after it."""

from __future__ import annotations

import posixpath
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from bot.render import annotations as ann
from bot.render import kpt_keys as keys
from bot.render.comment_resync import resync_output, tag_call_ids
from bot.render.console import Console
from bot.render.fnconfig import function_config
from bot.render.image_names import step_image
from bot.render.kptfile import FunctionSpec
from bot.render.package import Package, Settled, SourceDoc
from bot.render.render_errors import AlreadyHandled, PlainError
from bot.render.render_types import StepOutcome
from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError, FunctionRef
from bot.render.runtimes.select import RuntimeSelector
from bot.render.selectors import has_selection, merge_output, select, tag_resource_ids
from bot.render.validation import krm_error
from bot.render.yaml.node import Node


@dataclass
class RenderContext:
    root: Path
    console: Console
    selector: RuntimeSelector
    docs: dict[int, SourceDoc] = field(default_factory=dict)
    steps: list[StepOutcome] = field(default_factory=list)  # execution order (results file)
    mutation_steps: list[StepOutcome] = field(default_factory=list)
    validation_steps: list[StepOutcome] = field(default_factory=list)
    executed: int = 0
    packages_visited: int = 0
    # kpt.dev/save-on-render-failure: what to write when a package fails part-way.
    save_on_failure: bool = False
    finished: dict[str, list[Node]] = field(default_factory=dict)  # package path -> its output
    failed_package: str = ""
    failed_items: list[Node] | None = None
    show_package: bool = True  # fn eval prints [RUNNING] without the "on package" part
    partial_items: list[Node] | None = None  # BFS: every package's resources at the failure
    settled: Settled | None = None  # set when no function runs: files already as written are skipped

    def snapshot(self, items: list[Node]) -> list[Node]:
        """Deep copies (keeping each item's source-document record) to fall back on if a step fails."""
        copies = []
        for item in items:
            clone = item.copy()
            source = self.docs.get(id(item))
            if source is not None:
                self.docs[id(clone)] = source
            copies.append(clone)
        return copies


def run_step(ctx: RenderContext, package: Package, function: FunctionSpec, role: str, index: int,
             items: list[Node], config: Node | None = None) -> list[Node]:
    """Run one mutator or validator over ``items``; returns the package's resources afterwards.

    ``config`` overrides the step's own functionConfig (``fn eval --fn-config``).
    """
    image = step_image(function.image, function.tag, ctx.selector.runtime, ctx.selector.builtins) if function.image else ""
    display = image or function.exec
    step = StepOutcome(image=image, exec=function.exec, name=function.name)
    (ctx.mutation_steps if role == "mutator" else ctx.validation_steps).append(step)
    ctx.steps.append(step)
    if config is None:
        config = function_config(function, role, index, str(package.path), items)
    selection = has_selection(function)
    if selection:
        tag_resource_ids(items)
        selected = select(function, items)
    else:
        selected = list(items)
    if role == "validator":
        selected = [item.copy() for item in selected]
    problem = krm_error(selected)
    if problem is not None:
        _execution_failure(step, f"input resource list must contain only KRM resources: {problem}")
    ctx.console.running(display, len(selected) if selection else None,
                        package.display_name if ctx.show_package else None)
    ref = FunctionRef(image=image, exec=function.exec, name=function.name)
    try:
        runtime = ctx.selector.for_function(ref)
    except FunctionError as err:
        _execution_failure(step, str(err))
    # Every function sees kpt's call ids; builtins usually edit in place (then resync is a no-op
    # skipped per item) but some (starlark) rebuild items, which are matched back by id like kpt does.
    originals = tag_call_ids(selected, role == "mutator")
    before = {id(item): ann.legacy_snapshot(item) for item in selected}
    started = time.perf_counter()
    try:
        run = runtime.run(ref, ResourceList(items=selected, function_config=config))
    except FunctionError as err:
        if err.execution_error:
            _remove_call_ids(items)
            _execution_failure(step, str(err))
        step.exit_code = err.exit_code or 1
        step.stderr = err.stderr
        step.results = list(err.output.results) if err.output is not None else []
        ctx.console.finished(display, time.perf_counter() - started, step.results, step.stderr, step.exit_code)
        raise AlreadyHandled() from err
    elapsed = time.perf_counter() - started
    output = run.output.items if run.output is not None else []
    step.stderr = run.stderr
    step.results = list(run.output.results) if run.output is not None else []
    matched = resync_output(originals, output)
    for item in output:
        original = matched.get(id(item))
        if original is None or original is item:
            continue
        if id(original) in ctx.docs:
            ctx.docs[id(item)] = ctx.docs[id(original)]
        if id(original) in before:
            before[id(item)] = before[id(original)]
    _remove_call_ids(output)
    # Builtins return the very input nodes: only items the function dropped or replaced still carry ids.
    returned = {id(item) for item in output}
    _remove_call_ids([item for item in items if id(item) not in returned])
    problem = krm_error(output)
    if problem is not None:
        _execution_failure(step, f"output resource list must contain only KRM resources: {problem}")
    try:
        _check_output_paths(output, package, function, before)
    except PlainError as err:
        _execution_failure(step, str(err))
    ctx.console.finished(display, elapsed, step.results, step.stderr, None)
    ctx.executed += 1
    if role == "validator":
        if selection:
            for item in items:
                ann.remove_annotations(item, (keys.KPT_RESOURCE_ID,))
        return items
    if selection:
        return merge_output(items, selected, output)
    return output


def _execution_failure(step: StepOutcome, message: str) -> NoReturn:
    """kpt records a failure without a function result as the step's executionError."""
    step.execution_error = message
    step.exit_code = 1
    raise PlainError(message)


def _remove_call_ids(items: list[Node]) -> None:
    for item in items:
        ann.remove_annotations(item, (keys.ID, keys.LEGACY_ID, keys.MIGRATION_ID))


def _check_output_paths(output: list[Node], package: Package, function: FunctionSpec,
                        before: dict[int, dict[str, str]]) -> None:
    """Sync legacy annotations, place new resources, and reject paths outside the package or duplicates."""
    seen: set[tuple[str, str, str]] = set()
    for item in output:
        try:
            ann.reconcile_legacy(item, before.get(id(item)))
        except ann.AnnotationConflict as err:
            raise PlainError(str(err)) from err
        values = ann.annotation_values(item)
        package_path = values.get(keys.PACKAGE_PATH)
        if package_path is None:
            package_path = str(package.path)
            ann.set_annotation(item, keys.PACKAGE_PATH, package_path)
        path = values.get(keys.INTERNAL_PATH) or values.get(keys.PATH)
        if path is None:
            path = _default_path(item, function)
            ann.set_annotation(item, keys.PATH, path)
            ann.set_annotation(item, keys.INTERNAL_PATH, path)
        cleaned = posixpath.normpath(path.lstrip("/")) if path.startswith("/") else posixpath.normpath(path)
        if cleaned == ".." or cleaned.startswith("../"):
            raise PlainError(f"function must not modify resources outside of package: resource has path {path}")
        index = values.get(keys.INTERNAL_INDEX) or values.get(keys.INDEX)
        if index is None:
            continue
        key = (package_path, cleaned, index)
        if key in seen:
            raise PlainError(f'resource at path "{path}" and index "{index}" already exists')
        seen.add(key)


def _default_path(item: Node, function: FunctionSpec) -> str:
    kind = (item.str_value("kind") or "").lower()
    name = item.str_value("metadata", "name") or ""
    namespace = item.str_value("metadata", "namespace") or ""
    filename = f"{kind}_{name}.yaml"
    if namespace:
        filename = f"{namespace}/{filename}"
    config_dir = posixpath.dirname(function.config_path) if function.config_path else ""
    return f"{config_dir}/{filename}" if config_dir else filename
