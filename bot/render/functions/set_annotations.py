"""set-annotations: kustomize's annotations transformer over every item, local config included.

Built on kyaml's framework, so config errors end with exit 1, one error result and stderr
``[error]: <message>``. Master (and the ghcr releases) report one result per annotated map;
v0.1.4 reports nothing on success.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.render.functions import _common as c
from bot.render.functions import _kustomize as k
from bot.render.functions.registry import register_releases
from bot.render.resourcelist import ResourceList, Result, ResultField, ResultFile
from bot.render.yaml.node import Kind, Node

FN_CONFIG_API_VERSION = "fn.kpt.dev/v1alpha1"


class _ConfigError(Exception):
    pass


def _string_map(node: Node | None) -> dict[str, str]:
    if node is None or node.kind is not Kind.MAPPING:
        return {}
    return {key.value: value.value for key, value in node.pairs() if value.kind is Kind.SCALAR}


def _field_specs(node: Node | None) -> list[k.FieldSpec] | None:
    if node is None or node.is_null():
        return None
    if node.kind is not Kind.SEQUENCE:
        raise _ConfigError("failed to unmarshal config: fieldSpecs must be a list")
    return [k.field_spec_from_node(element) for element in node.content]


def read_config(config: Node | None) -> tuple[dict[str, str], list[k.FieldSpec]]:
    obj = config if config is not None else Node.mapping()
    av, kind = c.api_version(obj), c.kind(obj)
    additional: list[k.FieldSpec] = []
    if (av, kind) == ("v1", "ConfigMap"):
        values = _string_map(obj.get("data"))
    elif av == FN_CONFIG_API_VERSION and kind in ("SetAnnotations", "SetAnnotationConfig"):
        values = _string_map(obj.get("annotations"))
        extra = _field_specs(obj.get("additionalAnnotationFields"))
        legacy = _field_specs(obj.get("fieldSpecs"))
        if extra is not None and legacy is not None:
            raise _ConfigError(
                "`fieldSpecs` has been deprecated, please rename it to `additionalAnnotationFields`")
        additional = extra if extra is not None else (legacy or [])
    else:
        raise _ConfigError("`functionConfig` must be a `ConfigMap` or `SetAnnotations`")
    if not values:
        raise _ConfigError("input annotation list cannot be empty")
    return values, additional + k.annotation_field_specs()


def _annotate(items: list[Node], values: dict[str, str], specs: list[k.FieldSpec]) -> list[Result]:
    # (file path, file index, field path) -> annotations set there
    applied: dict[tuple[str, int, str], dict[str, str]] = {}
    for item in items:
        path, index = c.file_path(item), max(c.file_index(item), 0)
        for key in sorted(values):
            def setter(node: Node, field_path: list[str], key: str = key, where: tuple[str, int] = (path, index),
                       ) -> None:
                k.set_entry(node, key, values[key])
                applied.setdefault((*where, ".".join(field_path)), {})[key] = values[key]

            for spec in specs:
                k.apply_field_spec(item, spec, setter)
    if not applied:
        return [Result(message="no annotations applied")]
    results = []
    for (path, index, field_path), annotations_set in sorted(applied.items()):
        message = "set annotations: " + c.go_json(annotations_set)
        results.append(Result(message=message, field=ResultField(path=field_path),
                              file=ResultFile(path=path, index=index)))
    return results


def _runner(report: bool) -> Callable[[ResourceList], None]:
    def run(rl: ResourceList) -> None:
        try:
            try:
                values, specs = read_config(rl.function_config)
            except _ConfigError as err:
                raise _ConfigError(f"failed to configure function: {err}") from err
            try:
                k.check_resmap(rl.items)
            except k.KustomizeError as err:
                raise _ConfigError(f"failed to run function: {err}") from err
            try:
                results = _annotate(rl.items, values, specs)
            except k.KustomizeError as err:
                raise _ConfigError(f"failed to run function: failed to run transformer: {err}") from err
        except _ConfigError as err:
            rl.results.append(c.result(str(err), c.ERROR))
            c.fail(f"[error]: {err}")
        if report:
            rl.results.extend(results)

    return run


# v0.1 / v0 resolve per registry (v0.1.4 on gcr.io/kpt-fn, v0.1.5 on ghcr): see ``_releases``.
register_releases("set-annotations", [
    (("unstable", "latest", "v0.1.5"),
     "set-annotations with one result per annotated field (catalog master and ghcr releases)", _runner(report=True)),
    (("v0.1.4",), "set-annotations v0.1.4: the same edits, no results on success", _runner(report=False)),
])
