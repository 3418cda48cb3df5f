"""set-namespace v0.3.x (v0.3.3, v0.3.4): replace one old namespace, the one the package agrees on.

The v0.3 line predates "set every slot": it first decides the single namespace being replaced —
the ``namespaceMatcher``, else the name of the package's one Namespace object, else the one
namespace every namespace slot already holds — and changes only slots holding that value. A
package that does not agree (two Namespace objects, slots in different namespaces, no namespace
at all) gets one error result and no change, with exit code 0; so do config errors, which point
at the functionConfig. ``kpt-samples`` (echo, ghost) pin v0.3.4.

Differences from v0.4 worth knowing: only items that *have* ``metadata.namespace`` are namespaced
(a ConfigMap without one stays without); slots holding "" are never changed, yet each visit
writes every slot back, so a CRD or APIService without the webhook path gets it with an empty
namespace and a binding without ``subjects`` gets ``subjects: []``; the SetNamespace kind reads
its matcher from ``data.namespaceMatcher`` (a bug of the release: it never finds one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.render.functions import _common as c
from bot.render.functions._set_namespace_v04 import (
    DEPENDS_ON_PATTERN,
    NIL_CONFIG_PANIC,
    ConfigError,
    read_new_namespace,
    visit_own_slot,
)
from bot.render.resourcelist import ResourceList, Result, ResultField, ResultFile
from bot.render.runtimes.base import FunctionError
from bot.render.yaml.node import Kind, Node, Style

# visitor(item, current) -> new value
Visitor = Callable[[Node, str], str]


@dataclass
class Transformer:
    new_namespace: str
    matcher: str
    errors: list[str] = field(default_factory=list)


def read_config(config: Node) -> Transformer:
    # v0.4.0's reading; the matcher comes from data.namespaceMatcher for both kinds (the release's bug).
    return Transformer(read_new_namespace(config, empty_check=False),
                       c.nested_str(config, "data", "namespaceMatcher"))


def visit(items: list[Node], visitor: Visitor, *, skip_empty: bool) -> None:
    """Every namespace slot of every non-local item; each slot is written back after the visit.

    Finding and replacing namespaces ignore empty slots (``skip_empty``); the depends-on passes
    see every slot, empty or not.
    """

    def slot(item: Node, current: str) -> str:
        return current if skip_empty and not current else visitor(item, current)

    for item in items:
        if c.is_local_config(item):
            continue
        visit_own_slot(item, slot)
        if c.kind(item) in ("ClusterRoleBinding", "RoleBinding"):
            _visit_subjects(item, slot)
        if c.has_namespace(item):
            c.set_nested_string(item, slot(item, c.namespace(item)), "metadata", "namespace")


def _visit_subjects(item: Node, slot: Visitor) -> None:
    subjects = item.get("subjects")
    if subjects is None:
        # The list is written back through JSON even when there was none: an empty flow list.
        item.set("subjects", Node.sequence(Style.FLOW))
        return
    if subjects.kind is not Kind.SEQUENCE:
        return
    for subject in subjects.content:
        if subject.kind is Kind.MAPPING and subject.get("namespace") is not None:
            c.set_nested_string(subject, slot(item, c.scalar_str(subject.get("namespace"))), "namespace")
    _reset_styles(subjects)


def _reset_styles(node: Node) -> None:
    """The SDK writes the list back through JSON: every scalar in it loses its quoting style."""
    node.style = Style.NONE
    for child in node.content:
        _reset_styles(child)


def _old_namespace(tc: Transformer, namespaces: list[str], ns_objects: dict[str, int]) -> str | None:
    """The one namespace to replace, or None after recording why there is none."""
    if tc.matcher:
        if not ns_objects:
            return tc.matcher
        tc.errors.append("found Namespace objects from the input resources, you cannot use `namespaceMatcher` "
                         "in FunctionConfig together with Namespace objects")
        return None
    if len(ns_objects) > 1:
        # Go prints the map with its keys sorted.
        shown = " ".join(f"{name}:{count}" for name, count in sorted(ns_objects.items()))
        tc.errors.append(f"cannot accept more than one Namespace objects from the input resources, found map[{shown}]")
        return None
    if len(ns_objects) == 1:
        (old, count), = ns_objects.items()
        if count > 1:
            tc.errors.append(f"found more than one Namespace objects of the same name {c.go_quote(old)}")
            return None
        tc.matcher = old
        return old
    if len(namespaces) > 1:
        tc.errors.append("all input namespace-scoped resources should be under the same namespace but found "
                         f"different namespaces: {c.go_quote(','.join(namespaces))} ")
        return None
    if not namespaces:
        tc.errors.append("could not find any namespace fields to update. This function requires at least one of "
                         "Namespace objects or namespace-scoped resources to have their namespace field set.")
        return None
    tc.matcher = namespaces[0]
    return namespaces[0]


def transform(items: list[Node], tc: Transformer) -> int:
    namespaces: set[str] = set()
    ns_objects: dict[str, int] = {}

    def collect(item: Node, current: str) -> str:
        if (c.api_version(item), c.kind(item)) == ("v1", "Namespace"):
            ns_objects[current] = ns_objects.get(current, 0) + 1
        namespaces.add(current)
        return current

    visit(items, collect, skip_empty=True)
    old = _old_namespace(tc, sorted(namespaces), ns_objects)
    if old is None:
        return 0
    count = 0

    def replace(_item: Node, current: str) -> str:
        nonlocal count
        if current != old:
            return current
        count += 1
        return tc.new_namespace

    if old != tc.new_namespace:
        visit(items, replace, skip_empty=True)
    # Runs even when nothing was replaced: matching annotations are written again (as plain scalars).
    _update_depends_on(items, old, tc.new_namespace)
    return count


def _update_depends_on(items: list[Node], old: str, new: str) -> None:
    known: set[str] = set()

    def record(item: Node, current: str) -> str:
        known.add(f"{c.group(item)}/{c.kind(item)}/{c.name(item)}")
        return current

    visit(items, record, skip_empty=False)

    def update(item: Node, current: str) -> str:
        value = c.annotation_map(item).get(c.DEPENDS_ON_ANNOTATION, "")
        if value and DEPENDS_ON_PATTERN.match(value):
            segments = value.split("/")
            if f"{segments[0]}/{segments[3]}/{segments[4]}" in known and segments[2] == old:
                segments[2] = new
                c.set_nested_string(item, "/".join(segments), "metadata", "annotations", c.DEPENDS_ON_ANNOTATION)
        return current

    visit(items, update, skip_empty=False)


def _runner(image_result: bool) -> Callable[[ResourceList], None]:
    """v0.3.3 added a stray "set image from ..." result to every run; v0.3.4 removed it."""

    def run(rl: ResourceList) -> None:
        if rl.function_config is None:
            raise FunctionError("set-namespace crashed: no functionConfig", exit_code=2, stderr=NIL_CONFIG_PANIC)
        try:
            tc = read_config(rl.function_config)
        except ConfigError as err:
            rl.results.append(c.config_object_result(str(err), c.ERROR, rl.function_config))
            c.sdk_sort_items(rl)
            return
        count = transform(rl.items, tc)
        if tc.errors:
            rl.results.append(c.result("\n".join(tc.errors), c.ERROR))
        else:
            rl.results.append(c.result(f"namespace {c.go_quote(tc.matcher)} updated to "
                                       f"{c.go_quote(tc.new_namespace)}, {count} values changed", c.INFO))
        if image_result:
            rl.results.append(Result(
                message=f"set image from {tc.matcher} to {tc.new_namespace}", severity=c.INFO,
                field=ResultField(path="", current_value=c.string_scalar(tc.matcher),
                                  proposed_value=c.string_scalar(tc.new_namespace)),
                file=ResultFile(path="test", index=0)))
        c.sdk_sort_items(rl)

    return run


run_v033 = _runner(image_result=True)
run_v034 = _runner(image_result=False)
