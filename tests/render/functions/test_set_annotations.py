"""set-annotations builtins: master / ghcr (results per annotated map) and v0.1.4 (no results)."""

from __future__ import annotations

import pytest

from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError
from tests.render.functions.conftest import MakeRL, builtins_of, emit, run_builtin

BUILTINS = builtins_of("set-annotations")


def run(image: str, rl: ResourceList) -> ResourceList:
    return run_builtin(image, rl, BUILTINS)

MASTER = "gcr.io/kpt-fn/set-annotations:unstable"
V014 = "gcr.io/kpt-fn/set-annotations:v0.1.4"

ITEMS = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  annotations:
    config.kubernetes.io/local-config: "true"
data:
  mode: fast
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: nginx
"""
CONFIG = """\
apiVersion: fn.kpt.dev/v1alpha1
kind: SetAnnotations
metadata:
  name: notes
annotations:
  team: payments
  audited: "true"
"""


def test_master_annotates_everything_and_reports_per_field(make_rl: MakeRL) -> None:
    rl = run(MASTER, make_rl(ITEMS, CONFIG, path="app.yaml"))
    settings, deployment = (emit(item) for item in rl.items)
    # local config gets annotated too; keys in sorted order after the existing ones
    assert '    audited: "true"\n    team: payments\n' in settings
    assert "  template:\n    spec:\n" in deployment
    assert '    metadata:\n      annotations:\n        audited: "true"\n        team: payments\n' in deployment
    summary = 'set annotations: {"audited":"true","team":"payments"}'
    assert [(r.message, r.severity, r.field.path if r.field else "", r.file.index if r.file else None)
            for r in rl.results] == [
        (summary, "", "metadata.annotations", 0),
        (summary, "", "metadata.annotations", 1),
        (summary, "", "spec.template.metadata.annotations", 1),
    ]
    assert all(r.file is not None and r.file.path == "app.yaml" for r in rl.results)


def test_additional_fields_come_from_the_config(make_rl: MakeRL) -> None:
    config = CONFIG + "additionalAnnotationFields:\n- path: data/selector/annotations\n  kind: ConfigMap\n" \
                      "  create: true\n"
    rl = run(MASTER, make_rl(ITEMS, config))
    assert "  selector:\n    annotations:\n" in emit(rl.items[0])
    assert rl.results[0].field is not None and rl.results[0].field.path == "data.selector.annotations"


def test_v014_applies_the_same_edits_without_results(make_rl: MakeRL) -> None:
    master = run(MASTER, make_rl(ITEMS, CONFIG))
    old = run(V014, make_rl(ITEMS, CONFIG))
    assert old.results == []
    assert [emit(i) for i in old.items] == [emit(i) for i in master.items]


@pytest.mark.parametrize(("config", "message"), [
    (None, "failed to configure function: `functionConfig` must be a `ConfigMap` or `SetAnnotations`"),
    ("apiVersion: fn.kpt.dev/v1alpha1\nkind: SetAnnotations\nmetadata:\n  name: c\nannotations: {}\n",
     "failed to configure function: input annotation list cannot be empty"),
    (CONFIG + "fieldSpecs: []\nadditionalAnnotationFields: []\n",
     "failed to configure function: `fieldSpecs` has been deprecated, please rename it to "
     "`additionalAnnotationFields`"),
], ids=["missing", "empty", "both-field-lists"])
def test_config_errors_exit_one_with_framework_stderr(make_rl: MakeRL, config: str | None, message: str) -> None:
    rl = make_rl(ITEMS, config)
    with pytest.raises(FunctionError) as raised:
        run(MASTER, rl)
    assert raised.value.exit_code == 1
    assert raised.value.stderr == f"[error]: {message}"
    assert [(r.message, r.severity) for r in rl.results] == [(message, "error")]


def test_duplicate_resources_fail_like_a_kustomize_resmap(make_rl: MakeRL) -> None:
    items = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n" \
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
    rl = make_rl(items, CONFIG)
    with pytest.raises(FunctionError):
        run(MASTER, rl)
    assert rl.results[0].message.startswith("failed to run function: may not add resource with an already "
                                            "registered id: ConfigMap.v1.[noGrp]/a.[noNs]")


def test_an_item_without_metadata_fails_like_kustomize(make_rl: MakeRL) -> None:
    rl = make_rl("resources:\n- app.yaml\n", CONFIG, bookkeeping=False)
    with pytest.raises(FunctionError) as raised:
        run(MASTER, rl)
    assert raised.value.stderr == "[error]: failed to run function: missing Resource metadata"
