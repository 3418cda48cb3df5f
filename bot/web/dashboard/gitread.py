"""The few git reads the dashboard needs beyond discovery: blobs in one batch, a package's files at a commit,
the Kptfile facts of many revisions at once. Everything here is keyed by object ids, so callers may cache it
for ever (a commit never changes)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from typing import Any

import yaml

from bot.lifecycle.gitaccess import Git

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_FILE_BYTES = 512 * 1024  # a bigger file is listed but not shown: a page must stay small


def read_blobs(git: Git, objects: list[str]) -> dict[str, bytes]:
    """object name (``<commit>:<path>`` or a blob id) -> its bytes, for the ones that exist (one process)."""
    if not objects:
        return {}
    request = "".join(f"{name}\n" for name in objects).encode()
    output = subprocess.run(["git", f"--git-dir={git.git_dir}", "cat-file", "--batch"], input=request,
                            capture_output=True, check=True, env=git.env).stdout
    found: dict[str, bytes] = {}
    position = 0
    for name in objects:
        header_end = output.index(b"\n", position)
        header = output[position:header_end].split()
        position = header_end + 1
        if len(header) == 3:
            size = int(header[2])
            if header[1] == b"blob":
                found[name] = output[position:position + size]
            position += size + 1
    return found


def package_files(git: Git, commit: str, package_path: str) -> dict[str, str | None]:
    """path (relative to the package) -> text of each file of the package at ``commit``; None for a binary
    or too-large file."""
    treeish = f"{commit}:{package_path}" if package_path else f"{commit}^{{tree}}"
    result = git.run_raw("ls-tree", "-r", "-z", "-l", treeish)
    if result.returncode != 0:
        return {}
    entries: list[tuple[str, str, int]] = []
    for record in result.stdout.split("\0"):
        if not record:
            continue
        meta, path = record.split("\t", 1)
        _mode, kind, object_id, size = meta.split()
        if kind == "blob":
            entries.append((path, object_id, int(size) if size.isdigit() else 0))
    wanted = [object_id for _, object_id, size in entries if size <= MAX_FILE_BYTES]
    blobs = read_blobs(git, wanted)
    files: dict[str, str | None] = {}
    for path, object_id, _size in entries:
        data = blobs.get(object_id)
        if data is None or b"\0" in data[:8000]:
            files[path] = None
            continue
        try:
            files[path] = data.decode("utf-8")
        except UnicodeDecodeError:
            files[path] = None
    return files


@dataclass(frozen=True)
class KptfileFacts:
    """What the dashboard shows of a revision's root Kptfile."""

    upstream_repo: str = ""
    upstream_directory: str = ""
    upstream_ref: str = ""
    upstream_commit: str = ""
    pipeline: tuple[tuple[str, str, str], ...] = ()  # (stage, function image or exec, name)
    rendered: str = ""  # the Rendered condition's status: "True", "False" or "" (not recorded)
    rendered_message: str = ""
    readiness_gates: tuple[str, ...] = field(default=())
    # The last render's results (kpt's status.renderStatus): (step, severity, message, file, where).
    findings: tuple[tuple[str, str, str, str, str], ...] = ()
    error_summary: str = ""

    @property
    def upstream_package(self) -> str:
        return self.upstream_directory.strip("/")


def kptfile_facts(text: str | None) -> KptfileFacts:
    if not text:
        return KptfileFacts()
    try:
        document: Any = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError:
        return KptfileFacts(rendered="False", rendered_message="the Kptfile is not valid YAML")
    if not isinstance(document, dict):
        return KptfileFacts()
    lock = _mapping(_mapping(document.get("upstreamLock")).get("git")) or \
        _mapping(_mapping(document.get("upstream")).get("git"))
    pipeline = _mapping(document.get("pipeline"))
    steps = []
    for stage in ("mutators", "validators"):
        for step in pipeline.get(stage) or []:
            if isinstance(step, dict):
                steps.append((stage[:-1], str(step.get("image") or step.get("exec") or ""),
                              str(step.get("name") or "")))
    rendered, message = "", ""
    for condition in _mapping(document.get("status")).get("conditions") or []:
        if isinstance(condition, dict) and condition.get("type") == "Rendered":
            rendered, message = str(condition.get("status") or ""), str(condition.get("message") or "")
    gates = tuple(str(gate.get("conditionType")) for gate in _mapping(document.get("info")).get("readinessGates")
                  or [] if isinstance(gate, dict) and gate.get("conditionType"))
    render_status = _mapping(_mapping(document.get("status")).get("renderStatus"))
    return KptfileFacts(str(lock.get("repo") or ""), str(lock.get("directory") or ""), str(lock.get("ref") or ""),
                        str(lock.get("commit") or ""), tuple(steps), rendered, message, gates,
                        _findings(render_status), str(render_status.get("errorSummary") or ""))


def _findings(render_status: dict[str, Any]) -> tuple[tuple[str, str, str, str, str], ...]:
    found = []
    for key in ("mutationSteps", "validationSteps"):
        for step in render_status.get(key) or []:
            if not isinstance(step, dict):
                continue
            label = str(step.get("name") or step.get("image") or step.get("exec") or "")
            if step.get("executionError"):
                found.append((label, "error", str(step["executionError"]), "", ""))
            for result in step.get("results") or []:
                if not isinstance(result, dict):
                    continue
                file = _mapping(result.get("file"))
                ref = _mapping(result.get("resourceRef"))
                where = "/".join(str(ref[k]) for k in ("kind", "name") if ref.get(k))
                path = _mapping(result.get("field")).get("path")
                if path:
                    where = f"{where} {path}".strip()
                found.append((label, str(result.get("severity") or "info"), str(result.get("message") or ""),
                              str(file.get("path") or ""), where))
    return tuple(found)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
