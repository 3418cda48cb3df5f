"""A minimal ``kpt fn eval``: one function over a ResourceList on stdin or over a directory.

It runs through the render engine's step runner, so eval gets the same call ids, comment and key
order re-sync, default paths for new resources and path checks as a pipeline step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.errors import InvalidInput, PorchbotError
from bot.render import annotations as ann
from bot.render.console import Console
from bot.render.fnconfig import config_map_node
from bot.render.kptfile import FunctionSpec, Kptfile, Selector
from bot.render.package import Package, SourceDoc
from bot.render.render_errors import AlreadyHandled, RenderError
from bot.render.runtimes.base import RuntimeOptions
from bot.render.step_runner import RenderContext, run_step
from bot.render.yaml.node import Node

if TYPE_CHECKING:
    from bot.render.functions.registry import FunctionRegistry


@dataclass
class EvalOptions:
    image: str = ""
    exec: str = ""
    fn_config: Path | None = None
    args: list[str] = field(default_factory=list)
    runtime: str = "auto"
    runtime_options: RuntimeOptions = field(default_factory=RuntimeOptions)
    results_dir: Path | None = None
    output: str | None = None
    truncate_output: bool = True
    selectors: list[Selector] = field(default_factory=list)  # --match-* (one selector), --exclude-*
    exclude: list[Selector] = field(default_factory=list)
    builtins: FunctionRegistry | None = None  # the builtin functions to look images up in (None: the catalog)


def _function_config(options: EvalOptions) -> Node | None:
    if options.fn_config is not None:
        from bot.render.package import split_documents
        from bot.render.yaml.parser import parse_document

        try:
            text = options.fn_config.read_text(encoding="utf-8")
        except OSError as err:
            raise InvalidInput(f"failed to read --fn-config {options.fn_config}: {err}") from err
        documents = [d for d in (parse_document(p) for p in split_documents(text)) if d is not None and d.content]
        if len(documents) != 1:
            raise InvalidInput(f"--fn-config {options.fn_config} must hold exactly one resource")
        config: Node = documents[0].content[0]
        return config
    values: dict[str, str] = {}
    for arg in options.args:
        if arg == "--":
            continue
        key, sep, value = arg.partition("=")
        if not sep:
            raise InvalidInput(f"function arguments must be key=value (got {arg!r})")
        values[key] = value
    return config_map_node(values) if values else None


def _read_input(pkg: str, docs: dict[int, SourceDoc],
                read_stdin: Callable[[], str] | None) -> tuple[list[Node], Package, bool]:
    """The items, the package they belong to, and whether they came from stdin."""
    from bot.render.kptfile import read_kptfile
    from bot.render.package import local_resources

    if pkg == "-":
        from bot.render.resourcelist_wire import decode_resource_list

        cwd = Path.cwd()
        if read_stdin is None:
            raise InvalidInput("fn eval -: no standard input to read the ResourceList from")
        stdin_items = decode_resource_list(read_stdin(), source="the ResourceList on stdin").items
        return stdin_items, Package(path=cwd, root=cwd, kptfile=Kptfile(canonical=Node.mapping())), True
    root = Path(pkg).resolve()
    if not root.is_dir():
        raise InvalidInput(f"{pkg} is not a directory")
    try:
        kptfile = read_kptfile(root)
    except PorchbotError:
        kptfile = Kptfile(canonical=Node.mapping())
    # kpt fn eval sees the whole tree, subpackages included (each resource keeps its owner).
    items: list[Node] = []
    top = Package(path=root, root=root, kptfile=kptfile)
    pending = [top]
    while pending:
        package = pending.pop(0)
        items.extend(local_resources(package, docs))
        pending.extend(package.direct_subpackages())
    return items, top, False


@dataclass
class EvalOutcome:
    exit_code: int
    stdout: str = ""  # the resources for ``-o stdout``/``unwrap`` (or a stdin ResourceList): the caller prints it


def eval_function(pkg: str, options: EvalOptions, progress: TextIO | None,
                  read_stdin: Callable[[], str] | None = None) -> EvalOutcome:
    """``kpt fn eval`` over ``pkg`` (a directory, or ``-`` for a ResourceList ``read_stdin`` returns).

    ``progress`` receives kpt's console output; nothing is printed here.
    """
    console = Console(progress)
    try:
        return _eval(pkg, options, console, read_stdin)
    except RenderError as err:
        console.write(err.console_text())
        return EvalOutcome(exit_code=1)
    except PorchbotError as err:
        console.write(f"Error: {err} \n")
        return EvalOutcome(exit_code=1)


def _eval(pkg: str, options: EvalOptions, console: Console, read_stdin: Callable[[], str] | None) -> EvalOutcome:
    from bot.render.runtimes.select import RuntimeSelector

    if bool(options.image) == bool(options.exec):
        raise InvalidInput("exactly one of --image and --exec is required")
    config = _function_config(options)
    docs: dict[int, SourceDoc] = {}
    items, package, from_stdin = _read_input(pkg, docs, read_stdin)
    ctx = RenderContext(root=package.root, console=console, docs=docs, show_package=False,
                        selector=RuntimeSelector(options.runtime, options.runtime_options, options.builtins))
    function = FunctionSpec(image=options.image, exec=options.exec, selectors=list(options.selectors),
                            exclude=list(options.exclude))
    input_paths = set(_paths(items, package))  # before the call: functions may drop annotations
    exit_code = 0
    stdout = ""
    error: RenderError | None = None
    try:
        output = run_step(ctx, package, function, "mutator", 0, items, config=config)
    except AlreadyHandled:
        exit_code = 1
    except RenderError as err:
        exit_code, error = 1, err
    else:
        stdout = _write(ctx, output, package, from_stdin, options, input_paths)
    if options.results_dir is not None:
        from bot.render.step_records import write_results_dir

        write_results_dir(options.results_dir, ctx.steps, exit_code)
    if error is not None:
        console.write(error.console_text())
    return EvalOutcome(exit_code=exit_code, stdout=stdout)


def _paths(items: list[Node], package: Package) -> list[str]:
    from bot.render.writeback import root_relative_path

    return [root_relative_path(item, package.root) for item in items if ann.resource_path(item)]


def _write(ctx: RenderContext, items: list[Node], package: Package, from_stdin: bool, options: EvalOptions,
           input_paths: set[str]) -> str:
    """Write the function's output where ``options.output`` says; returns what goes to stdout."""
    from bot.render import writeback

    output = options.output or ("stdout" if from_stdin else None)
    if output == "unwrap":
        return writeback.unwrapped_yaml(items, ctx.docs)
    if output == "stdout":
        return writeback.stdout_resource_list(package.root, items)
    if output is not None:
        writeback.write_to_dir(Path(output), package.root, items, ctx.docs)
    else:
        writeback.write_in_place(package.root, items, input_paths, ctx.docs, prune=True)
    return ""
