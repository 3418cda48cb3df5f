"""ensure-name-substring (catalog ``ensure-name-substring``): prefix or suffix every name that lacks a substring.

kustomize underneath: resources go into a ResMap (duplicate ids fail), names are edited through
field specs (``metadata/name`` plus any additional ones), ``depends-on`` annotations and name
references (kustomize's nameReference table) follow the renames, and finally the build
annotations are removed. That last step rewrites every item's annotations (sorted, fresh
string nodes; kpt restores the order from the id it keeps), and in the June 2025 master — built
on kustomize api v0.10 — it also strips kpt's path, index and seqindent annotations, so kpt
writes every resource to its default file (SPECS §7.3). gcr ``v0.2.0`` (api v0.8) keeps them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.render import kpt_keys as keys
from bot.render.functions import _common as c
from bot.render.functions._kustomize import (
    FieldSpec,
    KustomizeError,
    apply_field_spec,
    check_resmap,
    field_spec_from_node,
)
from bot.render.functions._nameref import Gvk, NameRefError, Resource, fix_name_references
from bot.render.functions.registry import register_releases
from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError
from bot.render.yaml.node import STR, Kind, Node, Style

FN_CONFIG_API_VERSION = "fn.kpt.dev/v1alpha1"
FN_CONFIG_KIND = "EnsureNameSubstring"
DEPENDS_ON = keys.DEPENDS_ON
PREPEND, APPEND = "prepend", "append"
NAME_PATH = "metadata/name"

# kustomize api v0.10's BuildAnnotations include kpt's file annotations (but not the ids).
KPT_FILE_ANNOTATIONS = (keys.INTERNAL_PATH, keys.INTERNAL_INDEX, keys.SEQ_INDENT, keys.PATH, keys.INDEX)
SKIPPED_KINDS = (Gvk(kind="CustomResourceDefinition"), Gvk(group="apiregistration.k8s.io", kind="APIService"),
                 Gvk(kind="Namespace"), Gvk(group="kpt.dev", kind="Kptfile"))

_NAMESPACED_REF = re.compile(r"\A([-.\w]*)/namespaces/([-.\w]*)/([-.\w]*)/([-.\w]*)\Z", re.ASCII)
_CLUSTER_REF = re.compile(r"\A([-.\w]*)/([-.\w]*)/([-.\w]*)\Z", re.ASCII)


class EnsureError(Exception):
    pass


@dataclass
class EnsureNameSubstring:
    substring: str = ""
    edit_mode: str = PREPEND
    field_specs: list[FieldSpec] = field(default_factory=list)
    _inputs: set[tuple[str, str, str]] = field(default_factory=set)

    @classmethod
    def load(cls, config: Node | None) -> EnsureNameSubstring:
        try:
            ens = cls._decode(config)
        except EnsureError as error:
            raise EnsureError(f"failed to load the `functionConfig`: {error}") from error
        return ens

    @classmethod
    def _decode(cls, config: Node | None) -> EnsureNameSubstring:
        ens = cls()
        additional: list[FieldSpec] | None = None
        if config is not None and not c.is_empty_config(config):
            api_version, kind = c.api_version(config), c.kind(config)
            if api_version == "v1" and kind == "ConfigMap":
                ens._from_config_map(config)
            elif api_version == FN_CONFIG_API_VERSION and kind == FN_CONFIG_KIND:
                ens.substring = c.nested_str(config, "substring")
                ens.edit_mode = c.nested_str(config, "editMode") or PREPEND
                additional = _specs(config.get("additionalNameFields"))
                legacy = _specs(config.get("fieldSpecs"))
                if additional is not None and legacy is not None:
                    raise EnsureError("`fieldSpecs` has been deprecated, please rename it to `additionalNameFields`")
                additional = additional if additional is not None else legacy
            else:
                raise EnsureError(
                    "function config must be either /v1, Kind=ConfigMap or "
                    f"{FN_CONFIG_API_VERSION}, Kind={FN_CONFIG_KIND}, but we got: {_gvk_string(api_version, kind)}"
                )
        if not ens.substring:
            raise EnsureError("substring must not be empty")
        ens.field_specs = [FieldSpec(NAME_PATH), *(additional or [])]
        return ens

    def _from_config_map(self, config: Node) -> None:
        data = config.get("data")
        entries = list(data.pairs()) if data is not None and data.kind is Kind.MAPPING else []
        if len(entries) != 1:
            raise EnsureError(f"only 1 entry is allowed in the ConfigMap, but got: {len(entries)}")
        key, value = entries[0]
        if key.value not in (PREPEND, APPEND):
            raise EnsureError(f"unknown editMode: {key.value}, only {PREPEND} and {APPEND} are allowed")
        self.edit_mode, self.substring = key.value, value.value

    # ---- transform ------------------------------------------------------------------------
    def transform(self, resources: list[Resource]) -> None:
        self._inputs = {(r.gvk.group, r.gvk.kind, r.name) for r in resources}
        for resource in resources:
            if any(skip.selects(resource.gvk) for skip in SKIPPED_KINDS):
                continue
            for spec in self.field_specs:
                if not Gvk(spec.group, spec.version, spec.kind).selects(resource.gvk):
                    continue
                if self._has_substring(resource, spec):
                    continue
                if spec.path == NAME_PATH:
                    resource.previous_names.append(resource.name)
                apply_field_spec(resource.node, spec, self._edit)
                self._update_depends_on(resource.node)

    def _edit(self, node: Node, _path: list[str]) -> None:
        if node.kind is not Kind.SCALAR:
            raise KustomizeError(f"wrong Node Kind for  expected: ScalarNode was {node.kind.name.title()}Node")
        if self.edit_mode == PREPEND:
            node.value = self.substring + node.value
        elif self.edit_mode == APPEND:
            node.value = node.value + self.substring
        node.tag = STR

    def _has_substring(self, resource: Resource, spec: FieldSpec) -> bool:
        if spec.path == NAME_PATH:
            return self.substring in resource.name
        node: Node | None = resource.node
        for part in spec.path.split("/"):
            node = node.get(part) if node is not None else None
        if node is None:
            return False
        text = node.value if node.kind is Kind.SCALAR else ""
        return self.substring in text

    def _update_depends_on(self, item: Node) -> None:
        annotations = item.path("metadata", "annotations")
        current = annotations.get(DEPENDS_ON) if annotations is not None else None
        if annotations is None or current is None:
            return
        updated = self._depends_on_with_substring(current.value)
        if updated is None:
            return
        rebuild_annotations(item)
        annotations.get(DEPENDS_ON).value = updated  # type: ignore[union-attr]

    def _depends_on_with_substring(self, depends_on: str) -> str | None:
        if _NAMESPACED_REF.match(depends_on):
            group_at, kind_at, name_at = 0, 3, 4
        elif _CLUSTER_REF.match(depends_on):
            group_at, kind_at, name_at = 0, 1, 2
        else:
            return None
        segments = depends_on.split("/")
        if (segments[group_at], segments[kind_at], segments[name_at]) not in self._inputs:
            return None
        if self.edit_mode == PREPEND:
            segments[name_at] = self.substring + segments[name_at]
        elif self.edit_mode == APPEND:
            segments[name_at] = segments[name_at] + self.substring
        else:
            return None
        return "/".join(segments)


def rebuild_annotations(item: Node, drop: tuple[str, ...] = ()) -> None:
    """kyaml ``SetAnnotations``: the map is rebuilt from strings, so every value is a fresh ``!!str``
    node (literal style when multi-line); kpt copies the comments and key order back by id."""
    metadata = item.get("metadata")
    annotations = metadata.get("annotations") if metadata is not None else None
    if metadata is None or annotations is None or annotations.kind is not Kind.MAPPING or not annotations.content:
        return
    kept: list[Node] = []
    seen: set[str] = set()
    for key, value in annotations.pairs():
        if key.value in drop or key.value in seen:
            continue
        seen.add(key.value)
        key.style, key.tag = Style.NONE, STR
        fresh = Node.scalar(value.value, STR, Style.LITERAL if "\n" in value.value else Style.NONE)
        fresh.head_comment, fresh.line_comment, fresh.foot_comment = (
            value.head_comment, value.line_comment, value.foot_comment)
        kept += [key, fresh]
    if kept:
        annotations.content = kept
    else:
        metadata.delete("annotations")


def _specs(node: Node | None) -> list[FieldSpec] | None:
    if node is None or node.is_null():
        return None
    return [field_spec_from_node(element) for element in node.content] if node.kind is Kind.SEQUENCE else []


def _gvk_string(api_version: str, kind: str) -> str:
    parts = api_version.split("/")
    if len(parts) == 1:
        group, version = "", api_version
    elif len(parts) == 2:
        group, version = parts
    else:
        group, version = "", ""
    return f"{group}/{version}, Kind={kind}"


def _runner(strip_file_annotations: bool) -> Callable[[ResourceList], None]:
    def run(rl: ResourceList) -> None:
        try:
            ens = EnsureNameSubstring.load(rl.function_config)
            try:
                check_resmap(rl.items)
            except KustomizeError as error:
                raise EnsureError(f"failed to convert items to resource map: {error}") from error
            resources = [Resource(item) for item in rl.items]
            try:
                ens.transform(resources)
            except KustomizeError as error:
                raise EnsureError(f"failed to transform name substring: {error}") from error
            try:
                fix_name_references(resources)
            except NameRefError as error:
                raise EnsureError(f"failed to fix name back reference: {error}") from error
        except EnsureError as error:
            # command.Build prints the error once, without a newline; main prints nothing.
            raise FunctionError(str(error), exit_code=1, stderr=str(error)) from error
        for item in rl.items:
            rebuild_annotations(item, KPT_FILE_ANNOTATIONS if strip_file_annotations else ())

    return run


register_releases("ensure-name-substring", [
    (("unstable",), "Prefix or suffix resource names (and references to them) with a substring",
     _runner(strip_file_annotations=True)),
    (("v0.2.0",), "Prefix or suffix resource names (and references to them) with a substring (gcr v0.2.0)",
     _runner(strip_file_annotations=False)),
])
