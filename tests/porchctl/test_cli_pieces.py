"""The porchctl-compatibility pieces of the CLI on their own: kubectl's JSONPath, cobra's argv spellings,
readiness gates and the clone Kptfile in Porch's form."""

from __future__ import annotations

import pytest
import yaml

from bot.cli import cobra, jsonpath, printers
from bot.errors import InvalidInput
from bot.lifecycle.packagefiles import GitLock, set_upstream
from bot.lifecycle.readiness import unmet_gates

LIST = {"kind": "List", "items": [{"metadata": {"name": "a", "labels": {"x": "1"}}, "spec": {"rev": "v1"}},
                                  {"metadata": {"name": "b"}, "spec": {}}]}


@pytest.mark.parametrize(("template", "expected"), [
    ("{.items[*].metadata.name}", "a b"),
    ('{range .items[*]}{.metadata.name}{"\\n"}{end}', "a\nb\n"),
    ("{.items[0].spec.rev}", "v1"),
    ('{.items[?(@.metadata.name=="b")].metadata.name}', "b"),
    ("name={.items[1].metadata.name}!", "name=b!"),
    ("{.items[0].metadata.labels}", '{"x":"1"}'),
    ("{.items[5].metadata.name}", ""),
])
def test_jsonpath_follows_kubectl(template: str, expected: str) -> None:
    assert jsonpath.render(template, LIST) == expected


def test_custom_columns_mark_missing_fields_none_and_headers_can_go() -> None:
    objects = LIST["items"]
    text = printers.render(objects, "custom-columns=NAME:.metadata.name,REV:.spec.rev", False, "k", None)  # type: ignore[arg-type]
    assert text == "NAME   REV\na      v1\nb      <none>\n"
    assert printers.render(objects, "custom-columns=NAME:.metadata.name", True, "k", None) == "a\nb\n"  # type: ignore[arg-type]
    assert printers.render(objects, "name", False, "thing.example", None) == "thing.example/a\nthing.example/b\n"  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        printers.check_output("toml")


def test_cobra_spellings_become_clicks() -> None:
    argv = cobra.normalize(["rpkg", "copy", "--namespace=ns1", "--replay-strategy=true", "--workspace", "w", "x"])
    assert argv == ["rpkg", "copy", "--replay-strategy", "--workspace", "w", "x"]
    assert cobra.namespace() == "ns1"
    assert cobra.normalize(["repo", "register", "-n", "ns2", "--deployment=false", "url"]) == ["repo", "register", "url"]
    assert cobra.namespace() == "ns2"
    assert cobra.normalize(["rpkg", "delete", "n"]) == ["rpkg", "del", "n"]
    assert cobra.normalize(["fn", "eval", "-n", "x"]) == ["fn", "eval", "-n", "x"]  # not porchctl's: untouched


GATED = """apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: p
info:
  readinessGates:
  - conditionType: a.example/Ready
  - conditionType: b.example/Ready
status:
  conditions:
  - type: a.example/Ready
    status: "True"
  - type: b.example/Ready
    status: "False"
"""


def test_readiness_gates_need_every_condition_true() -> None:
    assert unmet_gates(GATED) == ["b.example/Ready"]
    assert unmet_gates(GATED.replace('"False"', '"True"')) == []
    assert unmet_gates(GATED.split("status:")[0]) == ["a.example/Ready", "b.example/Ready"]
    assert unmet_gates("apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: p\n") == []


def test_clone_kptfile_in_porchs_form() -> None:
    original = "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: basens\ninfo:\n  description: d\n"
    lock = GitLock("https://example.com/blueprints.git", "basens", "basens/v1", "0" * 40)
    written = yaml.safe_load(set_upstream(original, "mine", lock, porch_form=True))
    assert written["metadata"] == {"name": "mine", "annotations": {
        "internal.kpt.dev/upstream-identifier": "kpt.dev|Kptfile|default|mine"}}
    assert written["upstream"] == {"type": "git", "git": {"repo": "https://example.com/blueprints.git",
                                                          "directory": "basens", "ref": "basens/v1"}}
    assert written["upstreamLock"]["git"]["commit"] == "0" * 40
    kpt_form = yaml.safe_load(set_upstream(original, "mine", lock))
    assert kpt_form["upstream"]["updateStrategy"] == "resource-merge" and "annotations" not in kpt_form["metadata"]
