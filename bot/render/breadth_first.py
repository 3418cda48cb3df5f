"""Breadth-first rendering (root Kptfile annotation ``kpt.dev/bfs-rendering: "true"``).

All packages are loaded first; then each package, from the root down (siblings sorted), runs its
pipeline over its own resources plus all its descendants', and the output goes back to the owning
packages by their package-path annotation.
"""

from __future__ import annotations

from bot.render import annotations as ann
from bot.render import kpt_keys as keys
from bot.render.package import Package, local_resources
from bot.render.package_pipeline import record_inputs, run_pipeline
from bot.render.render_errors import KptError, RenderError
from bot.render.step_runner import RenderContext
from bot.render.yaml.node import Node


def _discover(root: Package) -> list[Package]:
    order = [root]
    position = 0
    while position < len(order):
        package = order[position]
        position += 1
        try:
            order.extend(package.direct_subpackages())
        except RenderError as err:
            raise KptError("pkg.render", package.display_path, err) from err
    return order


def _owned_by(item: Node, package: Package) -> bool:
    owner = ann.get_annotation(item, keys.PACKAGE_PATH) or ""
    base = str(package.path)
    return owner == base or owner.startswith(base + "/")


def hydrate_bfs(ctx: RenderContext, root: Package, input_paths: set[str]) -> list[Node]:
    packages = _discover(root)
    items: list[Node] = []
    for package in packages:
        try:
            local = local_resources(package, ctx.docs, ctx.settled)
        except RenderError as err:
            raise KptError("pkg.render", package.display_path, err) from err
        record_inputs(package, local, input_paths)
        items.extend(local)
    for package in packages:
        scope = [item for item in items if _owned_by(item, package)]
        rest = [item for item in items if not _owned_by(item, package)]
        ctx.packages_visited += 1
        ctx.failed_items = None
        try:
            output = run_pipeline(ctx, package, scope)
        except RenderError as err:
            ctx.partial_items = rest + (ctx.failed_items if ctx.failed_items is not None else scope)
            # kpt's BFS names the failing subpackage on the pipeline.run error, under the root.
            if package is not root and isinstance(err, KptError) and err.op == "pipeline.run" and not err.path:
                err = KptError("pipeline.run", package.display_path, err.inner)
            raise KptError("pkg.render", root.display_path, err) from err
        items = rest + output
    return items
