"""The shared ``kpt pkg update`` conformance suite (../shared/conformance/update), run in-process.

The suite's own runner builds each case's upstream and downstream git repositories; instead of a
``porchbot`` process per case we call the command body directly (four cases at a time), then compare
the package tree with the runner's own helpers. A second test runs the cases with the parse-skipping
fast lane turned off: both must give kpt's bytes.
"""

from __future__ import annotations

import concurrent.futures
import contextvars
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from bot.errors import PorchbotError
from bot.upgrade import fastlane
from bot.upgrade.command import parse_target, run_update
from tests.conftest import SHARED_DIR, shared_path

pytestmark = pytest.mark.shared
SUITE = SHARED_DIR / "conformance" / "update"


def _runner() -> ModuleType:
    path = shared_path("conformance", "update", "run.py")
    spec = importlib.util.spec_from_file_location("update_conformance_runner", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def _run_case(runner: ModuleType, case: object, tmp: Path) -> str | None:
    """None when the case passes, else why not."""
    setup = runner.build(case, tmp)
    want_fail = case.expect_exit != 0  # type: ignore[attr-defined]
    try:
        run_update(parse_target(f"{setup.pkg}@{case.ref}", case.strategy, setup.downstream))  # type: ignore[attr-defined]
    except PorchbotError as err:
        if not want_fail:
            return f"failed: {err}"
        if case.meta.get("on_error") == "unchanged":  # type: ignore[attr-defined]
            mapping = runner.placeholder_map(setup)
            actual = {k: runner.normalise(v, mapping) for k, v in runner.read_tree(setup.pkg).items()}
            problems, _ = runner.compare_trees(actual, runner.read_tree(case.path / "local"), False,  # type: ignore[attr-defined]
                                               ignore=lambda k: k.rsplit("/", 1)[-1] == "Kptfile")
            return "; ".join(problems) or None
        return None
    if want_fail:
        return "succeeded, expected a failure"
    mapping = runner.placeholder_map(setup)
    actual = {k: runner.normalise(v, mapping) for k, v in runner.read_tree(setup.pkg).items()}
    problems, details = runner.compare_trees(actual, runner.read_tree(case.path / "expected"), True)  # type: ignore[attr-defined]
    return "; ".join(problems) + "".join(details[:60]) if problems else None


def _run_all(tmp_path: Path) -> dict[str, str]:
    runner = _runner()
    cases = runner.discover([SUITE / "cases"])
    assert len(cases) >= 138

    lane = fastlane.enabled()
    context = contextvars.copy_context()  # worker threads start from an empty context: carry the caller's

    def one(index_case: tuple[int, object]) -> tuple[str, str | None]:
        index, case = index_case
        work = tmp_path / f"case{index}"
        work.mkdir()
        assert fastlane.enabled() == lane
        return case.name, _run_case(runner, case, work)  # type: ignore[attr-defined]

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = dict(pool.map(lambda index_case: context.copy().run(one, index_case), enumerate(cases)))
    return {name: why for name, why in results.items() if why is not None}


def test_every_shared_update_case_gives_kpts_bytes(tmp_path: Path) -> None:
    failures = _run_all(tmp_path)
    assert failures == {}, "\n".join(f"{name}: {why}" for name, why in failures.items())


def test_the_fast_lane_changes_nothing(tmp_path: Path) -> None:
    with fastlane.ordinary_path():
        failures = _run_all(tmp_path)
    assert failures == {}, "\n".join(f"{name}: {why}" for name, why in failures.items())
