"""kubeval builtin: mounted schema directories, kubeval's messages and file layout (baked-in set: test_kubeval_baked)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.render.functions import kubeval
from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError
from tests.render.functions.conftest import MakeRL, builtins_of

IMAGE = "gcr.io/kpt-fn/kubeval:v0.3.0"

# A small schema of our own in the shape kubeval's standalone schemas have.
WIDGET_SCHEMA = {
    "type": "object",
    "required": ["spec"],
    "properties": {
        "apiVersion": {"type": ["string", "null"], "enum": ["v1"]},
        "kind": {"type": ["string", "null"], "enum": ["Widget"]},
        "metadata": {"type": "object"},
        "spec": {
            "type": ["object", "null"],
            "properties": {
                "size": {"type": ["integer", "null"]},
                "color": {"type": ["string", "null"], "enum": ["red", "blue"]},
            },
        },
    },
}

WIDGETS = """\
apiVersion: v1
kind: Widget
metadata:
  name: bad
spec:
  size: big # not an integer
  colour: red
---
apiVersion: v1
kind: Widget
metadata:
  name: good
spec:
  size: 3
---
apiVersion: example.com/v1
kind: Gadget
metadata:
  name: custom
spec: {}
"""


def config(**data: str) -> str:
    lines = "".join(f"  {key}: {json.dumps(value)}\n" for key, value in data.items())
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: function-input\ndata:\n{lines}"


BUILTINS = builtins_of("kubeval")
lookup = BUILTINS.lookup


@pytest.fixture
def schema_dir(tmp_path: Path) -> Path:
    for flavour, additional in (("master-standalone", True), ("master-standalone-strict", False)):
        schema = json.loads(json.dumps(WIDGET_SCHEMA))
        if not additional:
            schema["properties"]["spec"]["additionalProperties"] = False
        (tmp_path / flavour).mkdir()
        (tmp_path / flavour / "widget-v1.json").write_text(json.dumps(schema))
    return tmp_path


def run_mounted(rl: ResourceList, schema_dir: Path) -> FunctionError | None:
    builtin = lookup(IMAGE)
    assert builtin is not None
    mount = kubeval.parse_mount(f"type=bind,src={schema_dir},dst=/schemas")
    with kubeval.mounted((mount,)):
        try:
            builtin.run(rl)
        except FunctionError as err:
            return err
    return None


def summary(rl: ResourceList) -> list[tuple[str, str, str]]:
    return [(r.resource_ref.name if r.resource_ref else "", r.field.path if r.field else "", r.message)
            for r in rl.results]


def test_errors_per_field_with_ref_and_file(make_rl: MakeRL, schema_dir: Path) -> None:
    rl = make_rl(WIDGETS, config(schema_location="file:///schemas", skip_kinds="Gadget"), path="widgets.yaml")
    err = run_mounted(rl, schema_dir)
    assert err is not None and err.exit_code == 1 and err.stderr == ""
    assert summary(rl) == [("bad", "spec.size", "Invalid type. Expected: [integer,null], given: string")]
    result = rl.results[0]
    assert result.severity == "error"
    assert result.resource_ref is not None and result.resource_ref.api_version == "v1"
    assert result.file is not None and result.file.path == "widgets.yaml"


def test_strict_uses_the_strict_schemas(make_rl: MakeRL, schema_dir: Path) -> None:
    rl = make_rl(WIDGETS, config(schema_location="file:///schemas", skip_kinds="Gadget", strict="true"))
    run_mounted(rl, schema_dir)
    # gojsonschema reports an object's own errors before its children's.
    assert summary(rl) == [("bad", "colour", "Additional property colour is not allowed"),
                           ("bad", "spec.size", "Invalid type. Expected: [integer,null], given: string")]


def test_missing_schema_needs_skipping_or_ignoring(make_rl: MakeRL, schema_dir: Path) -> None:
    rl = make_rl(WIDGETS, config(schema_location="file:///schemas"))
    run_mounted(rl, schema_dir)
    assert [r.message.split(":\n")[0] for r in rl.results if r.resource_ref and r.resource_ref.kind == "Gadget"] == [
        "Validating arbitrary CRDs is not supported yet. You can skip them by setting ignore_missing_schemas or "
        "skip_kinds in the function config"]
    rl = make_rl(WIDGETS, config(schema_location="file:///schemas", ignore_missing_schemas="true"))
    run_mounted(rl, schema_dir)
    assert [name for name, _, _ in summary(rl)] == ["bad"]


def test_required_and_enum_messages(make_rl: MakeRL, schema_dir: Path) -> None:
    rl = make_rl("apiVersion: v1\nkind: Widget\nmetadata:\n  name: w\n---\n"
                 "apiVersion: v1\nkind: Widget\nmetadata:\n  name: x\nspec:\n  color: green\n",
                 config(schema_location="file:///schemas"))
    run_mounted(rl, schema_dir)
    assert summary(rl) == [("w", "spec", "spec is required"),
                           ("x", "spec.color", 'spec.color must be one of the following: "red", "blue"')]


def test_valid_package_passes(make_rl: MakeRL, schema_dir: Path) -> None:
    rl = make_rl(WIDGETS.split("---\n")[1], config(schema_location="file:///schemas"))
    assert run_mounted(rl, schema_dir) is None
    assert rl.results == []


def test_locations_we_cannot_read_are_not_claimed(make_rl: MakeRL, tmp_path: Path) -> None:
    rl = make_rl(WIDGETS, config(schema_location="https://kubernetesjsonschema.dev"))
    assert kubeval.reproduces(rl) is False
    builtin = lookup(IMAGE)
    assert builtin is not None and builtin.reproduces is not None
    with pytest.raises(FunctionError) as raised:
        builtin.run(rl)
    assert raised.value.execution_error
    # A location outside every mount is never read from the host, even if it exists there.
    (tmp_path / "master-standalone").mkdir()
    rl = make_rl(WIDGETS, config(schema_location=f"file://{tmp_path}"))
    assert kubeval.reproduces(rl) is False


def test_schema_file_names() -> None:
    assert kubeval.schema_file_name("v1", "ReplicationController", False) == \
        "master-standalone/replicationcontroller-v1.json"
    assert kubeval.schema_file_name("rbac.authorization.k8s.io/v1", "Role", True) == \
        "master-standalone-strict/role-rbac-v1.json"


def test_bad_mount_spec() -> None:
    with pytest.raises(FunctionError):
        kubeval.parse_mount("type=volume,src=x,dst=/y")
