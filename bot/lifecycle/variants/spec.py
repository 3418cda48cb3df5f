"""``config.porch.kpt.dev/v1alpha1`` PackageVariant: the dataclasses and the strict parser.

Fields and meanings as Porch defines them: ``upstream`` (repo, package, revision — 0 or absent means the
latest published revision), ``downstream`` (repo, package), ``adoptionPolicy`` (adoptExisting | adoptNone,
default adoptNone), ``deletionPolicy`` (delete | orphan, default delete), ``labels``, ``annotations``,
``packageContext`` (data, removeKeys; ``name`` and ``package-path`` are reserved), ``pipeline``
(validators and mutators prepended to the downstream Kptfile's pipeline) and ``injectors``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.lifecycle.variants.fields import Fields, VariantError

GROUP = "config.porch.kpt.dev"
VARIANT_API = f"{GROUP}/v1alpha1"
SET_API = f"{GROUP}/v1alpha2"
ADOPTION = ("adoptExisting", "adoptNone")
DELETION = ("delete", "orphan")
RESERVED_CONTEXT_KEYS = ("name", "package-path")
FUNCTION_FIELDS = ("image", "exec", "name", "configPath", "configMap", "selectors", "exclude")
INJECTOR_FIELDS = ("group", "version", "kind", "name")


@dataclass(frozen=True)
class Injector:
    name: str
    group: str | None = None
    version: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class PackageVariant:
    name: str
    file: str  # where it is declared: ``<repository>:<path>`` (a set's variants name the set's file)
    upstream_repo: str
    upstream_package: str
    upstream_revision: int  # 0: the latest published revision
    downstream_repo: str
    downstream_package: str
    adoption: str = "adoptNone"
    deletion: str = "delete"
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    context_data: dict[str, str] = field(default_factory=dict)
    context_remove: tuple[str, ...] = ()
    validators: tuple[dict[str, Any], ...] = ()
    mutators: tuple[dict[str, Any], ...] = ()
    injectors: tuple[Injector, ...] = ()
    owner: str = ""  # the registered repository whose variant files declare it
    from_set: str = ""  # the PackageVariantSet that generated it, if any

    @property
    def key(self) -> str:
        """Identity across reconciles: the holding repository and the name."""
        return f"{self.owner}/{self.name}"

    @property
    def variant_id(self) -> str:
        return hashlib.sha256(self.key.encode()).hexdigest()[:8]

    @property
    def workspace(self) -> str:
        """The clone Draft's workspace: the same for every reconcile of this variant (a redone job finds it)."""
        return f"variant-{self.variant_id}"

    def spec_hash(self, injected: dict[str, Any] | None = None) -> str:
        """What the variant changes in its downstream (and the injected resources' content), hashed: a
        downstream carrying another hash is out of date."""
        mutations = {k: v for k, v in asdict(self).items()
                     if k in ("labels", "annotations", "context_data", "context_remove", "validators", "mutators",
                              "injectors")}
        text = json.dumps([mutations, injected or {}], sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


def parse_function(fields: Fields, index: int, key: str) -> dict[str, Any]:
    item = Fields(fields.file, f"{fields.where(key)}[{index}]", fields.mappings(key)[index], FUNCTION_FIELDS)
    if not item.string("image") and not item.string("exec"):
        raise item.error("image", "required (a function needs an image or exec)")
    item.string("name")
    item.string("configPath")
    item.string_map("configMap")
    return dict(item.value)


def parse_pipeline(fields: Fields) -> tuple[tuple[dict[str, Any], ...], tuple[dict[str, Any], ...]]:
    pipeline = fields.sub("pipeline", ("validators", "mutators"))
    validators = tuple(parse_function(pipeline, i, "validators") for i in range(len(pipeline.mappings("validators"))))
    mutators = tuple(parse_function(pipeline, i, "mutators") for i in range(len(pipeline.mappings("mutators"))))
    return validators, mutators


def parse_injector(fields: Fields, key: str, index: int, allowed: tuple[str, ...] = INJECTOR_FIELDS) -> Fields:
    return Fields(fields.file, f"{fields.where(key)}[{index}]", fields.mappings(key)[index], allowed)


def check_context(context: Fields, data: dict[str, str], remove: list[str]) -> None:
    for key in RESERVED_CONTEXT_KEYS:
        if key in data:
            raise context.error(f"data.{key}", "reserved: the package context's name and package-path are set "
                                               "by the clone, not by a variant")
        if key in remove:
            raise context.error("removeKeys", f"{key!r} is reserved and cannot be removed")


def parse_upstream(spec: Fields) -> tuple[str, str, int]:
    if not spec.has("upstream"):
        raise spec.error("upstream", "required: the blueprint (repo, package, revision) to clone")
    upstream = spec.sub("upstream", ("repo", "package", "revision", "workspaceName"))
    if upstream.has("workspaceName"):  # an unpublished upstream Draft: nothing to follow in git's tags
        raise upstream.error("workspaceName", "not supported: a variant follows a published revision "
                                              "(give revision, or nothing for the latest)")
    return upstream.string("repo", required=True), upstream.string("package", required=True), \
        upstream.integer("revision")


def parse_variant(document: dict[str, Any], file: str, owner: str) -> PackageVariant:
    top = Fields(file, "", document, ("apiVersion", "kind", "metadata", "spec", "status"))
    metadata = top.sub("metadata", ("name", "namespace", "labels", "annotations"))
    name = metadata.string("name", required=True)
    spec = top.sub("spec", ("upstream", "downstream", "adoptionPolicy", "deletionPolicy", "labels", "annotations",
                            "packageContext", "pipeline", "injectors"))
    upstream = parse_upstream(spec)
    if not spec.has("downstream"):
        raise spec.error("downstream", "required: the repository and package to create")
    downstream = spec.sub("downstream", ("repo", "package"))
    context = spec.sub("packageContext", ("data", "removeKeys"))
    data, remove = context.string_map("data"), context.string_list("removeKeys")
    check_context(context, data, remove)
    validators, mutators = parse_pipeline(spec)
    injectors = []
    for index in range(len(spec.mappings("injectors"))):
        item = parse_injector(spec, "injectors", index)
        injectors.append(Injector(item.string("name", required=True), item.optional_string("group"),
                                  item.optional_string("version"), item.optional_string("kind")))
    return PackageVariant(
        name=name, file=file, upstream_repo=upstream[0], upstream_package=upstream[1],
        upstream_revision=upstream[2], downstream_repo=downstream.string("repo", required=True),
        downstream_package=downstream.string("package", required=True),
        adoption=spec.string("adoptionPolicy", choices=ADOPTION) or "adoptNone",
        deletion=spec.string("deletionPolicy", choices=DELETION) or "delete",
        labels=spec.string_map("labels"), annotations=spec.string_map("annotations"), context_data=data,
        context_remove=tuple(remove), validators=validators, mutators=mutators, injectors=tuple(injectors),
        owner=owner)


def require_name(variant: PackageVariant) -> None:
    if not variant.name:
        raise VariantError(variant.file, "metadata.name", "required")
