"""Turn OpenAPI v2 definitions into kubeval's "standalone" JSON schemas, as the catalog image did.

The kubeval image baked ``<kind>-<group>-<version>.json`` files made by openapi2jsonschema with
``--kubernetes --expanded --stand-alone [--strict]``. We rebuild one such schema on demand from a
``_definitions.json`` and must make the same (sometimes surprising) choices, because they decide
which documents pass and how errors read:

* every ``$ref`` object is replaced by its target, dropping the keys beside it (jsonref's rule);
* IntOrString is ``oneOf [string, integer]`` and Quantity ``oneOf [string, number]``;
* a kind's ``apiVersion``/``kind`` properties get an ``enum`` of its group-version-kinds;
* strict: every schema with ``properties`` and no ``additionalProperties`` gets ``false``;
* under the top-level ``properties``, a ``type`` becomes ``[type, "null"]`` unless the object that
  holds the field lists it as ``required`` -- so top-level fields and array items are nullable.
"""

from __future__ import annotations

import copy
from typing import Any

INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
GVK = "x-kubernetes-group-version-kind"

# openapi2jsonschema could not de-reference these (they hold JSON schema themselves): no file.
NOT_STANDALONE = frozenset({
    "jsonschemaprops", "jsonschemapropsorarray", "customresourcevalidation", "customresourcedefinition",
    "customresourcedefinitionspec", "customresourcedefinitionlist", "jsonschemapropsorstringarray",
    "jsonschemapropsorbool",
})


class CyclicSchema(ValueError):
    """A definition refers to itself: the generator failed on it and wrote no file."""


def prepare_definitions(definitions: dict[str, Any], strict: bool) -> dict[str, Any]:
    """The generator's ``--kubernetes --expanded [--strict]`` pass over the shared definitions."""
    prepared = copy.deepcopy(definitions)
    prepared[INT_OR_STRING] = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
    # kubeval accepts numbers for quantities (``cpu: 0.5``), as most Kubernetes tooling does.
    prepared[QUANTITY] = {"oneOf": [{"type": "string"}, {"type": "number"}]}
    for definition in prepared.values():
        properties = definition.get("properties") if isinstance(definition, dict) else None
        if not isinstance(properties, dict):
            continue
        for gvk in definition.get(GVK) or []:
            api_version = f"{gvk['group']}/{gvk['version']}" if gvk.get("group") else str(gvk["version"])
            if "apiVersion" in properties:
                _append_unique(properties["apiVersion"], "enum", api_version)
            if "kind" in properties:
                _append_unique(properties["kind"], "enum", gvk["kind"])
    return add_additional_properties(prepared) if strict else prepared


def _append_unique(schema: dict[str, Any], key: str, value: str) -> None:
    values = schema.setdefault(key, [])
    if value not in values:
        values.append(value)


def file_names(definitions: dict[str, Any]) -> dict[str, str]:
    """kubeval file name (without ``-strict`` dir or ``.json``) -> definition title, later titles winning."""
    names: dict[str, str] = {}
    for title, definition in definitions.items():
        properties = definition.get("properties") if isinstance(definition, dict) else None
        if not definition.get(GVK) or not isinstance(properties, dict) or "apiVersion" not in properties:
            continue
        parts = title.split(".")
        kind, group, version = parts[-1].lower(), parts[-3].lower(), parts[-2].lower()
        if kind in NOT_STANDALONE:
            continue
        names[f"{kind}-{version}" if group in ("core", "api") else f"{kind}-{group}-{version}"] = title
    return names


def standalone(definitions: dict[str, Any], title: str, strict: bool) -> dict[str, Any]:
    """The stand-alone schema of one definition (``definitions`` from ``prepare_definitions``)."""
    specification = dict(definitions[title])
    specification["$schema"] = "http://json-schema.org/schema#"
    specification.setdefault("type", "object")
    if strict:
        specification["additionalProperties"] = False
    resolved: dict[str, Any] = _dereference(specification, definitions, ())
    properties = resolved.get("properties")
    if isinstance(properties, dict):
        if strict:
            properties = add_additional_properties(properties)
        properties = _replace_int_or_string(properties)
        resolved["properties"] = _nullable_optional_fields(properties, None, None, None)
    return resolved


def _dereference(node: Any, definitions: dict[str, Any], seen: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_dereference(item, definitions, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        target = ref.rsplit("/", 1)[-1]
        if target in seen:
            raise CyclicSchema(target)
        return _dereference(definitions[target], definitions, (*seen, target))
    return {key: _dereference(value, definitions, seen) for key, value in node.items()}


def add_additional_properties(data: dict[str, Any]) -> dict[str, Any]:
    """``additionalProperties: false`` on every nested schema with properties (lists not entered)."""
    result: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            if "properties" in value and "additionalProperties" not in value:
                value = {**value, "additionalProperties": False}
            value = add_additional_properties(value)
        result[key] = value
    return result


def _replace_int_or_string(data: Any) -> Any:
    if isinstance(data, list):
        return [_replace_int_or_string(item) for item in data]
    if not isinstance(data, dict):
        return data
    result: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and value.get("format") == "int-or-string":
            result[key] = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
        else:
            result[key] = _replace_int_or_string(value)
    return result


def _nullable_optional_fields(data: Any, parent: Any, grand_parent: Any, key: str | None) -> Any:
    """The generator's walk: ``grand_parent`` is the object schema holding field ``key``."""
    if not isinstance(data, dict):
        return data
    result: dict[str, Any] = {}
    for name, value in data.items():
        if isinstance(value, dict):
            value = _nullable_optional_fields(value, data, parent, name)
        elif isinstance(value, list):
            value = [_nullable_optional_fields(item, value, parent, name) for item in value]
        elif name == "type" and isinstance(value, str) and value != "null":
            required = (isinstance(grand_parent, dict) and key is not None
                        and key in (grand_parent.get("required") or []))
            if not required:
                value = [value, "null"]
        result[name] = value
    return result
