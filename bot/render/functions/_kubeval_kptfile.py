"""OpenAPI v2 definitions of the kpt.dev/v1 Kptfile, as the kubeval image merged them into its schemas.

Written from kpt's Kptfile v1 Go types (the kpt-functions-sdk ``kptfile/v1`` package of that time):
only the fields those types had -- notably no ``status`` -- so a strict run reports any other field
as an additional property, as the image does. Descriptions are left out: they do not validate.
"""

from __future__ import annotations

from typing import Any

PREFIX = "dev.kpt.v1."


def _string() -> dict[str, Any]:
    return {"type": "string"}


def _string_map() -> dict[str, Any]:
    return {"type": "object", "additionalProperties": {"type": "string"}}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/definitions/{PREFIX}{name}"}


def _object(**properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


def _list_of(name: str) -> dict[str, Any]:
    return {"type": "array", "items": _ref(name)}


def _string_list() -> dict[str, Any]:
    return {"type": "array", "items": _string()}


def kptfile_definitions() -> dict[str, Any]:
    """Fresh definitions (callers may change them) keyed by OpenAPI title."""
    definitions: dict[str, Any] = {
        "Function": _object(configMap=_string_map(), configPath=_string(), exclude=_list_of("Selector"),
                            exec=_string(), image=_string(), name=_string(), selectors=_list_of("Selector")),
        "Git": _object(directory=_string(), ref=_string(), repo=_string()),
        "GitLock": _object(commit=_string(), directory=_string(), ref=_string(), repo=_string()),
        "Inventory": _object(annotations=_string_map(), inventoryID=_string(), labels=_string_map(),
                             name=_string(), namespace=_string()),
        "NameMeta": _object(name=_string(), namespace=_string()),
        "ObjectMeta": _object(annotations=_string_map(), labels=_string_map(), name=_string(),
                              namespace=_string()),
        "OriginType": _string(),
        "PackageInfo": _object(description=_string(), emails=_string_list(), keywords=_string_list(),
                               license=_string(), licenseFile=_string(), man=_string(), site=_string()),
        "Pipeline": _object(mutators=_list_of("Function"), validators=_list_of("Function")),
        "ResourceMeta": _object(apiVersion=_string(), kind=_string(), metadata=_ref("ObjectMeta")),
        "Selector": _object(annotations=_string_map(), apiVersion=_string(), kind=_string(),
                            labels=_string_map(), name=_string(), namespace=_string()),
        "TypeMeta": _object(apiVersion=_string(), kind=_string()),
        "UpdateStrategyType": _string(),
        "Upstream": _object(git=_ref("Git"), type=_ref("OriginType"), updateStrategy=_ref("UpdateStrategyType")),
        "UpstreamLock": _object(git=_ref("GitLock"), type=_ref("OriginType")),
        "kptfile": _object(apiVersion=_string(), info=_ref("PackageInfo"), inventory=_ref("Inventory"),
                           kind=_string(), metadata=_ref("ObjectMeta"), pipeline=_ref("Pipeline"),
                           upstream=_ref("Upstream"), upstreamLock=_ref("UpstreamLock")),
    }
    definitions["kptfile"]["x-kubernetes-group-version-kind"] = [
        {"group": "kpt.dev", "kind": "Kptfile", "version": "v1"}]
    return {PREFIX + name: definition for name, definition in definitions.items()}
