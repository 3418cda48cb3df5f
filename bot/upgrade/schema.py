"""List merge keys from the Kubernetes OpenAPI definitions the project already ships.

kpt's merge (kyaml ``walk``) finds a resource's schema by apiVersion and kind in its built-in Kubernetes
v1.21 swagger, follows ``$ref`` field by field, and merges a list element by element when the list's
schema says ``x-kubernetes-patch-strategy: merge``; the keys are ``x-kubernetes-list-map-keys`` when
present, else ``x-kubernetes-patch-merge-key``. We read the same extensions from the v1.21 definitions
bundled with ``kubernetes-validate`` (a project dependency), so no merge key is written by hand here.
Only kustomize's Kustomization, which kyaml adds beside the Kubernetes swagger, is described below.

A schema is the plain JSON dict of one definition (or property); ``None`` means "no schema".
"""

from __future__ import annotations

import importlib.util
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

Schema = dict[str, Any]

_K8S_VERSION = "v1.21.0-local"  # the release kyaml 0.15 (kpt 1.0.0-beta.56) compiles in: v1.21.2
_REF_PREFIX = "#/definitions/"
_STRATEGY = "x-kubernetes-patch-strategy"
_MERGE_KEY = "x-kubernetes-patch-merge-key"
_LIST_MAP_KEYS = "x-kubernetes-list-map-keys"
_GVK = "x-kubernetes-group-version-kind"

# kustomize's own types, which kyaml registers next to Kubernetes': generators merge by name.
_KUSTOMIZATION: dict[str, Schema] = {
    "kustomize.Kustomization": {
        "type": "object",
        _GVK: [{"group": "kustomize.config.k8s.io", "version": "v1beta1", "kind": "Kustomization"}],
        "properties": {
            field: {"type": "array", _STRATEGY: "merge", _MERGE_KEY: "name",
                    "items": {"type": "object"}}
            for field in ("configMapGenerator", "secretGenerator")
        },
    },
}


@lru_cache(maxsize=1)
def definitions() -> dict[str, Schema]:
    # Found without importing the package: its import (jsonschema and more) costs ten times the read.
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the kubernetes-validate package (a dependency) is not installed")
    base = Path(next(iter(spec.submodule_search_locations)))
    path = base / "kubernetes-json-schema" / _K8S_VERSION / "_definitions.json"
    loaded: dict[str, Schema] = json.loads(path.read_text(encoding="utf-8"))["definitions"]
    return {**loaded, **_KUSTOMIZATION}


@lru_cache(maxsize=1)
def _by_type() -> dict[tuple[str, str], Schema]:
    index: dict[tuple[str, str], Schema] = {}
    for definition in definitions().values():
        for gvk in definition.get(_GVK) or ():
            group, version, kind = gvk.get("group") or "", gvk.get("version") or "", gvk.get("kind") or ""
            index[(f"{group}/{version}" if group else version, kind)] = definition
    return index


def for_resource(api_version: str, kind: str) -> Schema | None:
    return _by_type().get((api_version, kind))


def resolve(schema: Schema | None) -> Schema | None:
    """Follow ``$ref`` until a definition without one (None when a reference is dangling)."""
    seen = 0
    while schema is not None and "$ref" in schema and seen < 32:
        ref = schema["$ref"]
        if not isinstance(ref, str) or not ref.startswith(_REF_PREFIX):
            return None
        schema = definitions().get(ref[len(_REF_PREFIX):])
        seen += 1
    return schema


_FIELDS: dict[tuple[int, str], tuple[Schema, Schema | None]] = {}


def field(schema: Schema, name: str) -> Schema | None:
    """The schema of a field (a property, or the value of a map); cached per definition."""
    cached = _FIELDS.get((id(schema), name))
    if cached is not None and cached[0] is schema:
        return cached[1]
    result = _field(schema, name)
    _FIELDS[(id(schema), name)] = (schema, result)
    return result


def _field(schema: Schema, name: str) -> Schema | None:
    properties = schema.get("properties") or {}
    child = properties.get(name)
    if child is None:
        extra = schema.get("additionalProperties")
        child = extra if isinstance(extra, dict) else None
    return resolve(child) if child is not None else None


def elements(schema: Schema) -> Schema | None:
    kind = schema.get("type")
    if kind != "array" and kind != ["array"]:
        return None
    items = schema.get("items")
    return resolve(items) if isinstance(items, dict) else None


def is_associative(schema: Schema) -> bool:
    strategy = schema.get(_STRATEGY)
    return isinstance(strategy, str) and "merge" in strategy.split(",")


def strategy_and_keys(schema: Schema) -> tuple[str, list[str]]:
    strategy = schema.get(_STRATEGY)
    if not isinstance(strategy, str):
        return "", []
    keys = schema.get(_LIST_MAP_KEYS)
    if isinstance(keys, list):
        return strategy, [str(key) for key in keys]
    key = schema.get(_MERGE_KEY)
    return strategy, [str(key)] if isinstance(key, str) else []


_SCHEMA_WORDS = frozenset({"type", "items", "properties", "additionalProperties", "$ref", "description",
                           "format", "required", "enum", "default"})


def from_comment(comment: str) -> Schema | None:
    """A field schema written as a JSON line/head comment (kyaml's fieldmeta), else None."""
    text = comment.lstrip("#").strip()
    if not text.startswith("{"):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or not any(k in _SCHEMA_WORDS or k.startswith("x-") for k in data):
        return None
    return resolve(data) if "$ref" in data else data
