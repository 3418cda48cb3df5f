"""Hypothesis strategies for small kpt packages, shaped like real ones, for the render properties.

A package is a dict of relative path -> file text, so a test can write it anywhere and compare trees.
The resource text is built by hand rather than emitted, so it carries what a person writes and kpt
must keep: head and line comments, single- and double-quoted scalars, wide (``  - ``) and compact
(``- ``) sequences, flow sequences, ``# kpt-set:`` setter comments.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

NAMES = ("web", "api", "db", "cache", "queue", "frontend")
NAMESPACES = ("dev", "prod", "team-a")
IMAGES = ("nginx:1.2", "nginx:1.25.3", "redis:7", "gcr.io/acme/api:v3", "busybox")
QUOTES = ("plain", "single", "double")
# ConfigMap values that stress the ResourceList round trip through a container: YAML 1.1 booleans,
# octal-looking and float-looking strings, block scalars, unicode, escapes, long lines.
TRICKY_VALUES = (
    "'yes'", '"on"', "'0755'", '"1e3"', '"~"', '""', "'null'", "12:30", '"0x1F"',
    "|\n    line one\n      indented\n    line three\n", ">-\n    folded text\n    continues here\n",
    '"héllo wörld ✓"', "héllo", "'it''s'", '"tab\\there"', '"a # not a comment"', '"key: value"',
    "a very long plain value that goes well past the eighty column mark where some emitters fold lines",
    '"first\\nsecond"', "- not a list", "true", "3.0",
)


@dataclass(frozen=True)
class Resource:
    kind: str
    name: str
    namespace: str | None = None
    image: str = "nginx:1.2"
    quote: str = "plain"
    comment: str | None = None  # a head comment above the document
    line_comment: bool = False  # a line comment after metadata.name
    setters: bool = False  # `# kpt-set:` comments on replicas and image (Deployments)
    replicas: int = 1
    tricky: tuple[int, ...] = ()  # indexes into TRICKY_VALUES (ConfigMaps)


@dataclass
class PackageSpec:
    """What a config strategy may refer to: the resources and the setter names used."""

    resources: list[Resource]
    files: dict[str, str] = field(default_factory=dict)  # path -> text (resources, no Kptfile yet)
    scope: str = ""  # the (sub)package directory a config is being drawn for: "" or "sub/"
    configs_named: int = 0

    def config_name(self, base: str) -> str:
        """A functionConfig name unique in the package tree."""
        self.configs_named += 1
        return f"{base}-{self.configs_named}"

    def names(self, kind: str | None = None) -> list[str]:
        return [r.name for r in self.resources if kind is None or r.kind == kind]

    def images(self) -> list[str]:
        return [r.image for r in self.resources if r.kind == "Deployment"]


def quoted(value: str, style: str) -> str:
    if style == "single":
        return f"'{value}'"
    if style == "double":
        return f'"{value}"'
    return value


def _metadata(resource: Resource) -> str:
    line = " # the name people search for" if resource.line_comment else ""
    text = f"metadata:\n  name: {quoted(resource.name, resource.quote)}{line}\n"
    if resource.namespace:
        text += f"  namespace: {resource.namespace}\n"
    if resource.kind in ("Deployment", "Service"):
        text += f"  labels:\n    app: {resource.name}\n"
    return text


def resource_text(resource: Resource, wide: bool) -> str:
    dash = "  - " if wide else "- "
    cont = "    " if wide else "  "
    head = f"# {resource.comment}\n" if resource.comment else ""
    api = {"Deployment": "apps/v1", "K8sRequiredLabels": "constraints.gatekeeper.sh/v1beta1"}.get(resource.kind, "v1")
    text = f"{head}apiVersion: {api}\nkind: {resource.kind}\n{_metadata(resource)}"
    if resource.kind == "Deployment":
        replicas = " # kpt-set: ${replicas}" if resource.setters else ""
        image = " # kpt-set: ${image}:${tag}" if resource.setters and ":" in resource.image else ""
        pad = "      "
        # An array setter on a block sequence (on a flow one, apply-setters leaves the old comment on
        # the value, which yaml.v3 then writes after the next key: see test_apply_setters_* below).
        command = (f"{pad}{cont}command: # kpt-set: ${{command}}\n{pad}{cont}{dash}nginx\n{pad}{cont}{dash}-g\n"
                   if resource.setters else "")
        text += (f"spec:\n  replicas: {resource.replicas}{replicas}\n"
                 f"  selector:\n    matchLabels:\n      app: {resource.name}\n"
                 f"  template:\n    metadata:\n      labels:\n        app: {resource.name}\n"
                 f"    spec:\n      containers:\n"
                 f"{pad}{dash}name: {quoted(resource.name, resource.quote)}\n"
                 f"{pad}{cont}image: {quoted(resource.image, resource.quote)}{image}\n"
                 f"{pad}{cont}args: [\"--port\", \"8080\"]\n{command}"
                 f"{pad}{cont}envFrom:\n{pad}{cont}{dash}configMapRef:\n"
                 f"{pad}{cont}{cont}    name: {resource.name}-env\n")
    elif resource.kind == "Service":
        text += (f"spec:\n  selector:\n    app: {resource.name}\n  ports:\n"
                 f"{dash}port: 80 # public\n{cont}targetPort: {quoted('8080', 'double')}\n")
    elif resource.kind == "ConfigMap":
        text += (f"data:\n  owner: {quoted('team-' + resource.name, resource.quote)} # who to call\n"
                 f"  replicas: \"{resource.replicas}\"\n  endpoint: {resource.name}.svc\n"
                 f"  image: {resource.image}\n")
        text += "".join(f"  value-{index}: {_tricky(TRICKY_VALUES[index])}\n" for index in resource.tricky)
    elif resource.kind == "K8sRequiredLabels":
        text += (f"spec:\n  enforcementAction: dryrun\n  match:\n    kinds:\n"
                 f"{dash}apiGroups: [\"\"]\n{cont}kinds: [\"Namespace\"]\n"
                 f"  parameters:\n    labels: [\"owner\"]\n")
    return text


def _tricky(value: str) -> str:
    # "- not a list" must be quoted to be a string; kept as a deliberately plain-looking quoted one.
    return f"'{value}'" if value.startswith("- ") else value.rstrip("\n")


@st.composite
def resources(draw: st.DrawFn, kinds: tuple[str, ...]) -> Resource:
    kind = draw(st.sampled_from(kinds))
    name = draw(st.sampled_from(NAMES))
    namespace = None if kind == "Namespace" else draw(st.none() | st.sampled_from(NAMESPACES))
    return Resource(
        kind=kind, name=name, namespace=namespace, image=draw(st.sampled_from(IMAGES)),
        quote=draw(st.sampled_from(QUOTES)), comment=draw(st.none() | st.sampled_from(("owned by team a", "TODO"))),
        line_comment=draw(st.booleans()), setters=draw(st.booleans()), replicas=draw(st.integers(1, 5)),
        tricky=tuple(draw(st.lists(st.integers(0, len(TRICKY_VALUES) - 1), max_size=4, unique=True))))


KINDS = ("Deployment", "Service", "ConfigMap", "Namespace")


@st.composite
def packages(draw: st.DrawFn, extra_kinds: tuple[str, ...] = (), subpackage: bool = True) -> PackageSpec:
    """1–4 resource files of 1–3 resources each (unique kind+name), maybe a `sub/` subpackage."""
    found = draw(st.lists(resources(KINDS + extra_kinds), min_size=1, max_size=7,
                          unique_by=lambda r: (r.kind, r.name)))
    file_count = draw(st.integers(1, min(4, len(found))))
    groups: list[list[Resource]] = [[] for _ in range(file_count)]
    for index, resource in enumerate(found):
        groups[index % file_count if index < file_count else draw(st.integers(0, file_count - 1))].append(resource)
    with_sub = subpackage and len(groups) > 1 and draw(st.booleans())
    spec = PackageSpec(resources=found)
    for index, group in enumerate(groups):
        wide = draw(st.booleans())
        directory = "sub/" if with_sub and index == len(groups) - 1 else ""
        name = f"{directory}{group[0].kind.lower()}-{index}.yaml"
        spec.files[name] = "---\n".join(resource_text(r, wide) for r in group)
    return spec


@dataclass(frozen=True)
class FnConfig:
    """One pipeline step's config: inline ``configMap``, or a file referenced by ``configPath``."""

    config_map: dict[str, str] | None = None
    config_file: str | None = None  # YAML text of the functionConfig
    extra_files: tuple[tuple[str, str], ...] = ()  # more package files the config relies on


def config_map_file(data: dict[str, str], name: str = "fn-config") -> str:
    body = "".join(f"  {key}: {quoted(value, 'double')}\n" for key, value in data.items())
    return (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  annotations:\n"
            f"    config.kubernetes.io/local-config: \"true\"\ndata:\n{body}")


@st.composite
def data_config(draw: st.DrawFn, data: dict[str, str]) -> FnConfig:
    """A ConfigMap-data config, inline or as a file (both are common in real Kptfiles)."""
    if draw(st.booleans()):
        return FnConfig(config_map=data)
    return FnConfig(config_file=config_map_file(data))


def kptfile_text(name: str, image: str, steps: list[tuple[str, FnConfig]], validator: bool = False) -> str:
    """A Kptfile; each step is (config path or "", config). The step list may be empty."""
    text = f"apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: {name}\n  annotations:\n" \
           f"    config.kubernetes.io/local-config: \"true\"\ninfo:\n  description: generated package\n"
    if not steps:
        return text
    text += "pipeline:\n  validators:\n" if validator else "pipeline:\n  mutators:\n"
    for config_path, config in steps:
        text += f"    - image: {image}\n"
        if config.config_map is not None:
            text += "      configMap:\n" + "".join(
                f"        {key}: {quoted(value, 'double')}\n" for key, value in config.config_map.items())
        elif config_path:
            text += f"      configPath: {config_path}\n"
    return text
