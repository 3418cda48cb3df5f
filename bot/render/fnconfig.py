"""A step's functionConfig: built from ``configMap`` or re-read from the package's own resources."""

from __future__ import annotations

import posixpath

from bot.render import annotations as ann
from bot.render import kpt_keys as keys
from bot.render.image_names import function_short_name
from bot.render.kptfile import FunctionSpec
from bot.render.render_errors import ValidateError
from bot.render.yaml.node import Node


def config_map_node(values: dict[str, str]) -> Node:
    root = Node.mapping()
    root.set("apiVersion", Node.scalar("v1"))
    root.set("kind", Node.scalar("ConfigMap"))
    metadata = root.set("metadata", Node.mapping())
    metadata.set("name", Node.scalar("function-input"))
    data = root.set("data", Node.mapping())
    for key in sorted(values):
        data.set(key, Node.scalar(values[key]))
    return root


def find_config(function: FunctionSpec, role: str, index: int, package_path: str,
                items: list[Node]) -> Node:
    """The configPath resource as it is now in memory (earlier mutators' edits included)."""
    wanted = posixpath.normpath(function.config_path)
    for item in items:
        if ann.get_annotation(item, keys.PACKAGE_PATH) != package_path:
            continue
        path = ann.resource_path(item)
        if path is not None and posixpath.normpath(path) == wanted:
            config = item.copy()
            ann.remove_annotations(config, keys.READER_ANNOTATIONS + keys.CALL_ANNOTATIONS)
            return config
    name = function.name or function_short_name(function.image) or function.exec
    raise ValidateError(
        f"pipeline.{role}s[{index}].configPath", function.config_path,
        f'functionConfig resource for {role} "{name}" is missing from path "{function.config_path}", '
        f'this also occurs if "{function.config_path}" is part of a subpackage')


def function_config(function: FunctionSpec, role: str, index: int, package_path: str,
                    items: list[Node]) -> Node | None:
    if function.config_path:
        return find_config(function, role, index, package_path, items)
    if function.config_map:
        return config_map_node(function.config_map)
    return None
