"""A minimal ``kpt fn eval``: one function over a ResourceList on stdin or over a directory."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot.errors import InvalidInput, PorchbotError
from bot.render import annotations as ann
from bot.render.api import StepOutcome
from bot.render.console import Console
from bot.render.fnconfig import config_map_node
from bot.render.registry_names import resolved_image
from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError, FunctionRef, RuntimeOptions
from bot.render.yaml.node import Node


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
        return documents[0].content[0]
    values: dict[str, str] = {}
    for arg in options.args:
        if arg == "--":
            continue
        key, sep, value = arg.partition("=")
        if not sep:
            raise InvalidInput(f"function arguments must be key=value (got {arg!r})")
        values[key] = value
    return config_map_node(values) if values else None


def _read_input(pkg: str) -> tuple[list[Node], Path | None]:
    if pkg == "-":
        from bot.render.wire import decode_resource_list

        return decode_resource_list(sys.stdin.read(), source="the ResourceList on stdin").items, None
    from bot.render.kptfile import read_kptfile
    from bot.render.package import Package, local_resources

    root = Path(pkg).resolve()
    try:
        kptfile = read_kptfile(root)
    except PorchbotError:
        from bot.render.kptfile import Kptfile

        kptfile = Kptfile(canonical=Node.mapping())
    # kpt fn eval sees the whole tree, subpackages included (each resource keeps its owner).
    items: list[Node] = []
    pending = [Package(path=root, root=root, kptfile=kptfile)]
    while pending:
        package = pending.pop(0)
        items.extend(local_resources(package, {}))
        pending.extend(package.direct_subpackages())
    return items, root


def eval_function(pkg: str, options: EvalOptions, progress: TextIO | None) -> int:
    console = Console(progress)
    try:
        return _eval(pkg, options, console)
    except PorchbotError as err:
        console.write(f"Error: {err} \n")
        return 1


def _eval(pkg: str, options: EvalOptions, console: Console) -> int:
    from bot.render.runtimes.select import RuntimeSelector

    if bool(options.image) == bool(options.exec):
        raise InvalidInput("exactly one of --image and --exec is required")
    items, root = _read_input(pkg)
    image = resolved_image(options.image) if options.image else ""
    ref = FunctionRef(image=image, exec=options.exec)
    step = StepOutcome(image=image, exec=options.exec)
    rl = ResourceList(items=items, function_config=_function_config(options))
    console.running(ref.display, None, None)
    started = time.perf_counter()
    exit_code = 0
    try:
        run = RuntimeSelector(options.runtime, options.runtime_options).for_function(ref).run(ref, rl)
    except FunctionError as err:
        if err.execution_error:
            raise
        step.exit_code, step.stderr = err.exit_code or 1, err.stderr
        step.results = list(err.output.results) if err.output is not None else []
        console.finished(ref.display, time.perf_counter() - started, step.results, step.stderr, step.exit_code)
        exit_code = 1
    else:
        step.stderr = run.stderr
        step.results = list(run.output.results) if run.output is not None else []
        console.finished(ref.display, time.perf_counter() - started, step.results, step.stderr, None)
        _write(run.output.items if run.output is not None else [], root, options)
    if options.results_dir is not None:
        from bot.render.results import write_results_dir

        write_results_dir(options.results_dir, [step], exit_code)
    return exit_code


def _write(items: list[Node], root: Path | None, options: EvalOptions) -> None:
    from bot.render import writeback

    for item in items:
        ann.remove_annotations(item, (ann.ID, ann.LEGACY_ID, ann.MIGRATION_ID))
    output = options.output or ("stdout" if root is None else None)
    if output == "unwrap":
        sys.stdout.write(writeback.unwrapped_yaml(items, {}))
    elif output == "stdout" or root is None:
        from bot.render.wire import encode_resource_list

        sys.stdout.write(encode_resource_list(ResourceList(items=items)))
    else:
        for item in items:
            if ann.get_annotation(item, ann.PACKAGE_PATH) is None:
                ann.set_annotation(item, ann.PACKAGE_PATH, str(root))
        writeback.write_in_place(root, items, set(), {}, prune=False)
