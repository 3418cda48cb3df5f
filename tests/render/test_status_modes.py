"""When the root Kptfile gets kpt's status block (see pipeline._status_wanted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.render.render_package import render_package
from bot.render.render_types import RenderOptions

NAMESPACE = """apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
  namespace: old
"""


def _package(tmp_path: Path, image: str) -> Path:
    (tmp_path / "Kptfile").write_text(
        "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: app\npipeline:\n  mutators:\n"
        f"    - image: {image}\n      configMap:\n        namespace: new\n")
    (tmp_path / "cm.yaml").write_text(NAMESPACE)
    return tmp_path


def _render(package: Path) -> list[str]:
    outcome = render_package(package, RenderOptions(runtime="builtin"))
    assert outcome.ok, outcome.error_message
    return outcome.changed_paths


def test_rerendering_rendered_output_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PORCHBOT_KPTFILE_STATUS", raising=False)
    package = _package(tmp_path, "ghcr.io/kptdev/krm-functions-catalog/set-namespace:latest")
    first = _render(package)
    kptfile = (package / "Kptfile").read_text()
    assert "namespace [old] updated" in kptfile and "reason: RenderSuccess" in kptfile
    assert "Kptfile" in first and "cm.yaml" in " ".join(first)
    # The function now reports "already" instead of "updated": the status must not churn on that.
    assert _render(package) == []
    assert (package / "Kptfile").read_text() == kptfile


def test_a_failed_status_is_replaced_by_a_later_success(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PORCHBOT_KPTFILE_STATUS", raising=False)
    package = _package(tmp_path, "ghcr.io/kptdev/krm-functions-catalog/set-namespace:latest")
    _render(package)
    text = (package / "Kptfile").read_text().replace('status: "True"', 'status: "False"')
    (package / "Kptfile").write_text(text)
    assert _render(package) == ["Kptfile"]
    assert 'status: "True"' in (package / "Kptfile").read_text()


def test_catalog_dev_builds_render_as_the_catalog_harness_does(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PORCHBOT_KPTFILE_STATUS", raising=False)
    package = _package(tmp_path, "gcr.io/kpt-fn/set-namespace:unstable")
    _render(package)
    assert "status:" not in (package / "Kptfile").read_text()
    assert "namespace: new" in (package / "cm.yaml").read_text()


@pytest.mark.parametrize(("mode", "image", "has_status"), [
    ("true", "gcr.io/kpt-fn/set-namespace:unstable", True),
    ("false", "ghcr.io/kptdev/krm-functions-catalog/set-namespace:latest", False),
])
def test_environment_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str, image: str,
                               has_status: bool) -> None:
    monkeypatch.setenv("PORCHBOT_KPTFILE_STATUS", mode)
    package = _package(tmp_path, image)
    _render(package)
    assert ("status:" in (package / "Kptfile").read_text()) is has_status
