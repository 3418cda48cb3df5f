"""What porchctl's command line (cobra + kubectl flags) accepts that click does not, mapped before parsing.

- ``--namespace X`` / ``-n X``: porchctl's Kubernetes namespace. Git-only mode has no namespaces, so the
  value only labels the objects the CLI prints (``metadata.namespace``, the pull's KptRevisionMetadata).
- ``--flag=true`` / ``--flag=false`` on boolean flags, cobra's spelling: ``--flag`` or nothing.
- ``rpkg delete``: porchctl's alias of ``rpkg del``.
"""

from __future__ import annotations

DEFAULT_NAMESPACE = "default"
# Boolean flags of the rpkg / repo commands (cobra lets each be spelled --flag=true|false).
BOOL_FLAGS = frozenset({"--deployment", "--replay-strategy", "--no-headers", "--show-kptfile", "--create-branch"})
GROUPS = ("rpkg", "repo")
ALIASES = {("rpkg", "delete"): "del"}


class _State:
    namespace = DEFAULT_NAMESPACE


def namespace() -> str:
    """The namespace given on the command line (``default`` when none was)."""
    return _State.namespace


def normalize(argv: list[str]) -> list[str]:
    """argv with porchctl's namespace flag taken out and cobra's boolean spellings made click's."""
    if not argv or argv[0] not in GROUPS:
        return argv
    out: list[str] = []
    index = 0
    while index < len(argv):
        token = argv[index]
        index += 1
        if token == "--":
            out.extend(argv[index - 1:])
            break
        name, has_value, value = token.partition("=")
        if name in ("--namespace", "-n"):
            if not has_value:
                if index >= len(argv):
                    out.append(token)  # let click report the missing value
                    continue
                value = argv[index]
                index += 1
            _State.namespace = value or DEFAULT_NAMESPACE
            continue
        if token.startswith("-n") and not token.startswith("--") and len(token) > 2:
            _State.namespace = token[2:]
            continue
        if has_value and name in BOOL_FLAGS and value.lower() in ("true", "false", "1", "0", "t", "f"):
            if value.lower() in ("true", "1", "t"):
                out.append(name)
            continue
        out.append(token)
    if len(out) > 1 and (out[0], out[1]) in ALIASES:
        out[1] = ALIASES[(out[0], out[1])]
    return out


# Which porchctl the CLI speaks: "v4" (default: Porch v4's porchctl), "v4.1" (Porch v4.1 and later:
# <repo>.<pkg>.<workspace> names, integer revisions), or "kpt-alpha" (the kpt book's `kpt alpha rpkg` of the
# seed walkthrough: no WORKSPACENAME column, a draft's workspace shown as its revision, "rejected").
ERAS = ("v4", "v4.1", "kpt-alpha")


def era() -> str:
    from bot.config.settings import current_settings

    value = current_settings().porchctl or "v4"
    if value not in ERAS:
        from bot.errors import InvalidInput

        raise InvalidInput(f"PORCHBOT_PORCHCTL={value!r}: use one of {', '.join(ERAS)}")
    return value


class Refused(Exception):
    """A refusal porchctl prints in its own words (``error: ...`` without the ``Error:`` wrapper)."""

    def __init__(self, line: str) -> None:
        super().__init__(line)
        self.line = line
