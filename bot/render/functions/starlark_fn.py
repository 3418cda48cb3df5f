"""Builtin starlark (catalog ``starlark``, kpt functions SDK): run a user's starlark program.

The functionConfig is a ``StarlarkRun`` (``source``, ``params``) or a ConfigMap whose
``data.source`` is the program. The program sees ``ctx.resource_list`` (items as plain data, kpt's
bookkeeping annotations included) and may change, add or remove items; only ``items`` is read
back. Items come back as the image writes them (keys sorted, quoting redone) and kpt restores
the key order and comments of the objects it recognises by id.

Three variants: master (``unstable``, ``latest``, v0.5.1+), whose ``krmfn.match_gvk`` only matches
core-group apiVersions (a regression in the image); v0.5.0, which compares apiVersion and kind
exactly; and v0.4.3 (the release Porch compiled in, which kpt-samples' ghost validates with), the
v0.5.0 code on the go.starlark.net of 2021, which lacks dict union and ``str.removeprefix`` /
``removesuffix``. The sandbox and the dialect bridging live in ``_starlark_runtime``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.render.functions._common import SDK_FAILURE_STDERR, go_json_type, sdk_sort_items
from bot.render.functions._starlark_runtime import StarlarkFailure, run_program
from bot.render.functions._starlark_values import data_to_node, item_to_data
from bot.render.functions.registry import BuiltinRun, register_releases
from bot.render.resourcelist import ResourceList, Result
from bot.render.runtimes.base import FunctionError
from bot.render.yaml.node import Kind, Node

DEFAULT_PROGRAM_NAME = "starlark-function-run"
RESOURCE_LIST = {"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList"}


class ConfigError(Exception):
    """Fails the function with this message; ``printed`` is what the program printed before."""

    def __init__(self, message: str, printed: list[str] | None = None) -> None:
        super().__init__(message)
        self.printed = printed or []


@dataclass
class StarlarkRun:
    name: str
    source: str
    params: dict[str, Any] = field(default_factory=dict)


def _group_version(api_version: str) -> tuple[str, str]:
    """apimachinery's ParseGroupVersion; an unparsable value gives an empty group and version."""
    if not api_version:
        return "", ""
    parts = api_version.split("/")
    if len(parts) == 1:
        return "", api_version
    if len(parts) == 2:
        return parts[0], parts[1]
    return "", ""


def _is_gvk(config: Node, group: str, version: str, kind: str, *, exact: bool) -> bool:
    config_api_version = config.str_value("apiVersion") or ""
    config_kind = config.str_value("kind") or ""
    if exact:
        api_version = f"{group}/{version}" if group else version
        return config_api_version == api_version and config_kind == kind
    config_group, config_version = _group_version(config_api_version)
    if config_kind and kind and config_kind != kind:
        return False
    if config_group and group and config_group != group:
        return False
    return not (config_version and version and config_version != version)


def _string_field(node: Node, key: str, go_type: str) -> str:
    value = node.get(key)
    if value is None or value.is_null():
        return ""
    if value.kind is not Kind.SCALAR or value.tag not in ("!!str", ""):
        raise ConfigError(f"json: cannot unmarshal {go_json_type(value)} into Go struct field {go_type} of type string")
    return value.value


def parse_config(config: Node | None, *, exact_gvk: bool) -> StarlarkRun:
    if config is None or config.kind is not Kind.MAPPING or not config.content:
        raise ConfigError("FunctionConfig is missing. Expect `ConfigMap` or `StarlarkRun`")
    name = config.str_value("metadata", "name") or ""
    if _is_gvk(config, "", "v1", "ConfigMap", exact=exact_gvk):
        data = config.get("data")
        params: dict[str, Any] = {}
        source = ""
        if data is not None and data.kind is Kind.MAPPING:
            for key, _value in data.pairs():
                params[key.value] = _string_field(data, key.value, "ConfigMap.data")
            source = params.get("source", "")
        run = StarlarkRun(name=name, source=source, params=params)
    elif _is_gvk(config, "fn.kpt.dev", "v1alpha1", "StarlarkRun", exact=exact_gvk):
        run = StarlarkRun(name=name, source=_string_field(config, "source", "StarlarkRun.source"))
    else:
        group, version = _group_version(config.str_value("apiVersion") or "")
        got = f"{group}/{version}, Kind={config.str_value('kind') or ''}"
        raise ConfigError("`functionConfig` must be either /v1, Kind=ConfigMap or "
                          f"fn.kpt.dev/v1alpha1, Kind=StarlarkRun, but we got: {got}")
    run.name = run.name or DEFAULT_PROGRAM_NAME
    if not run.source:
        raise ConfigError("`source` must not be empty")
    return run


def _transform(rl: ResourceList, program: StarlarkRun, *, exact_gvk: bool, legacy: bool) -> list[str]:
    assert rl.function_config is not None  # parse_config refused a missing config
    resource_list: dict[str, Any] = dict(RESOURCE_LIST)
    resource_list["items"] = [item_to_data(item) for item in rl.items]
    resource_list["functionConfig"] = item_to_data(rl.function_config)
    try:
        outcome = run_program(program.name, program.source, resource_list, match_gvk_exact=exact_gvk,
                              legacy_dialect=legacy)
    except StarlarkFailure as failure:
        raise ConfigError(failure.message, failure.stderr_lines) from None
    items = outcome.resource_list.get("items")
    if not isinstance(items, list):
        raise ConfigError("wrong Node Kind for items expected: SequenceNode", outcome.stderr_lines)
    new_items: list[Node] = []
    for item in items:
        if not isinstance(item, dict):
            raise ConfigError("failed to parse KubeObject: the object must be a mapping", outcome.stderr_lines)
        new_items.append(data_to_node(item))
    rl.items[:] = new_items
    sdk_sort_items(rl)
    return outcome.stderr_lines


def _runner(*, exact_gvk: bool, legacy: bool = False) -> BuiltinRun:
    def run(rl: ResourceList) -> None:
        try:
            program = parse_config(rl.function_config, exact_gvk=exact_gvk)
            printed = _transform(rl, program, exact_gvk=exact_gvk, legacy=legacy)
        except ConfigError as err:
            # The SDK replaces every earlier result with this one and reports a function failure;
            # what the program printed went to stderr first.
            rl.results[:] = [Result(message=str(err), severity="error")]
            raise FunctionError(str(err), exit_code=1,
                                stderr="\n".join([*err.printed, SDK_FAILURE_STDERR])) from None
        rl.stderr = "\n".join(printed)

    return run


DESCRIPTION = "Run a starlark program over the package's resources"
register_releases("starlark", [
    (("unstable", "latest", "v0.5.1", "v0.5.2"), DESCRIPTION, _runner(exact_gvk=False)),
    (("v0.5.0",), DESCRIPTION + " (v0.5.0: exact match_gvk)", _runner(exact_gvk=True)),
    (("v0.4.3",), DESCRIPTION + " (v0.4.3: 2021 starlark, no dict union)", _runner(exact_gvk=True, legacy=True)),
])
