"""upsert-resource builtin: replace by group/kind/name/namespace, insert, target-path, List configs."""

from __future__ import annotations

import pytest

from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError
from tests.render.functions.conftest import MakeRL, builtins_of, emit, run_builtin

MASTER = "upsert-resource:unstable"
V020 = "gcr.io/kpt-fn/upsert-resource:v0.2.0"

PACKAGE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: old
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 3
"""

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
  annotations:
    zeta: "1"
    alpha: two
spec:
  selector:
    app: new
"""


BUILTINS = builtins_of("upsert-resource")


def run(image: str, rl: ResourceList) -> ResourceList:
    return run_builtin(image, rl, BUILTINS)


def test_replaces_the_match_keeping_its_file_place(make_rl: MakeRL) -> None:
    rl = make_rl(PACKAGE, SERVICE)
    run(MASTER, rl)
    service = rl.items[0]
    assert service.str_value("spec", "selector", "app") == "new"
    annotations = service.path("metadata", "annotations")
    assert annotations is not None
    # kyaml's SetAnnotations: sorted keys, matched path/index kept, legacy twins reconciled after.
    assert annotations.keys() == ["alpha", "internal.config.kubernetes.io/index",
                                  "internal.config.kubernetes.io/path", "zeta",
                                  "config.kubernetes.io/path", "config.kubernetes.io/index"]
    assert annotations.str_value("internal.config.kubernetes.io/path") == "resources.yaml"
    assert annotations.str_value("config.kubernetes.io/index") == "0"
    assert len(rl.items) == 2
    assert rl.results == []


def test_v020_only_knows_the_legacy_annotations(make_rl: MakeRL) -> None:
    rl = make_rl(PACKAGE, SERVICE)
    run(V020, rl)
    annotations = rl.items[0].path("metadata", "annotations")
    assert annotations is not None
    assert annotations.keys() == ["alpha", "config.kubernetes.io/index", "config.kubernetes.io/path", "zeta"]


def test_group_not_version_decides_a_match(make_rl: MakeRL) -> None:
    rl = make_rl(PACKAGE, "apiVersion: apps/v1beta2\nkind: Deployment\nmetadata:\n  name: web\n"
                          "  namespace: shop\nspec:\n  replicas: 5\n")
    run(MASTER, rl)
    assert len(rl.items) == 2
    assert rl.items[1].str_value("spec", "replicas") == "5"


def test_inserts_at_target_path_without_the_annotation(make_rl: MakeRL) -> None:
    rl = make_rl(PACKAGE, SERVICE.replace("    alpha: two\n",
                                          "    alpha: two\n    config.kubernetes.io/target-path: sub/svc.yaml\n"))
    run(MASTER, rl)
    assert len(rl.items) == 3
    inserted = rl.items[2]
    annotations = inserted.path("metadata", "annotations")
    assert annotations is not None
    assert annotations.str_value("internal.config.kubernetes.io/path") == "sub/svc.yaml"
    assert annotations.str_value("config.kubernetes.io/target-path") is None
    assert rl.items[0].str_value("spec", "selector", "app") == "old"


def test_a_list_upserts_each_item_and_new_ones_get_no_path(make_rl: MakeRL) -> None:
    config = """\
apiVersion: v1
kind: List
metadata:
  name: several
items:
- apiVersion: v1
  kind: Service
  metadata:
    name: web
    namespace: shop
  spec:
    selector:
      app: listed
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web2
    namespace: shop
  spec:
    replicas: 10
"""
    rl = make_rl(PACKAGE, config)
    run(MASTER, rl)
    assert [item.str_value("metadata", "name") for item in rl.items] == ["web", "web", "web2"]
    assert rl.items[0].str_value("spec", "selector", "app") == "listed"
    assert emit(rl.items[2]) == ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web2\n"
                                 "  namespace: shop\nspec:\n  replicas: 10\n")


def test_function_config_items_are_never_matched(make_rl: MakeRL) -> None:
    marked = PACKAGE.replace("  namespace: shop\nspec:\n  selector:",
                             "  namespace: shop\n  annotations:\n    config.kubernetes.io/function: x\n"
                             "spec:\n  selector:", 1)
    rl = make_rl(marked, SERVICE)
    run(MASTER, rl)
    assert len(rl.items) == 3
    assert rl.items[0].str_value("spec", "selector", "app") == "old"


def test_missing_config_is_an_error(make_rl: MakeRL) -> None:
    rl = make_rl(PACKAGE)
    with pytest.raises(FunctionError) as raised:
        run(MASTER, rl)
    assert "failed to upsert resource" in raised.value.stderr


def test_a_second_run_changes_nothing(make_rl: MakeRL) -> None:
    first = make_rl(PACKAGE, SERVICE)
    run(MASTER, first)
    second = ResourceList(items=[item.copy() for item in first.items], function_config=first.function_config)
    run(MASTER, second)
    assert [emit(i) for i in second.items] == [emit(i) for i in first.items]
