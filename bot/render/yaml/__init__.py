"""kyaml/yaml.v3-compatible YAML: parse with comments and styles, emit byte for byte as kpt does."""

from bot.render.yaml.node import Kind, Node, Style

__all__ = ["Kind", "Node", "Style"]
