"""set-image (catalog ``set-image``), the 2022 rewrite on the kpt function SDK (SPECS §6.2).

Only the June 2025 master (``unstable``) is reproduced. The gcr ``v0.1.1`` image is the older
kustomize-imagetag implementation with different results, the 2026 rework behind ``latest`` keeps
tags and handles initContainers, and which of the two ghcr ``v0.1.2`` was built from is not known;
none of them is claimed, so ``--runtime auto`` runs them in their image.
The quirks are the image's: ``initContainers`` are never visited (the code looks up
``iniContainers``), and with neither ``newTag`` nor ``digest`` the old tag is appended without its ``:``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.render.functions import _common as c
from bot.render.functions._kustomize import FieldSpec, KustomizeError, apply_field_spec, field_spec_from_node
from bot.render.functions._legacy_fn import retag_plain
from bot.render.functions.registry import BuiltinFunction, register
from bot.render.resourcelist import ResourceList, Result
from bot.render.runtimes.base import FunctionError
from bot.render.yaml.node import Kind, Node

_TAG_CHARS = "[a-zA-Z0-9_.{}-]*"
POD_SPEC_TEMPLATE_KINDS = ("Deployment", "StatefulSet", "ReplicaSet", "DaemonSet", "PodTemplate")
IMAGE_KEYS = ("name", "newName", "newTag", "digest")


class SdkTerminated(Exception):
    """The SDK's ResultErrAndDie: an error result, then "function is terminated: <msg>"."""

    def __init__(self, message: str, config: Node | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.config = config


@dataclass
class ImageSpec:
    name: str = ""
    new_name: str = ""
    new_tag: str = ""
    digest: str = ""


@dataclass
class SetImage:
    image: ImageSpec = field(default_factory=ImageSpec)
    additional_fields: list[FieldSpec] | None = None
    count: int = 0
    errors: list[Result] = field(default_factory=list)

    @classmethod
    def from_config(cls, rl: ResourceList) -> SetImage:
        config = rl.function_config
        setter = cls()
        if config is None or c.is_empty_config(config):
            rl.results.append(c.result("`FunctionConfig` is not given", c.INFO))
        elif c.is_gvk(config, "", "v1", "ConfigMap"):
            setter._apply_data(_data_strings(config))
        elif c.is_gvk(config, "fn.kpt.dev", "v1alpha1", "SetImage"):
            image = config.get("image")
            if image is not None and image.kind is Kind.MAPPING:
                setter.image = ImageSpec(*(image.str_value(key) or "" for key in IMAGE_KEYS))
            setter._apply_data(_data_strings(config))
            extra = config.get("additionalImageFields")
            if extra is not None and not extra.is_null():
                elements = extra.content if extra.kind is Kind.SEQUENCE else []
                setter.additional_fields = [field_spec_from_node(element) for element in elements]
        else:
            kind = config.str_value("kind") or ""
            raise SdkTerminated(f"unknown FunctionConfig `{kind}`, expect SetImage", config)
        return setter

    def _apply_data(self, data: dict[str, str]) -> None:
        for key, value in data.items():
            if key not in IMAGE_KEYS:
                raise SdkTerminated(f"ConfigMap has wrong field name {key}")
            setattr(self.image, {"newName": "new_name", "newTag": "new_tag"}.get(key, key), value)

    def validate(self) -> None:
        if not self.image.name:
            raise SdkTerminated("must specify `name`")
        if not (self.image.new_name or self.image.new_tag or self.image.digest):
            raise SdkTerminated("must specify one of `newName`, `newTag`, or `digest`")

    def transform(self, items: list[Node]) -> None:
        for item in items:
            kind = item.str_value("kind")
            spec = item.get("spec")
            if spec is None or spec.kind is not Kind.MAPPING:
                continue
            if kind == "Pod":
                self._update_containers(spec)
            elif kind in POD_SPEC_TEMPLATE_KINDS:
                pod_spec = spec.path("template", "spec")
                if pod_spec is not None and pod_spec.kind is Kind.MAPPING:
                    self._update_containers(pod_spec)
        if self.additional_fields is not None:
            for item in items:
                if item.str_value("kind") == "CustomResourceDefinition":
                    continue  # kustomize's imagetag filter skips CRDs
                for field_spec in self.additional_fields:
                    try:
                        apply_field_spec(item, field_spec, self._set_additional)
                    except KustomizeError as error:
                        self.errors.append(c.result(str(error), c.ERROR))

    def _update_containers(self, pod_spec: Node) -> None:
        containers = pod_spec.get("containers")
        if containers is None or containers.kind is not Kind.SEQUENCE:
            return
        for container in containers.content:
            old = container.get("image")
            if old is None or old.kind is not Kind.SCALAR:
                continue
            if not is_image_matched(old.value, self.image.name):
                continue
            new = new_image_name(old.value, self.image)
            if new == old.value:
                continue
            c.replace_value(container, "image", c.string_scalar(new))
            self.count += 1

    def _set_additional(self, node: Node, _field_path: list[str]) -> None:
        """kustomize ``imageTagUpdater`` (api v0.19): every matched value counts, changed or not."""
        if node.kind is not Kind.SCALAR:
            raise KustomizeError(f"wrong node kind: expected ScalarNode but got {node.kind.name.title()}Node")
        if not is_image_matched(node.value, self.image.name):
            return
        name, tag, digest = split_image(node.value)
        if self.image.new_name:
            name = self.image.new_name
        if self.image.new_tag and self.image.digest:
            tag, digest = self.image.new_tag, self.image.digest
        elif self.image.new_tag:
            tag, digest = self.image.new_tag, ""
        elif self.image.digest:
            tag, digest = "", self.image.digest
        value = name + (":" + tag if tag else "") + ("@" + digest if digest else "")
        self.count += 1
        node.value = value
        retag_plain(node)


def is_image_matched(value: str, name: str) -> bool:
    # The name goes into the regex unescaped, as in kustomize; a bad pattern matches nothing.
    try:
        return re.search(f"^{name}(:{_TAG_CHARS})?(@sha256:{_TAG_CHARS})?\\Z", value) is not None
    except re.error:
        return False


def split_image(image: str) -> tuple[str, str, str]:
    """kustomize ``image.Split``: (name, tag, digest) without their separators."""
    slash = image.find("/")
    search = image[slash:] if slash > 0 else image
    offset = slash if slash > 0 else 0
    at = search.find("@")
    colon = search.find(":")
    if colon < 0 and at < 0:
        return image, "", ""
    if at >= 0 and (at < colon or colon < 0):
        at += offset
        return image[:at], "", image[at + 1 :]
    if at >= 0 and colon >= 0:
        at += offset
        colon += offset
        return image[:colon], image[colon + 1 : at], image[at + 1 :]
    colon += offset
    return image[:colon], image[colon + 1 :], ""


def new_image_name(old: str, image: ImageSpec) -> str:
    name, tag, digest = split_image(old)
    if image.new_name:
        name = image.new_name
    if image.new_tag:
        tag = ":" + image.new_tag
    if image.digest:
        tag = "@" + image.digest
    return name + (digest if tag == "" else tag)


def _data_strings(config: Node) -> dict[str, str]:
    data = config.get("data")
    if data is None or data.kind is not Kind.MAPPING:
        return {}
    return {key.value: value.value for key, value in data.pairs()}


def _terminate(rl: ResourceList, terminated: SdkTerminated) -> None:
    message = terminated.message
    if terminated.config is not None:
        rl.results.append(c.config_object_result(message, c.ERROR, terminated.config))
    else:
        rl.results.append(c.result(message, c.ERROR))
    rl.results.append(c.result(f"function is terminated: {message}", c.ERROR))
    stderr = f"failed to evaluate function: function is terminated: {message}"
    raise FunctionError(stderr, exit_code=1, stderr=stderr)


def run(rl: ResourceList) -> None:
    try:
        setter = SetImage.from_config(rl)
        setter.validate()
        setter.transform(rl.items)
    except SdkTerminated as terminated:
        _terminate(rl, terminated)
    rl.results.extend(setter.errors)
    rl.results.append(c.result(f"summary: updated a total of {setter.count} image(s)", c.INFO))


register(
    BuiltinFunction(
        name="set-image",
        description="Update container image names, tags and digests (SDK rewrite, June 2025 master)",
        tags=("unstable",),
        run=run,
    )
)
