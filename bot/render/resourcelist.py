"""The KRM function wire model: ResourceList (config.kubernetes.io/v1) and structured results.

Items are YAML mapping nodes (the content of a document, not the document node) so that builtin
functions edit the same trees the writer serialises, keeping comments and styles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from dataclasses import field as dataclass_field  # Result has an attribute named ``field``

from bot.render.yaml.node import Node

RESOURCE_LIST_API_VERSION = "config.kubernetes.io/v1"


@dataclass
class ResourceRef:
    api_version: str = ""
    kind: str = ""
    name: str = ""
    namespace: str = ""


@dataclass
class ResultField:
    path: str = ""
    current_value: Node | None = None
    proposed_value: Node | None = None


@dataclass
class ResultFile:
    path: str = ""
    index: int = 0


@dataclass
class Result:
    """One structured result, as kpt's ``fnresult`` models it. Empty fields are omitted on output.

    ``severity`` is "" for functions on the legacy kyaml framework, which give none.
    """

    message: str
    severity: str = ""
    resource_ref: ResourceRef | None = None
    field: ResultField | None = None
    file: ResultFile | None = None
    tags: dict[str, str] = dataclass_field(default_factory=dict)


@dataclass
class ResourceList:
    items: list[Node]
    function_config: Node | None = None
    results: list[Result] = field(default_factory=list)
    # What an in-process function printed on stderr although it succeeded (kpt keeps a step's
    # stderr in its results either way); failures carry theirs on FunctionError.stderr.
    stderr: str = ""
