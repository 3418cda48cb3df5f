"""Variant files parsed and validated: every problem names the file and the field; sets expand per target
with CEL template values."""

from __future__ import annotations

import pytest

from bot.lifecycle.variants.files import parse_documents, variants_directory
from bot.lifecycle.variants.validate import check

VARIANT = """\
apiVersion: config.porch.kpt.dev/v1alpha1
kind: PackageVariant
metadata:
  name: edge-ns
spec:
  upstream: {repo: blueprints, package: basens, revision: 2}
  downstream: {repo: edge, package: edge-ns}
  adoptionPolicy: adoptExisting
  deletionPolicy: orphan
  labels: {team: net}
  annotations: {owner: alice}
  packageContext:
    data: {region: eu}
    removeKeys: [old]
  pipeline:
    mutators:
      - image: gcr.io/kpt-fn/set-labels:v0.2.0
        configMap: {tier: gold}
  injectors:
    - kind: ConfigMap
      name: edge-settings
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: edge-settings
data:
  size: large
"""

SET = """\
apiVersion: config.porch.kpt.dev/v1alpha2
kind: PackageVariantSet
metadata:
  name: fleet
spec:
  upstream: {repo: blueprints, package: basens}
  targets:
    - repositorySelector:
        matchLabels: {env: prod}
        matchExpressions:
          - {key: region, operator: In, values: [eu, us]}
      template:
        downstream:
          packageExpr: "'ns-' + repository.labels['region']"
        packageContext:
          dataExprs:
            - key: site
              valueExpr: "repoDefault + '.' + repository.labels['region']"
        annotationExprs:
          - keyExpr: "'from'"
            value: fleet
    - repositories:
        - name: lab
          packageNames: [one, two]
"""

REGISTERED = {"blueprints": {}, "edge": {}, "lab": {}, "p1": {"env": "prod", "region": "eu"},
              "p2": {"env": "prod", "region": "us"}, "p3": {"env": "prod", "region": "asia"}, "d1": {"env": "dev"}}


def _published(repo: str, package: str) -> list[int]:
    return [1, 2] if (repo, package) == ("blueprints", "basens") else []


def _errors(text: str, labels: dict[str, dict[str, str]] = REGISTERED) -> list[str]:
    files = parse_documents("config", {"variants/v.yaml": text}, labels)
    return [str(e) for e in check(files, labels, _published)]


def test_a_variant_and_its_injected_resource() -> None:
    files = parse_documents("config", {"variants/v.yaml": VARIANT}, REGISTERED)
    assert not files.errors and not check(files, REGISTERED, _published)
    (variant,) = files.variants
    assert (variant.upstream_repo, variant.upstream_package, variant.upstream_revision) == ("blueprints", "basens", 2)
    assert (variant.downstream_repo, variant.downstream_package) == ("edge", "edge-ns")
    assert (variant.adoption, variant.deletion) == ("adoptExisting", "orphan")
    assert variant.context_data == {"region": "eu"} and variant.context_remove == ("old",)
    assert variant.mutators[0]["configMap"] == {"tier": "gold"}
    assert variant.injectors[0].name == "edge-settings" and variant.injectors[0].kind == "ConfigMap"
    assert [r["metadata"]["name"] for r in files.resources] == ["edge-settings"]
    assert variant.workspace.startswith("variant-") and variant.workspace == files.variants[0].workspace


def test_a_set_expands_per_target_with_cel() -> None:
    files = parse_documents("config", {"variants/set.yaml": SET}, REGISTERED)
    assert not files.errors, files.errors
    made = {(v.downstream_repo, v.downstream_package): v for v in files.variants}
    assert set(made) == {("p1", "ns-eu"), ("p2", "ns-us"), ("lab", "one"), ("lab", "two")}
    assert made[("p1", "ns-eu")].context_data == {"site": "p1.eu"}
    assert made[("p2", "ns-us")].annotations == {"from": "fleet"}
    assert made[("lab", "one")].name == "fleet-lab-one" and made[("lab", "one")].from_set == "fleet"
    assert not check(files, REGISTERED, _published)


@pytest.mark.parametrize(("text", "expected"), [
    (VARIANT.replace("  adoptionPolicy", "  adoptPolicy"), "config:variants/v.yaml[0]: spec.adoptPolicy: unknown field"),
    (VARIANT.replace("  upstream: {repo: blueprints, package: basens, revision: 2}\n", ""),
     "config:variants/v.yaml[0]: spec.upstream: required"),
    (VARIANT.replace("package: basens", "package: nope"),
     "config:variants/v.yaml[0]: spec.upstream.package: upstream package 'nope' has no published revision"),
    (VARIANT.replace("revision: 2", "revision: 7"), "spec.upstream.revision: upstream package 'basens' has no revision v7"),
    (VARIANT.replace("repo: edge", "repo: elsewhere"),
     "config:variants/v.yaml[0]: spec.downstream.repo: repository 'elsewhere' is not registered"),
    (VARIANT.replace("downstream: {repo: edge, package: edge-ns}", "downstream: {repo: blueprints, package: basens}"),
     "config:variants/v.yaml[0]: spec.upstream: cycle: blueprints/basens would be its own upstream"),
    (VARIANT.replace("{region: eu}", "{name: x}"), "spec.packageContext.data.name: reserved"),
    (VARIANT.replace("adoptExisting", "adoptAll"), "spec.adoptionPolicy: 'adoptAll' is not one of"),
    (SET.replace("'ns-' + repository", "'ns-' + + repository"), "config:variants/v.yaml: "
     "spec.targets[0].template.downstream.packageExpr: CEL expression"),
    (SET.replace("repository.labels['region']\"", "repository.labels['zone']\""), "CEL expression"),
    (SET.replace("- name: lab", "- name: nolab"), "spec.targets[1].repositories[0].name: repository 'nolab' is not"),
    ("a: [", "config:variants/v.yaml: line"),
    (VARIANT.replace("revision: 2}", "workspaceName: ws}"), "spec.upstream.workspaceName: not supported"),
])
def test_bad_files_name_the_file_and_field(text: str, expected: str) -> None:
    errors = _errors(text)
    assert errors and any(expected in e for e in errors), errors


def test_a_cycle_through_two_variants() -> None:
    two = VARIANT.split("---")[0]
    back = two.replace("edge-ns\nspec", "back\nspec").replace("name: edge-ns", "name: back") \
        .replace("{repo: blueprints, package: basens, revision: 2}", "{repo: edge, package: edge-ns}") \
        .replace("{repo: edge, package: edge-ns}\n  adoption", "{repo: blueprints, package: basens}\n  adoption")
    errors = _errors(two + "---\n" + back)
    assert any("cycle" in e for e in errors), errors


def test_the_folder_is_configurable() -> None:
    assert variants_directory(None) == "variants"
    assert variants_directory("variants: {directory: /fleet/variants/}\n") == "fleet/variants"
    assert variants_directory("::: not yaml") == "variants"
