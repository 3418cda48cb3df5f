"""set-labels as the catalog's master and ghcr releases (v0.2.x) do it, on the functions SDK.

Local-config items are left alone. Labels go to metadata and to the selector / pod-template /
volume-claim / network-policy paths of the kinds that have them, in sorted key order; an
existing key with the same value is not touched. The "set N labels" total counts every
(path, label) visit, not changes, exactly as the image does. v0.1.x lives in ``_set_labels_v01``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.render.functions import _common as c
from bot.render.functions._set_labels_v01 import run_v015
from bot.render.functions.registry import register_releases
from bot.render.resourcelist import ResourceList
from bot.render.yaml.node import STR, Kind, Node

KPT_FUNCTION_GROUP = "fn.kpt.dev"


class LabelError(Exception):
    pass


@dataclass
class Sub:
    """The SDK's SubObject: a mapping plus what its type-mismatch errors print."""

    node: Node
    fieldpath: str = ""
    kind: str = ""

    def get_map(self, key: str) -> Sub | None:
        child = self.node.get(key)
        if child is None or child.kind is not Kind.MAPPING:
            return None
        return Sub(child, f"{self.fieldpath}.{key}", self.kind)

    def get_slice(self, key: str) -> list[Sub]:
        child = self.node.get(key)
        if child is None or child.kind is not Kind.SEQUENCE:
            return []
        if any(element.kind is not Kind.MAPPING for element in child.content):
            return []  # the SDK gives up on the whole list
        return [Sub(element) for element in child.content]

    def mismatch(self, fields: list[str]) -> LabelError:
        return LabelError(f"Resource(apiVersion=, kind={self.kind}) has unmatched field type \"string\" "
                          f"in fieldpath {self.fieldpath}.{'.'.join(fields)}")


class Labeller:
    def __init__(self, labels: dict[str, str]) -> None:
        self.labels = labels
        self.count = 0

    def update(self, obj: Sub | None, path: list[str], create: bool) -> None:
        if obj is None:
            return
        for key in sorted(self.labels):
            value = self.labels[key]
            fields = [*path, key]
            parent: Node | None = obj.node
            for field in path:
                assert parent is not None
                child = parent.get(field)
                if child is not None and child.kind is not Kind.MAPPING:
                    raise obj.mismatch(fields)
                parent = child
                if parent is None:
                    break
            leaf = parent.get(key) if parent is not None else None
            if leaf is not None and (leaf.kind is not Kind.SCALAR or leaf.tag != STR):
                raise obj.mismatch(fields)
            if (leaf is not None and leaf.value != value) or (leaf is None and create):
                c.set_nested_string(obj.node, value, *fields)
            self.count += 1

    def meta(self, obj: Sub | None) -> None:
        self.update(obj, ["metadata", "labels"], True)

    def pod(self, pod: Sub | None) -> None:
        if pod is None:
            return
        self.meta(pod)
        spec = pod.get_map("spec")
        if spec is None:
            return
        for constraint in spec.get_slice("topologySpreadConstraints"):
            self.update(constraint, ["labelSelector", "matchLabels"], False)
        affinity = spec.get_map("affinity")
        if affinity is None:
            return
        for kind in ("podAffinity", "podAntiAffinity"):
            # The image reads the terms from `affinity` itself, not from podAffinity (a bug we keep).
            if affinity.get_map(kind) is None:
                continue
            for term in affinity.get_slice("preferredDuringSchedulingIgnoredDuringExecution"):
                self.update(term.get_map("podAffinityTerm"), ["labelSelector", "matchLabels"], False)
            for term in affinity.get_slice("requiredDuringSchedulingIgnoredDuringExecution"):
                self.update(term, ["labelSelector", "matchLabels"], False)

    def item(self, item: Node) -> None:
        obj = Sub(item, "", c.kind(item))
        self.meta(obj)
        if c.is_gvk(item, "", "v1", "Service") or c.is_gvk(item, "", "v1", "ReplicationController"):
            self.update(obj, ["spec", "selector"], True)
        # one selector rule per item: the create kinds are checked first (an item without a kind
        # matches every loose GVK check, so this order matters)
        if any(c.is_gvk(item, g, "", k) for g, k in (("", "Deployment"), ("", "ReplicaSet"),
                                                      ("", "DaemonSet"), ("apps", "StatefulSet"))):
            self.update(obj, ["spec", "selector", "matchLabels"], True)
        elif c.is_gvk(item, "batch", "", "Job") or c.is_gvk(item, "policy", "", "PodDisruptionBudget"):
            self.update(obj, ["spec", "selector", "matchLabels"], False)
        network_policy = c.is_gvk(item, "networking.k8s.io", "", "NetworkPolicy")
        if network_policy:
            self.update(obj, ["spec", "podSelector", "matchLabels"], False)
        spec = obj.get_map("spec")
        if spec is None:
            return
        if _has_pod_template(item):
            try:
                self.pod(spec.get_map("template"))
            except LabelError:
                return  # the image swallows pod-template errors and skips the rest of the item
        if c.is_gvk(item, "batch", "", "CronJob"):
            self._job(spec.get_map("jobTemplate"))
        if c.is_gvk(item, "apps", "", "StatefulSet"):
            for volume in spec.get_slice("volumeClaimTemplates"):
                self.meta(volume)
                self.update(volume, ["selector", "matchLabels"], False)
        if network_policy:
            for direction, peers in (("ingress", "from"), ("egress", "to")):
                for rule in spec.get_slice(direction):
                    for peer in rule.get_slice(peers):
                        self.update(peer, ["podSelector", "matchLabels"], False)

    def _job(self, job: Sub | None) -> None:
        if job is None:
            return
        self.meta(job)
        spec = job.get_map("spec")
        if spec is None:
            raise _Panic("runtime error: invalid memory address or nil pointer dereference")
        self.update(spec, ["selector", "matchLabels"], False)
        self.pod(spec.get_map("template"))


class _Panic(Exception):
    pass


def _has_pod_template(item: Node) -> bool:
    return (c.is_gvk(item, "", "v1", "ReplicationController")
            or any(c.is_gvk(item, g, "", k) for g, k in (("", "Deployment"), ("", "ReplicaSet"),
                                                          ("", "DaemonSet"), ("apps", "StatefulSet"),
                                                          ("batch", "Job"))))


def read_config(config: Node) -> dict[str, str]:
    """runnerProcessor.config for SetLabels: a ConfigMap's data or SetLabels.labels."""
    group = c.group(config) if c.api_version(config).count("/") <= 1 else ""
    kind = c.kind(config)
    if (group, kind) == ("", "ConfigMap"):
        data = config.get("data")
        if data is None or data.kind is not Kind.MAPPING:
            return {}
        return {key.value: value.value for key, value in data.pairs()}
    if (group, kind) == (KPT_FUNCTION_GROUP, "SetLabels"):
        labels = config.get("labels")
        if labels is None or labels.is_null():
            return {}
        prefix = "unable to convert object to *setlabels.SetLabels with error: json: cannot unmarshal"
        if labels.kind is not Kind.MAPPING:
            raise LabelError(f"{prefix} {c.go_json_type(labels)} into Go struct field SetLabels.labels "
                             "of type map[string]string")
        for key, value in labels.pairs():
            if c.go_json_type(value) not in ("string", "null"):
                raise LabelError(f"{prefix} {c.go_json_type(value)} into Go struct field "
                                 f"SetLabels.labels.{key.value} of type string")
        return {key.value: value.value for key, value in labels.pairs() if not value.is_null()}
    shown = f"{kind}.{group}" if group else kind
    raise LabelError(f"unknown FunctionConfig `{shown}`, expect `SetLabels.fn.kpt.dev` or `ConfigMap.v1`")


def _is_placeholder(config: Node) -> bool:
    """set-labels' EmptyfnConfig: kpt's empty placeholders mean "no config"."""
    if c.kind(config) == "ConfigMap" and c.name(config) == "function-input":
        data = config.get("data")
        return data is None or data.kind is not Kind.MAPPING or not data.content
    return c.kind(config) == "" and c.name(config) == ""


def run_master(rl: ResourceList) -> None:
    config = rl.function_config if rl.function_config is not None else Node.mapping()
    labels: dict[str, str] = {}
    data = config.get("data")
    sdk_placeholder = (c.kind(config) == "ConfigMap" and c.name(config) == "function-input"
                       and data is not None and data.kind is Kind.MAPPING and not data.content)
    if c.is_empty_config(config) or sdk_placeholder:
        rl.results.append(c.result("`FunctionConfig` is not given", c.INFO))
    else:
        try:
            labels = read_config(config)
        except LabelError as err:
            rl.results.append(c.result(str(err), c.ERROR))
            c.fail()
    objects = [item for item in rl.items if not c.is_local_config(item)]
    if not objects:
        rl.results.append(c.result("no input resources", c.INFO))
        c.sdk_sort_items(rl)
        return
    if _is_placeholder(config):
        c.fail()
    if not labels:
        rl.results.append(c.result("no `labels` arguments are given in FunctionConfig", c.WARNING))
        c.sdk_sort_items(rl)
        return
    labeller = Labeller(labels)
    failed = False
    for item in objects:
        try:
            labeller.item(item)
        except LabelError as err:
            rl.results.append(c.result(str(err), c.ERROR))
            failed = True
        except _Panic as err:
            c.fail(f"failed to evaluate function: {err}")
    rl.results.append(c.result(f"set {labeller.count} labels in total", c.INFO))
    if failed:
        c.fail()
    c.sdk_sort_items(rl)


register_releases("set-labels", [
    (("unstable", "latest", "v0.2.1", "v0.2.2", "v0.2.5"),
     "set-labels of the catalog's master and ghcr v0.2.x releases (local config untouched)", run_master),
    (("v0.1.5", "v0.1"), "set-labels v0.1.5: kustomize's commonLabels, local config labelled too", run_v015),
])
