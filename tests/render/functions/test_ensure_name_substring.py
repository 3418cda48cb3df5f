"""ensure-name-substring builtin: renames, references, depends-on, kpt annotations, config errors."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bot.render.functions.registry import lookup
from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError
from bot.render.yaml.node import Node
from tests.conftest import shared_path
from tests.render.functions.conftest import MakeRL, annotate, emit, parse_items, run_builtin

MASTER = "gcr.io/kpt-fn/ensure-name-substring:unstable"
V020 = "gcr.io/kpt-fn/ensure-name-substring:v0.2.0"

APP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: the-map
  namespace: the-namespace
data:
  some-key: some-value
---
apiVersion: v1
kind: Pod
metadata:
  name: the-pod
  namespace: the-namespace
spec:
  containers:
    - name: test-container
      env:
        - name: SOME_KEY
          valueFrom:
            configMapKeyRef:
              name: the-map
              key: some-key
---
apiVersion: v1
kind: Service
metadata:
  name: with-prod-service
  namespace: the-namespace
---
apiVersion: v1
kind: Namespace
metadata:
  name: the-namespace
"""


def config(key: str = "prepend", value: str = "prod-") -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: function-input\ndata:\n  {key}: {value}\n"


def run(rl: ResourceList, image: str = MASTER) -> ResourceList:
    return run_builtin(image, rl)


def names(rl: ResourceList) -> list[str]:
    return [item.str_value("metadata", "name") or "" for item in rl.items]


def test_tags() -> None:
    assert lookup(MASTER) is not None and lookup(V020) is not None
    assert lookup(MASTER) is not lookup(V020)
    # floating v0.2 is v0.2.0 on gcr but a newer build on ghcr
    assert lookup("ensure-name-substring:v0.2") is None


def test_prefix_names_and_follow_references(make_rl: MakeRL) -> None:
    rl = run(make_rl(APP, config()))
    # the Service already holds the substring; Namespaces are never renamed
    assert names(rl) == ["prod-the-map", "prod-the-pod", "with-prod-service", "the-namespace"]
    assert "          name: prod-the-map\n" in emit(rl.items[1])
    assert rl.results == []


def test_suffix(make_rl: MakeRL) -> None:
    rl = run(make_rl(APP, config("append", "-prod")))
    assert names(rl)[:2] == ["the-map-prod", "the-pod-prod"]


def test_master_drops_kpt_file_annotations_v020_keeps_them(make_rl: MakeRL) -> None:
    master = run(make_rl(APP, config()))
    assert all(item.path("metadata", "annotations") is None for item in master.items)
    kept = run(make_rl(APP, config()), V020)
    for item in kept.items:
        annotations = item.path("metadata", "annotations")
        assert annotations is not None and annotations.str_value("config.kubernetes.io/path") == "resources.yaml"


def test_annotations_are_rewritten_as_plain_strings(make_rl: MakeRL) -> None:
    items = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: local\n  annotations:\n"
             "    config.kubernetes.io/local-config: 'true'\n")
    rl = run(make_rl(items, config()))
    assert '    config.kubernetes.io/local-config: "true"\n' in emit(rl.items[0])
    assert names(rl) == ["prod-local"]  # local config is renamed too


DEPENDS = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    config.kubernetes.io/depends-on: /namespaces/default/StatefulSet/db
  name: web
  namespace: default
---
apiVersion: v1
kind: StatefulSet
metadata:
  name: db
  namespace: default
---
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    config.kubernetes.io/depends-on: /namespaces/default/StatefulSet/outside
  name: bar
  namespace: default
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: read-secrets
  annotations:
    config.kubernetes.io/depends-on: rbac.authorization.k8s.io/ClusterRole/secret-reader
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: secret-reader
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: Group
  name: admin
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: secret-reader
"""


def test_depends_on_and_role_refs_follow_renamed_resources(make_rl: MakeRL) -> None:
    rl = run(make_rl(DEPENDS, config(), bookkeeping=False))
    web, _, bar, binding, _ = (emit(item) for item in rl.items)
    assert "config.kubernetes.io/depends-on: /namespaces/default/StatefulSet/prod-db" in web
    assert "config.kubernetes.io/depends-on: /namespaces/default/StatefulSet/outside" in bar
    assert "rbac.authorization.k8s.io/ClusterRole/prod-secret-reader" in binding
    assert "  name: prod-secret-reader\nsubjects:\n" in binding
    assert "  name: admin\n" in binding


def test_additional_name_fields(make_rl: MakeRL) -> None:
    items = "apiVersion: dev.example.com/v1\nkind: MyResource\nmetadata:\n  name: cr\nspec:\n  name: foo\n"
    fn_config = """\
apiVersion: fn.kpt.dev/v1alpha1
kind: EnsureNameSubstring
metadata:
  name: my-config
substring: prod-
additionalNameFields:
- kind: MyResource
  group: dev.example.com
  version: v1
  path: spec/name
"""
    rl = run(make_rl(items, fn_config))
    assert "  name: prod-foo\n" in emit(rl.items[0]).split("spec:")[1]


@pytest.mark.parametrize(("fn_config", "message"), [
    (config() + "  append: x\n", "only 1 entry is allowed in the ConfigMap, but got: 2"),
    (config("replace", "x"), "unknown editMode: replace, only prepend and append are allowed"),
    ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n",
     "function config must be either /v1, Kind=ConfigMap or fn.kpt.dev/v1alpha1, Kind=EnsureNameSubstring, "
     "but we got: apps/v1, Kind=Deployment"),
    ("apiVersion: fn.kpt.dev/v1alpha1\nkind: EnsureNameSubstring\nmetadata:\n  name: e\n",
     "substring must not be empty"),
])
def test_config_errors(make_rl: MakeRL, fn_config: str, message: str) -> None:
    with pytest.raises(FunctionError) as failure:
        run(make_rl(APP, fn_config))
    expected = f"failed to load the `functionConfig`: {message}"
    assert failure.value.stderr == expected and failure.value.exit_code == 1


def test_duplicate_resources_fail(make_rl: MakeRL) -> None:
    items = APP + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: the-map\n  namespace: the-namespace\n"
    with pytest.raises(FunctionError) as failure:
        run(make_rl(items, config()))
    assert failure.value.stderr.startswith("failed to convert items to resource map: ")


# ---- the catalog's cases: every output object, written where kpt puts path-less objects --------

CATALOG_CASES = [
    "ensure-name-substring-advanced", "ensure-name-substring-depends-on", "ensure-name-substring-imperative",
    "ensure-name-substring-prefix", "ensure-name-substring-suffix", "e2e-ensure-name-substring-legacy-config",
    "e2e-ensure-name-substring-local-config",
]


def _package_items(package: Path) -> list[Node]:
    items: list[Node] = []
    for path in sorted(package.rglob("*")):
        if path.is_file() and (path.suffix in (".yaml", ".yml") or path.name == "Kptfile"):
            items += annotate(parse_items(path.read_text()), path.relative_to(package).as_posix())
    return items


@pytest.mark.parametrize("case", CATALOG_CASES)
def test_catalog_case_objects_match_their_default_files(case: str, tmp_path: Path) -> None:
    source = shared_path("conformance", "functions", "cases", case)
    expected_dir = tmp_path / case
    shutil.copytree(source, expected_dir, ignore=shutil.ignore_patterns(".expected"))
    items = _package_items(expected_dir)
    subprocess.run(["git", "init", "-q", str(expected_dir)], check=True)
    subprocess.run(["git", "-C", str(expected_dir), "apply", str(source / ".expected" / "diff.patch")], check=True)
    args = "".join(f"  {key}: {value}\n" for key, value in
                   _eval_args((source / ".expected" / "config.yaml").read_text()).items())
    rl = run(ResourceList(items=items, function_config=parse_items(
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: function-input\ndata:\n{args}")[0]))
    for item in rl.items:
        namespace = item.str_value("metadata", "namespace")
        default_path = (f"{namespace}/" if namespace else "") + \
            f"{(item.str_value('kind') or '').lower()}_{item.str_value('metadata', 'name')}.yaml"
        assert emit(item) == (expected_dir / default_path).read_text(), default_path


def _eval_args(config_text: str) -> dict[str, str]:
    lines = config_text.split("args:\n", 1)[1].splitlines()
    return dict(line.strip().split(": ", 1) for line in lines if line.startswith("  "))
