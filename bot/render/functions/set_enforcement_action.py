"""Builtin set-enforcement-action (catalog ``set-enforcement-action``, kyaml legacy framework).

Every Gatekeeper constraint (apiVersion exactly ``constraints.gatekeeper.sh/v1beta1`` with a
name and a kind) gets ``spec.enforcementAction`` set to the configured action. Results come from
the legacy ``{name, items}`` block, which kpt flattens; unlike most legacy functions this one
does give severities.
"""

from __future__ import annotations

from bot.render import kpt_keys as keys
from bot.render.functions.registry import BuiltinFunction, register
from bot.render.resourcelist import ResourceList, Result, ResultFile
from bot.render.runtimes.base import FunctionError
from bot.render.yaml.node import STR, Kind, Node, Style

POLICY_API_VERSION = "constraints.gatekeeper.sh/v1beta1"
ACTIONS = ("deny", "warn", "dryrun")
ERROR_PREFIX = "failed to process policies: "


class _ProcessError(Exception):
    pass


def config_data(function_config: Node | None) -> dict[str, str]:
    """The ConfigMap ``data`` entries as strings, the way kyaml's GetDataMap reads them."""
    if function_config is None:
        return {}
    data = function_config.get("data")
    if data is None or data.kind is not Kind.MAPPING:
        return {}
    return {key.value: value.value for key, value in data.pairs()}


def item_path(item: Node) -> str:
    annotations = item.path("metadata", "annotations")
    if annotations is None:
        return ""
    return annotations.str_value(keys.INTERNAL_PATH) or annotations.str_value(keys.PATH) or ""


def _action(function_config: Node | None) -> str:
    data = config_data(function_config)
    if len(data) != 1:
        raise _ProcessError("expecting exactly 1 enforcementAction as part of the ConfigMap")
    action = data.get("enforcementAction", "")
    if action not in ACTIONS:
        raise _ProcessError("expected values for enforcementAction are [deny] or [warn] or [dryrun]")
    return action


def _set_action(item: Node, action: str) -> None:
    spec = item.get("spec")
    if spec is None:
        # kyaml's LookupCreate(ScalarNode, "spec") makes a scalar, and SetField on it fails.
        raise _ProcessError("wrong Node Kind for spec expected: MappingNode was ScalarNode: value: {}")
    if spec.kind is not Kind.MAPPING:
        raise _ProcessError(f"wrong Node Kind for spec expected: MappingNode was {spec.kind.name.title()}Node")
    current = spec.get("enforcementAction")
    if current is not None and current.kind is Kind.SCALAR:
        # kyaml swaps the node's content (SetYNode); kpt restores comments by id afterwards.
        current.value, current.tag, current.style = action, STR, Style.NONE
        return
    spec.set("enforcementAction", Node.scalar(action))


def _process(rl: ResourceList, action: str) -> list[Result]:
    results: list[Result] = []
    for item in rl.items:
        if item.kind is not Kind.MAPPING or not item.content:
            continue
        name = item.str_value("metadata", "name") or ""
        kind = item.str_value("kind") or ""
        if not name or not kind or item.str_value("apiVersion") != POLICY_API_VERSION:
            continue
        _set_action(item, action)
        path = item_path(item)
        results.append(Result(message=f"Policy name: [{name}]", severity="info",
                              file=ResultFile(path=path) if path else None))
    if not results:
        return [Result(message=f"Found no policy to set to [{action}]", severity="warning")]
    summary = Result(message=f"Number of policies set to [{action}]: {len(results)}", severity="info")
    return [summary, *results]


def run(rl: ResourceList) -> None:
    try:
        action = _action(rl.function_config)
        rl.results.extend(_process(rl, action))
    except _ProcessError as err:
        rl.results.append(Result(message=ERROR_PREFIX + str(err), severity="error"))
        # cobra prints the returned error as "Error: <msg>" before the process exits 1.
        raise FunctionError(str(err), exit_code=1, stderr=f"Error: {err}") from None


register(BuiltinFunction(
    name="set-enforcement-action",
    description="Set spec.enforcementAction on every Gatekeeper constraint",
    tags=("v0.1.0", "unstable", "latest"),
    run=run,
))
