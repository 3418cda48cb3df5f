"""Plain ``kpt fn render`` runs our function image under the catalog's names, with no registry."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

pytestmark = [pytest.mark.docker, pytest.mark.kpt]

KPTFILE = """\
apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: app
pipeline:
  mutators:
    - image: {image}
      configMap:
        namespace: staging
"""

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config # the comment survives the container round trip
data:
  tier: backend
"""


@pytest.mark.parametrize("image", ["gcr.io/kpt-fn/set-namespace:v0.4.1",
                                   "ghcr.io/kptdev/krm-functions-catalog/set-namespace:latest"])
def test_kpt_renders_with_our_image(built_images: None, kpt_binary: str, tmp_path: Path, image: str) -> None:
    from bot.render.functions.registry import lookup

    if lookup(image) is None:
        pytest.skip(f"no builtin reproduces {image} yet, so no image is tagged with that name")
    package = tmp_path / "app"
    package.mkdir()
    (package / "Kptfile").write_text(KPTFILE.format(image=image))
    (package / "cm.yaml").write_text(CONFIGMAP)
    result = subprocess.run([kpt_binary, "fn", "render", str(package), "--image-pull-policy", "never"],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert f'[PASS] "{image}"' in result.stderr
    rendered = (package / "cm.yaml").read_text()
    assert "  namespace: staging\n" in rendered
    assert "# the comment survives the container round trip" in rendered


def test_kpt_fn_eval_runs_our_image(built_images: None, kpt_binary: str, tmp_path: Path) -> None:
    from bot.render.functions.registry import lookup

    image = "ghcr.io/kptdev/krm-functions-catalog/set-labels:latest"
    if lookup(image) is None:
        pytest.skip(f"no builtin reproduces {image} yet, so no image is tagged with that name")
    package = tmp_path / "app"
    package.mkdir()
    (package / "Kptfile").write_text("apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: app\n")
    (package / "cm.yaml").write_text(CONFIGMAP)
    result = subprocess.run([kpt_binary, "fn", "eval", str(package), "--image", image,
                             "--image-pull-policy", "never", "--", "color=orange"],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "set 2 labels in total" in result.stderr  # the Kptfile and the ConfigMap
    assert "  labels:\n    color: orange\n" in (package / "cm.yaml").read_text()
