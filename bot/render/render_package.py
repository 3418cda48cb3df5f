"""The render entry point (``kpt fn render``) used by the CLI, the lifecycle engine and the bot.

It hydrates the package tree (depth-first, or breadth-first when the root Kptfile asks), writes the
result, and records the Kptfile status and the results file. What it takes and returns is in
``bot.render.render_types``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TextIO

from bot.config.settings import current_settings
from bot.render import kpt_keys as keys
from bot.render import writeback
from bot.render.breadth_first import hydrate_bfs
from bot.render.collector import collector_paused
from bot.render.console import Console
from bot.render.depth_first import hydrate, partial_items
from bot.render.kptfile import read_kptfile
from bot.render.kptfile_status import write_status
from bot.render.package import Package, Settled, functionless
from bot.render.render_errors import PlainError, RenderError
from bot.render.render_types import OUTPUT_STDOUT, OUTPUT_UNWRAP, RenderOptions, RenderOutcome
from bot.render.runtimes.base import FunctionError
from bot.render.runtimes.select import RuntimeSelector
from bot.render.step_records import write_results_dir
from bot.render.step_runner import RenderContext
from bot.render.validation import validate_pipeline
from bot.render.yaml.node import Node


def render_package(package_dir: Path, options: RenderOptions | None = None,
                   progress: TextIO | None = None) -> RenderOutcome:
    """Render ``package_dir`` in place (or to ``options.output``) with kpt fn render semantics.

    ``progress`` receives kpt's console output (the ``Package "x":`` / ``[RUNNING]`` lines).
    """
    with collector_paused():  # node trees hold no cycles (see collector.py)
        return _render(package_dir, options or RenderOptions(), progress)


def _render(package_dir: Path, options: RenderOptions, progress: TextIO | None) -> RenderOutcome:
    console = Console(progress)
    try:
        root, ctx = _load_root(package_dir, options, console)
    except RenderError as err:
        console.write(err.console_text())
        return RenderOutcome(exit_code=1, error_message=str(err))
    except FunctionError as err:
        console.write(f"Error: {err} \n")
        return RenderOutcome(exit_code=1, error_message=str(err))
    if options.output is None and options.skip_written_files and functionless(root):
        ctx.settled = Settled()  # only files that change are read and written (written_form.py)
    error: RenderError | None = None
    items: list[Node] = []
    input_paths: set[str] = set()
    bfs = root.kptfile.annotations.get(keys.BFS_RENDERING) == "true"
    ctx.save_on_failure = root.kptfile.annotations.get(keys.SAVE_ON_RENDER_FAILURE) == "true"
    try:
        items = hydrate_bfs(ctx, root, input_paths) if bfs else hydrate(ctx, root, input_paths)
    except RenderError as err:
        error = err
    outcome = RenderOutcome(exit_code=0 if error is None else 1, steps=list(ctx.steps))
    try:
        return _finish(ctx, root, items, input_paths, options, error, bfs, outcome)
    except OSError as err:
        # A read-only package or a full disk: one clear message, not a traceback.
        console.write(f"Error: failed to write the rendered package: {err} \n")
        return RenderOutcome(exit_code=1, error_message=str(err), steps=list(ctx.steps), stdout=outcome.stdout)


def _finish(ctx: RenderContext, root: Package, items: list[Node], input_paths: set[str],
            options: RenderOptions, error: RenderError | None, bfs: bool, outcome: RenderOutcome) -> RenderOutcome:
    """Write-back (or the partial write kpt's save-on-render-failure asks for), status, results, summary."""
    console = ctx.console
    in_place = options.output is None
    if error is None:
        outcome.changed_paths = _write_output(ctx, root, items, input_paths, options, outcome)
    else:
        outcome.error_message = _status_message(error, root.path)
        if ctx.save_on_failure and in_place:
            partial = (ctx.partial_items or []) if bfs else partial_items(ctx)
            outcome.changed_paths = writeback.write_in_place(root.path, partial, input_paths, ctx.docs,
                                                             prune=False)
    if in_place and _status_wanted(root, error is None and not outcome.changed_paths):
        message = None if error is None else outcome.error_message
        if write_status(root.path, ctx.mutation_steps, ctx.validation_steps, message):
            outcome.changed_paths.append("Kptfile")
    if options.results_dir is not None:
        write_results_dir(options.results_dir, ctx.steps, outcome.exit_code)
    if error is not None:
        if ctx.save_on_failure and in_place:
            verb = f"Partially executed {ctx.executed} function(s)" if ctx.executed \
                else "Failed to execute any functions"
            console.write(f"{verb} in {ctx.packages_visited} package(s).\n")
        console.write(error.console_text())
        return outcome
    if options.output not in (OUTPUT_STDOUT, OUTPUT_UNWRAP):
        console.write(f"Successfully executed {ctx.executed} function(s) in "
                      f"{ctx.packages_visited} package(s).\n")
        if options.results_dir is not None:
            console.write(f"For complete results, see {options.results_dir / 'results.yaml'}\n")
    return outcome


def _status_wanted(root: Package, nothing_changed: bool) -> bool:
    """Whether the root Kptfile gets kpt's ``status`` block after this render.

    ``PORCHBOT_KPTFILE_STATUS`` = ``true`` (always, as current kpt), ``false`` (never, as kpt up to
    v1.0.0-beta.57) or ``auto`` (the default):
    * a pipeline made only of catalog ``:unstable`` images is rendered as the catalog's own e2e
      harness renders it, with kpt v1.0.0-beta.57, which wrote no status: those dev builds were
      never paired with another kpt;
    * a successful render that changed no resource, of a package whose status already says it
      rendered, leaves the Kptfile alone. Re-rendering rendered output must be a no-op (the bot
      commits a render only when files change, and would otherwise commit twice: once for the
      resources, once more because a function's message went from "updated" to "already set").
    """
    forced = current_settings().kptfile_status  # None: auto
    if forced is not None:
        return forced
    images = [f.image for f in (*root.kptfile.mutators, *root.kptfile.validators)]
    if images and all(image.endswith(":unstable") for image in images):
        return False
    return not (nothing_changed and _already_rendered(root.kptfile.canonical))


def _already_rendered(kptfile: Node) -> bool:
    conditions = kptfile.path("status", "conditions")
    if conditions is None:
        return False
    return any(c.str_value("type") == "Rendered" and c.str_value("status") == "True"
               for c in conditions.content)


def _load_root(package_dir: Path, options: RenderOptions, console: Console) -> tuple[Package, RenderContext]:
    absolute = Path(os.path.abspath(package_dir))
    resolved = Path(os.path.realpath(absolute))
    if package_dir.is_symlink():
        console.write(f'[WARN] resolved symlink "{package_dir}" to "{os.path.relpath(resolved)}", '
                      "please note that the symlinks within the package are ignored\n")
    kptfile = read_kptfile(resolved)
    validate_pipeline(kptfile, resolved)
    output = options.output
    if output is not None and output not in (OUTPUT_STDOUT, OUTPUT_UNWRAP) and Path(output).exists():
        raise PlainError(f'directory "{output}" already exists, please delete the directory and retry')
    root = Package(path=resolved, root=resolved, kptfile=kptfile)
    selector = RuntimeSelector(options.runtime, options.runtime_options, options.builtins)
    return root, RenderContext(root=resolved, console=console, selector=selector)


def _status_message(error: RenderError, root: Path) -> str:
    """kpt's error text with the root's absolute path shown as "." (not inside a longer name)."""
    return re.sub(re.escape(str(root)) + r"(?![\w.-])", ".", str(error))


def _write_output(ctx: RenderContext, root: Package, items: list[Node], input_paths: set[str],
                  options: RenderOptions, outcome: RenderOutcome) -> list[str]:
    """Write in place or to a directory (returns the changed paths), or set ``outcome.stdout``."""
    output = options.output
    if output is None:
        return writeback.write_in_place(root.path, items, input_paths, ctx.docs, prune=True)
    if output == OUTPUT_STDOUT:
        outcome.stdout = writeback.stdout_resource_list(root.path, items)
    elif output == OUTPUT_UNWRAP:
        outcome.stdout = writeback.unwrapped_yaml(items, ctx.docs)
    else:
        writeback.write_to_dir(Path(output), root.path, items, ctx.docs)
    return []
