"""kyaml/yaml.v3-compatible YAML: parse with comments and styles, emit byte for byte as kpt does."""

from bot.render.yaml.convert import node_to_python, python_to_node, resolve_scalar_tag
from bot.render.yaml.emitter import emit_documents, emit_json, emit_node
from bot.render.yaml.errors import YAMLError
from bot.render.yaml.files import read_file_documents, reformat, write_file_documents
from bot.render.yaml.node import Kind, Node, Style
from bot.render.yaml.parser import parse_document, parse_documents, split_documents
from bot.render.yaml.seqindent import detect_seq_indent

__all__ = [
    "Kind",
    "Node",
    "Style",
    "YAMLError",
    "detect_seq_indent",
    "emit_documents",
    "emit_json",
    "emit_node",
    "node_to_python",
    "parse_document",
    "parse_documents",
    "python_to_node",
    "read_file_documents",
    "reformat",
    "resolve_scalar_tag",
    "split_documents",
    "write_file_documents",
]
