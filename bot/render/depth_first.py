"""Depth-first hydration, kpt's default order: each package's subpackages (sorted) first, then the
package's own pipeline over its resources plus everything its subpackages produced."""

from __future__ import annotations

from bot.errors import PorchbotError
from bot.render.package import Package, local_resources
from bot.render.package_pipeline import record_inputs, run_pipeline
from bot.render.render_errors import KptError, PlainError, RenderError
from bot.render.step_runner import RenderContext
from bot.render.yaml.node import Node


def hydrate(ctx: RenderContext, package: Package, input_paths: set[str]) -> list[Node]:
    """Depth-first post-order: subpackages (sorted) first, then this package's pipeline on it all."""
    try:
        subpackage_output: list[Node] = []
        for subpackage in package.direct_subpackages():
            subpackage_output.extend(hydrate(ctx, subpackage, input_paths))
        local = local_resources(package, ctx.docs, ctx.settled)
        record_inputs(package, local, input_paths)
        ctx.packages_visited += 1
        ctx.failed_package, ctx.failed_items = str(package.path), None
        output = run_pipeline(ctx, package, local + subpackage_output)
        ctx.finished[str(package.path)] = output
        return output
    except KptError as err:
        if err.op == "pkg.render":
            raise
        raise KptError("pkg.render", package.display_path, err) from err
    except RenderError as err:
        raise KptError("pkg.render", package.display_path, err) from err
    except PorchbotError as err:  # e.g. malformed YAML met past loading: still kpt's error chain
        raise KptError("pkg.render", package.display_path, PlainError(str(err))) from err


def partial_items(ctx: RenderContext) -> list[Node]:
    """What a failed depth-first render leaves: the failing package's last good state plus every
    finished package's output that no finished ancestor (or the failing package) already holds."""
    failed = ctx.failed_package
    items = list(ctx.failed_items or [])
    finished = list(ctx.finished)

    def inside(path: str, parent: str) -> bool:
        return path == parent or path.startswith(parent + "/")

    for path in finished:
        if failed and inside(path, failed):
            continue
        if any(other != path and inside(path, other) for other in finished):
            continue
        items.extend(ctx.finished[path])
    return items
