"""ResourceList wire text: encoding, and results in every shape functions emit."""

from __future__ import annotations

import pytest

from bot.render.resourcelist import ResourceList, ResourceRef, Result, ResultField, ResultFile
from bot.render.resourcelist_wire import WireError, decode_resource_list, encode_resource_list, result_to_node
from bot.render.yaml.emitter import emit_node
from bot.render.yaml.node import Node


def test_round_trip_keeps_items_config_and_results() -> None:
    item = Node.mapping()
    item.set("apiVersion", Node.scalar("v1"))
    item.set("kind", Node.scalar("ConfigMap"))
    config = Node.mapping()
    config.set("kind", Node.scalar("Config"))
    result = Result(message="done", severity="warning",
                    resource_ref=ResourceRef(api_version="v1", kind="ConfigMap", name="x"),
                    field=ResultField(path="data.a", proposed_value=Node.scalar("b")),
                    file=ResultFile(path="cm.yaml", index=2), tags={"k": "v"})
    text = encode_resource_list(ResourceList(items=[item], function_config=config, results=[result]))
    assert text.startswith("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n")
    decoded = decode_resource_list(text)
    assert [i.str_value("kind") for i in decoded.items] == ["ConfigMap"]
    assert decoded.function_config is not None and decoded.function_config.str_value("kind") == "Config"
    (back,) = decoded.results
    assert (back.message, back.severity, back.tags) == ("done", "warning", {"k": "v"})
    assert back.resource_ref == ResourceRef(api_version="v1", kind="ConfigMap", name="x")
    assert back.file == ResultFile(path="cm.yaml", index=2)
    assert back.field is not None and back.field.path == "data.a"


@pytest.mark.parametrize("results", [
    "results:\n- message: hi\n  resourceRef:\n    apiVersion: v1\n    kind: Pod\n    metadata:\n      name: p\n      namespace: ns\n",
    "results:\n  items:\n  - message: hi\n    resourceRef: {apiVersion: v1, kind: Pod, name: p, namespace: ns}\n",
    "results:\n- name: legacy\n  items:\n  - message: hi\n    resourceRef: {apiVersion: v1, kind: Pod, name: p, namespace: ns}\n",
], ids=["metadata-ref", "items-wrapper", "nested-items"])
def test_result_shapes(results: str) -> None:
    decoded = decode_resource_list("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n" + results)
    assert [(r.message, r.resource_ref) for r in decoded.results] == [
        ("hi", ResourceRef(api_version="v1", kind="Pod", name="p", namespace="ns"))]


@pytest.mark.parametrize("text", ["", "kind: Pod\n", "items: [unclosed\n", "kind: ResourceList\nitems: {a: 1}\n"],
                         ids=["empty", "not-a-list", "malformed", "items-not-a-list"])
def test_malformed_output_is_a_wire_error(text: str) -> None:
    with pytest.raises(WireError):
        decode_resource_list(text)


def test_result_node_omits_empty_fields_and_zero_index() -> None:
    node = result_to_node(Result(message="m", file=ResultFile(path="a.yaml", index=0)))
    assert emit_node(node) == "message: m\nfile:\n  path: a.yaml\n"
