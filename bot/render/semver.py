"""A step's ``tag:`` semver constraint (Masterminds/semver syntax, as kpt uses) resolved to a tag."""

from __future__ import annotations

import re

from bot.render.render_errors import PlainError

_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")

Version = tuple[int, int, int]


def parse_version(text: str) -> Version | None:
    """A released version (no pre-release part) of a tag like ``v0.4.3``; None otherwise."""
    match = _VERSION.match(text.strip())
    if match is None or match.group(4) or not match.group(2) or not match.group(3):
        return None
    if not match.group(2).isdigit() or not match.group(3).isdigit():
        return None
    return int(match.group(1)), int(match.group(2)), int(match.group(3))


def _partial(text: str) -> tuple[int, int | None, int | None]:
    match = _VERSION.match(text.strip())
    if match is None:
        raise PlainError(f"improper constraint: {text}")
    major = int(match.group(1))
    minor = int(match.group(2)) if match.group(2) and match.group(2).isdigit() else None
    patch = int(match.group(3)) if match.group(3) and match.group(3).isdigit() else None
    return major, minor, patch


def _bounds(op: str, text: str) -> list[tuple[str, Version]]:
    major, minor, patch = _partial(text)
    low: Version = (major, minor or 0, patch or 0)
    if op in ("", "=") and (minor is None or patch is None):
        op = "~" if minor is not None else "^"
        if minor is None:
            return [(">=", low), ("<", (major + 1, 0, 0))]
    if op in ("", "="):
        return [("=", low)]
    if op == "~":
        upper = (major, (minor or 0) + 1, 0) if minor is not None else (major + 1, 0, 0)
        return [(">=", low), ("<", upper)]
    if op == "^":
        if major > 0 or minor is None:
            upper = (major + 1, 0, 0)
        elif minor > 0 or patch is None:
            upper = (0, minor + 1, 0)
        else:
            upper = (0, 0, (patch or 0) + 1)
        return [(">=", low), ("<", upper)]
    if op in (">", ">=", "<", "<=", "!="):
        if op == "<=" and (minor is None or patch is None):
            return [("<", (major + 1, 0, 0) if minor is None else (major, minor + 1, 0))]
        if op == ">" and (minor is None or patch is None):
            return [(">=", (major + 1, 0, 0) if minor is None else (major, minor + 1, 0))]
        return [(op, low)]
    raise PlainError(f"improper constraint: {op}{text}")


def _parse_group(group: str) -> list[tuple[str, Version]]:
    group = group.strip()
    hyphen = re.match(r"^(\S+)\s+-\s+(\S+)$", group)
    if hyphen:
        return _bounds(">=", hyphen.group(1)) + _bounds("<=", hyphen.group(2))
    checks: list[tuple[str, Version]] = []
    for part in re.findall(r"(>=|<=|!=|>|<|=|~|\^)?\s*(v?[0-9xX*][0-9A-Za-z.*+-]*)", group.replace(",", " ")):
        checks.extend(_bounds(part[0], part[1]))
    if not checks:
        raise PlainError(f"improper constraint: {group}")
    return checks


def _satisfies(version: Version, checks: list[tuple[str, Version]]) -> bool:
    for op, bound in checks:
        ok = {"=": version == bound, "!=": version != bound, ">": version > bound, ">=": version >= bound,
              "<": version < bound, "<=": version <= bound}[op]
        if not ok:
            return False
    return True


def best_tag(constraint: str, tags: list[str]) -> str | None:
    """The highest released tag satisfying ``constraint`` (``||`` between alternatives)."""
    groups = [_parse_group(g) for g in constraint.split("||")]
    candidates = []
    for tag in tags:
        version = parse_version(tag)
        if version is not None and any(_satisfies(version, g) for g in groups):
            candidates.append((version, tag))
    return max(candidates)[1] if candidates else None
