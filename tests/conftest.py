"""Shared test fixtures: where ../shared is (tests that need it skip when it is absent) and kpt."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("PORCHBOT_SHARED_DIR", PROJECT_DIR.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """A path under ../shared; skips the calling test when it does not exist."""
    path = SHARED_DIR.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared not available ({'/'.join(parts)})")
    return path


@pytest.fixture
def shared_dir() -> Path:
    return shared_path()


@pytest.fixture
def kpt_binary() -> str:
    kpt = shutil.which("kpt")
    if kpt is None:
        pytest.skip("kpt binary not on PATH (differential oracle)")
    return kpt
