"""Config injection as Porch does it, from named in-repository resources instead of in-cluster ones.

A package resource annotated ``kpt.dev/config-injection: required|optional`` is an injection point. The
variant's injectors are tried in order: one whose group/version/kind (each optional) fit the point and whose
``name`` names a resource of the point's apiVersion and kind among the resources kept beside the variant
files wins; its ``data`` (a ConfigMap) or ``spec`` (any other kind) replaces the point's, and the point is
annotated ``kpt.dev/injected-resource: <name>``. The subset implemented: no Kptfile conditions or readiness
gates — a required point that nothing fills is an error of the variant (reported, nothing written), an
optional one is left as it is.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from bot.errors import InvalidInput
from bot.lifecycle.packagefiles import KPTFILE
from bot.lifecycle.variants.spec import Injector, PackageVariant

INJECTION_ANNOTATION = "kpt.dev/config-injection"
INJECTED_ANNOTATION = "kpt.dev/injected-resource"


def _group_version(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


def _fits(injector: Injector, api_version: str, kind: str) -> bool:
    group, version = _group_version(api_version)
    return ((injector.group is None or injector.group == group)
            and (injector.version is None or injector.version == version)
            and (injector.kind is None or injector.kind == kind))


def _source(variant: PackageVariant, resources: list[dict[str, Any]], api_version: str,
            kind: str) -> dict[str, Any] | None:
    for injector in variant.injectors:
        if not _fits(injector, api_version, kind):
            continue
        for resource in resources:
            if (resource.get("apiVersion"), resource.get("kind"), resource["metadata"].get("name")) == \
                    (api_version, kind, injector.name):
                return resource
    return None


def injected_inputs(variant: PackageVariant, resources: list[dict[str, Any]]) -> dict[str, Any]:
    """The in-repository resources the variant's injectors name (their content is part of its spec hash)."""
    names = {injector.name for injector in variant.injectors}
    return {f"{r.get('apiVersion')}/{r.get('kind')}/{r['metadata'].get('name')}":
            {k: v for k, v in r.items() if k != "__file__"} for r in resources if r["metadata"].get("name") in names}


def inject(stage: Path, variant: PackageVariant, resources: list[dict[str, Any]]) -> None:
    yaml = YAML()
    yaml.width = 4096
    for path in sorted(stage.rglob("*")):
        if path.suffix not in (".yaml", ".yml") or path.name == KPTFILE or not path.is_file():
            continue
        text = path.read_text()
        if INJECTION_ANNOTATION not in text:
            continue
        documents = list(yaml.load_all(text))
        changed = False
        for document in documents:
            metadata = document.get("metadata") if isinstance(document, dict) else None
            annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
            if not isinstance(metadata, dict) or not isinstance(annotations, dict):
                continue
            mode = annotations.get(INJECTION_ANNOTATION)
            if mode is None:
                continue
            where = f"{path.relative_to(stage)}: {document.get('kind')} {metadata.get('name')}"
            if mode not in ("required", "optional"):
                raise InvalidInput(f"{where}: {INJECTION_ANNOTATION} must be required or optional, not {mode!r}")
            kind, api_version = str(document.get("kind")), str(document.get("apiVersion"))
            source = _source(variant, resources, api_version, kind)
            if source is None:
                if mode == "required":
                    raise InvalidInput(f"variant {variant.name}: {where} requires injection, and no injector "
                                       "names a resource of its kind beside the variant files")
                continue
            field = "data" if kind == "ConfigMap" and _group_version(api_version)[0] == "" else "spec"
            if field in source:
                document[field] = source[field]
            elif field in document:
                del document[field]
            annotations[INJECTED_ANNOTATION] = source["metadata"]["name"]
            changed = True
        if changed:
            out = io.StringIO()
            yaml.dump_all(documents, out)
            path.write_text(out.getvalue())
