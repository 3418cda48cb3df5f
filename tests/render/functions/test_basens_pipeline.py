"""A basens-shaped package (set-namespace v0.4.1 then apply-replacements v0.1.1) rendered end to end.

The package is our own, modelled on kpt-samples' basens: a Namespace, a ResourceQuota, a
RoleBinding whose group subject carries the namespace as the first dot-separated piece, and a
local package-context ConfigMap naming the namespace.
"""

from __future__ import annotations

from pathlib import Path

from bot.render.render_package import render_package
from bot.render.render_types import RenderOptions

FILES = {
    "Kptfile": """\
apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: tenant-ns
  annotations:
    config.kubernetes.io/local-config: "true"
pipeline:
  mutators:
    - image: gcr.io/kpt-fn/set-namespace:v0.4.1
      configPath: package-context.yaml
    - image: gcr.io/kpt-fn/apply-replacements:v0.1.1
      configPath: update-rolebinding.yaml
""",
    "package-context.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: kptfile.kpt.dev
  annotations:
    config.kubernetes.io/local-config: "true"
data:
  name: {name}
""",
    "namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: tenant\nspec: {}\n",
    "quota.yaml": """\
apiVersion: v1
kind: ResourceQuota
metadata:
  name: default
  namespace: tenant # set by set-namespace
spec:
  hard:
    cpu: "8"
    memory: 16G
""",
    "rolebinding.yaml": """\
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: tenant-admin
  namespace: tenant
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: admin
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: Group
  name: tenant.admins@example.com
""",
    "update-rolebinding.yaml": """\
apiVersion: fn.kpt.dev/v1alpha1
kind: ApplyReplacements
metadata:
  name: update-rolebinding
  annotations:
    config.kubernetes.io/local-config: "true"
replacements:
- source:
    kind: ConfigMap
    name: kptfile.kpt.dev
    fieldPath: data.name
  targets:
  - select:
      name: tenant-admin
      kind: RoleBinding
    fieldPaths:
    - subjects.[kind=Group].name
    options:
      delimiter: '.'
      index: 0
""",
}


def make_package(root: Path, name: str) -> Path:
    package = root / "tenant-ns"
    package.mkdir()
    for file_name, text in FILES.items():
        (package / file_name).write_text(text.replace("{name}", name))
    return package


def render(package: Path) -> None:
    outcome = render_package(package, RenderOptions(runtime="builtin"))
    assert outcome.ok, outcome.error_message


def test_new_name_flows_into_every_namespace_slot(tmp_path: Path) -> None:
    package = make_package(tmp_path, "payments")
    render(package)
    assert (package / "namespace.yaml").read_text() == \
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: payments\nspec: {}\n"
    assert (package / "quota.yaml").read_text() == FILES["quota.yaml"].replace(
        "namespace: tenant #", "namespace: payments #")
    assert (package / "rolebinding.yaml").read_text() == FILES["rolebinding.yaml"].replace(
        "namespace: tenant", "namespace: payments").replace("tenant.admins@", "payments.admins@")
    # local config is neither namespaced nor changed
    assert (package / "package-context.yaml").read_text() == FILES["package-context.yaml"].replace(
        "{name}", "payments")
    kptfile = (package / "Kptfile").read_text()
    assert 'message: namespace "tenant" updated to "payments", 3 value(s) changed' in kptfile


def test_second_render_changes_nothing(tmp_path: Path) -> None:
    package = make_package(tmp_path, "payments")
    render(package)
    first = {p.name: p.read_text() for p in package.iterdir()}
    render(package)
    second = {p.name: p.read_text() for p in package.iterdir()}
    # Nothing changes, the Kptfile status included: it keeps the first render's results rather than
    # churning to "already set" (see pipeline._status_wanted).
    assert second == first
    assert 'updated to "payments"' in second["Kptfile"]
