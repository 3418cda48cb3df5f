"""Property: on generated packages and edits, ``porchbot pkg update`` leaves kpt's bytes.

Hypothesis draws a small package (Deployments, ConfigMaps, Services), upstream changes and downstream
edits (scalars changed on one or both sides, fields and list elements added or deleted, resources added
and deleted), builds the repositories once, and runs ``kpt pkg update`` and our command on two copies of
the downstream repository. The trees must be byte-identical. (No explicit nulls: there we follow kpt
main's null handling, see merge3.py, and kpt 1.0.0-beta.56 differs.)
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.render.yaml import emit_node, python_to_node
from bot.upgrade.command import parse_target, run_update
from tests.upgrade.world import GIT_ENV, build_world, read_tree

pytestmark = pytest.mark.kpt
STRATEGIES = ["resource-merge", "resource-merge", "force-delete-replace", "fast-forward"]
Resource = dict[str, Any]


def _deployment(i: int) -> Resource:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": f"app-{i}", "labels": {"app": f"app-{i}"}},
            "spec": {"replicas": 2, "template": {"spec": {"containers": [
                {"name": "main", "image": "nginx:1.25", "args": ["--port", "80"],
                 "env": [{"name": "LEVEL", "value": "info"}], "ports": [{"containerPort": 80}]}]}}}}


def _config(i: int) -> Resource:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cfg-{i}"},
            "data": {"mode": "blue", "size": "10"}}


def _service(i: int) -> Resource:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"svc-{i}"},
            "spec": {"ports": [{"name": "http", "port": 80}], "selector": {"app": "x"}}}


MAKERS = [_deployment, _config, _service]
# (path into the resource, values) of edits both sides may draw; None deletes the field
EDITS: dict[str, list[tuple[tuple[Any, ...], list[Any]]]] = {
    "Deployment": [(("spec", "replicas"), [1, 3, 5, None]),
                   (("spec", "template", "spec", "containers", 0, "image"), ["nginx:1.26", "nginx:1.25-x"]),
                   (("spec", "template", "spec", "containers", 0, "args"), [["--port", "81"], ["-v"], None]),
                   (("spec", "template", "spec", "containers", 0, "env"),
                    [[{"name": "LEVEL", "value": "debug"}], [{"name": "LEVEL", "value": "info"}, {"name": "X", "value": "1"}]]),
                   (("spec", "template", "spec", "containers", 0, "ports"),
                    [[{"containerPort": 80}, {"containerPort": 443}], [{"containerPort": 81}]]),
                   (("metadata", "labels", "tier"), ["web", "db"])],
    "ConfigMap": [(("data", "mode"), ["green", "red", "on", "10", None]), (("data", "extra"), ["a", "yes", "b c"]),
                  (("data",), [{"only": "this"}, {}])],
    "Service": [(("spec", "ports"), [[{"name": "http", "port": 8080}], [{"name": "http", "port": 80}, {"name": "https", "port": 443}]]),
                (("spec", "selector", "app"), ["y", None])],
}


def _apply(resource: Resource, path: tuple[Any, ...], value: Any) -> None:
    node: Any = resource
    for step in path[:-1]:
        node = node[step]
    if value is None:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = copy.deepcopy(value)


@st.composite
def _scenario(draw: st.DrawFn) -> tuple[dict[str, str], dict[str, str], list[tuple[str, int, tuple[Any, ...], Any]], str]:
    count = draw(st.integers(1, 4))
    kinds = [draw(st.integers(0, 2)) for _ in range(count)]
    original = [MAKERS[k](i) for i, k in enumerate(kinds)]
    updated = copy.deepcopy(original)
    local_edits = []
    for i, resource in enumerate(original):
        for target in (updated, None):
            for path, values in EDITS[resource["kind"]]:
                if draw(st.integers(0, 3)) == 0:
                    value = draw(st.sampled_from(values))
                    if target is not None:
                        _apply(target[i], path, value)
                    else:
                        local_edits.append((resource["kind"], i, path, value))
    if draw(st.booleans()):
        del updated[draw(st.integers(0, count - 1))]
    if draw(st.booleans()):
        updated.append(MAKERS[draw(st.integers(0, 2))](count))
    files_of = draw(st.sampled_from(["one file", "file each"]))
    original_files, updated_files = _files(original, files_of), _files(updated, files_of)
    for files in (original_files, updated_files):  # a non-KRM file and a local subpackage, changed or not
        files["README.md"] = draw(st.sampled_from(["v1 notes\n", "v2 notes\n"]))
        if draw(st.integers(0, 2)):
            files["sub/Kptfile"] = "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: sub\n"
            files["sub/cfg.yaml"] = emit_node(python_to_node({**_config(9), "data": {"v": draw(st.sampled_from(["1", "2"]))}}))
    local_edits.append(("README.md", draw(st.sampled_from([None, "local notes\n"]))))  # type: ignore[arg-type]
    return original_files, updated_files, local_edits, draw(st.sampled_from(STRATEGIES))


def _files(resources: list[Resource], layout: str) -> dict[str, str]:
    texts = {f"{r['kind'].lower()}-{r['metadata']['name']}.yaml": emit_node(python_to_node(r)) for r in resources}
    return {"all.yaml": "---\n".join(texts.values())} if layout == "one file" and texts else texts


def _edit(edits: list[tuple[str, int, tuple[Any, ...], Any]]):  # type: ignore[no-untyped-def]
    def apply(package: Path) -> None:
        from bot.render.yaml import emit_documents, node_to_python, read_file_documents

        for edit in edits:
            if edit[0] == "README.md" and edit[1] is not None:
                (package / "README.md").write_text(edit[1])
        edits_ = [e for e in edits if e[0] != "README.md"]
        for path in sorted(package.rglob("*.yaml")):
            docs = read_file_documents(path.read_text())
            out = []
            for doc, wide in docs:
                data = node_to_python(doc.content[0])
                index = int(data["metadata"]["name"].rsplit("-", 1)[1])
                for kind, i, field, value in edits_:
                    if kind == data["kind"] and i == index:
                        _apply(data, field, value)
                node = python_to_node(data)
                # keep kpt get's merge comment on metadata
                node.key_node("metadata").line_comment = doc.content[0].key_node("metadata").line_comment
                out.append((node, wide))
            path.write_text(emit_documents(out))
    return apply


@settings(max_examples=int(os.environ.get("PORCHBOT_KPT_EXAMPLES", "6")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(scenario=_scenario())
def test_porchbot_and_kpt_leave_identical_trees(kpt_binary: str, tmp_path_factory: pytest.TempPathFactory,
                                                scenario: tuple[dict[str, str], dict[str, str], list[Any], str]) -> None:
    original, updated, edits, strategy = scenario
    tmp = tmp_path_factory.mktemp("kpt-property")
    world = build_world(tmp / "world", original, updated, _edit(edits))
    theirs = tmp / "theirs"
    shutil.copytree(world.downstream, theirs, symlinks=True)
    kpt = subprocess.run([kpt_binary, "pkg", "update", "pkg@v2", "--strategy", strategy], cwd=theirs,
                         env={**os.environ, **GIT_ENV, "KPT_CACHE_DIR": str(tmp / "kpt-cache")},
                         capture_output=True, text=True, timeout=300, check=False)
    try:
        run_update(parse_target("pkg@v2", strategy, world.downstream))
        ours_failed = False
    except Exception:
        ours_failed = True
    assert ours_failed == (kpt.returncode != 0), kpt.stderr
    assert read_tree(world.package) == read_tree(theirs / "pkg")
