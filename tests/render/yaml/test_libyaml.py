"""The start-up check on PyYAML: a clear message instead of an ImportError deep in a render."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from bot.errors import PorchbotError
from bot.render.yaml.errors import LibyamlMissing
from bot.render.yaml.libyaml import c_parser_of


def _pyyaml(version: str, *, with_libyaml: bool) -> ModuleType:
    """A stand-in for the third-party ``yaml`` package as an install without libyaml leaves it."""
    module = ModuleType("yaml")
    module.__version__ = version  # type: ignore[attr-defined]
    module.__with_libyaml__ = with_libyaml  # type: ignore[attr-defined]
    if with_libyaml:
        module._yaml = yaml._yaml  # type: ignore[attr-defined]
    return module


def test_the_installed_pyyaml_passes() -> None:
    assert c_parser_of(yaml) is yaml._yaml.CParser  # type: ignore[attr-defined]


def test_pyyaml_without_libyaml_says_what_to_install() -> None:
    with pytest.raises(LibyamlMissing) as err:
        c_parser_of(_pyyaml("6.0.2", with_libyaml=False))
    message = str(err.value)
    assert message.startswith("PyYAML 6.0.2 was built without libyaml")
    assert "pip install --force-reinstall --only-binary PyYAML 'PyYAML>=6.0.1,<7'" in message
    assert "libyaml-dev" in message
    assert isinstance(err.value, PorchbotError)


def test_another_major_version_is_refused_even_with_libyaml() -> None:
    with pytest.raises(LibyamlMissing, match=r"^PyYAML 7\.0 is installed, but .* PyYAML 6\.x"):
        c_parser_of(_pyyaml("7.0", with_libyaml=True))


def test_cli_prints_the_message_without_a_traceback(tmp_path: Path) -> None:
    # A real interpreter where importing PyYAML's C extension fails, as on an install without libyaml.
    (tmp_path / "Kptfile").write_text("apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: p\n")
    script = (
        "import runpy, sys\n"
        "sys.modules['yaml._yaml'] = None\n"
        f"sys.argv = ['porchbot', 'fn', 'render', {str(tmp_path)!r}]\n"
        "runpy.run_module('bot.cli', run_name='__main__')\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.startswith("Error: PyYAML ")
    assert "built without libyaml" in proc.stderr
    assert "Traceback" not in proc.stderr
