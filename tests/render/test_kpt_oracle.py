"""Differential test against kpt itself: every kpt-samples package through an identity exec pipeline.

kpt (the oracle) and porchbot read, annotate, call the function and write back; every resource file
must come out byte-identical (Kptfiles differ only by the status block newer kpt writes).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import shared_path

pytestmark = [pytest.mark.kpt, pytest.mark.shared]


def package_roots(checkout: Path) -> list[Path]:
    kptfiles = sorted(checkout.rglob("Kptfile"))
    dirs = {k.parent for k in kptfiles}
    return [d for d in sorted(dirs) if not any(parent in dirs for parent in d.parents)]


def with_identity_pipeline(package: Path, identity: Path) -> None:
    for kptfile in package.rglob("Kptfile"):
        text = kptfile.read_text(encoding="utf-8")
        text = re.sub(r"\npipeline:\n(?:(?:  .*)?\n)*", "\n", text if text.endswith("\n") else text + "\n")
        kptfile.write_text(text + f"pipeline:\n  mutators:\n    - exec: {identity}\n", encoding="utf-8")


def test_kpt_samples_render_like_kpt(tmp_path: Path, kpt_binary: str) -> None:
    bundle = shared_path("fixtures", "kpt-samples", "kpt-samples.bundle")
    checkout = tmp_path / "samples"
    subprocess.run(["git", "clone", "-q", str(bundle), str(checkout)], check=True, timeout=120)
    identity = tmp_path / "identity.sh"
    identity.write_text("#!/bin/sh\ncat\n")
    identity.chmod(0o755)
    roots = package_roots(checkout)
    assert roots, "the bundle holds no packages"
    compared = 0
    for root in roots:
        rel = root.relative_to(checkout)
        theirs, ours = tmp_path / "kpt" / rel, tmp_path / "ours" / rel
        for copy in (theirs, ours):
            shutil.copytree(root, copy, symlinks=True)
            with_identity_pipeline(copy, identity)
        subprocess.run([kpt_binary, "fn", "render", "--allow-exec", str(theirs)], check=True,
                       capture_output=True, timeout=300)
        result = subprocess.run([sys.executable, "-m", "bot.cli", "fn", "render", "--allow-exec", str(ours)],
                                capture_output=True, text=True, timeout=300, check=False)
        assert result.returncode == 0, result.stderr
        for expected in sorted(p for p in theirs.rglob("*") if p.is_file() and p.name != "Kptfile"):
            actual = ours / expected.relative_to(theirs)
            assert actual.read_bytes() == expected.read_bytes(), f"{rel}/{expected.relative_to(theirs)}"
            compared += 1
    assert compared > 0
