"""Parse a PR comment into slash commands. Pure: no forge calls, no formatting beyond the registry's text.

A command is ``/name`` at the start of a line (leading spaces allowed), case-insensitive. Quoted lines
(``>``), fenced and indented code blocks, and comments written by the bot itself are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.pr.commands import COMMANDS, unknown_command_text

# A comment larger than this is not scanned: commands sit in short human comments, and scanning
# megabytes of pasted logs would cost time for nothing.
MAX_COMMENT_BYTES = 64 * 1024
BOT_MARKER = "<!-- porchbot"

_COMMAND_LINE = re.compile(r"^ {0,3}/([A-Za-z][A-Za-z0-9_-]*)(?:[ \t]+(.*))?\s*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")


@dataclass(frozen=True)
class Command:
    name: str
    args: str = ""


@dataclass(frozen=True)
class ParsedComment:
    commands: list[Command] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)  # immediate replies (unknown commands, too large)

    @property
    def ignored(self) -> bool:
        return not self.commands and not self.replies


def parse_comment(body: str, *, author_is_bot: bool = False) -> ParsedComment:
    if author_is_bot or BOT_MARKER in body[:4096]:
        return ParsedComment()
    if len(body.encode("utf-8", "surrogatepass")) > MAX_COMMENT_BYTES:
        if _COMMAND_LINE.match(body[:256].split("\n", 1)[0]):
            return ParsedComment(replies=[
                f"This comment is larger than {MAX_COMMENT_BYTES // 1024} KiB, so Porchbot did not read "
                "commands from it. Post the command in a short comment of its own."])
        return ParsedComment()
    commands: list[Command] = []
    replies: list[str] = []
    seen: set[str] = set()
    in_fence: str | None = None
    for raw_line in body.replace("\r\n", "\n").split("\n"):
        fence = _FENCE.match(raw_line)
        if fence:
            marker = fence.group(1)
            if in_fence is None:
                in_fence = marker
            elif in_fence == marker:
                in_fence = None
            continue
        if in_fence is not None or raw_line.startswith(("    ", "\t")) or raw_line.lstrip().startswith(">"):
            continue
        match = _COMMAND_LINE.match(raw_line)
        if not match:
            continue
        name = match.group(1).lower()
        if name in seen:
            continue
        seen.add(name)
        if name in COMMANDS:
            commands.append(Command(name=name, args=(match.group(2) or "").strip()))
        else:
            replies.append(unknown_command_text(name))
    return ParsedComment(commands=commands, replies=replies)
