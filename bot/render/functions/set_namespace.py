"""set-namespace, as the catalog's master (``:unstable``) and current ghcr (``:latest``) images do it.

Master works from each resource's upstream origin (``internal.kpt.dev/upstream-identifier``),
accepts a ``namespaceMatcher``, reports config errors as results with exit code 0, and visits
cluster-scoped slots before namespaced ones. The later ghcr releases (v0.4.3, :latest) no longer
warn about resources without an origin and only touch CRD/APIService namespaces that exist as
a webhook service. The older v0.4.0/v0.4.1 algorithm lives in ``_set_namespace_v04``, the v0.3
one (replace the namespace the package agrees on) in ``_set_namespace_v03``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.render.functions import _common as c
from bot.render.functions._set_namespace_v03 import run_v033, run_v034
from bot.render.functions._set_namespace_v04 import run_v040, run_v041
from bot.render.functions.registry import register_releases
from bot.render.resourcelist import ResourceList, Result
from bot.render.yaml.node import Kind, Node

KPTFILE_CONFIGMAP = "kptfile.kpt.dev"
DEPENDS_ON_PATTERN = re.compile(r"^[-.\w]*/namespaces/[-.\w]*/[-.\w]*/[-.\w]*$")
_CONFIG_KINDS = "`ConfigMap.v1` or `SetNamespace.v1alpha1.fn.kpt.dev`"

# visitor(origin, current) -> new value; the caller writes the value back.
Visitor = Callable[[str, str, str], str]


class ConfigError(Exception):
    pass


@dataclass
class Settings:
    namespace: str
    matcher: str
    legacy_origin_warnings: bool  # master warns about resources without an upstream origin
    webhook_only: bool  # latest: CRD/APIService namespaces only where a webhook service exists


def read_config(config: Node | None) -> tuple[str, str]:
    if c.is_empty_config(config):
        raise ConfigError(f"FunctionConfig is missing. Expect {_CONFIG_KINDS}")
    assert config is not None
    if c.is_gvk(config, "", "v1", "ConfigMap"):
        matcher = c.nested_str(config, "data", "namespaceMatcher")
        new_ns = c.nested_str(config, "data", "namespace")
        if new_ns:
            return new_ns, matcher
        data_name = c.nested_str(config, "data", "name")
        if data_name and c.name(config) == KPTFILE_CONFIGMAP:
            return data_name, matcher
        raise ConfigError("`data.namespace` should not be empty")
    if c.is_gvk(config, "fn.kpt.dev", "v1alpha1", "SetNamespace"):
        new_ns = c.nested_str(config, "namespace")
        if not new_ns:
            raise ConfigError("`namespace` should not be empty")
        return new_ns, c.nested_str(config, "namespaceMatcher")
    raise ConfigError(f"unknown functionConfig Kind={c.kind(config)} ApiVersion={c.api_version(config)}, "
                      f"expect {_CONFIG_KINDS}")


def origin(item: Node) -> tuple[str, str, str, str]:
    """(group, kind, namespace, name) the resource came from; its own id without an annotation."""
    value = c.annotation(item, c.UPSTREAM_IDENTIFIER_ANNOTATION)
    if not value:
        return c.group(item), c.kind(item), c.effective_namespace(item), c.name(item)
    parsed = c.parse_upstream_identifier(value)
    if parsed is None:
        raise ConfigError(f'annotation {c.UPSTREAM_IDENTIFIER_ANNOTATION}: {value.strip()} is in bad format. '
                          'expect "<GROUP>|<KIND>|<NAMESPACE>|<NAME>"')
    return parsed


def list_origins(objects: list[Node], warn: bool) -> tuple[list[str], list[Result]]:
    warnings: list[Result] = []
    namespaces: set[str] = set()
    for item in objects:
        if c.annotation(item, c.UPSTREAM_IDENTIFIER_ANNOTATION):
            item_origin = origin(item)
            if not c.is_namespace_scoped(item):
                continue
            if item_origin[2] == c.UNKNOWN_NAMESPACE:
                raise ConfigError(f"{c.short_string(item)} is namespace-scoped, but has cluster-scoped or "
                                  f"unknown scoepd origin {'|'.join(item_origin)}")
            namespaces.add(item_origin[2])
        elif warn:
            warnings.append(c.result(f"{c.short_string(item)} does not have upstream origin.", c.WARNING))
    return sorted(namespaces), warnings


def visit_all(objects: list[Node], visitor: Visitor, settings: Settings) -> None:
    for item in objects:
        if not c.is_namespace_scoped(item):
            _visit_cluster_scoped(item, visitor, settings)
    for item in objects:
        if c.is_namespace_scoped(item):
            before = c.short_string(item)
            new = visitor(origin(item)[2], c.namespace(item), before)
            c.set_nested_string(item, new, "metadata", "namespace")


def _visit_cluster_scoped(item: Node, visitor: Visitor, settings: Settings) -> None:
    if c.is_gvk(item, "", "v1", "Namespace"):
        new = visitor(origin(item)[3], c.name(item), c.short_string(item))
        c.set_nested_string(item, new, "metadata", "name")
    elif c.is_gvk(item, "apiextensions.k8s.io", "v1", "CustomResourceDefinition"):
        conversion = ("spec", "conversion")
        service = (*conversion, "webhook", "clientConfig", "service")
        if settings.webhook_only and (c.nested_str(item, *conversion, "strategy") != "Webhook"
                                      or not c.has_nested(item, *service)):
            return
        c.set_nested_string(item, visitor("", c.nested_str(item, *service, "namespace"), ""),
                            *service, "namespace")
    elif c.is_gvk(item, "apiregistration.k8s.io", "v1", "APIService"):
        if settings.webhook_only and not c.has_nested(item, "spec", "service"):
            return
        path = ("spec", "service", "namespace")
        c.set_nested_string(item, visitor("", c.nested_str(item, *path), ""), *path)
    elif c.kind(item) in ("ClusterRoleBinding", "RoleBinding"):
        subjects = item.get("subjects")
        if subjects is None or subjects.kind is not Kind.SEQUENCE:
            return
        for subject in subjects.content:
            if subject.kind is Kind.MAPPING and subject.get("namespace") is not None:
                new = visitor("", c.scalar_str(subject.get("namespace")), "")
                c.set_nested_string(subject, new, "namespace")


def replace_namespace(objects: list[Node], settings: Settings, depends_on_ids: set[str]) -> list[Result]:
    results: list[Result] = []
    old_namespaces: set[str] = set()
    count = 0
    new_ns, matcher = settings.namespace, settings.matcher

    def visitor(slot_origin: str, current: str, id_str: str) -> str:
        nonlocal count
        if slot_origin == c.UNKNOWN_NAMESPACE:
            return current
        current = current or c.DEFAULT_NAMESPACE
        if current == new_ns:
            return current
        change = not matcher
        if matcher:
            if matcher == slot_origin:
                shown = f"[{id_str}]" if id_str else "[]"
                results.append(c.result(f"{shown} has matching origin {slot_origin}", c.INFO))
            change = matcher in (current, slot_origin)
        if not change:
            return current
        old_namespaces.add(current)
        count += 1
        return new_ns

    visit_all(objects, visitor, settings)
    if count == 0:
        results.append(c.result(f"all matching namespaces are already {c.go_quote(new_ns)}. no value changed",
                                c.INFO))
    else:
        results.append(c.result(f"namespace {c.go_list(sorted(old_namespaces))} updated to "
                                f"{c.go_quote(new_ns)}, {count} value(s) changed", c.INFO))
    results.append(update_depends_on(objects, settings, depends_on_ids))
    return results


def depends_on_ids(objects: list[Node]) -> set[str]:
    ids: set[str] = set()
    for item in objects:
        ns = c.effective_namespace(item)
        if ns != c.UNKNOWN_NAMESPACE:
            ids.add(f"{c.group(item)}/namespaces/{ns}/{c.kind(item)}/{c.name(item)}")
    return ids


def update_depends_on(objects: list[Node], settings: Settings, known_ids: set[str]) -> Result:
    count = 0
    old_namespaces: set[str] = set()
    for item in objects:
        value = c.annotation_map(item).get(c.DEPENDS_ON_ANNOTATION, "")
        if not value or not DEPENDS_ON_PATTERN.match(value) or value not in known_ids:
            continue
        segments = value.split("/")
        if segments[2] == settings.namespace:
            continue
        if settings.matcher and settings.matcher != segments[2]:
            continue
        old_namespaces.add(segments[2])
        segments[2] = settings.namespace
        count += 1
        c.set_nested_string(item, "/".join(segments), "metadata", "annotations", c.DEPENDS_ON_ANNOTATION)
    if count == 0:
        return c.result("all `depends-on` annotations are up-to-date. no `namespace` changed", c.INFO)
    return c.result(f"`depends-on` annotation namespace {c.go_list(sorted(old_namespaces))} updated to "
                    f"{c.go_quote(settings.namespace)}, {count} value(s) changed", c.INFO)


def transform(rl: ResourceList, settings: Settings) -> list[Result]:
    objects = [item for item in rl.items if not c.is_local_config(item)]
    known_ids = depends_on_ids(objects)
    origins, warnings = list_origins(objects, settings.legacy_origin_warnings)
    if not settings.matcher and len(origins) > 1:
        return [c.result(
            f"unable to use origin `namespace` to match. expect a single upstream namespace, found "
            f"{c.go_list(origins)}. please switch to use `namespaceMatcher`to specify the namespace value "
            "you want to change", c.ERROR)]
    return warnings + replace_namespace(objects, settings, known_ids)


def _runner(legacy_origin_warnings: bool, webhook_only: bool) -> Callable[[ResourceList], None]:
    def run(rl: ResourceList) -> None:
        try:
            new_ns, matcher = read_config(rl.function_config)
        except ConfigError as err:
            rl.results.append(c.config_object_result(str(err), c.ERROR, rl.function_config))
            c.sdk_sort_items(rl)
            return
        settings = Settings(new_ns, matcher, legacy_origin_warnings, webhook_only)
        try:
            rl.results.extend(transform(rl, settings))
        except ConfigError as err:
            # a malformed upstream-identifier: the SDK panics, which ends in exit code 1
            rl.results.append(c.result(str(err), c.ERROR))
            c.fail(f"failed to evaluate function: {err}")
        c.sdk_sort_items(rl)

    return run


# Short tags (v0.4, v0.3, v0) are not listed: they name different releases on gcr.io/kpt-fn and on
# ghcr, and the registry lookup resolves them per registry (``_releases``).
register_releases("set-namespace", [
    (("unstable",), "set-namespace as built from the catalog's master branch (origin-aware, namespaceMatcher)",
     _runner(legacy_origin_warnings=True, webhook_only=False)),
    (("latest", "v0.4.3", "v0.4.5"),
     "set-namespace of the current ghcr releases (webhook-only CRD/APIService namespaces)",
     _runner(legacy_origin_warnings=False, webhook_only=True)),
    (("v0.4.1",), "set-namespace v0.4.1 (Porch's builtin): every namespace slot set, one summary result", run_v041),
    (("v0.4.0",), "set-namespace v0.4.0: as v0.4.1, but config errors point at the config and exit 0", run_v040),
    (("v0.3.4",), "set-namespace v0.3.4: replaces the one namespace the package agrees on", run_v034),
    (("v0.3.3",), "set-namespace v0.3.3: as v0.3.4, plus the release's stray \"set image from\" result", run_v033),
])
