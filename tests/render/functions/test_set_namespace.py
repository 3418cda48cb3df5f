"""set-namespace builtins: master (:unstable), current ghcr (:latest) and v0.4.1."""

from __future__ import annotations

import pytest

from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError
from tests.render.functions.conftest import MakeRL, builtins_of, emit, run_builtin

BUILTINS = builtins_of("set-namespace")


def run(image: str, rl: ResourceList) -> ResourceList:
    return run_builtin(image, rl, BUILTINS)


lookup = BUILTINS.lookup

MASTER = "gcr.io/kpt-fn/set-namespace:unstable"
LATEST = "ghcr.io/kptdev/krm-functions-catalog/set-namespace:latest"
V041 = "gcr.io/kpt-fn/set-namespace:v0.4.1"

MIXED = """\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  annotations:
    internal.kpt.dev/upstream-identifier: "|Namespace|~C|shop"
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop # the team's namespace
  annotations:
    internal.kpt.dev/upstream-identifier: "|Service|shop|web"
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
  annotations:
    internal.kpt.dev/upstream-identifier: apiextensions.k8s.io|CustomResourceDefinition|~C|widgets.example.com
spec:
  group: example.com
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: readers
  annotations:
    internal.kpt.dev/upstream-identifier: rbac.authorization.k8s.io|ClusterRoleBinding|~C|readers
subjects:
  - kind: ServiceAccount
    name: reader
    namespace: shop
  - kind: Group
    name: auditors
"""

CONFIG = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  namespace: {ns}\n"


def messages(rl: ResourceList) -> list[tuple[str, str]]:
    return [(r.message, r.severity) for r in rl.results]


def find(rl: ResourceList, kind: str) -> str:
    item = next(i for i in rl.items if i.str_value("kind") == kind)
    return emit(item)


@pytest.mark.parametrize(("image", "expected"), [
    ("gcr.io/kpt-fn/set-namespace:unstable", "unstable"),
    ("set-namespace:latest", "latest"),
    ("ghcr.io/kptdev/krm-functions-catalog/set-namespace:v0.4.3", "latest"),
    ("gcr.io/kpt-fn/set-namespace:v0.4.1", "v0.4.1"),
])
def test_tags_pick_the_matching_behaviour(image: str, expected: str) -> None:
    function = lookup(image)
    assert function is not None and expected in function.tags


def test_unknown_tag_is_not_claimed() -> None:
    assert lookup("gcr.io/kpt-fn/set-namespace:v0.2.0") is None


def test_master_replaces_every_slot_and_summarises(make_rl: MakeRL) -> None:
    rl = run(MASTER, make_rl(MIXED, CONFIG.format(ns="prod"), bookkeeping=False))
    # the CRD has no namespace, so it counts as "default"
    assert messages(rl) == [
        ('namespace [default shop] updated to "prod", 4 value(s) changed', "info"),
        ("all `depends-on` annotations are up-to-date. no `namespace` changed", "info"),
    ]
    assert "  name: prod\n" in find(rl, "Namespace")
    assert "  namespace: prod # the team's namespace\n" in find(rl, "Service")
    # master's known bug: a CRD without a conversion webhook gets the path created
    assert "          namespace: prod\n" in find(rl, "CustomResourceDefinition")
    binding = find(rl, "ClusterRoleBinding")
    assert "  name: reader\n  namespace: prod\n" in binding and binding.count("namespace:") == 1
    # items leave in the SDK's order: apiVersion, kind, namespace, name
    assert [i.str_value("kind") for i in rl.items] == [
        "CustomResourceDefinition", "ClusterRoleBinding", "Namespace", "Service"]


def test_latest_leaves_a_crd_without_webhook_alone(make_rl: MakeRL) -> None:
    rl = run(LATEST, make_rl(MIXED, CONFIG.format(ns="prod"), bookkeeping=False))
    assert "namespace" not in find(rl, "CustomResourceDefinition").split("spec:")[1]
    assert messages(rl)[0] == ('namespace [shop] updated to "prod", 3 value(s) changed', "info")


def test_master_warns_about_resources_without_origin_latest_does_not(make_rl: MakeRL) -> None:
    items = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n"
    master = run(MASTER, make_rl(items, CONFIG.format(ns="prod"), bookkeeping=False))
    assert messages(master) == [
        ("Resource(apiVersion=v1, kind=ConfigMap, namespace=, name=plain) does not have upstream origin.",
         "warning"),
        ('namespace [default] updated to "prod", 1 value(s) changed', "info"),
        ("all `depends-on` annotations are up-to-date. no `namespace` changed", "info"),
    ]
    latest = run(LATEST, make_rl(items, CONFIG.format(ns="prod"), bookkeeping=False))
    assert messages(latest)[0][0] == 'namespace [default] updated to "prod", 1 value(s) changed'
    assert "  namespace: prod\n" in emit(latest.items[0])


def test_matcher_changes_only_the_matching_namespace(make_rl: MakeRL) -> None:
    config = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  namespace: prod\n" \
             "  namespaceMatcher: shop\n"
    rl = run(MASTER, make_rl(MIXED, config, bookkeeping=False))
    assert (
        "[Resource(apiVersion=v1, kind=Namespace, namespace=, name=shop)] has matching origin shop", "info"
    ) in messages(rl)
    assert messages(rl)[-2] == ('namespace [shop] updated to "prod", 3 value(s) changed', "info")
    assert "          namespace: default\n" in find(rl, "CustomResourceDefinition")


def test_two_origin_namespaces_need_a_matcher(make_rl: MakeRL) -> None:
    items = MIXED + """\
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: other
  namespace: elsewhere
  annotations:
    internal.kpt.dev/upstream-identifier: "|ConfigMap|elsewhere|other"
"""
    rl = run(MASTER, make_rl(items, CONFIG.format(ns="prod"), bookkeeping=False))
    assert messages(rl) == [(
        "unable to use origin `namespace` to match. expect a single upstream namespace, found "
        "[elsewhere shop]. please switch to use `namespaceMatcher`to specify the namespace value you want "
        "to change", "error")]
    assert "namespace: shop" in find(rl, "Service")


def test_depends_on_follows_resources_in_the_package(make_rl: MakeRL) -> None:
    items = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: default
  annotations:
    config.kubernetes.io/depends-on: apps/namespaces/default/StatefulSet/db
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: default
"""
    rl = run(MASTER, make_rl(items, CONFIG.format(ns="prod"), bookkeeping=False))
    assert "config.kubernetes.io/depends-on: apps/namespaces/prod/StatefulSet/db" in find(rl, "Deployment")
    assert messages(rl)[-1] == (
        '`depends-on` annotation namespace [default] updated to "prod", 1 value(s) changed', "info")


def test_master_config_error_is_a_result_with_exit_zero(make_rl: MakeRL) -> None:
    rl = run(MASTER, make_rl(MIXED, None))
    [result] = rl.results
    assert (result.message, result.severity) == (
        "FunctionConfig is missing. Expect `ConfigMap.v1` or `SetNamespace.v1alpha1.fn.kpt.dev`", "error")
    assert result.resource_ref is not None and result.file is not None and result.file.index == -1


def test_local_config_is_never_touched(make_rl: MakeRL) -> None:
    items = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ctx\n  annotations:\n" \
            "    config.kubernetes.io/local-config: \"true\"\n"
    for image in (MASTER, V041):
        rl = run(image, make_rl(items, CONFIG.format(ns="prod"), bookkeeping=False))
        assert "namespace" not in emit(rl.items[0])


# A package shaped like kpt-samples' basens: Namespace, RoleBinding, ResourceQuota, a local
# package-context ConfigMap whose data.name is the namespace.
BASENS = """\
apiVersion: v1
kind: Namespace
metadata:
  name: tenant
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: default
  namespace: tenant
spec:
  hard:
    cpu: "8"
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: admins
  namespace: tenant
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: admin
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: Group
  name: tenant.admins@example.com
"""
PACKAGE_CONTEXT = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: kptfile.kpt.dev
  annotations:
    config.kubernetes.io/local-config: "true"
data:
  name: {name}
"""


def test_v041_renames_everything_from_the_package_context(make_rl: MakeRL) -> None:
    rl = run(V041, make_rl(BASENS, PACKAGE_CONTEXT.format(name="blue"), bookkeeping=False))
    assert messages(rl) == [('namespace "tenant" updated to "blue", 3 value(s) changed', "info")]
    assert "  name: blue\n" in find(rl, "Namespace")
    assert "  namespace: blue\n" in find(rl, "ResourceQuota")
    assert "  namespace: blue\n" in find(rl, "RoleBinding")
    assert 'cpu: "8"' in find(rl, "ResourceQuota")


def test_v041_nothing_to_change(make_rl: MakeRL) -> None:
    rl = run(V041, make_rl(BASENS, PACKAGE_CONTEXT.format(name="tenant"), bookkeeping=False))
    assert messages(rl) == [('all namespaces are already "tenant". no value changed', "info")]


def test_v041_config_error_exits_one(make_rl: MakeRL) -> None:
    rl = make_rl(BASENS, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\n")
    with pytest.raises(FunctionError) as raised:
        run(V041, rl)
    assert raised.value.exit_code == 1
    assert raised.value.stderr == "failed to evaluate function: error: function failure"
    assert messages(rl) == [(
        "unknown functionConfig Kind=Secret ApiVersion=v1, expect `SetNamespace` or `ConfigMap`", "error")]


def test_v041_rewrites_binding_subjects_without_their_quoting(make_rl: MakeRL) -> None:
    items = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: admins
  namespace: tenant
subjects:
- kind: "ServiceAccount"
  name: 'robot'
  namespace: tenant
"""
    rl = run(V041, make_rl(items, PACKAGE_CONTEXT.format(name="blue"), bookkeeping=False))
    assert "- kind: ServiceAccount\n  name: robot\n  namespace: blue\n" in emit(rl.items[0])
    assert messages(rl) == [('namespace "tenant" updated to "blue", 2 value(s) changed', "info")]
