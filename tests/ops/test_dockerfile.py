"""The Dockerfile as data: `docker build .` on a clean clone needs only an official image and the index.

No Docker engine is needed: the file is parsed (continuations, ARG defaults, ``${VAR:-x}``/``${VAR:+x}``
substitution as Docker and the shell do it) and each stage's base, COPY sources and pip commands are
checked with and without the offline build's arguments. tests/ops/test_docker_image.py builds the offline
path for real.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]
OFFLINE_ARGS = {"BASE_IMAGE": "porchbot/python-base:bookworm", "WHEELHOUSE": "wheelhouse"}
_VARIABLE = re.compile(r"\$\{(\w+)(?::([-+])([^}]*))?\}|\$(\w+)")


def expand(text: str, env: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(4)
        value = env.get(name, "")
        if match.group(2) == "-":
            return value or match.group(3)
        if match.group(2) == "+":
            return match.group(3) if value else ""
        return value

    return _VARIABLE.sub(one, text)


@dataclass
class Stage:
    base: str
    name: str
    instructions: list[tuple[str, str]] = field(default_factory=list)


def parse(text: str) -> tuple[dict[str, str], list[Stage]]:
    """Global ARG defaults and the stages, each instruction as (KEYWORD, arguments)."""
    logical = re.sub(r"\\\n", " ", text)
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in logical.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        keyword, _, rest = line.strip().partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            words = rest.split()
            stages.append(Stage(words[0], words[2] if len(words) > 2 else str(len(stages))))
        elif not stages and keyword == "ARG":
            name, _, default = rest.partition("=")
            global_args[name] = default
        else:
            stages[-1].instructions.append((keyword, rest))
    return global_args, stages


@dataclass
class Build:
    """What a build with the given arguments does: every stage's base, COPY sources and RUN commands."""

    stages: list[Stage]
    bases: dict[str, str]
    copies: dict[str, list[str]]
    runs: dict[str, list[str]]
    used: list[str]  # the stages the final one depends on (what BuildKit runs)


def build(build_args: dict[str, str]) -> Build:
    global_args, stages = parse((PROJECT_DIR / "Dockerfile").read_text())
    global_env = {**global_args, **{k: v for k, v in build_args.items() if k in global_args}}
    bases, copies, runs, depends = {}, {}, {}, {}
    for stage in stages:
        bases[stage.name] = expand(stage.base, global_env)
        env: dict[str, str] = {}
        copies[stage.name], runs[stage.name] = [], []
        depends[stage.name] = {bases[stage.name]}
        for keyword, rest in stage.instructions:
            if keyword == "ARG":  # a stage sees a global ARG only when it declares it again
                name, _, default = rest.partition("=")
                env[name] = build_args.get(name, global_env.get(name, default))
            elif keyword in ("COPY", "ADD"):
                words = [expand(word, env) for word in rest.split()]
                sources = [word for word in words[:-1] if not word.startswith("--")]
                depends[stage.name].update(word.split("=", 1)[1] for word in words if word.startswith("--from="))
                copies[stage.name] += [] if any(w.startswith("--from=") for w in words) else sources
            elif keyword == "RUN":
                runs[stage.name].append(expand(rest, env))
    used, todo = [], [stages[-1].name]
    while todo:
        name = todo.pop()
        if name in copies and name not in used:
            used.append(name)
            todo += sorted(depends[name])
    return Build(stages, bases, copies, runs, used)


def clean_clone_files() -> set[str]:
    listed = subprocess.run(["git", "ls-files"], cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    if listed.returncode != 0:
        pytest.skip("not a git checkout: no clean clone to compare with")
    return set(listed.stdout.splitlines())


def test_the_default_base_is_an_official_python_image() -> None:
    default = build({})
    base = default.bases[default.stages[-1].name]
    repository = base.split(":")[0]
    # An official ("library") image: one path component, so no registry host and no porchbot/ prefix.
    assert "/" not in repository and "." not in repository, base
    assert repository == "python" and re.fullmatch(r"3\.1[1-9]-slim-\w+", base.split(":")[1]), base
    assert {default.bases[name] for name in default.used} <= {base, *default.used}


def test_a_default_build_needs_only_files_of_a_clean_clone() -> None:
    files = clean_clone_files()
    default = build({})
    # Every stage, used or not: the classic builder (no BuildKit) runs them all.
    for stage, sources in default.copies.items():
        for source in sources:
            path = source.rstrip("/")
            assert not path.startswith("wheelhouse"), f"stage {stage} copies {source} without the build argument"
            assert path in files or any(name.startswith(path + "/") for name in files), \
                f"stage {stage} copies {source}, which a clean clone does not have"
    installs = [run for name in default.used for run in default.runs[name] if "pip install" in run]
    assert installs and not any("--no-index" in run or "/wheels" in run for run in installs)
    assert "--require-hashes -r /src/requirements.lock" in installs[0]  # the lock, hash-checked, first
    assert all("--no-deps /src" in run for run in installs[1:])  # then Porchbot from the source tree


def test_the_wheelhouse_is_used_only_under_its_build_argument() -> None:
    default, offline = build({}), build(OFFLINE_ARGS)
    copied = {source.rstrip("/") for name in offline.used for source in offline.copies[name]}
    assert "wheelhouse" in copied
    assert not any("wheelhouse" in source for name in default.used for source in default.copies[name])
    installs = [run for name in offline.used for run in offline.runs[name] if "pip install" in run]
    assert installs and all("--no-index --find-links /wheels" in run for run in installs)
    assert offline.bases[offline.stages[-1].name] == OFFLINE_ARGS["BASE_IMAGE"]


def test_the_context_lets_in_what_the_build_copies() -> None:
    patterns = [line.strip() for line in (PROJECT_DIR / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    assert patterns[0] == "*"  # nothing else (the venv, .git, state) is sent to the engine
    allowed = {pattern[1:].rstrip("/") for pattern in patterns if pattern.startswith("!")}
    offline = build(OFFLINE_ARGS)
    for sources in offline.copies.values():
        for source in sources:
            path = source.rstrip("/")
            assert path in allowed or f"{path}/*.whl" in allowed, f"{source} is not in the build context"


def test_compose_builds_the_default_path() -> None:
    """`docker compose build` is `docker build .` with the Dockerfile's defaults: no offline arguments."""
    services = yaml.safe_load((PROJECT_DIR / "docker-compose.yaml").read_text())["services"]
    for service in services.values():
        spec = service.get("build")
        if spec is None:
            continue
        if isinstance(spec, dict):
            assert spec.get("context", ".") == "." and not set(spec.get("args") or {}) & set(OFFLINE_ARGS)
        else:
            assert spec == "."
