"""A variant's changes to its downstream's files: package context, Kptfile metadata and pipeline, config
injection; applied twice, the files are those of one application."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.errors import InvalidInput
from bot.lifecycle.variants.files import parse_documents
from bot.lifecycle.variants.injection import injected_inputs
from bot.lifecycle.variants.mutate import applied_spec, apply_variant
from tests.variants.test_parse import REGISTERED, VARIANT

KPTFILE = """\
apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: edge-ns
pipeline:
  mutators:
    - image: gcr.io/kpt-fn/set-namespace:v0.4.1
      configPath: package-context.yaml
"""
CONTEXT = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: kptfile.kpt.dev
  annotations:
    config.kubernetes.io/local-config: "true"
data:
  name: edge-ns
  old: gone
"""
SETTINGS = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  annotations:
    kpt.dev/config-injection: required
data:
  size: small
"""


def _package(root: Path) -> Path:
    root.mkdir()
    for name, text in (("Kptfile", KPTFILE), ("package-context.yaml", CONTEXT), ("settings.yaml", SETTINGS)):
        (root / name).write_text(text)
    return root


def test_apply_is_idempotent_and_complete(tmp_path: Path) -> None:
    files = parse_documents("config", {"variants/v.yaml": VARIANT}, REGISTERED)
    (variant,) = files.variants
    stage = _package(tmp_path / "pkg")
    spec = variant.spec_hash(injected_inputs(variant, files.resources))
    apply_variant(stage, variant, spec, files.resources)
    once = {p.name: p.read_text() for p in stage.iterdir()}
    apply_variant(stage, variant, spec, files.resources)
    assert {p.name: p.read_text() for p in stage.iterdir()} == once
    kptfile = yaml.safe_load(once["Kptfile"])
    assert kptfile["metadata"]["labels"] == {"team": "net"}
    assert kptfile["metadata"]["annotations"]["owner"] == "alice"
    assert applied_spec(once["Kptfile"]) == ("config/edge-ns", spec)
    names = [f.get("name") for f in kptfile["pipeline"]["mutators"]]
    assert names == ["PackageVariant.edge-ns.set-labels.0", None]
    assert yaml.safe_load(once["package-context.yaml"])["data"] == {"name": "edge-ns", "region": "eu"}
    settings = yaml.safe_load(once["settings.yaml"])
    assert settings["data"] == {"size": "large"}
    assert settings["metadata"]["annotations"]["kpt.dev/injected-resource"] == "edge-settings"


def test_a_required_injection_without_a_resource_is_an_error(tmp_path: Path) -> None:
    files = parse_documents("config", {"variants/v.yaml": VARIANT.split("---")[0]}, REGISTERED)
    with pytest.raises(InvalidInput, match="requires injection"):
        apply_variant(_package(tmp_path / "pkg"), files.variants[0], "x", files.resources)
