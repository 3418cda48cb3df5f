"""Fixtures for replaying Porch's CLI cases: the loopback git servers and the upstream repositories."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import SHARED_DIR
from tests.porchctl import upstreams
from tests.porchctl.gitserver import CaseGitServer, serve

CONFORMANCE_DIR = SHARED_DIR / "conformance" / "porchctl"


def case_names() -> list[str]:
    cases = CONFORMANCE_DIR / "cases"
    return sorted(p.name for p in cases.iterdir() if (p / "config.yaml").is_file()) if cases.is_dir() else []


@pytest.fixture(scope="session")
def case_git_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CaseGitServer]:
    bundle = CONFORMANCE_DIR / "git" / "test-blueprints.bundle"
    if not bundle.is_file():
        pytest.skip("../shared/conformance/porchctl not available")
    root = tmp_path_factory.mktemp("porchctl-git")
    with serve(root) as server:
        upstreams.build(server.github_root, bundle)
        yield server
