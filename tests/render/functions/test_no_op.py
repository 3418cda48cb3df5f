from __future__ import annotations

from pathlib import Path

from bot.render.functions.registry import lookup
from bot.render.render_package import render_package
from bot.render.render_types import RenderOptions

KPTFILE = """apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: app
pipeline:
  mutators:
    - image: ghcr.io/kptdev/krm-functions-catalog/no-op
"""
RESOURCE = """# keep me
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm # and me
data:
  k: 'v'
"""


def test_no_op_is_builtin_for_untagged_image() -> None:
    found = lookup("ghcr.io/kptdev/krm-functions-catalog/no-op")
    assert found is not None and found.name == "no-op"
    assert lookup("ghcr.io/kptdev/krm-functions-catalog/no-op:v9.9.9") is None


def test_no_op_render_leaves_resources_byte_identical(tmp_path: Path) -> None:
    (tmp_path / "Kptfile").write_text(KPTFILE)
    (tmp_path / "cm.yaml").write_text(RESOURCE)
    outcome = render_package(tmp_path, RenderOptions(runtime="builtin"))
    assert outcome.ok, outcome.error_message
    assert (tmp_path / "cm.yaml").read_text() == RESOURCE
    assert "no-op:latest" in (tmp_path / "Kptfile").read_text()
