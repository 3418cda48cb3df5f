"""Checks kpt makes on a pipeline and its resources: static Kptfile validation and the KRM check."""

from __future__ import annotations

import posixpath
from pathlib import Path

from bot.render import annotations as ann
from bot.render.kptfile import FunctionSpec, Kptfile, is_valid_image
from bot.render.render_errors import ValidateError
from bot.render.yaml.node import Kind, Node


def _krm_reason(item: Node) -> str | None:
    if item.str_value("apiVersion") in (None, ""):
        return "resource must have `apiVersion`"
    if item.str_value("kind") in (None, ""):
        return "resource must have `kind`"
    if item.str_value("metadata", "name") in (None, ""):
        return "resource must have `metadata.name`"
    return None


def _is_kustomization(item: Node) -> bool:
    path = ann.resource_path(item) or ""
    if posixpath.basename(path) in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
        return True
    api_version = item.str_value("apiVersion") or ""
    if api_version.split("/", 1)[0] == "kustomize.config.k8s.io":
        return True
    return not api_version and item.str_value("kind") == "Kustomization"


def krm_error(items: list[Node]) -> str | None:
    """``<path>: resource must have ...`` for the first non-KRM resource, or None."""
    for item in items:
        reason = _krm_reason(item)
        if reason is not None and not _is_kustomization(item):
            path = ann.resource_path(item)
            return f"{path}: {reason}" if path else reason
    return None


def validate_pipeline(kptfile: Kptfile, package_dir: Path) -> None:
    """kpt's load-time validation of every function in a package's pipeline."""
    for role, functions in (("mutators", kptfile.mutators), ("validators", kptfile.validators)):
        for index, function in enumerate(functions):
            _validate_function(function, f"pipeline.{role}[{index}]", package_dir)


def _validate_function(function: FunctionSpec, field: str, package_dir: Path) -> None:
    if not function.image and not function.exec:
        raise ValidateError(field, "", "must specify a functon (`image` or `exec`) to execute")
    if function.image and not is_valid_image(function.image):
        raise ValidateError(f"{field}.image", function.image, f'function name "{function.image}" is invalid')
    if function.config_map and function.config_path:
        raise ValidateError(field, "",
                            "functionConfig must not specify both `configMap` and `configPath` at the same time")
    if function.config_path:
        _validate_config_path(function.config_path, f"{field}.configPath", package_dir)


def _validate_config_path(config_path: str, field: str, package_dir: Path) -> None:
    from bot.render.package import split_documents
    from bot.render.yaml.errors import YAMLError
    from bot.render.yaml.parser import parse_document

    if not config_path.strip():
        raise ValidateError(field, config_path, "path must not be empty")
    if config_path.startswith("/"):
        raise ValidateError(field, config_path, "path must be relative")
    if ".." in config_path:
        raise ValidateError(field, config_path, "path must not be outside the package")
    full = package_dir / config_path
    try:
        text = full.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise ValidateError(field, config_path, f'failed to open functionConfig from path "{config_path}": '
                            f"open {full}: no such file or directory") from err
    except (OSError, UnicodeDecodeError) as err:
        raise ValidateError(field, config_path,
                            f'failed to open functionConfig from path "{config_path}": {err}') from err
    documents: list[Node] = []
    try:
        for piece in split_documents(text):
            document = parse_document(piece)
            if document is not None and document.content and not document.content[0].is_null():
                documents.append(document.content[0])
    except YAMLError as err:
        raise ValidateError(field, config_path, f'functionConfig "{config_path}": {err}') from err
    if len(documents) != 1:
        raise ValidateError(field, config_path, f'functionConfig "{config_path}" must not contain more than '
                            f"one config, got {len(documents)}")
    config = documents[0]
    reason = _krm_reason(config) if config.kind is Kind.MAPPING else "resource must be a mapping"
    if reason is not None:
        raise ValidateError(field, config_path, f'functionConfig "{config_path}": {reason}')
