"""set-labels v0.1.x: kustomize's commonLabels transformer, local-config items included.

The field specs are kustomize's defaults of that era (selectors, pod templates, pod affinity,
topology spread, volume claim templates, network policy peers) after the user's
``additionalLabelFields``. It reports no results on success.
"""

from __future__ import annotations

from bot.render.functions import _common as c
from bot.render.functions import _kustomize as k
from bot.render.resourcelist import ResourceList
from bot.render.yaml.node import Kind, Node

_TEMPLATE = "spec/template/metadata/labels"
_SELECTOR = "spec/selector/matchLabels"
_AFFINITY = "spec/template/spec/affinity"
_AFFINITY_PATHS = (
    f"{_AFFINITY}/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
    f"{_AFFINITY}/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
    f"{_AFFINITY}/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
    f"{_AFFINITY}/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
)
_TOPOLOGY = "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels"


def label_field_specs() -> list[k.FieldSpec]:
    """kustomize's default ``commonLabels`` field specs, in kustomize's order."""
    fs = k.FieldSpec
    specs = [
        fs("metadata/labels", create=True),
        fs("spec/selector", version="v1", kind="Service", create=True),
        fs("spec/selector", version="v1", kind="ReplicationController", create=True),
        fs(_TEMPLATE, version="v1", kind="ReplicationController", create=True),
        fs(_SELECTOR, kind="Deployment", create=True),
        fs(_TEMPLATE, kind="Deployment", create=True),
        *(fs(path, group="apps", kind="Deployment") for path in _AFFINITY_PATHS),
        fs(_TOPOLOGY, group="apps", kind="Deployment"),
        fs(_SELECTOR, group="extensions", version="v1beta1", kind="ReplicaSet"),
        fs(_SELECTOR, kind="ReplicaSet", create=True),
        fs(_TEMPLATE, kind="ReplicaSet", create=True),
        fs(_SELECTOR, group="extensions", version="v1beta1", kind="DaemonSet"),
        fs(_SELECTOR, kind="DaemonSet", create=True),
        fs(_TEMPLATE, kind="DaemonSet", create=True),
        fs(_SELECTOR, group="apps", version="v1beta1", kind="StatefulSet"),
        fs(_SELECTOR, group="apps", kind="StatefulSet", create=True),
        fs(_TEMPLATE, group="apps", kind="StatefulSet", create=True),
        *(fs(path, group="apps", kind="StatefulSet") for path in _AFFINITY_PATHS),
        fs(_TOPOLOGY, group="apps", kind="StatefulSet"),
        fs("spec/volumeClaimTemplates[]/metadata/labels", group="apps", kind="StatefulSet", create=True),
        fs(_SELECTOR, group="batch", kind="Job"),
        fs(_TEMPLATE, group="batch", kind="Job", create=True),
        fs("spec/jobTemplate/spec/selector/matchLabels", group="batch", kind="CronJob"),
        fs("spec/jobTemplate/metadata/labels", group="batch", kind="CronJob", create=True),
        fs("spec/jobTemplate/spec/template/metadata/labels", group="batch", kind="CronJob", create=True),
        fs(_SELECTOR, group="policy", kind="PodDisruptionBudget"),
        fs("spec/podSelector/matchLabels", group="networking.k8s.io", kind="NetworkPolicy"),
        fs("spec/ingress/from/podSelector/matchLabels", group="networking.k8s.io", kind="NetworkPolicy"),
        fs("spec/egress/to/podSelector/matchLabels", group="networking.k8s.io", kind="NetworkPolicy"),
    ]
    return specs


class _ConfigError(Exception):
    pass


def _read_config(config: Node | None) -> tuple[dict[str, str], list[k.FieldSpec]]:
    obj = config if config is not None else Node.mapping()
    av, kind = c.api_version(obj), c.kind(obj)
    extra: list[k.FieldSpec] = []
    if (av, kind) == ("v1", "ConfigMap"):
        source = obj.get("data")
    elif av == "fn.kpt.dev/v1alpha1" and kind in ("SetLabels", "SetLabelConfig"):
        source = obj.get("labels")
        fields = obj.get("additionalLabelFields")
        if fields is not None and fields.kind is Kind.SEQUENCE:
            extra = [k.field_spec_from_node(element) for element in fields.content]
    else:
        raise _ConfigError("`functionConfig` must be either a `ConfigMap` or `SetLabels`")
    labels = {}
    if source is not None and source.kind is Kind.MAPPING:
        labels = {key.value: value.value for key, value in source.pairs() if value.kind is Kind.SCALAR}
    if not labels:
        raise _ConfigError("input label list cannot be empty")
    return labels, extra + label_field_specs()


def run_v015(rl: ResourceList) -> None:
    try:
        labels, specs = _read_config(rl.function_config)
        k.check_resmap(rl.items)
        for item in rl.items:
            for key in sorted(labels):
                def setter(node: Node, _path: list[str], key: str = key) -> None:
                    k.set_entry(node, key, labels[key])

                for spec in specs:
                    k.apply_field_spec(item, spec, setter)
    except (_ConfigError, k.KustomizeError) as err:
        rl.results.append(c.result(str(err), c.ERROR))
        c.fail(f"[error]: {err}")
