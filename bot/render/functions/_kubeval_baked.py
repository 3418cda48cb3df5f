"""The kubeval image's baked-in schema set (``file:///jsonschema``), rebuilt from a PyPI package.

The image's schemas were generated from the OpenAPI document of a GKE cluster with Config
Connector installed, plus the Kptfile. Its list of built-in kinds is exactly Kubernetes 1.22's
served ones (batch/v1 CronJob, policy/v1 and discovery/v1 present; every v1beta1 API removed in
1.22 absent), so we rebuild Kubernetes schemas from the ``v1.22.0-local`` definitions that the
``kubernetes-validate`` package ships (openapi2jsonschema output of the upstream v1.22.0 OpenAPI
document), skipping the alpha APIs and events.k8s.io/v1beta1 that a GKE cluster does not serve.
Only ``_definitions.json`` is read; strictness and stand-alone form are applied here.

What we cannot rebuild: the GKE and Config Connector CRD schemas. A resource whose schema file
the image might hold but we lack is "not reproduced", and ``--runtime auto`` runs the image.
"""

from __future__ import annotations

import importlib.util
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.render.functions._kubeval_kptfile import kptfile_definitions
from bot.render.functions._kubeval_standalone import CyclicSchema, file_names, prepare_definitions, standalone

PACKAGE = "kubernetes_validate"
KUBERNETES_VERSION = "v1.22.0"
DEFINITIONS = Path("kubernetes-json-schema", f"{KUBERNETES_VERSION}-local", "_definitions.json")
# What the function image must carry of the package (read as data, never imported): 3 MB of ~30.
IMAGE_DATA = ((PACKAGE, DEFINITIONS),)

# Versions in the upstream document that the GKE cluster did not serve (not in the image).
UNSERVED_VERSIONS = ("v1alpha1",)
UNSERVED_GROUP_VERSIONS = (("events.k8s.io", "v1beta1"),)

# First labels of API groups under which the image has schemas we do not carry (GKE and Config
# Connector CRDs, aggregated APIs): a file name with one of these may exist in the image.
IMAGE_ONLY_GROUP_LABELS = frozenset({
    # GKE and aggregated/extension APIs of the cluster
    "cloud", "internal", "meta", "metrics", "migration", "networking", "nodemanagement", "snapshot",
    # Config Connector (<service>.cnrm.cloud.google.com)
    "accesscontextmanager", "artifactregistry", "bigquery", "bigtable", "binaryauthorization",
    "cloudbuild", "cloudidentity", "cloudscheduler", "compute", "configcontroller", "container",
    "containeranalysis", "core", "dataflow", "datafusion", "dataproc", "dns", "filestore", "firestore",
    "gameservices", "gkehub", "iam", "iap", "identityplatform", "kms", "logging", "memcache",
    "monitoring", "networkconnectivity", "networksecurity", "networkservices", "osconfig", "privateca",
    "pubsub", "recaptchaenterprise", "redis", "resourcemanager", "run", "secretmanager",
    "servicenetworking", "serviceusage", "sourcerepo", "spanner", "sql", "storage", "storagetransfer",
    "vpcaccess",
})


def definitions_path() -> Path | None:
    """Where the package's definitions are (a wheel install, or the trimmed copy in our image)."""
    try:
        spec = importlib.util.find_spec(PACKAGE)
    except (ImportError, ValueError):
        return None
    for location in (spec.submodule_search_locations or []) if spec is not None else []:
        candidate = Path(location) / DEFINITIONS
        if candidate.is_file():
            return candidate
    return None


def available() -> bool:
    return definitions_path() is not None


def _served(definition: Any) -> bool:
    for gvk in definition.get("x-kubernetes-group-version-kind") or [] if isinstance(definition, dict) else []:
        version, group = str(gvk.get("version", "")), str(gvk.get("group", ""))
        if version in UNSERVED_VERSIONS or (group, version) in UNSERVED_GROUP_VERSIONS:
            return False
    return True


@lru_cache(maxsize=1)
def _loaded() -> tuple[dict[str, Any], dict[str, str]]:
    """The shared definitions as shipped (plus the Kptfile's), and file name -> title of each kind."""
    path = definitions_path()
    if path is None:
        return {}, {}
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["definitions"]
    loaded.update(kptfile_definitions())
    names = {name: title for name, title in file_names(loaded).items() if _served(loaded[title])}
    return loaded, names


@lru_cache(maxsize=2)
def _prepared(strict: bool) -> dict[str, Any]:
    return prepare_definitions(_loaded()[0], strict)


def base_name(api_version: str, kind: str) -> str:
    """kubeval's file name for a resource, without directory and ``.json``."""
    group_version = api_version.split("/")
    name = f"{kind.lower()}-{group_version[0].split('.')[0].lower()}"
    if len(group_version) > 1:
        name += "-" + group_version[1].lower()
    return name


@lru_cache(maxsize=256)
def _schema(name: str, strict: bool) -> dict[str, Any] | None:
    title = _loaded()[1].get(name)
    if title is None:
        return None
    try:
        return standalone(_prepared(strict), title, strict)
    except CyclicSchema:
        return None


def baked_schema(api_version: str, kind: str, strict: bool) -> dict[str, Any] | None:
    """The image's schema for this resource, or None when the image has no such file (or we lack it).
    Cached and shared: read it, never change it."""
    return _schema(base_name(api_version, kind), strict)


def image_may_have(api_version: str, kind: str) -> bool:
    """True when the image could hold a schema for this resource that we do not (a CRD of GKE or
    Config Connector): then only the image itself gives the right answer."""
    if base_name(api_version, kind) in _loaded()[1]:
        return False
    group_version = api_version.split("/")
    if len(group_version) == 1:  # no group: the file name holds only a version
        return group_version[0] != "v1"
    return group_version[0].split(".")[0].lower() in IMAGE_ONLY_GROUP_LABELS
