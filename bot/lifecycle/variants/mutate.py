"""What a variant writes into its downstream package's files, in Porch's order: the package context,
then the Kptfile (labels, annotations, pipeline functions), then config injection (bot.lifecycle.variants.
injection). Idempotent: applied twice, the files are the same as applied once.

Labels and annotations: Porch puts them on the PackageRevision object; git has no such object, so they go
on the downstream Kptfile's metadata, beside ``porchbot.dev/variant`` (which variant owns the package) and
``porchbot.dev/variant-spec`` (the hash of what it applied: a different hash means the package is behind
its variant's spec). Keys a spec stops naming are left on the Kptfile (a person may have set the same key;
Porch replaces the object's whole label set, which git has no separate place for). Pipeline functions are prepended, named ``PackageVariant.<variant>.<function>.<i>``
as Porch names them, and the previous ones of the same variant are removed first.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bot.errors import InvalidInput
from bot.lifecycle.packagefiles import KPTFILE, PACKAGE_CONTEXT
from bot.lifecycle.variants.injection import inject
from bot.lifecycle.variants.spec import PackageVariant

VARIANT_ANNOTATION = "porchbot.dev/variant"
SPEC_ANNOTATION = "porchbot.dev/variant-spec"
FUNCTION_PREFIX = "PackageVariant"


def yaml_rt() -> YAML:
    yaml = YAML()
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def dump(document: Any) -> str:
    out = io.StringIO()
    yaml_rt().dump(document, out)
    return out.getvalue()


def _mapping(parent: CommentedMap, key: str) -> CommentedMap:
    value = parent.get(key)
    if not isinstance(value, CommentedMap):
        value = parent[key] = CommentedMap(value) if isinstance(value, dict) else CommentedMap()
    return value


def function_name(variant: PackageVariant, function: dict[str, Any], index: int) -> str:
    base = str(function.get("name") or "")
    if not base:
        image = str(function.get("image") or function.get("exec") or "fn")
        base = image.rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0]
    return f"{FUNCTION_PREFIX}.{variant.name}.{base.replace('.', '-')}.{index}"


def _ours(variant: PackageVariant, item: Any) -> bool:
    name = str(item.get("name") or "") if isinstance(item, dict) else ""
    parts = name.split(".")
    return len(parts) == 4 and parts[0] == FUNCTION_PREFIX and parts[1] == variant.name and parts[3].isdigit()


def _set_functions(pipeline: CommentedMap, key: str, variant: PackageVariant,
                   functions: tuple[dict[str, Any], ...]) -> None:
    existing = [item for item in (pipeline.get(key) or []) if not _ours(variant, item)]
    made = []
    for index, function in enumerate(functions):
        entry = CommentedMap()
        entry["name"] = function_name(variant, function, index)
        for field in ("image", "exec", "configPath", "configMap", "selectors", "exclude"):
            if function.get(field) not in (None, "", {}, []):
                entry[field] = function[field]
        made.append(entry)
    combined = made + existing
    if combined:
        pipeline[key] = CommentedSeq(combined)
    elif key in pipeline:
        del pipeline[key]


def apply_kptfile(text: str, variant: PackageVariant, spec_hash: str) -> str:
    kptfile = yaml_rt().load(text)
    if not isinstance(kptfile, CommentedMap):
        raise InvalidInput(f"{KPTFILE} of {variant.downstream_package} is not a mapping")
    metadata = _mapping(kptfile, "metadata")
    if variant.labels:
        _mapping(metadata, "labels").update(variant.labels)
    annotations = _mapping(metadata, "annotations")
    annotations.update(variant.annotations)
    annotations[VARIANT_ANNOTATION] = variant.key
    annotations[SPEC_ANNOTATION] = spec_hash
    if variant.validators or variant.mutators or isinstance(kptfile.get("pipeline"), dict):
        pipeline = _mapping(kptfile, "pipeline")
        _set_functions(pipeline, "mutators", variant, variant.mutators)
        _set_functions(pipeline, "validators", variant, variant.validators)
        if not pipeline:
            del kptfile["pipeline"]
    return dump(kptfile)


def apply_context(text: str | None, variant: PackageVariant) -> str | None:
    if not variant.context_data and not variant.context_remove:
        return text
    if text is None:
        raise InvalidInput(f"variant {variant.name}: the package has no {PACKAGE_CONTEXT} to set its "
                           "packageContext in")
    context = yaml_rt().load(text)
    if not isinstance(context, CommentedMap) or context.get("kind") != "ConfigMap":
        raise InvalidInput(f"variant {variant.name}: {PACKAGE_CONTEXT} is not a ConfigMap")
    data = _mapping(context, "data")
    data.update(variant.context_data)
    for key in variant.context_remove:
        data.pop(key, None)
    return dump(context)


def apply_variant(stage: Path, variant: PackageVariant, spec_hash: str, resources: list[dict[str, Any]]) -> None:
    """Apply ``variant`` to the package files in ``stage`` (``resources``: the in-repository resources its
    injectors may name)."""
    context_path = stage / PACKAGE_CONTEXT
    current = context_path.read_text() if context_path.is_file() else None
    updated = apply_context(current, variant)
    if updated is not None and updated != current:
        context_path.write_text(updated)
    kptfile = stage / KPTFILE
    if not kptfile.is_file():
        raise InvalidInput(f"variant {variant.name}: the downstream package has no {KPTFILE}")
    kptfile.write_text(apply_kptfile(kptfile.read_text(), variant, spec_hash))
    inject(stage, variant, resources)


def applied_spec(kptfile_text: str | None) -> tuple[str, str]:
    """(variant key, spec hash) a downstream Kptfile records; ("", "") when none."""
    if not kptfile_text:
        return "", ""
    try:
        document = yaml_rt().load(kptfile_text)
    except Exception:  # a broken Kptfile is not ours to judge here; its render reports it
        return "", ""
    annotations = (document.get("metadata") or {}).get("annotations") if isinstance(document, dict) else None
    if not isinstance(annotations, dict):
        return "", ""
    return str(annotations.get(VARIANT_ANNOTATION) or ""), str(annotations.get(SPEC_ANNOTATION) or "")
