"""``ctx.open_api`` for the builtin starlark runtime: a reduced Kubernetes OpenAPI document.

The catalog image exposes kyaml's whole built-in Kubernetes swagger (several MB). We ship only
the part programs use to recognise kinds: one definition per built-in kind, keyed as in the
swagger, with its ``x-kubernetes-group-version-kind``. A program that reads properties of a
definition will not find them here and fails; such pipelines belong on the docker runtime.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

# (definition prefix, group, version, kinds)
_KINDS: tuple[tuple[str, str, str, str], ...] = (
    ("io.k8s.api.core.v1", "", "v1",
     "Binding ConfigMap Endpoints Event LimitRange Namespace Node PersistentVolume PersistentVolumeClaim Pod "
     "PodTemplate ReplicationController ResourceQuota Secret Service ServiceAccount"),
    ("io.k8s.api.apps.v1", "apps", "v1", "ControllerRevision DaemonSet Deployment ReplicaSet StatefulSet"),
    ("io.k8s.api.batch.v1", "batch", "v1", "CronJob Job"),
    ("io.k8s.api.autoscaling.v1", "autoscaling", "v1", "HorizontalPodAutoscaler"),
    ("io.k8s.api.autoscaling.v2", "autoscaling", "v2", "HorizontalPodAutoscaler"),
    ("io.k8s.api.policy.v1", "policy", "v1", "PodDisruptionBudget"),
    ("io.k8s.api.networking.v1", "networking.k8s.io", "v1", "Ingress IngressClass NetworkPolicy"),
    ("io.k8s.api.rbac.v1", "rbac.authorization.k8s.io", "v1", "ClusterRole ClusterRoleBinding Role RoleBinding"),
    ("io.k8s.api.storage.v1", "storage.k8s.io", "v1", "CSIDriver CSINode StorageClass VolumeAttachment"),
    ("io.k8s.api.scheduling.v1", "scheduling.k8s.io", "v1", "PriorityClass"),
    ("io.k8s.api.coordination.v1", "coordination.k8s.io", "v1", "Lease"),
    ("io.k8s.api.discovery.v1", "discovery.k8s.io", "v1", "EndpointSlice"),
    ("io.k8s.api.certificates.v1", "certificates.k8s.io", "v1", "CertificateSigningRequest"),
    ("io.k8s.api.admissionregistration.v1", "admissionregistration.k8s.io", "v1",
     "MutatingWebhookConfiguration ValidatingWebhookConfiguration"),
    ("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1", "apiextensions.k8s.io", "v1",
     "CustomResourceDefinition"),
    ("io.k8s.kube-aggregator.pkg.apis.apiregistration.v1", "apiregistration.k8s.io", "v1", "APIService"),
)


@lru_cache(maxsize=1)
def open_api_document() -> dict[str, Any]:
    definitions: dict[str, Any] = {}
    for prefix, group, version, kinds in _KINDS:
        for kind in kinds.split():
            definitions[f"{prefix}.{kind}"] = {
                "type": "object",
                "x-kubernetes-group-version-kind": [{"group": group, "kind": kind, "version": version}],
            }
    return {"swagger": "2.0", "info": {"title": "Kubernetes", "version": "v1.21.2"},
            "definitions": definitions}
