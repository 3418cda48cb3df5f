"""set-labels builtins: master / ghcr v0.2.x (SDK) and v0.1.5 (kustomize commonLabels)."""

from __future__ import annotations

import pytest

from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError
from tests.render.functions.conftest import MakeRL, builtins_of, emit, run_builtin

BUILTINS = builtins_of("set-labels")


def run(image: str, rl: ResourceList) -> ResourceList:
    return run_builtin(image, rl, BUILTINS)

MASTER = "gcr.io/kpt-fn/set-labels:unstable"
V015 = "gcr.io/kpt-fn/set-labels:v0.1.5"

LABELS = """\
apiVersion: fn.kpt.dev/v1alpha1
kind: SetLabels
metadata:
  name: labels
labels:
  tier: web
  app: shop
"""

WORKLOADS = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: old # keep me
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      labels:
        app: shop
    spec:
      containers:
      - name: web
        image: nginx
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: context
  annotations:
    config.kubernetes.io/local-config: "true"
"""


def by_kind(rl: ResourceList, kind: str) -> str:
    return emit(next(i for i in rl.items if i.str_value("kind") == kind))


def test_master_labels_selectors_and_templates_in_key_order(make_rl: MakeRL) -> None:
    rl = run(MASTER, make_rl(WORKLOADS, LABELS, bookkeeping=False))
    service = by_kind(rl, "Service")
    assert "  labels:\n    app: shop\n    tier: web\n" in service
    # an existing key is overwritten where it stands, its comment kept; a new key goes last
    assert "  selector:\n    app: shop # keep me\n    tier: web\n" in service
    deployment = by_kind(rl, "Deployment")
    assert "  selector:\n    matchLabels:\n      app: shop\n      tier: web\n" in deployment
    assert "    metadata:\n      labels:\n        app: shop\n        tier: web\n" in deployment
    # local config is left alone
    assert "labels" not in by_kind(rl, "ConfigMap")
    # the total counts visits: Service meta+selector (4), Deployment meta+selector+template (6)
    assert [(r.message, r.severity) for r in rl.results] == [("set 10 labels in total", "info")]


def test_master_configmap_data_is_the_label_set(make_rl: MakeRL) -> None:
    config = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: function-input\ndata:\n  color: orange\n"
    rl = run(MASTER, make_rl("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\n", config,
                             bookkeeping=False))
    assert "  labels:\n    color: orange\n" in emit(rl.items[0])
    assert [r.message for r in rl.results] == ["set 1 labels in total"]


def test_master_no_config_fails_with_an_info_result(make_rl: MakeRL) -> None:
    rl = make_rl(WORKLOADS, None)
    with pytest.raises(FunctionError) as raised:
        run(MASTER, rl)
    assert raised.value.stderr == "failed to evaluate function: error: function failure"
    assert [(r.message, r.severity) for r in rl.results] == [("`FunctionConfig` is not given", "info")]


def test_master_no_input_resources_wins(make_rl: MakeRL) -> None:
    only_local = WORKLOADS.split("---\n")[2]
    rl = run(MASTER, make_rl(only_local, LABELS))
    assert [(r.message, r.severity) for r in rl.results] == [("no input resources", "info")]


def test_master_empty_labels_is_a_warning(make_rl: MakeRL) -> None:
    config = "apiVersion: fn.kpt.dev/v1alpha1\nkind: SetLabels\nmetadata:\n  name: c\nlabels: {}\n"
    rl = run(MASTER, make_rl(WORKLOADS, config))
    assert [(r.message, r.severity) for r in rl.results] == [
        ("no `labels` arguments are given in FunctionConfig", "warning")]


@pytest.mark.parametrize(("config", "message"), [
    ("apiVersion: fn.kpt.dev/v1alpha1\nkind: BadKind\nmetadata:\n  name: c\n",
     "unknown FunctionConfig `BadKind.fn.kpt.dev`, expect `SetLabels.fn.kpt.dev` or `ConfigMap.v1`"),
    ("apiVersion: fn.kpt.dev/v1alpha1\nkind: SetLabels\nmetadata:\n  name: c\nlabels:\n- a: b\n",
     "unable to convert object to *setlabels.SetLabels with error: json: cannot unmarshal array into Go "
     "struct field SetLabels.labels of type map[string]string"),
], ids=["wrong-group", "labels-as-list"])
def test_master_config_errors(make_rl: MakeRL, config: str, message: str) -> None:
    rl = make_rl(WORKLOADS, config)
    with pytest.raises(FunctionError) as raised:
        run(MASTER, rl)
    assert raised.value.exit_code == 1
    assert [(r.message, r.severity) for r in rl.results] == [(message, "error")]


def test_master_non_string_label_is_an_error_result(make_rl: MakeRL) -> None:
    items = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\n  labels:\n    app: 3\n"
    rl = make_rl(items, LABELS, bookkeeping=False)
    with pytest.raises(FunctionError):
        run(MASTER, rl)
    assert rl.results[0].severity == "error"
    assert "unmatched field type" in rl.results[0].message
    assert rl.results[-1].message == "set 0 labels in total"


def test_v015_labels_local_config_too_and_reports_nothing(make_rl: MakeRL) -> None:
    rl = run(V015, make_rl(WORKLOADS, LABELS, bookkeeping=False))
    assert rl.results == []
    assert "  labels:\n    app: shop\n    tier: web\n" in by_kind(rl, "ConfigMap")
    assert "    app: shop # keep me\n    tier: web\n" in by_kind(rl, "Service")


def test_v015_quotes_values_yaml_1_1_reads_as_booleans(make_rl: MakeRL) -> None:
    config = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  enabled: 'yes'\n"
    rl = run(V015, make_rl("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n", config,
                           bookkeeping=False))
    assert '    enabled: "yes"\n' in emit(rl.items[0])


def test_v015_empty_label_list_is_an_error(make_rl: MakeRL) -> None:
    config = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
    rl = make_rl(WORKLOADS, config)
    with pytest.raises(FunctionError):
        run(V015, rl)
    assert [(r.message, r.severity) for r in rl.results] == [("input label list cannot be empty", "error")]


def test_master_item_without_kind_matches_every_loose_kind_check(make_rl: MakeRL) -> None:
    # a kustomization.yaml is an item too; with no apiVersion/kind it passes every loose GVK test
    rl = run(MASTER, make_rl("resources:\n- app.yaml\n", LABELS, bookkeeping=False))
    text = emit(rl.items[0])
    assert "metadata:\n  labels:\n    app: shop\n    tier: web\n" in text
    assert "spec:\n  selector:\n    app: shop\n    tier: web\n    matchLabels:\n      app: shop\n" in text
    # meta, Service selector, one matchLabels rule and the NetworkPolicy podSelector: 4 visits x 2
    assert [r.message for r in rl.results] == ["set 8 labels in total"]
