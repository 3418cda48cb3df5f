"""Porch v4.0.0's own CLI end-to-end cases (../shared/conformance/porchctl), replayed against porchbot."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.porchctl.conftest import CONFORMANCE_DIR, case_names
from tests.porchctl.gitserver import CaseGitServer
from tests.porchctl.replay import CaseReplay, load_case

pytestmark = pytest.mark.shared


@pytest.mark.parametrize("case", case_names() or ["(../shared absent)"])
def test_porchctl_case(case: str, case_git_server: CaseGitServer, tmp_path: Path) -> None:
    config = load_case(CONFORMANCE_DIR / "cases" / case / "config.yaml")
    if config.get("skip"):
        pytest.skip(f"Porch skips {case}: {config['skip']}")
    outcome = CaseReplay(case, tmp_path, case_git_server).run(config)
    assert not outcome.mismatches, "\n\n".join(outcome.mismatches)
