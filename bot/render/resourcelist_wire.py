"""ResourceList wire text (config.kubernetes.io/v1): what exec and container functions read and write.

Builtin functions never go through here: they edit the Node trees in place. Only out-of-process
runtimes (exec, docker, the container entrypoint) and ``-o stdout`` pay for encoding and decoding.
"""

from __future__ import annotations

from bot.errors import InvalidInput
from bot.render.resourcelist import (
    RESOURCE_LIST_API_VERSION,
    ResourceList,
    ResourceRef,
    Result,
    ResultField,
    ResultFile,
)
from bot.render.yaml.node import INT, Kind, Node, Style


class WireError(InvalidInput):
    """Function output that is not a ResourceList we can read."""


def resource_list_node(rl: ResourceList, *, include_results: bool = True) -> Node:
    """The ResourceList as one mapping node. Items are shared, not copied: emitting never mutates."""
    root = Node.mapping()
    root.set("apiVersion", Node.scalar(RESOURCE_LIST_API_VERSION))
    root.set("kind", Node.scalar("ResourceList"))
    items = Node.sequence()
    items.content = list(rl.items)
    root.set("items", items)
    if rl.function_config is not None:
        root.set("functionConfig", rl.function_config)
    if include_results and rl.results:
        results = Node.sequence()
        results.content = [result_to_node(r) for r in rl.results]
        root.set("results", results)
    return root


def encode_resource_list(rl: ResourceList) -> str:
    """YAML text of ``rl`` as kpt writes it to a function's stdin (compact sequences)."""
    from bot.render.yaml.emitter import emit_node

    return emit_node(resource_list_node(rl), wide=False)


def decode_resource_list(text: str, *, source: str = "function output") -> ResourceList:
    """Parse a function's stdout (or ``source``). Raises WireError with a one-line reason when it is
    not a ResourceList."""
    from bot.render.yaml.errors import YAMLError
    from bot.render.yaml.parser import parse_documents

    try:
        documents = [d for d in parse_documents(text) if d.content]
    except YAMLError as err:
        raise WireError(f"failed to parse {source}: {err}") from err
    if len(documents) != 1:
        raise WireError(f"{source} must be exactly one ResourceList, got {len(documents)} documents")
    root = documents[0].content[0]
    if root.kind is not Kind.MAPPING or root.str_value("kind") != "ResourceList":
        raise WireError(f"{source} is not a ResourceList (kind: ResourceList expected)")
    items_node = root.get("items")
    items: list[Node] = []
    if items_node is not None and not items_node.is_null():
        if items_node.kind is not Kind.SEQUENCE:
            raise WireError(f"{source}: ResourceList items must be a list")
        for item in items_node.content:
            if item.kind is not Kind.MAPPING:
                raise WireError(f"{source}: every ResourceList item must be a mapping")
            items.append(item)
    function_config = root.get("functionConfig")
    if function_config is not None and function_config.is_null():
        function_config = None
    return ResourceList(items=items, function_config=function_config,
                        results=decode_results(root.get("results")))


def decode_results(node: Node | None) -> list[Result]:
    """Results in every shape kpt accepts: a list, a ``{items: [...]}`` wrapper, nested ``items``."""
    if node is None or node.is_null():
        return []
    if node.kind is Kind.MAPPING:
        return decode_results(node.get("items"))
    if node.kind is not Kind.SEQUENCE:
        raise WireError("function output: results must be a list")
    results: list[Result] = []
    for entry in node.content:
        if entry.kind is not Kind.MAPPING:
            raise WireError("function output: every result must be a mapping")
        if entry.get("message") is None and entry.get("items") is not None:
            results.extend(decode_results(entry.get("items")))
            continue
        results.append(_decode_result(entry))
    return results


def _decode_result(entry: Node) -> Result:
    result = Result(message=entry.str_value("message") or "", severity=entry.str_value("severity") or "")
    ref = entry.get("resourceRef")
    if ref is not None and ref.kind is Kind.MAPPING:
        result.resource_ref = ResourceRef(
            api_version=ref.str_value("apiVersion") or "",
            kind=ref.str_value("kind") or "",
            name=ref.str_value("name") or ref.str_value("metadata", "name") or "",
            namespace=ref.str_value("namespace") or ref.str_value("metadata", "namespace") or "",
        )
    field = entry.get("field")
    if field is not None and field.kind is Kind.MAPPING:
        proposed = field.get("proposedValue")
        if proposed is None:
            proposed = field.get("suggestedValue")  # kyaml's older name for it
        result.field = ResultField(path=field.str_value("path") or "",
                                   current_value=field.get("currentValue"), proposed_value=proposed)
    file = entry.get("file")
    if file is not None and file.kind is Kind.MAPPING:
        index_text = file.str_value("index") or "0"
        try:
            index = int(index_text)
        except ValueError as err:
            raise WireError(f"function output: result file index {index_text!r} is not a number") from err
        result.file = ResultFile(path=file.str_value("path") or "", index=index)
    tags = entry.get("tags")
    if tags is not None and tags.kind is Kind.MAPPING:
        result.tags = {k.value: v.value for k, v in tags.pairs()}
    return result


def result_to_node(result: Result) -> Node:
    """kpt's fnresult field order; empty fields (and a zero file index) are omitted."""
    node = Node.mapping()
    if result.message:
        node.set("message", Node.scalar(result.message))
    if result.severity:
        node.set("severity", Node.scalar(result.severity))
    ref = result.resource_ref
    if ref is not None:
        # kpt's resourceRef is a pointer: a function that sends ``resourceRef: {}`` gets ``{}`` back.
        ref_node = Node.mapping() if (ref.api_version or ref.kind or ref.name or ref.namespace) \
            else Node.mapping(style=Style.FLOW)
        for key, value in (("apiVersion", ref.api_version), ("kind", ref.kind), ("name", ref.name),
                           ("namespace", ref.namespace)):
            if value:
                ref_node.set(key, Node.scalar(value))
        node.set("resourceRef", ref_node)
    field = result.field
    if field is not None and (field.path or field.current_value is not None or field.proposed_value is not None):
        field_node = Node.mapping()
        if field.path:
            field_node.set("path", Node.scalar(field.path))
        if field.current_value is not None:
            field_node.set("currentValue", field.current_value)
        if field.proposed_value is not None:
            field_node.set("proposedValue", field.proposed_value)
        node.set("field", field_node)
    file = result.file
    if file is not None and (file.path or file.index):
        file_node = Node.mapping()
        if file.path:
            file_node.set("path", Node.scalar(file.path))
        if file.index:
            file_node.set("index", Node.scalar(str(file.index), tag=INT))
        node.set("file", file_node)
    if result.tags:
        tags_node = Node.mapping()
        for key in sorted(result.tags):
            tags_node.set(key, Node.scalar(result.tags[key]))
        node.set("tags", tags_node)
    return node
