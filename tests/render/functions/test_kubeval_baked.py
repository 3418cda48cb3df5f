"""kubeval's baked-in schema set (``file:///jsonschema``): rebuilt Kubernetes 1.22 + Kptfile schemas,
the generator's stand-alone rules, and what the builtin claims to reproduce under ``--runtime auto``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.render.functions import _kubeval_baked as baked
from bot.render.functions import kubeval
from bot.render.functions._kubeval_standalone import prepare_definitions, standalone
from bot.render.functions.registry import lookup
from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError, FunctionRef, FunctionRun, RuntimeOptions
from bot.render.runtimes.select import RuntimeSelector
from tests.render.functions.conftest import MakeRL

IMAGE = "gcr.io/kpt-fn/kubeval:unstable"

pytestmark = pytest.mark.skipif(not baked.available(), reason="kubernetes-validate is not installed")

# A replication controller with kubeval's two classic mistakes (a string count, a misspelt field).
BROKEN_RC = """\
apiVersion: v1
kind: ReplicationController
metadata:
  name: web
spec:
  replicas: many
  selector:
    app: web
  templat:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
  creationTimestamp: null
spec:
  replicas: 2
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: example/api:1.0
          ports:
            - containerPort: 8080
          resources:
            limits: {cpu: 0.5, memory: 128Mi}
          livenessProbe:
            httpGet: {path: /healthz, port: http}
"""

KPTFILE = """\
apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: shop
  annotations:
    config.kubernetes.io/local-config: "true"
info:
  description: a shop
pipeline:
  validators:
    - image: gcr.io/kpt-fn/kubeval:unstable
      configMap:
        strict: "true"
"""


def config(**data: str) -> str:
    lines = "".join(f"  {key}: {json.dumps(value)}\n" for key, value in data.items())
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: function-input\ndata:\n{lines or '  {}'}"


def run(rl: ResourceList) -> FunctionError | None:
    builtin = lookup(IMAGE)
    assert builtin is not None
    try:
        builtin.run(rl)
    except FunctionError as err:
        return err
    return None


def summary(rl: ResourceList) -> list[tuple[str, str, str]]:
    return [(r.resource_ref.name if r.resource_ref else "", r.field.path if r.field else "", r.message)
            for r in rl.results]


def test_strict_reports_unknown_fields_then_types(make_rl: MakeRL) -> None:
    rl = make_rl(BROKEN_RC, config(strict="true"), path="rc.yaml")
    err = run(rl)
    assert err is not None and err.exit_code == 1 and not err.execution_error
    assert summary(rl) == [("web", "templat", "Additional property templat is not allowed"),
                           ("web", "spec.replicas", "Invalid type. Expected: [integer,null], given: string")]
    assert all(r.file is not None and r.file.path == "rc.yaml" for r in rl.results)


def test_lenient_mode_allows_unknown_fields(make_rl: MakeRL) -> None:
    rl = make_rl(BROKEN_RC, config())
    run(rl)
    assert summary(rl) == [("web", "spec.replicas", "Invalid type. Expected: [integer,null], given: string")]


def test_valid_deployment_and_kptfile_pass_strict(make_rl: MakeRL) -> None:
    rl = make_rl(DEPLOYMENT + "---\n" + KPTFILE, config(strict="true"))
    assert run(rl) is None
    assert rl.results == []


def test_the_kptfile_schema_knows_only_kptfile_v1_fields(make_rl: MakeRL) -> None:
    rl = make_rl(KPTFILE + "status:\n  conditions: []\n", config(strict="true"), path="Kptfile")
    run(rl)
    assert summary(rl) == [("shop", "status", "Additional property status is not allowed")]


def test_kinds_the_image_lacks_read_as_missing_schemas(make_rl: MakeRL) -> None:
    widget = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"
    alpha = "apiVersion: rbac.authorization.k8s.io/v1alpha1\nkind: Role\nmetadata:\n  name: r\n"
    rl = make_rl(widget + "---\n" + alpha, config())
    assert kubeval.reproduces(rl)
    run(rl)
    assert [r.message.splitlines()[1] for r in rl.results] == [
        "ERR  - stdin: Failed initializing schema file:///jsonschema/master-standalone/widget-example-v1.json: "
        "open /jsonschema/master-standalone/widget-example-v1.json: no such file or directory",
        "ERR  - stdin: Failed initializing schema file:///jsonschema/master-standalone/role-rbac-v1alpha1.json: "
        "open /jsonschema/master-standalone/role-rbac-v1alpha1.json: no such file or directory"]
    rl = make_rl(widget, config(skip_kinds="Widget"))
    assert run(rl) is None and rl.results == []


@pytest.mark.parametrize("api_version,kind", [
    ("storage.cnrm.cloud.google.com/v1beta1", "StorageBucket"),
    ("networking.gke.io/v1", "ManagedCertificate"),
    ("cloud.google.com/v1", "BackendConfig"),
], ids=["config-connector", "gke-networking", "gke-backendconfig"])
def test_crds_baked_into_the_image_are_not_claimed(make_rl: MakeRL, api_version: str, kind: str) -> None:
    rl = make_rl(f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: x\n", config())
    assert not kubeval.reproduces(rl)
    err = run(rl)
    assert err is not None and err.execution_error
    assert kubeval.reproduces(make_rl(f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: x\n",
                                      config(skip_kinds=kind)))


def test_the_generators_standalone_rules() -> None:
    definitions = prepare_definitions({
        "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"type": "string", "format": "int-or-string"},
        "io.k8s.apimachinery.pkg.api.resource.Quantity": {"type": "string"},
        "x.y.v1.Thing": {
            "type": "object", "required": ["size"],
            "x-kubernetes-group-version-kind": [{"group": "y.example", "version": "v1", "kind": "Thing"}],
            "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"},
                           "size": {"type": "integer"},
                           "spec": {"description": "dropped beside $ref", "$ref": "#/definitions/x.y.v1.Spec"}}},
        "x.y.v1.Spec": {"type": "object", "required": ["port"], "properties": {
            "port": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString"},
            "cpu": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity"},
            "tags": {"type": "array", "items": {"type": "string"}}}},
    }, strict=True)
    schema = standalone(definitions, "x.y.v1.Thing", strict=True)
    properties = schema["properties"]
    assert properties["apiVersion"] == {"type": ["string", "null"], "enum": ["y.example/v1"]}
    assert properties["size"] == {"type": ["integer", "null"]}  # top-level fields are always nullable
    spec = properties["spec"]
    assert "description" not in spec and spec["additionalProperties"] is False
    assert spec["properties"]["port"] == {"oneOf": [{"type": ["string", "null"]}, {"type": ["integer", "null"]}]}
    assert spec["properties"]["cpu"]["oneOf"][1] == {"type": ["number", "null"]}
    assert spec["properties"]["tags"] == {"type": ["array", "null"], "items": {"type": ["string", "null"]}}
    assert schema["additionalProperties"] is False and schema["$schema"] == "http://json-schema.org/schema#"


class RecordingDocker:
    """Stands in for the docker runtime: records the calls it would have run in the image."""

    name = "docker"

    def __init__(self) -> None:
        self.calls: list[str] = []

    def can_run(self, function: FunctionRef) -> bool:
        return True

    def run(self, function: FunctionRef, resource_list: ResourceList) -> FunctionRun:
        self.calls.append(function.image)
        return FunctionRun(output=resource_list)


def test_auto_runs_the_image_only_when_the_builtin_cannot_reproduce(make_rl: MakeRL) -> None:
    selector = RuntimeSelector("auto", RuntimeOptions())
    docker = RecordingDocker()
    selector._cache["docker"] = docker
    ref = FunctionRef(image=IMAGE)
    runtime = selector.for_function(ref)
    with pytest.raises(FunctionError):
        runtime.run(ref, make_rl(BROKEN_RC, config()))  # builtin: the validation error itself
    assert docker.calls == []
    bucket = "apiVersion: storage.cnrm.cloud.google.com/v1beta1\nkind: StorageBucket\nmetadata:\n  name: b\n"
    runtime.run(ref, make_rl(bucket, config()))
    assert docker.calls == [IMAGE]


def test_gojsonschema_formats_and_one_of_details(make_rl: MakeRL) -> None:
    pod = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
  creationTimestamp: yesterday
spec:
  containers:
    - name: c
      livenessProbe:
        httpGet: {port: true}
"""
    rl = make_rl(pod, config())
    run(rl)
    port = "spec.containers.0.livenessProbe.httpGet.port"
    assert summary(rl) == [
        ("p", "metadata.creationTimestamp", "Does not match format 'date-time'"),
        ("p", port, "Must validate one and only one schema (oneOf)"),
        ("p", port, "Invalid type. Expected: [string,null], given: boolean")]


@pytest.mark.parametrize("stamp,valid", [
    ("2021-01-02T03:04:05Z", True), ("2021-01-02T03:04:05.5+02:00", True), ("2020-02-29", True),
    ("10:00:00", True), ("2021-02-29", False), ("2021-01-02 03:04:05Z", False), ("2021-01-02T24:00:00Z", False),
], ids=lambda value: str(value))
def test_date_times_as_go_parses_them(make_rl: MakeRL, stamp: str, valid: bool) -> None:
    rl = make_rl(f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n  creationTimestamp: '{stamp}'\n", config())
    run(rl)
    assert (rl.results == []) is valid


def test_a_directory_mounted_over_jsonschema_hides_the_baked_set(make_rl: MakeRL, tmp_path: Path) -> None:
    (tmp_path / "master-standalone").mkdir()
    rl = make_rl(BROKEN_RC, config())
    builtin = lookup(IMAGE)
    assert builtin is not None
    with kubeval.mounted((kubeval.parse_mount(f"type=bind,src={tmp_path},dst=/jsonschema"),)):
        assert kubeval.reproduces(rl)
        with pytest.raises(FunctionError):
            builtin.run(rl)
    assert [r.message.split(":\n")[0] for r in rl.results] == [
        "Validating arbitrary CRDs is not supported yet. You can skip them by setting ignore_missing_schemas or "
        "skip_kinds in the function config"]
    # Inside our image the whole filesystem is "mounted", and there is no /jsonschema: the baked set serves.
    rl = make_rl(BROKEN_RC, config())
    with kubeval.mounted(kubeval.CONTAINER_MOUNTS):
        run(rl)
    assert [path for _, path, _ in summary(rl)] == ["spec.replicas"]
