"""Validator results → annotations at the file and line of the offending resource."""

from __future__ import annotations

from pathlib import Path

from bot.pr.render_annotations import annotations_for, resource_line
from bot.render.render_types import RenderOutcome, StepOutcome
from bot.render.resourcelist import ResourceRef, Result, ResultFile

MULTI = """\
# leading comment
apiVersion: v1
kind: Namespace
metadata:
  name: istions
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: default
  namespace: istions
---

# a comment before the third
apiVersion: v1
kind: Namespace
metadata:
  name: other
"""


def test_resource_line_finds_each_document() -> None:
    assert resource_line(MULTI, "Namespace", "istions") == 2
    assert resource_line(MULTI, "ResourceQuota", "default") == 7
    assert resource_line(MULTI, "Namespace", "other") == 15
    assert resource_line(MULTI, "Namespace", "missing") is None


def test_annotations_locate_by_resource_and_by_file(tmp_path: Path) -> None:
    (tmp_path / "all.yaml").write_text(MULTI)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.yaml").write_text("kind: Thing\nmetadata:\n  name: x\n")
    step = StepOutcome(image="gcr.io/kpt-fn/kubeval:v0.3.0", exit_code=1, results=[
        Result(message="quota too\n large", severity="error",
               resource_ref=ResourceRef(api_version="v1", kind="ResourceQuota", name="default")),
        Result(message="thing is odd", severity="warning", file=ResultFile(path="sub/x.yaml")),
        Result(message="just so you know", severity="info",
               resource_ref=ResourceRef(kind="Namespace", name="other")),
        Result(message="nowhere", severity="error", resource_ref=ResourceRef(kind="Ghost", name="g")),
    ])
    found = annotations_for(RenderOutcome(exit_code=1, steps=[step]), tmp_path, "apps/istions")
    assert [(a.path, a.start_line, a.level, a.message) for a in found] == [
        ("apps/istions/all.yaml", 7, "failure", "quota too large"),
        ("apps/istions/sub/x.yaml", 1, "warning", "thing is odd"),
    ]
    assert found[0].title == "gcr.io/kpt-fn/kubeval:v0.3.0"
