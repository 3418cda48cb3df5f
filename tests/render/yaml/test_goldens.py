"""The YAML layer against outputs recorded from kpt: guards the round trip on machines without kpt.

Each folder under golden/ holds an input we wrote and the bytes kpt 1.0.0-beta.56 wrote back for it
(``scripts/record-yaml-goldens.py``, see bot/render/yaml/README.md). A case the layer does not match
yet carries an ``xfail.txt`` with the reason; the xfail is strict, so fixing the layer fails the test
until the file goes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.render.yaml.files import reformat

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
ROOT = HERE.parents[2]
RECORDER = ROOT / "scripts" / "record-yaml-goldens.py"
KPT_VERSION = (GOLDEN / "KPT_VERSION").read_text().strip()
CASES = sorted(p for p in GOLDEN.iterdir() if p.is_dir())


def _input(case: Path) -> Path:
    (source,) = case.glob("input.*")
    return source


def _param(case: Path) -> object:
    reason = case / "xfail.txt"
    if reason.exists():
        return pytest.param(
            case, id=case.name, marks=pytest.mark.xfail(strict=True, reason=reason.read_text())
        )
    return pytest.param(case, id=case.name)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_round_trip_matches_kpt_recording(case: Path) -> None:
    source = _input(case)
    expected = source.with_name("expected" + source.suffix).read_bytes().decode()
    ours = reformat(source.read_bytes().decode(), json_file=source.suffix == ".json")
    assert ours == expected


def test_every_case_is_recorded_and_the_readme_names_the_kpt_version() -> None:
    assert 20 <= len(CASES) <= 40
    unrecorded = [c.name for c in CASES if not _input(c).with_name("expected" + _input(c).suffix).exists()]
    assert unrecorded == []
    readme = (ROOT / "bot" / "render" / "yaml" / "README.md").read_text()
    assert f"kpt {KPT_VERSION}" in readme


def test_crlf_input_is_stored_with_its_carriage_returns() -> None:
    # .gitattributes keeps git from normalising the one input that exists to test CRLF.
    assert b"\r\n" in (GOLDEN / "crlf-line-endings" / "input.yaml").read_bytes()


@pytest.mark.kpt
def test_recordings_are_what_kpt_writes_today(kpt_binary: str) -> None:
    version = subprocess.run([kpt_binary, "version"], capture_output=True, text=True).stdout.strip()
    if version != KPT_VERSION:
        pytest.skip(f"goldens come from kpt {KPT_VERSION}, this machine has {version}")
    proc = subprocess.run(
        [sys.executable, str(RECORDER), "--check", "--kpt", kpt_binary],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
