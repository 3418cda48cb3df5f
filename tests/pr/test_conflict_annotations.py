"""The upgrade conflict report → annotations at the line of each field in the rendered files."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.pr.conflict_annotations import conflict_annotations, field_line
from bot.pr.upgrade_pulls import conflicts_in

FILE = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
---
# renamed downstream by set-namespace: kpt's identity stays in the merge comment
apiVersion: v1
kind: Namespace
metadata: # kpt-merge: /example
  name: istions
  labels:
    tier: gold
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
spec:
  template:
    spec:
      containers:
      - name: sidecar
        image: envoy:1
      - name: web
        image: nginx:1.27
"""


@pytest.mark.parametrize(("resource", "path", "line"), [
    pytest.param("/ConfigMap /settings", "data.mode", 6, id="plain-field"),
    pytest.param("/Namespace /example", "metadata.labels.tier", 14, id="renamed-resource-by-merge-comment"),
    pytest.param("/Namespace /example", "", 9, id="whole-resource"),
    pytest.param("apps/Deployment prod/web", "spec.template.spec.containers[name=web].image", 28,
                 id="list-item-by-merge-key"),
    pytest.param("apps/Deployment prod/web", "spec.replicas", 16, id="absent-field-falls-back-to-resource"),
])
def test_field_line(resource: str, path: str, line: int) -> None:
    assert field_line(FILE, resource, path) == line


def test_unknown_resource_has_no_line() -> None:
    assert field_line(FILE, "/Secret /nope", "data") is None


def test_annotations_name_both_values_and_skip_what_they_cannot_place(tmp_path: Path) -> None:
    (tmp_path / "all.yaml").write_text(FILE)
    conflicts = [
        {"kind": "overwritten", "file": "all.yaml", "resource": "/Namespace /example", "path": "metadata.labels.tier",
         "downstream": "bronze", "old_upstream": None, "new_upstream": "gold"},
        {"kind": "mystery", "file": "all.yaml", "resource": "/ConfigMap /settings"},
        {"kind": "kept", "file": "", "resource": "/ConfigMap /gone"},
    ]
    found = conflict_annotations(conflicts, tmp_path, "istions")
    assert [(a.path, a.start_line, a.level) for a in found] == [("istions/all.yaml", 14, "warning")]
    assert "'bronze'" in found[0].message and "'gold'" in found[0].message and "(absent)" in found[0].message


@pytest.mark.parametrize("body", [
    pytest.param("", id="empty"),
    pytest.param("a person's PR", id="no-marker"),
    pytest.param("<!-- porchbot:conflicts {not json -->", id="broken-json"),
    pytest.param('<!-- porchbot:conflicts {"a": 1} -->', id="not-a-list"),
])
def test_bodies_without_a_readable_report_give_no_conflicts(body: str) -> None:
    assert conflicts_in(body) == []
