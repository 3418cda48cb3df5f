"""bot/config/settings.py is the one place that reads the environment, and the README's table is its table.

The walk is over the source with ``ast`` (no import of bot/), so a read hidden in a lazily imported
module or a rarely taken branch fails the same way.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from bot.config.settings import VARIABLES
from bot.config.settings_table import README, markdown, readme_section

PROJECT_DIR = Path(__file__).resolve().parents[2]
BOT_DIR = PROJECT_DIR / "bot"
SETTINGS_MODULE = "bot/config/settings.py"
ENV_API = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}

# (file, function) → why reading os.environ there is not reading configuration. PASS_THROUGH entries
# may only spread the whole environment into a child's (``{**os.environ, ...}``).
PASS_THROUGH = {
    ("bot/lifecycle/gitaccess.py", "Git.__init__"): "git child processes inherit PATH, HOME, proxies",
    ("bot/lifecycle/gitaccess.py", "git_outside"): "the same, for clone and ls-remote",
}
EXCEPTIONS = {
    **PASS_THROUGH,
    ("bot/render/runtimes/docker_config.py", "container_env"):
        "the function sandbox: kpt's `--env KEY` copies this process's KEY into the function container",
    ("bot/render/fnmain.py", "main"):
        "the function image's entry point hands run() the variables its image sets (PORCHBOT_FUNCTION)",
}
# PORCHBOT_* names spelled in bot/ that are not settings: variables Porchbot sets for a child to read.
SET_FOR_CHILDREN = {
    "PORCHBOT_FUNCTION": "set by the builtin function images for bot/render/fnmain.py",
    "PORCHBOT_FUNCTION_TAG": "the same",
    "PORCHBOT_GIT_USERNAME": "set for the git askpass helper (bot/lifecycle/credentials.py)",
    "PORCHBOT_GIT_PASSWORD": "the same",
}


class EnvRead(NamedTuple):
    path: str
    function: str
    line: int
    pass_through: bool


class _Finder(ast.NodeVisitor):
    def __init__(self, path: str) -> None:
        self.path = path
        self.os_names: set[str] = set()
        self.scope: list[str] = []
        self.found: list[EnvRead] = []
        self._spread: set[int] = set()  # ids of nodes spread with ** into a dict display

    def _record(self, node: ast.AST) -> None:
        self.found.append(EnvRead(self.path, ".".join(self.scope) or "<module>", getattr(node, "lineno", 0),
                                  id(node) in self._spread))

    def visit_Import(self, node: ast.Import) -> None:
        self.os_names.update(alias.asname or alias.name for alias in node.names if alias.name == "os")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module == "os" and any(alias.name in ENV_API for alias in node.names):
            self._record(node)

    def _scoped(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _scoped

    def visit_Dict(self, node: ast.Dict) -> None:
        self._spread.update(id(value) for key, value in zip(node.keys, node.values, strict=True) if key is None)
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.value, ast.Name) and node.value.id in self.os_names and node.attr in ENV_API:
            self._record(node)
        self.generic_visit(node)


def environment_reads() -> Iterator[EnvRead]:
    for path in sorted(BOT_DIR.rglob("*.py")):
        relative = path.relative_to(PROJECT_DIR).as_posix()
        finder = _Finder(relative)
        finder.visit(ast.parse(path.read_text(), filename=relative))
        yield from finder.found


def test_only_the_settings_module_reads_the_environment() -> None:
    reads = [read for read in environment_reads() if read.path != SETTINGS_MODULE]
    unexpected = [f"{r.path}:{r.line} in {r.function}" for r in reads if (r.path, r.function) not in EXCEPTIONS]
    assert not unexpected, ("read the environment through bot.config.settings (a field in its table), "
                            f"not directly: {unexpected}")
    widened = [f"{r.path}:{r.line}" for r in reads if (r.path, r.function) in PASS_THROUGH and not r.pass_through]
    assert not widened, f"a pass-through exception may only spread os.environ into a child's: {widened}"
    stale = set(EXCEPTIONS) - {(r.path, r.function) for r in reads}
    assert not stale, f"exceptions that no longer read the environment (drop them): {sorted(stale)}"


def test_the_finder_sees_every_spelling(tmp_path: Path) -> None:
    source = ("import os as system\nfrom os import getenv\n\ndef f():\n"
              "    return system.environ.get('A'), {**system.environ}, system.getenv('B')\n")
    finder = _Finder("x.py")
    finder.visit(ast.parse(source))
    assert [(r.function, r.line, r.pass_through) for r in finder.found] == [
        ("<module>", 2, False), ("f", 5, False), ("f", 5, True), ("f", 5, False)]


def test_every_porchbot_name_in_bot_is_a_setting() -> None:
    settings = {variable.env for variable in VARIABLES}
    pattern = re.compile(r"(?<![A-Za-z0-9_])(PORCHBOT_[A-Z0-9_]+)\b")  # code, messages and docs alike
    spelled = {name for path in BOT_DIR.rglob("*.py") for name in pattern.findall(path.read_text())}
    assert spelled - settings - set(SET_FOR_CHILDREN) == set()
    assert set(SET_FOR_CHILDREN) <= spelled  # no stale entries


def test_every_setting_has_a_doc_line_and_its_own_name() -> None:
    names = [variable.env for variable in VARIABLES]
    assert len(names) == len(set(names))
    assert all(variable.doc and "\n" not in variable.doc for variable in VARIABLES)


def test_the_readme_table_is_the_settings_table() -> None:
    assert readme_section(README.read_text()) == markdown(), \
        "README.md's configuration table is stale: run `python -m bot.config.settings_table --update-readme`"


def test_the_documented_command_prints_the_table() -> None:
    done = subprocess.run([sys.executable, "-m", "bot.config.settings_table", "--markdown"], cwd=PROJECT_DIR,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == markdown()
    refused = subprocess.run([sys.executable, "-m", "bot.config.settings_table", "--bogus"], cwd=PROJECT_DIR,
                             capture_output=True, text=True, timeout=60, check=False)
    assert refused.returncode == 2 and refused.stderr.startswith("usage:")
