from __future__ import annotations

import pytest

from bot.handlers.slash import MAX_COMMENT_BYTES, Command, parse_comment

CASES = [
    ("plain approve", "/approve", ["approve"], 0),
    ("case insensitive", "/APPROVE", ["approve"], 0),
    ("leading spaces", "   /approve", ["approve"], 0),
    ("several commands", "/render\nlooks good\n/approve", ["render", "approve"], 0),
    ("repeated command once", "/approve\n/approve", ["approve"], 0),
    ("mid-line is not a command", "please /approve this", [], 0),
    ("quoted line ignored", "> /approve\nthanks", [], 0),
    ("quoted with spaces ignored", "  > /approve", [], 0),
    ("fenced code ignored", "```\n/approve\n```\n", [], 0),
    ("tilde fence ignored", "~~~sh\n/approve\n~~~", [], 0),
    ("after fence counts", "```\n/x\n```\n/reject", ["reject"], 0),
    ("indented code ignored", "    /approve", [], 0),
    ("unknown command replies", "/lgtm", [], 1),
    ("unknown and known", "/lgtm\n/approve", ["approve"], 1),
    ("crlf line endings", "hello\r\n/reject\r\n", ["reject"], 0),
    ("path is not a command", "/etc/passwd", [], 0),
    ("ok-to-render", "/ok-to-render", ["ok-to-render"], 0),
]


@pytest.mark.parametrize(("body", "expected", "replies"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_parse_comment(body: str, expected: list[str], replies: int) -> None:
    parsed = parse_comment(body)
    assert [c.name for c in parsed.commands] == expected
    assert len(parsed.replies) == replies


def test_args_are_kept() -> None:
    assert parse_comment("/render now please").commands == [Command("render", "now please")]


def test_bot_comments_are_ignored() -> None:
    assert parse_comment("/approve", author_is_bot=True).ignored
    assert parse_comment("<!-- porchbot:status -->\n/approve").ignored


def test_huge_comment_is_refused_without_scanning() -> None:
    body = "/approve\n" + "x" * (MAX_COMMENT_BYTES + 10)
    parsed = parse_comment(body)
    assert parsed.commands == []
    assert "larger than" in parsed.replies[0]
    assert parse_comment("y" * (10 * 1024 * 1024)).ignored


def test_unknown_reply_lists_known_commands() -> None:
    reply = parse_comment("/frobnicate").replies[0]
    assert "`/frobnicate`" in reply and "`/approve`" in reply and "/help" in reply
