"""set-namespace v0.3.4 / v0.3.3: replace the one namespace the package agrees on (kpt-samples pin v0.3.4).

The cases are shaped like the catalog's own examples of that release line (simple, depends-on,
imperative, ns-unset) with data of our own.
"""

from __future__ import annotations

import pytest

from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError
from tests.render.functions.conftest import MakeRL, emit
from tests.render.functions.conftest import run_builtin as run

pytestmark = pytest.mark.usefixtures("only_these_builtins")

V034 = "gcr.io/kpt-fn/set-namespace:v0.3.4"
V033 = "ghcr.io/kptdev/krm-functions-catalog/set-namespace:v0.3.3"
CONFIG = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  namespace: {ns}\n"

EVERY_SLOT = """\
apiVersion: v1
kind: Service
metadata:
  name: shop-front
  namespace: shop
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: carts.example.com
spec:
  conversion:
    strategy: Webhook
    webhook:
      clientConfig:
        service:
          name: carts-webhook
          namespace: shop
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata:
  name: v1.carts.example.com
spec:
  service:
    name: carts-api
    namespace: shop
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: cart-readers
subjects:
  - kind: ServiceAccount
    name: reader
    namespace: shop
"""


def messages(rl: ResourceList) -> list[tuple[str, str]]:
    return [(r.message, r.severity) for r in rl.results]


def texts(rl: ResourceList) -> str:
    return "".join(emit(item) for item in rl.items)


def by_name(rl: ResourceList, name: str) -> str:
    return emit(next(item for item in rl.items if item.str_value("metadata", "name") == name))


def test_the_namespace_object_names_the_namespace_replaced_everywhere(make_rl: MakeRL) -> None:
    rl = run(V034, make_rl(EVERY_SLOT, CONFIG.format(ns="shop-prod"), bookkeeping=False))
    assert messages(rl) == [('namespace "shop" updated to "shop-prod", 5 values changed', "info")]
    text = texts(rl)
    assert "shop\n" not in text.replace("shop-prod\n", "")
    assert text.count("namespace: shop-prod\n") == 4 and "  name: shop-prod\n" in text


def test_only_slots_holding_the_old_namespace_change(make_rl: MakeRL) -> None:
    items = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  colour: blue
---
apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: team-a
---
apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: elsewhere
---
apiVersion: v1
kind: Namespace
metadata:
  name: team-a
"""
    rl = run(V034, make_rl(items, CONFIG.format(ns="team-b"), bookkeeping=False))
    assert messages(rl) == [('namespace "team-a" updated to "team-b", 2 values changed', "info")]
    # the SDK sorts items by "apiVersion kind namespace name"
    config_map, namespace, elsewhere, moved = (emit(item) for item in rl.items)
    # v0.3 reads "namespaced" as "has metadata.namespace": the ConfigMap stays without one.
    assert "namespace" not in config_map
    assert "namespace: team-b" in moved and "namespace: elsewhere" in elsewhere
    assert "name: team-b" in namespace


def test_depends_on_follows_only_resources_of_the_package(make_rl: MakeRL) -> None:
    items = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
  annotations:
    config.kubernetes.io/depends-on: apps/namespaces/default/StatefulSet/db
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: default
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
  namespace: default
  annotations:
    config.kubernetes.io/depends-on: apps/namespaces/default/StatefulSet/not-in-this-package
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: admins
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: admin
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: Group
  name: "platform-admins"
"""
    rl = run(V034, make_rl(items, CONFIG.format(ns="store"), bookkeeping=False))
    assert messages(rl) == [('namespace "default" updated to "store", 3 values changed', "info")]
    web, worker, binding = by_name(rl, "web"), by_name(rl, "worker"), by_name(rl, "admins")
    assert "depends-on: apps/namespaces/store/StatefulSet/db" in web
    assert "depends-on: apps/namespaces/default/StatefulSet/not-in-this-package" in worker
    # subjects go back through JSON: quoting is lost (kpt restores order and comments only)
    assert "  name: platform-admins\n" in binding


@pytest.mark.parametrize(("items", "expected"), [
    ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
     "could not find any namespace fields to update. This function requires at least one of Namespace objects "
     "or namespace-scoped resources to have their namespace field set."),
    ("apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  namespace: x\n---\n"
     "apiVersion: v1\nkind: Service\nmetadata:\n  name: b\n  namespace: w\n",
     'all input namespace-scoped resources should be under the same namespace but found different '
     'namespaces: "w,x" '),
    ("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: y\n---\n"
     "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n",
     "cannot accept more than one Namespace objects from the input resources, found map[x:1 y:1]"),
    ("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n---\n"
     "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n",
     'found more than one Namespace objects of the same name "x"'),
])
def test_a_package_without_one_namespace_gets_an_error_and_no_change(make_rl: MakeRL, items: str,
                                                                     expected: str) -> None:
    rl = make_rl(items, CONFIG.format(ns="target"), bookkeeping=False)
    before = texts(rl)
    run(V034, rl)  # exit code 0: the SDK's processor reports success
    assert messages(rl) == [(expected, "error")]
    assert "target" not in texts(rl) and texts(rl).count("\n") == before.count("\n")


def test_the_matcher_picks_the_namespace_and_refuses_namespace_objects(make_rl: MakeRL) -> None:
    items = ("apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  namespace: x\n---\n"
             "apiVersion: v1\nkind: Service\nmetadata:\n  name: b\n  namespace: w\n")
    config = CONFIG.format(ns="z") + "  namespaceMatcher: w\n"
    rl = run(V034, make_rl(items, config, bookkeeping=False))
    assert messages(rl) == [('namespace "w" updated to "z", 1 values changed', "info")]
    assert "namespace: x" in by_name(rl, "a") and "namespace: z" in by_name(rl, "b")

    with_object = items + "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: w\n"
    rl = run(V034, make_rl(with_object, config, bookkeeping=False))
    assert messages(rl) == [("found Namespace objects from the input resources, you cannot use "
                             "`namespaceMatcher` in FunctionConfig together with Namespace objects", "error")]


def test_the_setnamespace_kind_never_finds_its_matcher(make_rl: MakeRL) -> None:
    # The release reads SetNamespace's matcher from data.namespaceMatcher, which that kind has not.
    items = ("apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  namespace: x\n---\n"
             "apiVersion: v1\nkind: Service\nmetadata:\n  name: b\n  namespace: w\n")
    config = "apiVersion: fn.kpt.dev/v1alpha1\nkind: SetNamespace\nmetadata:\n  name: s\nnamespace: z\nnamespaceMatcher: w\n"
    rl = run(V034, make_rl(items, config, bookkeeping=False))
    assert messages(rl)[0][1] == "error" and "different namespaces" in messages(rl)[0][0]


def test_the_kptfile_configmap_and_same_namespace(make_rl: MakeRL) -> None:
    items = "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  namespace: example\n"
    config = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kptfile.kpt.dev\ndata:\n  name: example\n"
    rl = run(V034, make_rl(items, config, bookkeeping=False))
    assert messages(rl) == [('namespace "example" updated to "example", 0 values changed', "info")]


@pytest.mark.parametrize(("config", "expected"), [
    ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  other: x\n",
     "`data.namespace` should not be empty"),
    ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kptfile.kpt.dev\ndata:\n  other: x\n",
     "`data.name` should not be empty"),
    ("apiVersion: fn.kpt.dev/v1alpha1\nkind: SetNamespace\nmetadata:\n  name: cfg\n",
     "`namespace` should not be empty"),
    ("apiVersion: example.com/v1\nkind: Other\nmetadata:\n  name: cfg\n",
     "unknown functionConfig Kind=Other ApiVersion=example.com/v1, expect `SetNamespace` or `ConfigMap`"),
])
def test_config_errors_point_at_the_config_and_exit_zero(make_rl: MakeRL, config: str, expected: str) -> None:
    rl = make_rl("apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  namespace: x\n", config)
    run(V034, rl)
    assert messages(rl) == [(expected, "error")]
    ref = rl.results[0].resource_ref
    assert ref is not None and ref.name in ("cfg", "kptfile.kpt.dev")


def test_a_missing_config_crashes_the_release(make_rl: MakeRL) -> None:
    with pytest.raises(FunctionError) as raised:
        run(V034, make_rl("apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  namespace: x\n"))
    assert raised.value.exit_code == 2 and raised.value.stderr.startswith("panic: runtime error")


def test_every_visit_writes_the_slots_back(make_rl: MakeRL) -> None:
    items = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: plain.example.com
spec:
  group: example.com
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: nobody
---
apiVersion: v1
kind: Service
metadata:
  name: a
  namespace: x
"""
    rl = run(V034, make_rl(items, CONFIG.format(ns="y"), bookkeeping=False))
    assert messages(rl) == [('namespace "x" updated to "y", 1 values changed', "info")]
    crd, binding = by_name(rl, "plain.example.com"), by_name(rl, "nobody")
    # An empty slot is never replaced, but it is written back, so the path appears.
    assert 'service:\n          namespace: ""\n' in crd
    assert "subjects: []\n" in binding


def test_local_config_is_left_alone_and_items_are_sorted(make_rl: MakeRL) -> None:
    items = """\
apiVersion: v1
kind: Service
metadata:
  name: z
  namespace: x
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ctx
  namespace: other
  annotations:
    config.kubernetes.io/local-config: "true"
"""
    rl = run(V034, make_rl(items, CONFIG.format(ns="y"), bookkeeping=False))
    assert messages(rl) == [('namespace "x" updated to "y", 1 values changed', "info")]
    assert [item.str_value("kind") for item in rl.items] == ["ConfigMap", "Service"]
    assert "namespace: other" in emit(rl.items[0])


def test_v033_adds_its_stray_result(make_rl: MakeRL) -> None:
    rl = run(V033, make_rl(EVERY_SLOT, CONFIG.format(ns="shop-prod"), bookkeeping=False))
    assert messages(rl) == [('namespace "shop" updated to "shop-prod", 5 values changed', "info"),
                            ("set image from shop to shop-prod", "info")]
    stray = rl.results[1]
    assert stray.file is not None and (stray.file.path, stray.file.index) == ("test", 0)
    assert stray.field is not None and stray.field.path == ""
