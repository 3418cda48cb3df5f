"""kustomize's name-reference fixing (``FixNameBackReference``), for ensure-name-substring.

After resources are renamed, every field that refers to one of them by name (a Pod's
``configMapKeyRef.name``, a binding's ``roleRef.name``...) is pointed at the new name. The table
of referring fields is kustomize's default ``nameReference`` configuration; a reference is only
rewritten when exactly one candidate (after kustomize's sieves) used to carry the old name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bot.render.functions import _common as c
from bot.render.yaml.node import STR, Kind, Node


class NameRefError(Exception):
    pass


@dataclass(frozen=True)
class Gvk:
    group: str = ""
    version: str = ""
    kind: str = ""

    def selects(self, target: Gvk) -> bool:
        """kustomize ``target.IsSelected(self)``: every non-empty part of ``self`` must match."""
        return (
            (not self.group or self.group == target.group)
            and (not self.version or self.version == target.version)
            and (not self.kind or self.kind == target.kind)
        )


@dataclass
class Resource:
    """One item with the ids kustomize tracks for it while renaming."""

    node: Node
    previous_names: list[str] = field(default_factory=list)

    @property
    def gvk(self) -> Gvk:
        group, version = c.split_group_version(c.api_version(self.node))
        return Gvk(group, version, c.kind(self.node))

    @property
    def name(self) -> str:
        return c.name(self.node)

    @property
    def namespace(self) -> str:
        return c.namespace(self.node)

    def cluster_scoped(self) -> bool:
        # kustomize asks kyaml's OpenAPI data; a kind it does not know counts as namespaced.
        return c.NAMESPACE_SCOPED.get((c.api_version(self.node), c.kind(self.node))) is False

    def effective_namespace(self) -> str:
        if self.cluster_scoped():
            return "~X"
        return self.namespace or c.DEFAULT_NAMESPACE


# ---- kustomize's default nameReference table -------------------------------------------------

_WORKLOAD_POD_SPECS = {
    "Deployment": "spec/template/spec",
    "ReplicaSet": "spec/template/spec",
    "DaemonSet": "spec/template/spec",
    "StatefulSet": "spec/template/spec",
    "Job": "spec/template/spec",
    "CronJob": "spec/jobTemplate/spec/template/spec",
}
_CONFIGMAP_POD_FIELDS = (
    "volumes/configMap/name", "containers/env/valueFrom/configMapKeyRef/name",
    "initContainers/env/valueFrom/configMapKeyRef/name", "containers/envFrom/configMapRef/name",
    "initContainers/envFrom/configMapRef/name", "volumes/projected/sources/configMap/name",
)
_SECRET_POD_FIELDS = (
    "volumes/secret/secretName", "containers/env/valueFrom/secretKeyRef/name",
    "initContainers/env/valueFrom/secretKeyRef/name", "containers/envFrom/secretRef/name",
    "initContainers/envFrom/secretRef/name", "imagePullSecrets/name", "volumes/projected/sources/secret/name",
)
_SA_PVC_PC_KINDS = ("StatefulSet", "Deployment", "ReplicationController", "CronJob", "Job", "DaemonSet")

# (referrer field path, referrer gvk)
Referrer = tuple[str, Gvk]


def _pod_fields(suffixes: tuple[str, ...]) -> list[Referrer]:
    out = [(f"spec/{s}", Gvk(version="v1", kind="Pod")) for s in suffixes]
    out += [(f"template/spec/{s}", Gvk(kind="PodTemplate")) for s in suffixes]
    for kind, prefix in _WORKLOAD_POD_SPECS.items():
        out += [(f"{prefix}/{s}", Gvk(kind=kind)) for s in suffixes]
    return out


def _name_reference_table() -> list[tuple[Gvk, list[Referrer]]]:
    rbac = "rbac.authorization.k8s.io"
    hpa: list[Referrer] = [("spec/scaleTargetRef/name", Gvk(kind="HorizontalPodAutoscaler"))]
    resource_names: list[Referrer] = [("rules/resourceNames", Gvk(kind="Role")),
                                      ("rules/resourceNames", Gvk(kind="ClusterRole"))]
    ingress_annotation = "metadata/annotations/nginx.ingress.kubernetes.io\\/"
    return [
        *[(Gvk(kind=k), hpa) for k in ("Deployment", "ReplicationController", "ReplicaSet", "StatefulSet")],
        (Gvk(version="v1", kind="ConfigMap"), [
            *_pod_fields(_CONFIGMAP_POD_FIELDS),
            ("spec/configSource/configMap", Gvk(kind="Node")),
            *resource_names,
            (ingress_annotation + "fastcgi-params-configmap", Gvk(kind="Ingress")),
        ]),
        (Gvk(version="v1", kind="Secret"), [
            *_pod_fields(_SECRET_POD_FIELDS),
            ("spec/tls/secretName", Gvk(kind="Ingress")),
            ("metadata/annotations/ingress.kubernetes.io\\/auth-secret", Gvk(kind="Ingress")),
            (ingress_annotation + "auth-secret", Gvk(kind="Ingress")),
            (ingress_annotation + "auth-tls-secret", Gvk(kind="Ingress")),
            ("imagePullSecrets/name", Gvk(kind="ServiceAccount")),
            *[(f"parameters/{p}", Gvk(kind="StorageClass"))
              for p in ("secretName", "adminSecretName", "userSecretName", "secretRef")],
            *resource_names,
            ("spec/template/spec/containers/env/valueFrom/secretKeyRef/name",
             Gvk("serving.knative.dev", "v1", "Service")),
            ("spec/azureFile/secretName", Gvk(kind="PersistentVolume")),
        ]),
        (Gvk(version="v1", kind="Service"), [
            ("spec/serviceName", Gvk(group="apps", kind="StatefulSet")),
            ("spec/rules/http/paths/backend/serviceName", Gvk(kind="Ingress")),
            ("spec/backend/serviceName", Gvk(kind="Ingress")),
            ("spec/rules/http/paths/backend/service/name", Gvk(kind="Ingress")),
            ("spec/defaultBackend/service/name", Gvk(kind="Ingress")),
            ("spec/service/name", Gvk(group="apiregistration.k8s.io", kind="APIService")),
            ("webhooks/clientConfig/service",
             Gvk(group="admissionregistration.k8s.io", kind="ValidatingWebhookConfiguration")),
            ("webhooks/clientConfig/service",
             Gvk(group="admissionregistration.k8s.io", kind="MutatingWebhookConfiguration")),
        ]),
        (Gvk(group=rbac, kind="Role"), [("roleRef/name", Gvk(group=rbac, kind="RoleBinding"))]),
        (Gvk(group=rbac, kind="ClusterRole"), [("roleRef/name", Gvk(group=rbac, kind="RoleBinding")),
                                               ("roleRef/name", Gvk(group=rbac, kind="ClusterRoleBinding"))]),
        (Gvk(version="v1", kind="ServiceAccount"), [
            ("subjects", Gvk(group=rbac, kind="RoleBinding")),
            ("subjects", Gvk(group=rbac, kind="ClusterRoleBinding")),
            ("spec/serviceAccountName", Gvk(kind="Pod")),
            *[(f"{p}/serviceAccountName", Gvk(kind=k)) for k, p in _sa_prefixes()],
        ]),
        (Gvk(version="v1", kind="PersistentVolumeClaim"), [
            ("spec/volumes/persistentVolumeClaim/claimName", Gvk(kind="Pod")),
            *[(f"{p}/volumes/persistentVolumeClaim/claimName", Gvk(kind=k)) for k, p in _sa_prefixes()],
        ]),
        (Gvk(version="v1", kind="PersistentVolume"), [("spec/volumeName", Gvk(kind="PersistentVolumeClaim")),
                                                      ("rules/resourceNames", Gvk(kind="ClusterRole"))]),
        (Gvk("storage.k8s.io", "v1", "StorageClass"), [
            ("spec/storageClassName", Gvk(kind="PersistentVolume")),
            ("spec/storageClassName", Gvk(kind="PersistentVolumeClaim")),
            ("spec/volumeClaimTemplates/spec/storageClassName", Gvk(kind="StatefulSet")),
        ]),
        (Gvk("scheduling.k8s.io", "v1", "PriorityClass"), [
            ("spec/priorityClassName", Gvk(kind="Pod")),
            *[(f"{p}/priorityClassName", Gvk(kind=k)) for k, p in _sa_prefixes()],
        ]),
        (Gvk("networking.k8s.io/v1", "v1", "IngressClass"), [("spec/ingressClassName", Gvk(kind="Ingress"))]),
    ]


def _sa_prefixes() -> list[tuple[str, str]]:
    return [(k, "spec/jobTemplate/spec/template/spec" if k == "CronJob" else "spec/template/spec")
            for k in _SA_PVC_PC_KINDS]


NAME_REFERENCES = _name_reference_table()


# ---- the filter ---------------------------------------------------------------------------------


def fix_name_references(resources: list[Resource]) -> None:
    for target_gvk, referrers in NAME_REFERENCES:
        for path, referrer_gvk in referrers:
            for referrer in resources:
                if referrer_gvk.selects(referrer.gvk):
                    _Filter(referrer, path, target_gvk, _candidates_for(referrer, resources)).run()


def _candidates_for(referrer: Resource, resources: list[Resource]) -> list[Resource]:
    """kustomize ``SubsetThatCouldBeReferencedByResource``."""
    if referrer.cluster_scoped():
        return list(resources)
    binding_namespaces = _role_binding_namespaces(referrer)
    out = []
    for target in resources:
        if (target.cluster_scoped() or target.effective_namespace() == referrer.effective_namespace()
                or target.namespace in binding_namespaces):
            out.append(target)
    return out


def _role_binding_namespaces(referrer: Resource) -> set[str]:
    if referrer.gvk.kind != "RoleBinding":
        return set()
    subjects = referrer.node.get("subjects")
    out = set()
    for subject in subjects.content if subjects is not None and subjects.kind is Kind.SEQUENCE else []:
        if c.nested_str(subject, "kind") == "ServiceAccount" and c.nested_str(subject, "namespace"):
            out.add(c.nested_str(subject, "namespace"))
    return out


@dataclass
class _Filter:
    referrer: Resource
    path: str
    target: Gvk
    candidates: list[Resource]

    def run(self) -> None:
        for node in _walk(self.referrer.node, _split_escaped(self.path)):
            self._set(node)

    def _set(self, node: Node) -> None:
        if node.kind is Kind.SCALAR:
            if node.tag != "!!null":
                self._set_scalar(node)
        elif node.kind is Kind.MAPPING:
            self._set_mapping(node)
        elif node.kind is Kind.SEQUENCE:
            for element in node.content:
                if element.kind is Kind.SCALAR:
                    self._set_scalar(element)
                elif element.kind is Kind.MAPPING:
                    self._set_mapping(element)
        else:
            raise NameRefError("node must be a scalar, sequence or map")

    def _set_scalar(self, node: Node) -> None:
        referral = self._select(node.value, self.candidates)
        if referral is None or referral.name == node.value:
            return
        node.value = referral.name
        node.tag = STR

    def _set_mapping(self, node: Node) -> None:
        name_node = node.get("name")
        if name_node is None:
            raise NameRefError("path config error; no 'name' field in node")
        old_namespace = c.scalar_str(node.get("namespace"))
        candidates = self.candidates
        if old_namespace:
            candidates = [r for r in candidates if r.cluster_scoped() or r.namespace == old_namespace]
        referral = self._select(name_node.value, candidates)
        if referral is None or (referral.name == name_node.value and referral.namespace == old_namespace):
            return
        # kyaml SetField with a new string node: the old value's style goes, kpt restores comments.
        c.replace_value(node, "name", c.string_scalar(referral.name))
        if old_namespace:
            c.replace_value(node, "namespace", c.string_scalar(referral.namespace or c.DEFAULT_NAMESPACE))

    def _select(self, old_name: str, candidates: list[Resource]) -> Resource | None:
        """kustomize ``selectReferral``: sieve, then insist on a single (or single-named) match."""
        sieves: list[Callable[[Resource], bool]] = [
            lambda r: old_name in r.previous_names or old_name == r.name,
            lambda r: self.target.selects(r.gvk),
            self._role_ref_sieve(),
            self._same_namespace_sieve(),
        ]
        for sieve in sieves:
            candidates = [r for r in candidates if sieve(r)]
        if not candidates:
            return None
        if len(candidates) == 1 or len({r.name for r in candidates}) == 1:
            return candidates[0]
        ids = ", ".join(f"{r.gvk.kind}/{r.name}" for r in candidates)
        raise NameRefError(f"found multiple possible referrals: {ids}")

    def _role_ref_sieve(self) -> Callable[[Resource], bool]:
        if not self.path.endswith("roleRef/name"):
            return lambda _r: True
        role_ref = self.referrer.node.get("roleRef")
        if role_ref is None or role_ref.kind is not Kind.MAPPING:
            return lambda _r: True
        wanted = Gvk(group=c.nested_str(role_ref, "apiGroup"), kind=c.nested_str(role_ref, "kind"))
        return lambda r: wanted.selects(r.gvk)

    def _same_namespace_sieve(self) -> Callable[[Resource], bool]:
        if self.referrer.cluster_scoped():
            return lambda _r: True
        namespace = self.referrer.effective_namespace()
        return lambda r: (r.cluster_scoped() or r.gvk.kind == "ServiceAccount"
                          or r.effective_namespace() == namespace)


def _split_escaped(path: str) -> list[str]:
    """kustomize ``PathSplitter``: ``/`` separates fields, ``\\/`` is a literal slash."""
    parts: list[str] = []
    for piece in path.split("/"):
        if parts and parts[-1].endswith("\\"):
            parts[-1] = parts[-1][:-1] + "/" + piece
        else:
            parts.append(piece)
    return parts


def _walk(node: Node, path: list[str]) -> Iterator[Node]:
    """The fieldspec walk without creation: sequences met on the way are entered element by element."""
    if not path:
        yield node
        return
    if node.kind is Kind.SCALAR and node.tag == "!!null":
        return
    if node.kind is Kind.ALIAS and node.alias is not None:
        yield from _walk(node.alias, path)
    elif node.kind is Kind.SEQUENCE:
        for element in node.content:
            yield from _walk(element, path)
    elif node.kind is Kind.MAPPING:
        child = node.get(path[0].removesuffix("[]"))
        if child is not None:
            yield from _walk(child, path[1:])
    else:
        raise NameRefError("expected sequence or mapping node")
