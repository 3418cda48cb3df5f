"""Builtin kubeval (catalog ``kubeval``, a TypeScript wrapper around kubeval v0.16.1).

Every item is validated on its own against ``<location>/master-standalone[-strict]/<kind>-<group>-
<version>.json``; each error becomes an error result with the item's resourceRef and file, and
the function exits 1 when there is any.

Schemas come from directories mounted into the function (``fn eval --mount type=bind,src=DIR,
dst=/path`` with ``schema_location=file:///path``) or, for the image's default location
``file:///jsonschema``, from the baked-in set that ``_kubeval_baked`` rebuilds (Kubernetes 1.22 and
the Kptfile). The image also baked GKE and Config Connector CRD schemas that we do not have:
``reproduces()`` says no for a resource list holding such a kind (or a location we cannot read,
such as a URL), so ``--runtime auto`` runs the image instead and ``--runtime builtin`` refuses.
Schema files are read only from mounted directories, never from arbitrary host paths.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from bot.render import kpt_keys as keys
from bot.render.functions import _kubeval_baked as baked
from bot.render.functions._kubeval_schema import validate
from bot.render.functions.registry import BuiltinFunction, register
from bot.render.resourcelist import ResourceList, ResourceRef, Result, ResultField, ResultFile
from bot.render.runtimes.base import FunctionError
from bot.render.yaml.convert import node_to_python
from bot.render.yaml.node import Kind, Node

BAKED_IN_LOCATION = "file:///jsonschema"
KUBERNETES_VERSION = "master"


@dataclass(frozen=True)
class Mount:
    source: Path  # on this machine
    target: PurePosixPath  # as the function sees it


_MOUNTS: ContextVar[tuple[Mount, ...]] = ContextVar("kubeval_mounts", default=())

# Inside our function image the container is the sandbox and docker has done the mounting, so
# its entrypoint may declare the whole filesystem: ``with mounted(CONTAINER_MOUNTS): ...``.
CONTAINER_MOUNTS = (Mount(source=Path("/"), target=PurePosixPath("/")),)


def parse_mount(spec: str) -> Mount:
    """A ``--mount`` value as docker and kpt take it: ``type=bind,src=DIR,dst=PATH[,rw=...]``."""
    fields: dict[str, str] = {}
    for part in spec.split(","):
        key, _, value = part.partition("=")
        fields[key.strip()] = value.strip()
    source = fields.get("src") or fields.get("source")
    target = fields.get("dst") or fields.get("destination") or fields.get("target")
    if fields.get("type", "bind") != "bind" or not source or not target:
        raise FunctionError(f"invalid mount {spec!r}: expected type=bind,src=DIR,dst=PATH")
    return Mount(source=Path(source), target=PurePosixPath(target))


@contextmanager
def mounted(mounts: tuple[Mount, ...]) -> Iterator[None]:
    """Make ``mounts`` visible to builtin functions run inside this block (``fn eval --mount``)."""
    token = _MOUNTS.set(mounts)
    try:
        yield
    finally:
        _MOUNTS.reset(token)


@dataclass(frozen=True)
class Config:
    schema_locations: tuple[str, ...]
    ignore_missing_schemas: bool
    skip_kinds: tuple[str, ...]
    strict: bool


def parse_config(function_config: Node | None) -> Config:
    data: dict[str, str] = {}
    node = function_config.get("data") if function_config is not None else None
    if node is not None and node.kind is Kind.MAPPING:
        data = {key.value: value.value for key, value in node.pairs()}
    locations = [data["schema_location"]] if data.get("schema_location") else []
    if data.get("additional_schema_locations"):
        locations += data["additional_schema_locations"].split(",")
    return Config(
        schema_locations=tuple(locations) or (BAKED_IN_LOCATION,),
        ignore_missing_schemas=_json_bool(data.get("ignore_missing_schemas")),
        skip_kinds=tuple(data["skip_kinds"].split(",")) if data.get("skip_kinds") else (),
        strict=_json_bool(data.get("strict")),
    )


def _json_bool(text: str | None) -> bool:
    try:
        return bool(json.loads(text or "false"))
    except ValueError as err:
        raise FunctionError(f"invalid JSON boolean {text!r} in the kubeval config",
                            stderr=f"SyntaxError: {err}") from None


def reproduces(rl: ResourceList) -> bool:
    """True when every schema this run needs is one we have exactly as the image has it."""
    config = parse_config(rl.function_config)
    for location in config.schema_locations:
        if not _mounts_under(location) and not (location == BAKED_IN_LOCATION and baked.available()):
            return False
    if BAKED_IN_LOCATION not in config.schema_locations:
        return True  # mounted directories only: we read the very files the image would
    for item in rl.items:
        kind, api_version = _kind_and_version(item)
        if kind in config.skip_kinds or _load_schema(config, api_version, kind) is not None:
            continue
        if baked.image_may_have(api_version, kind):
            return False
    return True


def _kind_and_version(item: Node) -> tuple[str, str]:
    kind, api_version = item.get("kind"), item.get("apiVersion")
    return (kind.value if kind is not None and kind.kind is Kind.SCALAR else "",
            api_version.value if api_version is not None and api_version.kind is Kind.SCALAR else "")


def _mounts_under(location: str) -> list[tuple[PurePosixPath, Mount]]:
    """The mounts that hold part of a ``file://`` schema location's tree."""
    if not location.startswith("file://"):
        return []
    base = PurePosixPath(location[len("file://"):])
    return [(base, mount) for mount in _MOUNTS.get()
            if mount.target.is_relative_to(base) or base.is_relative_to(mount.target)]


def schema_file_name(api_version: str, kind: str, strict: bool) -> str:
    group_version = api_version.split("/")
    suffix = "-" + group_version[0].split(".")[0].lower()
    if len(group_version) > 1:
        suffix += "-" + group_version[1].lower()
    strict_suffix = "-strict" if strict else ""
    return f"{KUBERNETES_VERSION}-standalone{strict_suffix}/{kind.lower()}{suffix}.json"


def _load_schema(config: Config, api_version: str, kind: str) -> dict[str, Any] | None:
    name = schema_file_name(api_version, kind, config.strict)
    for location in config.schema_locations:
        for base, mount in _mounts_under(location):
            wanted = base / name
            if not wanted.is_relative_to(mount.target) or ".." in wanted.parts:
                continue
            path = mount.source / wanted.relative_to(mount.target)
            if path.is_file():
                loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
                return loaded
        if location == BAKED_IN_LOCATION and not _shadowed(location):
            schema = baked.baked_schema(api_version, kind, config.strict)
            if schema is not None:
                return schema
    return None


def _shadowed(location: str) -> bool:
    """A directory mounted over the image's own ``/jsonschema`` hides its baked-in schemas (inside our
    image everything counts as mounted at ``/``, but no ``/jsonschema`` directory exists there)."""
    for base, mount in _mounts_under(location):
        if mount.target.is_relative_to(base) and mount.target != PurePosixPath("/"):
            return True
        if base.is_relative_to(mount.target) and (mount.source / base.relative_to(mount.target)).is_dir():
            return True
    return False


def _ref(data: dict[str, Any]) -> ResourceRef:
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    assert isinstance(metadata, dict)
    return ResourceRef(api_version=str(data.get("apiVersion") or ""), kind=str(data.get("kind") or ""),
                       name=str(metadata.get("name") or ""), namespace=str(metadata.get("namespace") or ""))


def _file(data: dict[str, Any]) -> ResultFile | None:
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    assert isinstance(metadata, dict)
    annotations = metadata.get("annotations") if isinstance(metadata.get("annotations"), dict) else {}
    assert isinstance(annotations, dict)
    path = annotations.get(keys.PATH) or annotations.get(keys.INTERNAL_PATH)
    if not path:
        return None
    index = annotations.get(keys.INDEX) or annotations.get(keys.INTERNAL_INDEX)
    try:
        return ResultFile(path=str(path), index=int(index or 0))
    except ValueError:
        return ResultFile(path=str(path))


def _validate_item(item: Node, config: Config) -> list[Result]:
    data = node_to_python(item)
    if not isinstance(data, dict):
        return []
    kind, api_version = str(data.get("kind") or ""), str(data.get("apiVersion") or "")
    if kind in config.skip_kinds:
        return []
    schema = _load_schema(config, api_version, kind)
    ref, file = _ref(data), _file(data)
    if schema is None:
        if config.ignore_missing_schemas:
            return []
        message = ("Validating arbitrary CRDs is not supported yet. You can skip them by setting "
                   "ignore_missing_schemas or skip_kinds in the function config:\n"
                   + _missing_schema_output(config, api_version, kind))
        return [Result(message=message, severity="error", resource_ref=ref, file=file)]
    return [Result(message=error.message, severity="error", resource_ref=ref,
                   field=ResultField(path=error.field), file=file)
            for error in validate(schema, data)]


def _missing_schema_output(config: Config, api_version: str, kind: str) -> str:
    """kubeval's stdout for a resource read from stdin whose schema no location has."""
    name = schema_file_name(api_version, kind, config.strict)
    failures = [f"Failed initializing schema {location}/{name}: open "
                f"{location[len('file://'):] if location.startswith('file://') else location}/{name}: "
                "no such file or directory" for location in config.schema_locations]
    return "ERR  - stdin: " + "\n".join(failures) + "\n"


def run(rl: ResourceList) -> None:
    config = parse_config(rl.function_config)
    if not reproduces(rl):
        raise FunctionError(
            "the builtin kubeval cannot reproduce the image here: a schema location is neither mounted "
            "nor the baked-in one, or a resource needs a GKE / Config Connector schema that only the "
            "image has; use --runtime docker (or auto)", execution_error=True)
    for item in rl.items:
        rl.results.extend(_validate_item(item, config))
    if any(result.severity == "error" for result in rl.results):
        raise FunctionError("kubeval found invalid resources", exit_code=1, stderr="")


register(BuiltinFunction(
    name="kubeval",
    description="Validate resources against Kubernetes 1.22 / Kptfile JSON schemas (or a mounted schema directory)",
    tags=("v0.3.0", "v0.3", "unstable", "latest"),
    run=run,
    reproduces=reproduces,
))
