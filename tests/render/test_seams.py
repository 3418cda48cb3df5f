"""What the render engine takes instead of being patched: a function registry of the caller's own,
and a runtime choice made through the runtime Protocol's ``reproduces``; plus its import graph."""

from __future__ import annotations

import ast
import io
from pathlib import Path

from bot.render.functions.registry import BuiltinFunction, FunctionRegistry
from bot.render.render_package import render_package
from bot.render.render_types import RenderOptions
from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionRef, RuntimeOptions
from bot.render.runtimes.builtin import BuiltinRuntime
from bot.render.runtimes.select import RuntimeSelector
from tests.render.test_bad_input import DEPLOYMENT, kptfile, make_package

BOT = Path(__file__).resolve().parents[2] / "bot"


def _stamp(rl: ResourceList) -> None:
    for item in rl.items:
        item.ensure_map("metadata", "labels").set("stamped", item.scalar("yes"))


STAMP = BuiltinFunction(name="stamp", description="a test builtin", tags=("v1",), run=_stamp)


def test_render_runs_the_builtins_it_is_given(tmp_path: Path) -> None:
    package = make_package(tmp_path / "app", {
        "Kptfile": kptfile("  mutators:\n    - image: gcr.io/kpt-fn/stamp:v1\n"),
        "deployment.yaml": DEPLOYMENT,
    })
    progress = io.StringIO()
    outcome = render_package(package, RenderOptions(runtime="builtin", builtins=FunctionRegistry([STAMP])),
                             progress)
    assert outcome.ok, progress.getvalue()
    assert "  labels:\n    stamped: yes\n" in (package / "deployment.yaml").read_text()


def test_the_catalog_registry_does_not_know_a_test_builtin(tmp_path: Path) -> None:
    package = make_package(tmp_path / "app", {
        "Kptfile": kptfile("  mutators:\n    - image: gcr.io/kpt-fn/stamp:v1\n"),
        "deployment.yaml": DEPLOYMENT,
    })
    outcome = render_package(package, RenderOptions(runtime="builtin"), io.StringIO())
    assert not outcome.ok
    assert "no builtin implementation" in outcome.error_message


def test_auto_asks_the_builtin_runtime_whether_it_reproduces_the_call() -> None:
    calls: list[str] = []

    def partial(rl: ResourceList) -> bool:
        calls.append("asked")
        return True

    picky = BuiltinFunction(name="stamp", description="", tags=("v1",), run=_stamp, reproduces=partial)
    selector = RuntimeSelector("auto", RuntimeOptions(), FunctionRegistry([picky]))
    ref = FunctionRef(image="gcr.io/kpt-fn/stamp:v1")
    runtime = selector.for_function(ref)
    assert runtime.reproduces(ref, ResourceList(items=[]))  # auto itself always gives the image's output
    runtime.run(ref, ResourceList(items=[]))
    assert calls == ["asked"]
    builtin = selector.runtime_named("builtin")
    assert isinstance(builtin, BuiltinRuntime)
    assert not BuiltinRuntime(RuntimeOptions(), FunctionRegistry()).reproduces(ref, ResourceList(items=[]))


def _imports(path: Path, module: str) -> set[str]:
    """Every bot.render module ``path`` imports, at module level or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
            found.add(node.module)
    return {name for name in found if name.startswith("bot.render") and name != module}


def test_the_render_package_has_no_import_cycle() -> None:
    modules = {".".join(path.relative_to(BOT.parent).with_suffix("").parts).removesuffix(".__init__"): path
               for path in (BOT / "render").rglob("*.py")}
    graph = {name: {dep for dep in _imports(path, name) if dep in modules} for name, path in modules.items()}
    state: dict[str, int] = {}  # 1 on the current path, 2 done

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for dep in sorted(graph[name]):
            assert state.get(dep) != 1, " -> ".join([*trail[trail.index(dep):], dep]) \
                if dep in trail else f"{name} -> {dep}"
            if dep not in state:
                visit(dep, [*trail, dep])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
