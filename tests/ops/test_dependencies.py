"""Declared dependencies do a job in bot/, and the locks pin every one of them with hashes."""

from __future__ import annotations

import ast
import re
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT_DIR = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())
# Packages bot/ uses for their data, found by name (importlib) rather than imported.
DATA_PACKAGES = {"kubernetes_validate"}  # the kubeval builtin's baked-in schemas


def _declared(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(text).name) for text in requirements}


def _used_modules() -> set[str]:
    """Top-level modules bot/ imports, plus the data packages it names."""
    used: set[str] = set()
    for path in (PROJECT_DIR / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                used.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                used.add(node.module.split(".")[0])
            elif isinstance(node, ast.Constant) and node.value in DATA_PACKAGES:
                used.add(node.value)
    return used


def _pins(lock: str) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) of a pip-compile/uv lock."""
    pins: dict[str, tuple[str, int]] = {}
    for entry in (PROJECT_DIR / lock).read_text().replace("\\\n", " ").splitlines():
        if not entry.strip() or entry.startswith(("#", " ")):
            continue
        match = re.match(r"([A-Za-z0-9_.\-]+)==(\S+)", entry)
        assert match, f"{lock}: not an exact pin: {entry[:80]}"
        pins[canonicalize_name(match.group(1))] = (match.group(2), entry.count("--hash=sha256:"))
    return pins


def test_every_runtime_dependency_is_used_in_bot() -> None:
    modules_of: dict[str, set[str]] = {}
    for module, distributions in packages_distributions().items():
        for distribution in distributions:
            modules_of.setdefault(canonicalize_name(distribution), set()).add(module)
    used = _used_modules()
    idle = [name for name in sorted(_declared(PYPROJECT["project"]["dependencies"]))
            if not modules_of.get(name, set()) & used]
    assert idle == [], f"declared in pyproject.toml but nothing in bot/ uses them: {idle}"


def test_the_locks_pin_every_declared_dependency_with_hashes() -> None:
    runtime, test = _pins("requirements.lock"), _pins("requirements-test.lock")
    assert _declared(PYPROJECT["project"]["dependencies"]) <= set(runtime)
    assert _declared(PYPROJECT["project"]["optional-dependencies"]["test"]) <= set(test)
    for pins in (runtime, test):
        assert all(hashes > 0 for _, hashes in pins.values())  # pip's hash-checking mode needs every one
    # The test lock is the runtime lock plus the test tools: the suite runs on the versions users get.
    assert {name: pin for name, pin in test.items() if name in runtime} == runtime
