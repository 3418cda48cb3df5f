"""apply-replacements builtins: v0.1.1 (kustomize api v0.10.1) and v0.1.2+/master (api v0.19)."""

from __future__ import annotations

import pytest

from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError
from tests.render.functions.conftest import MakeRL, builtins_of, emit, run_builtin

BUILTINS = builtins_of("apply-replacements")


def run(image: str, rl: ResourceList) -> ResourceList:
    return run_builtin(image, rl, BUILTINS)

V011 = "gcr.io/kpt-fn/apply-replacements:v0.1.1"
MASTER = "gcr.io/kpt-fn/apply-replacements:unstable"

# basens-shaped: the package-context name feeds the group name of a RoleBinding subject.
PACKAGE = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: kptfile.kpt.dev
  annotations:
    config.kubernetes.io/local-config: "true"
data:
  name: blue
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: admins
  namespace: tenant
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: Group
  name: tenant.admins@example.com
- kind: ServiceAccount
  name: robot
"""
SUBJECT_CONFIG = """\
apiVersion: fn.kpt.dev/v1alpha1
kind: ApplyReplacements
metadata:
  name: update-rolebinding
replacements:
- source:
    kind: ConfigMap
    name: kptfile.kpt.dev
    fieldPath: data.name
  targets:
  - select:
      name: admins
      kind: RoleBinding
    fieldPaths:
    - subjects.[kind=Group].name
    options:
      delimiter: '.'
      index: 0
"""


def binding(rl: ResourceList) -> str:
    return emit(next(i for i in rl.items if i.str_value("kind") == "RoleBinding"))


@pytest.mark.parametrize("image", [V011, MASTER, "apply-replacements:latest"])
def test_delimited_piece_of_a_list_element(make_rl: MakeRL, image: str) -> None:
    rl = run(image, make_rl(PACKAGE, SUBJECT_CONFIG, bookkeeping=False))
    assert "  name: blue.admins@example.com\n" in binding(rl)
    assert "  name: robot\n" in binding(rl)
    # the source is not changed by the delimiter edit
    context = next(i for i in rl.items if i.str_value("kind") == "ConfigMap")
    assert "  name: blue\n" in emit(context)
    assert rl.results == []


def _config(field_path: str, options: str = "") -> str:
    return f"""\
apiVersion: fn.kpt.dev/v1alpha1
kind: ApplyReplacements
metadata:
  name: r
replacements:
- source:
    kind: ConfigMap
    fieldPath: data.name
  targets:
  - select:
      kind: RoleBinding
    fieldPaths:
    - {field_path}
{options}"""


def test_missing_target_is_skipped_by_v011_and_an_error_in_master(make_rl: MakeRL) -> None:
    old = run(V011, make_rl(PACKAGE, _config("roleRef.name"), bookkeeping=False))
    assert "roleRef" not in binding(old)
    rl = make_rl(PACKAGE, _config("roleRef.name"), bookkeeping=False)
    with pytest.raises(FunctionError) as raised:
        run(MASTER, rl)
    assert raised.value.stderr == "failed to evaluate function: error: function failure"
    assert [(r.message, r.severity) for r in rl.results] == [
        ('unable to find field "roleRef.name" in replacement target', "error")]


def test_create_builds_the_missing_path(make_rl: MakeRL) -> None:
    options = "    options:\n      create: true\n"
    rl = run(MASTER, make_rl(PACKAGE, _config("roleRef.name", options), bookkeeping=False))
    assert binding(rl).endswith("roleRef:\n  name: blue\n")


def test_scalar_target_keeps_its_style_only_in_master(make_rl: MakeRL) -> None:
    items = PACKAGE.replace("namespace: tenant", "namespace: 'tenant'")
    master = run(MASTER, make_rl(items, _config("metadata.namespace"), bookkeeping=False))
    assert "  namespace: 'blue'\n" in binding(master)
    old = run(V011, make_rl(items, _config("metadata.namespace"), bookkeeping=False))
    assert "  namespace: blue\n" in binding(old)


def test_every_matching_element_in_master(make_rl: MakeRL) -> None:
    items = PACKAGE.replace("- kind: ServiceAccount", "- kind: Group")
    master = run(MASTER, make_rl(items, _config("subjects.[kind=Group].name"), bookkeeping=False))
    assert binding(master).count("name: blue\n") == 2
    old = run(V011, make_rl(items, _config("subjects.[kind=Group].name"), bookkeeping=False))
    assert binding(old).count("name: blue\n") == 1


def test_a_map_source_is_copied_whole(make_rl: MakeRL) -> None:
    items = """\
apiVersion: v1
kind: Pod
metadata:
  name: template-pod
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: busybox
---
apiVersion: batch/v1
kind: Job
metadata:
  name: job
"""
    config = """\
apiVersion: fn.kpt.dev/v1alpha1
kind: ApplyReplacements
metadata:
  name: r
replacements:
- source: {kind: Pod, name: template-pod, fieldPath: spec}
  targets:
  - select: {kind: Job}
    fieldPaths: [spec.template.spec]
    options: {create: true}
"""
    rl = run(MASTER, make_rl(items, config, bookkeeping=False))
    job = emit(next(i for i in rl.items if i.str_value("kind") == "Job"))
    assert "spec:\n  template:\n    spec:\n      restartPolicy: Never\n" in job


@pytest.mark.parametrize(("config", "message"), [
    (None, "FunctionConfig is missing. Expect `ApplyReplacements`"),
    ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
     "received functionConfig of kind ConfigMap and apiVersion v1, only functionConfig of kind "
     "ApplyReplacements and apiVersion fn.kpt.dev/v1alpha1 is supported"),
    (_config("metadata.name").replace("kind: ConfigMap", "kind: Secret"),
     "nothing selected by Secret.[noVer].[noGrp]/[noName].[noNs]:data.name"),
    (_config("metadata.name").replace("data.name", "data.missing"),
     "fieldPath `data.missing` is missing for replacement source ConfigMap.[noVer].[noGrp]/[noName].[noNs]"),
], ids=["missing", "wrong-kind", "no-source", "no-source-field"])
def test_errors_are_one_result_and_exit_one(make_rl: MakeRL, config: str | None, message: str) -> None:
    rl = make_rl(PACKAGE, config)
    with pytest.raises(FunctionError):
        run(MASTER, rl)
    assert [(r.message, r.severity) for r in rl.results] == [(message, "error")]


@pytest.mark.parametrize("image", [V011, MASTER])
def test_numeric_list_indexes_in_source_and_target(make_rl: MakeRL, image: str) -> None:
    items = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  rules:
  - host: shop.example.com
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
        args:
        - --host=placeholder
"""
    config = """\
apiVersion: fn.kpt.dev/v1alpha1
kind: ApplyReplacements
metadata:
  name: r
replacements:
- source: {kind: Ingress, fieldPath: spec.rules.0.host}
  targets:
  - select: {kind: Deployment}
    fieldPaths:
    - spec.template.spec.containers.[name=web].args.0
    options: {delimiter: '=', index: 1}
"""
    rl = run(image, make_rl(items, config, bookkeeping=False))
    deployment = emit(next(i for i in rl.items if i.str_value("kind") == "Deployment"))
    assert "- --host=shop.example.com\n" in deployment
