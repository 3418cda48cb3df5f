"""apply-replacements: kustomize's replacement filter over every item (local config included).

Two behaviours are registered: v0.1.1 (kustomize api v0.10.1, Porch's builtin), where a target
field that is missing is skipped and a scalar target takes the whole source node (tag and
style too); and v0.1.2+ / master (api v0.19.0), where a missing target is an error and a
scalar target only takes the source's value. Errors are one error result and exit code 1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.render.functions import _common as c
from bot.render.functions import _replacement_paths as p
from bot.render.functions._replacement_select import Selector, matches_selectors, selector_from_node
from bot.render.functions.registry import register_releases
from bot.render.resourcelist import ResourceList
from bot.render.yaml.node import Kind, Node

FN_CONFIG_API_VERSION = "fn.kpt.dev/v1alpha1"
DEFAULT_FIELD_PATH = "metadata.name"


class ReplacementError(Exception):
    pass


@dataclass
class Options:
    delimiter: str = ""
    index: int = 0
    create: bool = False


@dataclass
class Target:
    select: Selector | None
    reject: list[Selector] = field(default_factory=list)
    field_paths: list[str] = field(default_factory=list)
    options: Options | None = None


@dataclass
class Replacement:
    source: Selector | None
    source_field_path: str
    source_options: Options | None
    targets: list[Target] | None


def _options(node: Node | None) -> Options | None:
    if node is None or node.kind is not Kind.MAPPING:
        return None
    index_node = node.get("index")
    try:
        index = int(index_node.value) if index_node is not None and not index_node.is_null() else 0
    except ValueError as err:
        raise ReplacementError("unable to convert functionConfig to replacements:\njson: cannot unmarshal "
                               "string into Go struct field FieldOptions.replacements.targets.options.index "
                               "of type int") from err
    create = node.get("create")
    return Options(delimiter=c.nested_str(node, "delimiter"), index=index,
                   create=create is not None and create.value == "true")


def _strings(node: Node | None) -> list[str]:
    if node is None or node.kind is not Kind.SEQUENCE:
        return []
    return [element.value for element in node.content if element.kind is Kind.SCALAR]


def read_config(config: Node | None) -> list[Replacement]:
    if c.is_empty_config(config):
        raise ReplacementError("FunctionConfig is missing. Expect `ApplyReplacements`")
    assert config is not None
    av, kind = c.api_version(config), c.kind(config)
    if (av, kind) != (FN_CONFIG_API_VERSION, "ApplyReplacements"):
        raise ReplacementError(f"received functionConfig of kind {kind} and apiVersion {av}, only functionConfig "
                               f"of kind ApplyReplacements and apiVersion {FN_CONFIG_API_VERSION} is supported")
    replacements_node = config.get("replacements")
    if replacements_node is None or replacements_node.is_null():
        return []
    if replacements_node.kind is not Kind.SEQUENCE:
        raise ReplacementError("unable to convert functionConfig to replacements:\njson: cannot unmarshal "
                               f"{c.go_json_type(replacements_node)} into Go struct field "
                               "Filter.replacements of type []types.Replacement")
    replacements = []
    for entry in replacements_node.content:
        source = entry.get("source") if entry.kind is Kind.MAPPING else None
        targets_node = entry.get("targets") if entry.kind is Kind.MAPPING else None
        targets = None
        if targets_node is not None and targets_node.kind is Kind.SEQUENCE:
            targets = [
                Target(select=selector_from_node(t.get("select")),
                       reject=[s for s in map(selector_from_node, (t.get("reject") or Node.sequence()).content)
                               if s is not None],
                       field_paths=_strings(t.get("fieldPaths")), options=_options(t.get("options")))
                for t in targets_node.content if t.kind is Kind.MAPPING
            ]
        replacements.append(Replacement(
            source=selector_from_node(source),
            source_field_path=c.nested_str(source, "fieldPath") if source is not None else "",
            source_options=_options(source.get("options")) if source is not None else None,
            targets=targets,
        ))
    return replacements


@dataclass(frozen=True)
class Behaviour:
    missing_target_is_error: bool  # api v0.19
    scalar_takes_value_only: bool  # api v0.19


def _source_value(items: list[Node], r: Replacement) -> Node:
    assert r.source is not None
    matches = [item for item in items if r.source.selects(item)]
    shown = r.source.describe(r.source_field_path, r.source_options)
    if len(matches) > 1:
        raise ReplacementError(f"multiple matches for selector {shown}")
    if not matches:
        raise ReplacementError(f"nothing selected by {shown}")
    field_path = r.source_field_path or DEFAULT_FIELD_PATH
    try:
        value = p.lookup(matches[0], p.split_path(field_path), numeric=True)
    except p.PathError as err:
        raise ReplacementError(str(err)) from err
    if value is None or p.is_nil_or_empty(value):
        raise ReplacementError(f"fieldPath `{field_path}` is missing for replacement source {r.source.res_id()}")
    options = r.source_options
    if options is None or not options.delimiter:
        return value
    if value.kind is not Kind.SCALAR:
        raise ReplacementError("delimiter option can only be used with scalar nodes")
    pieces = value.value.split(options.delimiter)
    if options.index >= len(pieces) or options.index < 0:
        raise ReplacementError(f"options.index {options.index} is out of bounds for value {value.value}")
    refined = value.copy()
    refined.value = pieces[options.index]
    return refined


def _set_target(options: Options | None, target: Node, value: Node, behaviour: Behaviour) -> None:
    value = value.copy()
    if options is not None and options.delimiter:
        if target.kind is not Kind.SCALAR:
            raise ReplacementError("delimiter option can only be used with scalar nodes")
        pieces = target.value.split(options.delimiter)
        if options.index < 0:
            pieces.insert(0, value.value)
        elif options.index >= len(pieces):
            pieces.append(value.value)
        else:
            pieces[options.index] = value.value
        value.value = options.delimiter.join(pieces)
    if behaviour.scalar_takes_value_only and target.kind is Kind.SCALAR:
        target.value = value.value
    else:
        p.overwrite(target, value)


def _apply_to_item(item: Node, value: Node, target: Target, behaviour: Behaviour) -> None:
    create = target.options is not None and target.options.create
    for field_path in target.field_paths or [DEFAULT_FIELD_PATH]:
        parts = p.split_path(field_path)
        try:
            if create:
                if behaviour.missing_target_is_error and "*" in parts:
                    raise ReplacementError("cannot support create option in a multi-value target")
                found = p.lookup(item, parts, value.kind, numeric=True)
                nodes = [] if found is None else [found]
            elif behaviour.missing_target_is_error:
                nodes = p.match_all(item, parts)
            else:
                found = p.lookup(item, parts, numeric=True)
                nodes = [] if found is None else [found]
        except p.PathError as err:
            raise ReplacementError(str(err)) from err
        if not nodes and behaviour.missing_target_is_error:
            verb = "find or create" if create else "find"
            raise ReplacementError(f"unable to {verb} field {c.go_quote(field_path)} in replacement target")
        for node in nodes:
            _set_target(target.options, node, value, behaviour)


def apply(items: list[Node], replacements: list[Replacement], behaviour: Behaviour) -> None:
    for r in replacements:
        if r.source is None or r.targets is None:
            raise ReplacementError("replacements must specify a source and at least one target")
        value = _source_value(items, r)
        for target in r.targets:
            if target.select is None:
                raise ReplacementError("target must specify resources to select")
            for item in items:
                try:
                    selected = matches_selectors(item, target.select, target.reject)
                except ValueError as err:
                    raise ReplacementError(str(err)) from err
                if selected:
                    _apply_to_item(item, value, target, behaviour)


def _runner(behaviour: Behaviour) -> Callable[[ResourceList], None]:
    def run(rl: ResourceList) -> None:
        try:
            apply(rl.items, read_config(rl.function_config), behaviour)
        except ReplacementError as err:
            rl.results.append(c.result(str(err), c.ERROR))
            c.fail()
        c.sdk_sort_items(rl)

    return run


register_releases("apply-replacements", [
    (("v0.1.1",), "apply-replacements v0.1.1 (kustomize api v0.10.1): missing targets skipped",
     _runner(Behaviour(missing_target_is_error=False, scalar_takes_value_only=False))),
    (("unstable", "latest", "v0.1.2", "v0.1.3"),
     "apply-replacements v0.1.2+ and master (kustomize api v0.19.0): missing targets are errors",
     _runner(Behaviour(missing_target_is_error=True, scalar_takes_value_only=True))),
])
