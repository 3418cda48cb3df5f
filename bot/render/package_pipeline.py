"""One package's turn in a render: its pipeline's mutators then validators over the resources it sees.

Both hydration orders (depth-first, breadth-first) call ``run_pipeline`` for each package and
``record_inputs`` for the files each package was read from.
"""

from __future__ import annotations

from bot.render import annotations as ann
from bot.render.fnconfig import find_config
from bot.render.package import Package
from bot.render.render_errors import KptError, PlainError, RenderError
from bot.render.step_runner import RenderContext, run_step
from bot.render.validation import krm_error, validate_pipeline
from bot.render.yaml.node import Node


def record_inputs(package: Package, items: list[Node], input_paths: set[str]) -> None:
    """Add the root-relative path of each file ``items`` came from (write-back prunes the rest)."""
    prefix = package.relative
    for item in items:
        path = ann.resource_path(item)
        if path:
            input_paths.add(f"{prefix}/{path}" if prefix else path)


def run_pipeline(ctx: RenderContext, package: Package, items: list[Node]) -> list[Node]:
    kptfile = package.kptfile
    if not kptfile.has_pipeline:
        problem = krm_error(items)
        if problem is not None:
            raise PlainError(f"input resource list must contain only KRM resources: {problem}")
        return items
    if package.path != ctx.root:
        validate_pipeline(kptfile, package.path)
    _check_config_paths(package, items)
    ctx.console.package(package.display_name)
    try:
        for index, function in enumerate(kptfile.mutators):
            fallback = ctx.snapshot(items) if ctx.save_on_failure else items
            try:
                items = run_step(ctx, package, function, "mutator", index, items)
            except RenderError:
                ctx.failed_items = fallback
                raise
        for index, function in enumerate(kptfile.validators):
            ctx.failed_items = items
            run_step(ctx, package, function, "validator", index, items)
        ctx.failed_items = None
    except RenderError as err:
        raise KptError("pipeline.run", "", err) from err
    ctx.console.write("\n")
    return items


def _check_config_paths(package: Package, items: list[Node]) -> None:
    """Each configPath must name one of this package's own resources (not a subpackage's)."""
    for role, functions in (("mutator", package.kptfile.mutators), ("validator", package.kptfile.validators)):
        for index, function in enumerate(functions):
            if function.config_path:
                find_config(function, role, index, str(package.path), items)
