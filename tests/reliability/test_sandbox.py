"""bot.config.sandbox: the image allowlist, the config's render section, the pre-render policy check."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.config.policy import parse_config
from bot.config.sandbox import (
    DEFAULT_ALLOWED_IMAGES,
    SandboxConfig,
    base_branch_patterns,
    parse_quantity,
)
from bot.errors import InvalidInput
from bot.forges.models import Permission, PullRequest, User
from bot.pr.decide import DraftState, Intent, Render, Reply, decide
from bot.render.sandbox_checks import image_allowed, preflight, runtime_options

DIGEST = "sha256:" + "a" * 64
OTHER_DIGEST = "sha256:" + "b" * 64


@pytest.mark.parametrize(("image", "patterns", "allowed"), [
    pytest.param("gcr.io/kpt-fn/set-labels:v0.2.0", DEFAULT_ALLOWED_IMAGES, True, id="catalog"),
    pytest.param("ghcr.io/kptdev/krm-functions-catalog/set-labels:v0.2", DEFAULT_ALLOWED_IMAGES, True,
                 id="new-catalog"),
    pytest.param("gcr.io/kpt-fn.evil.example/set-labels:v0.2.0", DEFAULT_ALLOWED_IMAGES, False,
                 id="lookalike-host"),
    pytest.param("gcr.io/kpt-fn-evil/set-labels:v0.2.0", DEFAULT_ALLOWED_IMAGES, False, id="lookalike-path"),
    pytest.param("docker.io/library/alpine:3", DEFAULT_ALLOWED_IMAGES, False, id="elsewhere"),
    pytest.param("gcr.io/kpt-fn/set-labels@" + DIGEST, DEFAULT_ALLOWED_IMAGES, True, id="digest-under-glob"),
    pytest.param("gcr.io/kpt-fn/set-labels@" + DIGEST, ("gcr.io/kpt-fn/set-labels@" + DIGEST,), True,
                 id="digest-pin"),
    pytest.param("gcr.io/kpt-fn/set-labels:v0.2.0@" + DIGEST, ("gcr.io/kpt-fn/set-labels@" + DIGEST,), True,
                 id="tag-and-pinned-digest"),
    pytest.param("gcr.io/kpt-fn/set-labels@" + OTHER_DIGEST, ("gcr.io/kpt-fn/set-labels@" + DIGEST,), False,
                 id="other-digest"),
    pytest.param("gcr.io/kpt-fn/set-labels:v0.2.0", ("gcr.io/kpt-fn/set-labels@" + DIGEST,), False,
                 id="pin-needs-the-digest"),
    pytest.param("gcr.io/kpt-fn/set-labels:v0.2.0", ("gcr.io/kpt-fn/set-labels:v0.2.*",), True, id="tag-glob"),
    pytest.param("gcr.io/kpt-fn/set-labels:v0.3.0", ("gcr.io/kpt-fn/set-labels:v0.2.*",), False,
                 id="tag-glob-miss"),
    pytest.param("gcr.io/kpt-fn/../x:v1", DEFAULT_ALLOWED_IMAGES, False, id="dot-dot"),
    pytest.param("", DEFAULT_ALLOWED_IMAGES, False, id="empty"),
    pytest.param("gcr.io/kpt-fn/set-labels:v0.2.0", (), False, id="empty-allowlist-allows-nothing"),
])
def test_image_allowed(image: str, patterns: tuple[str, ...], allowed: bool) -> None:
    assert image_allowed(image, patterns) is allowed


def test_the_render_section_of_porchbot_yaml() -> None:
    config = parse_config("""\
render:
  runtime: docker
  allow_exec: true
  image_pull_policy: never
  allowed_images: [registry.example/fns/*]
  limits: {memory: 256Mi, cpus: 0.5, pids: 64, timeout_seconds: 30}
repositories:
  deployments:
    approvers: [alice]
    allowed_images: [other.example/*]
""")
    sandbox = config.sandbox
    assert sandbox.allow_exec and sandbox.image_pull_policy == "never"
    assert sandbox.allowed_for("elsewhere") == ("registry.example/fns/*",)
    assert sandbox.allowed_for("deployments", ("base.example/*",)) == ("other.example/*", "base.example/*")
    options = runtime_options(sandbox)
    assert options.allow_exec and options.image_pull_policy == "never"
    assert (options.limits.memory_bytes, options.limits.nano_cpus, options.limits.pids,
            options.limits.timeout_seconds) == (256 * 2**20, 500_000_000, 64, 30.0)


def test_defaults_refuse_exec_and_allow_the_catalog() -> None:
    sandbox = parse_config("render:\n  runtime: builtin\n").sandbox
    assert sandbox == SandboxConfig()
    assert not runtime_options(sandbox).allow_exec
    assert sandbox.allowed_for("any") == DEFAULT_ALLOWED_IMAGES


@pytest.mark.parametrize("text", [
    pytest.param("render:\n  allow_exec: yes please\n", id="exec-not-bool"),
    pytest.param("render:\n  allowed_images: gcr.io/*\n", id="patterns-not-a-list"),
    pytest.param("render:\n  limits: {memory: lots}\n", id="memory-words"),
    pytest.param("render:\n  limits: {pids: -1}\n", id="negative-pids"),
    pytest.param("render:\n  image_pull_policy: sometimes\n", id="pull-policy"),
    pytest.param("repositories:\n  r:\n    allowed_images: [1]\n", id="repository-patterns"),
])
def test_bad_render_sections_are_refused_with_the_place(text: str) -> None:
    with pytest.raises(InvalidInput, match=r"porchbot\.yaml"):
        parse_config(text)


@pytest.mark.parametrize(("value", "size"), [("512Mi", 512 * 2**20), ("1G", 10**9), ("2gi", 2 * 2**30),
                                             (1024, 1024), ("1.5Ki", 1536)])
def test_parse_quantity(value: object, size: int) -> None:
    assert parse_quantity(value, "limits.memory") == size


def test_base_branch_patterns_ignore_a_broken_file() -> None:
    assert base_branch_patterns(lambda path: None) == ()
    assert base_branch_patterns(lambda path: b"render: [unclosed") == ()
    assert base_branch_patterns(lambda path: b"render:\n  allowed_images: [a.example/*]\n") == ("a.example/*",)


def _package(root: Path, kptfile_functions: str) -> Path:
    package = root / "pkg"
    package.mkdir()
    (package / "Kptfile").write_text("apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: pkg\n"
                                     f"pipeline:\n  mutators:\n{kptfile_functions}")
    return package


def test_preflight_names_every_refused_function_including_subpackages(tmp_path: Path) -> None:
    package = _package(tmp_path, "    - image: set-labels:v0.2.0\n    - exec: ./run.sh\n")
    sub = package / "sub"
    sub.mkdir()
    (sub / "Kptfile").write_text("apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: sub\n"
                                 "pipeline:\n  validators:\n    - image: example.com/x:v1\n")
    refusal = preflight(package, DEFAULT_ALLOWED_IMAGES, allow_exec=False)
    assert refusal is not None
    assert "`./run.sh`" in refusal and "sub/Kptfile: function image `example.com/x:v1`" in refusal
    assert "set-labels" not in refusal  # the short name resolves into the catalog
    assert preflight(package, (*DEFAULT_ALLOWED_IMAGES, "example.com/*"), allow_exec=True) is None


def test_preflight_refuses_symlinks_out_of_the_package(tmp_path: Path) -> None:
    package = _package(tmp_path, "    - image: set-labels:v0.2.0\n")
    os.symlink("/etc/passwd", package / "passwd.yaml")
    os.symlink("../../outside", package / "up.yaml")
    os.symlink("Kptfile", package / "inside.yaml")  # stays inside: not refused
    refusal = preflight(package, DEFAULT_ALLOWED_IMAGES, allow_exec=False)
    assert refusal is not None and "`passwd.yaml`" in refusal and "`up.yaml`" in refusal
    assert "inside.yaml" not in refusal


def _pull(author: str = "mallory", is_fork: bool = False, state: str = "open") -> PullRequest:
    return PullRequest(number=3, title="t", body="", state=state, draft=False,  # type: ignore[arg-type]
                       head_branch="drafts/app/v1", head_sha="c" * 40, base_branch="main",
                       author=User(author), url="", is_fork=is_fork)


@pytest.mark.parametrize(("needs", "actor", "permission", "approvers", "expected"), [
    pytest.param(False, "alice", Permission.WRITE, frozenset(), "not needed", id="trusted-pr"),
    pytest.param(True, "alice", Permission.WRITE, frozenset(), "render", id="writer"),
    pytest.param(True, "olga", Permission.READ, frozenset({"olga"}), "render", id="approver"),
    pytest.param(True, "eve", Permission.READ, frozenset(), "cannot allow", id="reader"),
    pytest.param(True, "mallory", Permission.WRITE, frozenset(), "cannot allow", id="the-author-herself"),
])
def test_decide_ok_to_render(needs: bool, actor: str, permission: Permission, approvers: frozenset[str],
                             expected: str) -> None:
    state = DraftState(pull=_pull(), render_state=None, approvers=approvers, needs_ok_to_render=needs)
    actions = decide(state, Intent("ok-to-render", actor, permission))
    if expected == "render":
        assert isinstance(actions[0], Reply) and "allowed rendering" in actions[0].text
        assert isinstance(actions[1], Render)
    else:
        assert len(actions) == 1 and isinstance(actions[0], Reply) and expected in actions[0].text
