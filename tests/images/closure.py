"""Which of our modules (and which third-party distributions) the function image needs.

The image must carry everything the builtin functions import and nothing else: the import graph is
read with ``ast`` starting from the entrypoint and every module under ``bot/render/functions`` (the
registry imports those dynamically). Imports under ``if TYPE_CHECKING:`` are not followed.
"""

from __future__ import annotations

import ast
import importlib.metadata
import sys
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE = "bot"


@dataclass
class Closure:
    files: set[Path] = field(default_factory=set)  # relative to the project dir
    third_party: set[str] = field(default_factory=set)  # top-level import names


def function_roots(project_dir: Path) -> list[str]:
    roots = ["bot.render.fnmain"]
    for path in sorted((project_dir / "bot" / "render" / "functions").glob("*.py")):
        if path.stem != "__init__":
            roots.append(f"bot.render.functions.{path.stem}")
    return roots


def module_file(project_dir: Path, module: str) -> Path | None:
    base = project_dir.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def import_closure(project_dir: Path, roots: list[str]) -> Closure:
    closure = Closure()
    pending = list(roots)
    seen: set[str] = set()
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        path = module_file(project_dir, module)
        if path is None:
            continue
        closure.files.add(path.relative_to(project_dir))
        # A module's packages are imported before it, __init__ files included.
        parts = module.split(".")
        pending.extend(".".join(parts[:i]) for i in range(1, len(parts)))
        is_package = path.name == "__init__.py"
        for name in _imports(path, module, is_package):
            top = name.split(".")[0]
            if top == PACKAGE:
                pending.append(name)
            elif top not in sys.stdlib_module_names and top != "__future__":
                closure.third_party.add(top)
    closure.files |= _package_data(project_dir, closure.files)
    return closure


def _package_data(project_dir: Path, files: set[Path]) -> set[Path]:
    """Non-Python files beside the copied packages (schemas, .star libraries...) that code may open."""
    data: set[Path] = set()
    for init in (f for f in files if f.name == "__init__.py"):
        for path in (project_dir / init.parent).iterdir():
            if path.is_file() and path.suffix not in {".py", ".pyc", ".pyi"} and not path.name.startswith("."):
                data.add(path.relative_to(project_dir))
    return data


def _imports(path: Path, module: str, is_package: bool) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: list[str] = []
    package_parts = module.split(".") if is_package else module.split(".")[:-1]
    for node in _walk_runtime(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package_parts[: len(package_parts) - node.level + 1]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names.append(base)
            # "from bot.render import wire" may name a submodule: follow it when it is one.
            names.extend(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return [name for name in names if name]


def _walk_runtime(tree: ast.AST) -> list[ast.AST]:
    """ast.walk, minus the bodies of ``if TYPE_CHECKING:`` blocks."""
    found: list[ast.AST] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def requirements(import_names: set[str], provided: set[str]) -> list[str]:
    """Pinned requirements (``name==version`` as installed here) for imports the base image lacks."""
    distributions = importlib.metadata.packages_distributions()
    pins: set[str] = set()
    for name in sorted(import_names - provided):
        for dist in distributions.get(name, []):
            pins.add(f"{dist}=={importlib.metadata.version(dist)}")
    return sorted(pins)
