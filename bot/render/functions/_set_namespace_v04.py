"""set-namespace v0.4.1 (the release Porch compiled in and many blueprints pin) and v0.4.0.

It predates upstream origins and ``namespaceMatcher``: every namespace slot of every non-local
resource is set, in item order; a config error is an error result with exit code 1; the only
other result is one summary (or a duplicate-resource error, which still exits 0).

v0.4.0 has the same algorithm on an older SDK: a config error is an error result pointing at the
functionConfig with exit code 0, an empty functionConfig reads as an unknown kind, and a missing
one crashes the function (the SDK dereferences it).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.render.functions import _common as c
from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError
from bot.render.yaml.node import Kind, Node, Style

DEPENDS_ON_PATTERN = re.compile(r"^[-.\w]*/namespaces/[-.\w]*/[-.\w]*/[-.\w]*$")

# SDKs before May 2022 dereference a missing functionConfig: the Go runtime panics (exit code 2).
NIL_CONFIG_PANIC = ("panic: runtime error: invalid memory address or nil pointer dereference [recovered]\n"
                    "\tpanic: runtime error: invalid memory address or nil pointer dereference")

# visitor(item, current) -> new value
SlotVisitor = Callable[[Node, str], str]

# Kinds whose own namespace slot is a field of theirs (not metadata.namespace), by apiVersion and kind.
_OWN_SLOTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("v1", "Namespace"): ("metadata", "name"),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"):
        ("spec", "conversion", "webhook", "clientConfig", "service", "namespace"),
    ("apiregistration.k8s.io/v1", "APIService"): ("spec", "service", "namespace"),
}


class ConfigError(Exception):
    pass


def read_new_namespace(config: Node | None, *, empty_check: bool = True) -> str:
    """The namespace a v0.3/v0.4 functionConfig asks for (their SDKs compare apiVersion and kind exactly)."""
    if empty_check and c.is_empty_config(config):
        raise ConfigError("FunctionConfig is missing. Expect `ConfigMap` or `SetNamespace`")
    assert config is not None
    av, kind = c.api_version(config), c.kind(config)
    if (av, kind) == ("v1", "ConfigMap"):
        new_ns = c.nested_str(config, "data", "namespace")
        if new_ns:
            return new_ns
        if c.name(config) != "kptfile.kpt.dev":
            raise ConfigError("`data.namespace` should not be empty")
        new_ns = c.nested_str(config, "data", "name")
        if not new_ns:
            raise ConfigError("`data.name` should not be empty")
        return new_ns
    if (av, kind) == ("fn.kpt.dev/v1alpha1", "SetNamespace"):
        new_ns = c.nested_str(config, "namespace")
        if not new_ns:
            raise ConfigError("`namespace` should not be empty")
        return new_ns
    raise ConfigError(f"unknown functionConfig Kind={kind} ApiVersion={av}, expect `SetNamespace` or `ConfigMap`")


def _visit(items: list[Node], visitor: SlotVisitor) -> None:
    """Every namespace slot of every non-local item, each written back after its visit."""
    for item in items:
        if c.is_local_config(item):
            continue
        visit_own_slot(item, visitor)
        if c.kind(item) in ("ClusterRoleBinding", "RoleBinding"):
            subjects = item.get("subjects")
            if subjects is not None and subjects.kind is Kind.SEQUENCE:
                for subject in subjects.content:
                    if subject.kind is Kind.MAPPING and subject.get("namespace") is not None:
                        new = visitor(item, c.scalar_str(subject.get("namespace")))
                        c.set_nested_string(subject, new, "namespace")
                # The function writes the list back through JSON, so every scalar in it loses its
                # quoting style and flow collections turn into block ones (kpt restores comments).
                _reset_styles(subjects)
        if c.is_namespace_scoped(item):
            c.set_nested_string(item, visitor(item, c.namespace(item)), "metadata", "namespace")


def visit_own_slot(item: Node, visitor: SlotVisitor) -> None:
    """The Namespace's name, or the webhook service namespace of a CRD or APIService, visited and
    written back (written even when the path was missing: the releases set it on the way out)."""
    path = _OWN_SLOTS.get((c.api_version(item), c.kind(item)))
    if path is not None:
        c.set_nested_string(item, visitor(item, c.nested_str(item, *path)), *path)


def _reset_styles(node: Node) -> None:
    node.style = Style.NONE
    for child in node.content:
        _reset_styles(child)


def _depends_on_key(group: str, kind: str, name: str) -> str:
    return f"{group}/{kind}/{name}"


def _transform(items: list[Node], new_ns: str) -> tuple[int, set[str]]:
    count = 0
    old_namespaces: set[str] = set()

    def replace(_item: Node, current: str) -> str:
        nonlocal count
        if current != new_ns:
            old_namespaces.add(current)
            count += 1
        return new_ns

    _visit(items, replace)

    known: set[str] = set()

    def record(item: Node, current: str) -> str:
        known.add(_depends_on_key(c.group(item), c.kind(item), c.name(item)))
        return current

    _visit(items, record)

    def update(item: Node, current: str) -> str:
        value = c.annotation_map(item).get(c.DEPENDS_ON_ANNOTATION, "")
        if value and DEPENDS_ON_PATTERN.match(value):
            segments = value.split("/")
            key = _depends_on_key(segments[0], segments[3], segments[4])
            if key in known and segments[2] in old_namespaces:
                segments[2] = new_ns
                c.set_nested_string(item, "/".join(segments), "metadata", "annotations",
                                    c.DEPENDS_ON_ANNOTATION)
        return current

    _visit(items, update)
    return count, old_namespaces


def _duplicate(items: list[Node]) -> str:
    seen: set[tuple[str, str, str, str]] = set()
    for item in items:
        key = (c.api_version(item), c.kind(item), c.namespace(item), c.name(item))
        if key in seen:
            return (f"duplicate Resource(apiVersion={key[0]}, kind={key[1]}, Namespace={key[2]}, "
                    f"Name={key[3]})")
        seen.add(key)
    return ""


def run_v041(rl: ResourceList) -> None:
    try:
        new_ns = read_new_namespace(rl.function_config)
    except ConfigError as err:
        rl.results.append(c.result(str(err), c.ERROR))
        c.fail()
    _apply(rl, new_ns)


def run_v040(rl: ResourceList) -> None:
    if rl.function_config is None:
        raise FunctionError("set-namespace crashed: no functionConfig", exit_code=2, stderr=NIL_CONFIG_PANIC)
    try:
        new_ns = read_new_namespace(rl.function_config, empty_check=False)
    except ConfigError as err:
        rl.results.append(c.config_object_result(str(err), c.ERROR, rl.function_config))
        c.sdk_sort_items(rl)
        return
    _apply(rl, new_ns)


def _apply(rl: ResourceList, new_ns: str) -> None:
    count, old_namespaces = _transform(rl.items, new_ns)
    duplicate = _duplicate(rl.items)
    if duplicate:
        rl.results.append(c.result(duplicate, c.ERROR))
    elif count == 0:
        rl.results.append(c.result(f"all namespaces are already {c.go_quote(new_ns)}. no value changed", c.INFO))
    else:
        # Go prints a map here, so the image's order varies; sorted is one order it can print.
        olds = ",".join(c.go_quote(ns) for ns in sorted(old_namespaces))
        rl.results.append(c.result(f"namespace {olds} updated to {c.go_quote(new_ns)}, {count} value(s) changed",
                                   c.INFO))
    c.sdk_sort_items(rl)
