"""The Kptfile (kpt.dev/v1): strict reading, pipeline validation, canonical marshalling."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.render.kptschema import UnmarshalIssue, decode, format_issues
from bot.render.render_errors import KptfileReadError, NoKptfile, OldKptfileVersion, UnknownKptfileType
from bot.render.yaml.node import Kind, Node

KPTFILE = "Kptfile"
KPT_API_VERSION = "kpt.dev/v1"


@dataclass
class Selector:
    api_version: str = ""
    kind: str = ""
    name: str = ""
    namespace: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not (self.api_version or self.kind or self.name or self.namespace or self.labels
                    or self.annotations)


@dataclass
class FunctionSpec:
    image: str = ""
    exec: str = ""
    config_path: str = ""
    config_map: dict[str, str] = field(default_factory=dict)
    name: str = ""
    tag: str = ""
    selectors: list[Selector] = field(default_factory=list)
    exclude: list[Selector] = field(default_factory=list)


@dataclass
class Kptfile:
    canonical: Node  # what kpt's yaml.Marshal of the decoded struct gives
    name: str = ""
    annotations: dict[str, str] = field(default_factory=dict)
    mutators: list[FunctionSpec] = field(default_factory=list)
    validators: list[FunctionSpec] = field(default_factory=list)

    @property
    def has_pipeline(self) -> bool:
        return bool(self.mutators or self.validators)


def read_kptfile(package_dir: Path) -> Kptfile:
    path = package_dir / KPTFILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise NoKptfile(str(package_dir)) from err
    except (OSError, UnicodeDecodeError) as err:
        raise KptfileReadError(str(package_dir), str(err)) from err
    return parse_kptfile(text, str(package_dir))


def parse_kptfile(text: str, package_dir: str) -> Kptfile:
    from bot.render.yaml.errors import YAMLError
    from bot.render.yaml.parser import parse_document

    try:
        document = parse_document(text.replace("\r\n", "\n"))
    except YAMLError as err:
        raise KptfileReadError(package_dir, str(err)) from err
    root = document.content[0] if document is not None and document.content else Node.mapping()
    if root.kind is not Kind.MAPPING:
        issue = UnmarshalIssue(root.line, f"cannot unmarshal {_tag(root)} into v1.KptFile")
        raise KptfileReadError(package_dir, format_issues([issue]))
    api_version = root.str_value("apiVersion") or ""
    kind = root.str_value("kind") or ""
    if kind == "Kptfile" and api_version in ("kpt.dev/v1alpha1", "kpt.dev/v1alpha2"):
        raise OldKptfileVersion(package_dir, api_version.split("/", 1)[1])
    if api_version != KPT_API_VERSION or kind != "Kptfile":
        group, _, version = api_version.rpartition("/")
        gvk = f"{group}/{version}, Kind={kind}" if group else f"{version}, Kind={kind}"
        raise UnknownKptfileType(package_dir, gvk)
    issues: list[UnmarshalIssue] = []
    canonical = decode(root, "v1.KptFile", issues) or Node.mapping()
    if issues:
        raise KptfileReadError(package_dir, format_issues(issues))
    return _model(canonical)


def _tag(node: Node) -> str:
    names: dict[Kind, str] = {Kind.SEQUENCE: "!!seq", Kind.MAPPING: "!!map"}
    return names.get(node.kind, node.tag)


def _string_map(node: Node | None) -> dict[str, str]:
    if node is None or node.kind is not Kind.MAPPING:
        return {}
    return {key.value: value.value for key, value in node.pairs()}


def _selectors(node: Node | None) -> list[Selector]:
    if node is None:
        return []
    return [Selector(api_version=s.str_value("apiVersion") or "", kind=s.str_value("kind") or "",
                     name=s.str_value("name") or "", namespace=s.str_value("namespace") or "",
                     labels=_string_map(s.get("labels")), annotations=_string_map(s.get("annotations")))
            for s in node.content]


def _functions(node: Node | None) -> list[FunctionSpec]:
    if node is None:
        return []
    return [FunctionSpec(image=f.str_value("image") or "", exec=f.str_value("exec") or "",
                         config_path=f.str_value("configPath") or "",
                         config_map=_string_map(f.get("configMap")), name=f.str_value("name") or "",
                         tag=f.str_value("tag") or "", selectors=_selectors(f.get("selectors")),
                         exclude=_selectors(f.get("exclude")))
            for f in node.content]


def _model(canonical: Node) -> Kptfile:
    return Kptfile(canonical=canonical, name=canonical.str_value("metadata", "name") or "",
                   annotations=_string_map(canonical.path("metadata", "annotations")),
                   mutators=_functions(canonical.path("pipeline", "mutators")),
                   validators=_functions(canonical.path("pipeline", "validators")))


def marshal_kptfile(canonical: Node) -> str:
    from bot.render.yaml.emitter import emit_node

    return emit_node(canonical, wide=True)


# A docker/OCI reference: [domain[:port]/]path[:tag][@digest]; kpt uses go-containerregistry's parser.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?"
_IMAGE_PATTERN = (
    rf"^(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*(?::[\w][\w.-]{{0,127}})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{{32,}})?$"
)


@functools.cache
def is_valid_image(image: str) -> bool:
    # Compiled on first use: the pattern costs ~10 ms to compile, a noticeable share of CLI start-up.
    return bool(re.match(_IMAGE_PATTERN, image))
