"""Helpers shared by the builtin catalog functions.

Each helper mirrors one piece of the Go libraries the catalog images are built on (the kpt
functions SDK ``go/fn``, kyaml, kustomize), because the output must be byte-identical to the
image's: the same items touched, the same nodes replaced or edited in place, the same result
messages. The Go names are given where it helps a reader compare behaviour.

The registry skips this module on import (leading underscore); function modules import it.
"""

from __future__ import annotations

import re
from typing import NoReturn

from bot.render import kpt_keys as keys
from bot.render.functions._gotext import go_json as go_json
from bot.render.functions._gotext import go_json_type as go_json_type
from bot.render.functions._gotext import go_list as go_list
from bot.render.functions._gotext import go_quote as go_quote
from bot.render.functions._gotext import is_yaml11_non_string as is_yaml11_non_string
from bot.render.resourcelist import ResourceList, ResourceRef, Result, ResultFile
from bot.render.runtimes.base import FunctionError
from bot.render.yaml.node import MAP, STR, Kind, Node, Style

LOCAL_CONFIG_ANNOTATION = keys.LOCAL_CONFIG
UPSTREAM_IDENTIFIER_ANNOTATION = keys.UPSTREAM_IDENTIFIER
DEPENDS_ON_ANNOTATION = keys.DEPENDS_ON
PATH_ANNOTATIONS = keys.PATH_KEYS
INDEX_ANNOTATIONS = keys.INDEX_KEYS

DEFAULT_NAMESPACE = "default"
UNKNOWN_NAMESPACE = "~C"  # the SDK's marker for cluster-scoped or unknown-scope origins

INFO, WARNING, ERROR = "info", "warning", "error"

# What a function on the kpt functions SDK prints when its processor reports failure.
SDK_FAILURE_STDERR = "failed to evaluate function: error: function failure"

# ---- reading fields the way the SDK does ---------------------------------------------------


def scalar_str(node: Node | None) -> str:
    """The SDK's GetNestedString: the value of a ``!!str`` scalar, else ""."""
    if node is None or node.kind is not Kind.SCALAR or node.tag not in (STR, ""):
        return ""
    return node.value


def nested_str(node: Node, *keys: str) -> str:
    current: Node | None = node
    for key in keys:
        if current is None or current.kind is not Kind.MAPPING:
            return ""
        current = current.get(key)
    return scalar_str(current)


def has_nested(node: Node, *keys: str) -> bool:
    current: Node | None = node
    for key in keys:
        if current is None or current.kind is not Kind.MAPPING:
            return False
        current = current.get(key)
    return current is not None


def api_version(item: Node) -> str:
    return nested_str(item, "apiVersion")


def kind(item: Node) -> str:
    return nested_str(item, "kind")


def name(item: Node) -> str:
    return nested_str(item, "metadata", "name")


def namespace(item: Node) -> str:
    return nested_str(item, "metadata", "namespace")


def has_namespace(item: Node) -> bool:
    return has_nested(item, "metadata", "namespace")


def split_group_version(api_version_value: str) -> tuple[str, str]:
    """The SDK's ParseGroupVersion: split at the first "/"; no "/" means the core group."""
    group, sep, version = api_version_value.partition("/")
    return (group, version) if sep else ("", api_version_value)


def group(item: Node) -> str:
    return split_group_version(api_version(item))[0]


def annotation_map(item: Node) -> dict[str, str]:
    """metadata.annotations as strings (every scalar's text, as the SDK's string map reads it)."""
    return _string_map(item, "annotations")


def label_map(item: Node) -> dict[str, str]:
    """metadata.labels as strings, read like ``annotation_map``."""
    return _string_map(item, "labels")


def _string_map(item: Node, field: str) -> dict[str, str]:
    node = item.path("metadata", field)
    if node is None or node.kind is not Kind.MAPPING:
        return {}
    return {k.value: v.value for k, v in node.pairs()}


def annotation(item: Node, key: str) -> str:
    return nested_str(item, "metadata", "annotations", key)


def is_local_config(item: Node) -> bool:
    """Any value but "" and "false" marks local config (the SDK's IsLocalConfig)."""
    value = annotation(item, LOCAL_CONFIG_ANNOTATION)
    return value not in ("", "false")


def file_path(item: Node) -> str:
    for key in PATH_ANNOTATIONS:
        value = annotation(item, key)
        if value:
            return value
    return ""


def file_index(item: Node) -> int:
    """The index annotation, -1 when absent (the SDK's IndexAnnotation)."""
    for key in INDEX_ANNOTATIONS:
        value = annotation(item, key)
        if value:
            try:
                return int(value)
            except ValueError:
                return 0
    return -1


def is_gvk(item: Node, group_name: str, version: str, kind_name: str) -> bool:
    """The SDK's deprecated IsGVK: a part that is empty on either side matches anything."""
    item_group, item_version = split_group_version(api_version(item))
    item_kind = kind(item)
    if item_kind and kind_name and item_kind != kind_name:
        return False
    if item_group and group_name and item_group != group_name:
        return False
    return not (item_version and version and item_version != version)


def short_string(item: Node) -> str:
    return (f"Resource(apiVersion={api_version(item)}, kind={kind(item)}, "
            f"namespace={namespace(item)}, name={name(item)})")


# ---- scope: the SDK's copy of kyaml's precomputed table ------------------------------------

_CLUSTER_SCOPED = {
    "admissionregistration.k8s.io/v1": ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"),
    "admissionregistration.k8s.io/v1beta1": ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"),
    "apiextensions.k8s.io/v1": ("CustomResourceDefinition",),
    "apiextensions.k8s.io/v1beta1": ("CustomResourceDefinition",),
    "apiregistration.k8s.io/v1": ("APIService",),
    "apiregistration.k8s.io/v1beta1": ("APIService",),
    "certificates.k8s.io/v1": ("CertificateSigningRequest",),
    "certificates.k8s.io/v1beta1": ("CertificateSigningRequest",),
    "flowcontrol.apiserver.k8s.io/v1beta1": ("FlowSchema", "PriorityLevelConfiguration"),
    "networking.k8s.io/v1": ("IngressClass",),
    "networking.k8s.io/v1beta1": ("IngressClass",),
    "node.k8s.io/v1": ("RuntimeClass",),
    "node.k8s.io/v1beta1": ("RuntimeClass",),
    "policy/v1beta1": ("PodSecurityPolicy",),
    "rbac.authorization.k8s.io/v1": ("ClusterRole", "ClusterRoleBinding"),
    "rbac.authorization.k8s.io/v1beta1": ("ClusterRole", "ClusterRoleBinding"),
    "scheduling.k8s.io/v1": ("PriorityClass",),
    "scheduling.k8s.io/v1beta1": ("PriorityClass",),
    "storage.k8s.io/v1": ("CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"),
    "storage.k8s.io/v1beta1": ("CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"),
    "v1": ("ComponentStatus", "Namespace", "Node", "NodeProxyOptions", "PersistentVolume"),
}
_NAMESPACED = {
    "apps/v1": ("ControllerRevision", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"),
    "autoscaling/v1": ("HorizontalPodAutoscaler", "Scale"),
    "autoscaling/v2beta1": ("HorizontalPodAutoscaler",),
    "autoscaling/v2beta2": ("HorizontalPodAutoscaler",),
    "batch/v1": ("CronJob", "Job"),
    "batch/v1beta1": ("CronJob",),
    "coordination.k8s.io/v1": ("Lease",),
    "coordination.k8s.io/v1beta1": ("Lease",),
    "discovery.k8s.io/v1": ("EndpointSlice",),
    "discovery.k8s.io/v1beta1": ("EndpointSlice",),
    "events.k8s.io/v1": ("Event",),
    "events.k8s.io/v1beta1": ("Event",),
    "extensions/v1beta1": ("Ingress",),
    "networking.k8s.io/v1": ("Ingress", "NetworkPolicy"),
    "networking.k8s.io/v1beta1": ("Ingress",),
    "policy/v1": ("PodDisruptionBudget",),
    "policy/v1beta1": ("PodDisruptionBudget",),
    "rbac.authorization.k8s.io/v1": ("Role", "RoleBinding"),
    "rbac.authorization.k8s.io/v1beta1": ("Role", "RoleBinding"),
    "storage.k8s.io/v1beta1": ("CSIStorageCapacity",),
    "v1": ("ConfigMap", "Endpoints", "Event", "LimitRange", "PersistentVolumeClaim", "Pod",
           "PodAttachOptions", "PodExecOptions", "PodPortForwardOptions", "PodProxyOptions",
           "PodTemplate", "ReplicationController", "ResourceQuota", "Secret", "Service",
           "ServiceAccount", "ServiceProxyOptions"),
}
NAMESPACE_SCOPED: dict[tuple[str, str], bool] = {
    **{(av, k): False for av, kinds in _CLUSTER_SCOPED.items() for k in kinds},
    **{(av, k): True for av, kinds in _NAMESPACED.items() for k in kinds},
}


def is_namespace_scoped(item: Node) -> bool:
    """Known kinds from the table; any other kind is namespaced only when it has metadata.namespace."""
    known = NAMESPACE_SCOPED.get((api_version(item), kind(item)))
    if known is not None:
        return known
    return has_namespace(item)


def effective_namespace(item: Node) -> str:
    if has_namespace(item):
        return namespace(item)
    return DEFAULT_NAMESPACE if is_namespace_scoped(item) else UNKNOWN_NAMESPACE


# ---- writing fields the way the SDK does ---------------------------------------------------


def string_scalar(value: str) -> Node:
    """A fresh ``!!str`` scalar with no style: the emitter quotes it the way yaml.v3 would."""
    return Node.scalar(value, STR, Style.NONE)


def replace_value(mapping: Node, key: str, value: Node) -> Node:
    """Set ``key`` to a new node, keeping the comments of the node it replaces (the SDK's setYAMLNode)."""
    old = mapping.get(key)
    if old is not None:
        value.head_comment = old.head_comment
        value.line_comment = old.line_comment
        value.foot_comment = old.foot_comment
    return mapping.set(key, value)


def ensure_mapping(mapping: Node, key: str) -> Node:
    """The SDK's getMap(create=True): an existing mapping, or a new empty block mapping appended."""
    child = mapping.get(key)
    if child is not None and child.kind is Kind.MAPPING:
        return child
    if child is not None:
        raise TypeError(f"{key} is not a map")
    return mapping.set(key, Node(Kind.MAPPING, tag=MAP))


def set_nested_string(item: Node, value: str, *keys: str) -> None:
    """The SDK's SetNestedString: create missing maps, replace the leaf with a new string scalar."""
    node = item
    for key in keys[:-1]:
        node = ensure_mapping(node, key)
    replace_value(node, keys[-1], string_scalar(value))


# ---- results and failures ------------------------------------------------------------------


def result(message: str, severity: str = "") -> Result:
    return Result(message=message, severity=severity)


def config_object_result(message: str, severity: str, config: Node | None) -> Result:
    """The SDK's ConfigObjectResult: a resourceRef and file pointing at the functionConfig."""
    obj = config if config is not None else Node.mapping()
    return Result(
        message=message,
        severity=severity,
        resource_ref=ResourceRef(api_version=api_version(obj), kind=kind(obj), name=name(obj),
                                 namespace=namespace(obj)),
        file=ResultFile(path=file_path(obj), index=file_index(obj)),
    )


def fail(stderr: str = SDK_FAILURE_STDERR, message: str = "function failed") -> NoReturn:
    """End the run as the image would with exit code 1; results already appended stay."""
    raise FunctionError(message, exit_code=1, stderr=stderr)


def sdk_sort_items(rl: ResourceList) -> None:
    """The SDK sorts output items by "apiVersion kind namespace name" (Python's sort is stable)."""
    rl.items.sort(key=lambda item: f"{api_version(item)} {kind(item)} {namespace(item)} {name(item)}")


def is_empty_config(config: Node | None) -> bool:
    return config is None or (config.kind is Kind.MAPPING and not config.content)


_UPSTREAM_ID = re.compile(
    r"(?P<group>[a-z0-9-.]*)\|(?P<kind>[A-Z][a-zA-Z0-9]*)\|(?P<namespace>[a-z0-9-]{1,63}|~C)\|(?P<name>[a-z0-9-]{1,63})"
)


def parse_upstream_identifier(value: str) -> tuple[str, str, str, str] | None:
    """(group, kind, namespace, name) of an upstream-identifier annotation, None when malformed."""
    match = _UPSTREAM_ID.search(value.strip())
    if match is None:
        return None
    return match["group"], match["kind"], match["namespace"], match["name"]
