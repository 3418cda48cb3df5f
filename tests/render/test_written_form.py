"""A render without functions skips files already in their written form, and that changes nothing.

``written_form.in_written_form`` must only accept text that the ordinary path (parse, write back) leaves
byte for byte as it is: checked on every YAML file of the shared conformance suites (as they are and as
a render leaves them), on random line edits of such files, and by rendering generated packages with the
lane on and off (trees, exit codes, messages and changed paths identical).
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.render.kptfile import read_kptfile
from bot.render.package import Package, Settled, functionless, local_resources
from bot.render.render_package import render_package
from bot.render.render_types import RenderOptions
from bot.render.written_form import in_written_form
from tests.conftest import SHARED_DIR
from tests.line_edits import EDITS, edit_lines
from tests.render.property_packages import packages
from tests.upgrade.world import write_tree

KPTFILE = "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: app\n"
SETTINGS = settings(deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: # kpt-merge: team-a/web
  name: web
  namespace: team-a
  labels:
    app: web
  annotations:
    internal.kpt.dev/upstream-identifier: 'apps|Deployment|team-a|web'
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: main
        image: gcr.io/acme/web:1.25
        args:
        - --port=8080
        - serve
        env:
        - name: MODE
          value: "on"
"""
WIDE_CONTAINERS = """      containers:
        - name: main
          args:
            - --port=8080
"""


def _render(package: Path, lane: bool = True) -> tuple[int, str, list[str], str, dict[str, bytes]]:
    console = io.StringIO()
    outcome = render_package(package, RenderOptions(skip_written_files=lane), progress=console)
    tree = {path.relative_to(package).as_posix(): path.read_bytes() for path in sorted(package.rglob("*"))
            if path.is_file()}
    where = str(package.resolve())  # temporary directories differ between the runs compared
    return (outcome.exit_code, outcome.error_message.replace(where, "<pkg>"), sorted(outcome.changed_paths),
            console.getvalue().replace(where, "<pkg>"), tree)


def _ordinary_render(text: str) -> tuple[int, str | None]:
    """What the ordinary path (no lane) makes of ``text`` as the one resource file of a package."""
    with tempfile.TemporaryDirectory(prefix="porchbot-written-") as tmp:
        package = Path(tmp) / "app"
        write_tree(package, {"Kptfile": KPTFILE, "r.yaml": text})
        code = render_package(package, RenderOptions(skip_written_files=False), progress=io.StringIO()).exit_code
        target = package / "r.yaml"
        return code, target.read_text() if target.exists() else None


def _assert_kept(text: str) -> None:
    assert _ordinary_render(text) == (0, text), f"accepted but rewritten:\n{text}"


def test_what_kpt_writes_for_a_cloned_resource_is_in_written_form() -> None:
    assert in_written_form(DEPLOYMENT)
    assert in_written_form(DEPLOYMENT + "---\n" + DEPLOYMENT.replace("name: web", "name: api"))
    wide = DEPLOYMENT.split("      containers:")[0] + WIDE_CONTAINERS
    assert in_written_form(wide)
    assert not in_written_form(wide.replace("          - --port", "        - --port"))  # mixed
    _assert_kept(DEPLOYMENT)
    _assert_kept(wide)


@pytest.mark.parametrize(("old", "new"), [
    ("replicas: 2", "replicas: 2:"),  # a mapping indicator: invalid YAML
    ("replicas: 2", "replicas: null"),  # null
    ("replicas: 2", "replicas: {}"),  # flow collection
    ("replicas: 2", "replicas: &r 2"),  # anchor
    ("replicas: 2", "replicas: !!int 2"),  # tag
    ("replicas: 2", "replicas: 2 # two"),  # a comment anywhere but a top-level key's line
    ("replicas: 2", "replicas: |\n    2"),  # block scalar
    ("value: \"on\"", "value: \"o\\n\""),  # escape
    ("  replicas: 2\n", "  replicas: 2\n\n"),  # blank line
    ("  replicas: 2\n", "   replicas: 2\n"),  # not the writer's indentation
    ("  replicas: 2\n", "  replicas: 2\r\n"),  # CRLF
    ("  replicas: 2\n", "  replicas: 2\n  replicas: 3\n"),  # duplicate key
    ("  name: web\n", ""),  # no metadata.name: the KRM check fails
    ("app: web", "config.kubernetes.io/index: '0'"),  # an annotation the render sets itself
    ("    app: web\n  annotations:\n", "    app: web\n  annotations: x\n"),  # annotations not a mapping
    ("        args:\n        - --port", "        args:\n          - --port"),  # compact and wide mixed
    ("apiVersion", "# head\napiVersion"),  # a head comment
])
def test_anything_else_takes_the_ordinary_path(old: str, new: str) -> None:
    assert old in DEPLOYMENT
    assert not in_written_form(DEPLOYMENT.replace(old, new, 1))


def _shared_texts() -> list[str]:
    root = SHARED_DIR / "conformance"
    if not root.is_dir():
        pytest.skip("../shared not available (conformance)")
    texts = []
    for directory, _, files in os.walk(root):
        for name in sorted(files):
            if name.endswith((".yaml", ".yml")):
                try:
                    texts.append((Path(directory) / name).read_text(encoding="utf-8"))
                except UnicodeDecodeError:
                    continue
    return texts


@pytest.mark.shared
def test_every_accepted_file_of_the_shared_suites_is_written_back_unchanged() -> None:
    accepted = 0
    for text in _shared_texts():
        candidates = [text]
        code, rendered = _ordinary_render(text)
        if code == 0 and rendered is not None:
            candidates.append(rendered)  # as a render left it: most files are then in written form
        for candidate in candidates:
            if in_written_form(candidate):
                accepted += 1
                _assert_kept(candidate)
    assert accepted > 500  # the lane is not vacuous




@settings(SETTINGS, max_examples=400)
@given(edits=EDITS, second=st.booleans())
def test_edited_text_is_accepted_only_when_the_writer_keeps_it(edits: list[tuple[int, int, str]],
                                                               second: bool) -> None:
    base = DEPLOYMENT + "---\n" + DEPLOYMENT.replace("name: web", "name: api") if second else DEPLOYMENT
    text = edit_lines(base, edits)
    if in_written_form(text):
        _assert_kept(text)


@settings(SETTINGS, max_examples=60)
@given(spec=packages())
def test_a_render_without_functions_is_the_same_with_and_without_the_lane(spec: object) -> None:
    files = {"Kptfile": KPTFILE, **spec.files}  # type: ignore[attr-defined]
    if "sub/" in "".join(files):
        files["sub/Kptfile"] = KPTFILE.replace("name: app", "name: sub")
    results = []
    for enabled in (False, True):
        with tempfile.TemporaryDirectory(prefix="porchbot-written-") as tmp:
            package = Path(tmp) / "app"
            write_tree(package, files)
            # the second render reads what the first wrote: mostly files in written form
            results.append((_render(package, enabled), _render(package, enabled)))
    assert results[0] == results[1]


def test_errors_are_the_same_with_and_without_the_lane(tmp_path: Path) -> None:
    files = {"Kptfile": KPTFILE, "a.yaml": DEPLOYMENT, "b.yaml": "apiVersion: v1\nkind: ConfigMap\n",
             "c.yaml": DEPLOYMENT.replace("replicas: 2", "replicas: [")}
    for broken in ("b.yaml", "c.yaml"):
        results = []
        for enabled in (False, True):
            write_tree(tmp_path / "app", {k: v for k, v in files.items() if k in ("Kptfile", "a.yaml", broken)})
            results.append(_render(tmp_path / "app", enabled))
        assert results[0] == results[1]
        assert results[0][0] == 1


def test_the_lane_skips_settled_files_only_when_no_package_runs_a_function(tmp_path: Path) -> None:
    write_tree(tmp_path / "app", {"Kptfile": KPTFILE, "a.yaml": DEPLOYMENT,
                                  "b.yaml": DEPLOYMENT.replace("name: web", "name: api").replace("replicas: 2",
                                                                                                "replicas: 02 # x"),
                                  "sub/Kptfile": KPTFILE.replace("name: app", "name: sub")})
    root = tmp_path / "app"
    package = Package(path=root, root=root, kptfile=read_kptfile(root))
    assert functionless(package)
    settled = Settled()
    items = local_resources(package, {}, settled)
    assert settled.paths == {"Kptfile", "a.yaml"}
    assert [item.str_value("metadata", "name") for item in items] == ["api"]
    (root / "sub" / "Kptfile").write_text(KPTFILE + "pipeline:\n  mutators:\n  - image: set-labels:v0.1\n")
    assert not functionless(Package(path=root, root=root, kptfile=read_kptfile(root)))
