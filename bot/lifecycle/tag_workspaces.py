"""The workspace of a published revision, read from its approval commit's ``kpt:`` annotation (as Porch
does): tag ref -> workspace, through one ``git cat-file --batch`` for all the tags asked about."""

from __future__ import annotations

import json

from bot.lifecycle.gitaccess import Git, Ref
from bot.lifecycle.ref_revisions import classify_ref


def annotated_workspace(commit_text: str, package_path: str) -> str:
    """The ``workspaceName`` of the ``kpt:`` annotation line about ``package_path`` in a commit ('' if none)."""
    for line in commit_text.splitlines():
        if not line.startswith("kpt:"):
            continue
        try:
            annotation = json.loads(line[len("kpt:"):])
        except ValueError:
            continue
        if isinstance(annotation, dict) and annotation.get("package") == package_path:
            workspace = annotation.get("workspaceName")
            if isinstance(workspace, str) and workspace:
                return workspace
    return ""


def tag_workspaces(git: Git, refs: list[Ref]) -> dict[str, str]:
    """tag ref -> the workspace named by the ``kpt:`` annotation of the commit it tags (Porch's identity
    of a published revision); tags without one are left out. Each tagged object is read once, however
    many tags point at it."""
    tags = [ref for ref in refs if ref.name.startswith("refs/tags/")]
    targets = list(dict.fromkeys(ref.target for ref in tags))
    if not targets:
        return {}
    commits = git.read_objects([f"{target}^{{commit}}" for target in targets])
    bodies = {target: body.decode("utf-8", "replace") for target, body in zip(targets, commits, strict=True)
              if body is not None}
    found = {}
    for ref in tags:
        parsed = classify_ref(ref.name)
        body = bodies.get(ref.target)
        workspace = annotated_workspace(body, parsed[1]) if parsed and body and "\nkpt:" in body else ""
        if workspace:
            found[ref.name] = workspace
    return found
