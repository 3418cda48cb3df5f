"""``tag:`` constraints resolve to the highest runnable tag, as kpt resolves them."""

from __future__ import annotations

import pytest

from bot.render.render_errors import PlainError
from bot.render.semver import best_tag, parse_version

TAGS = ["v0.1.5", "v0.2.1", "v0.2.5", "v0.3.0-rc.1", "v0.4.1", "v0.4.3", "v1.0.0", "latest", "unstable"]


@pytest.mark.parametrize(("constraint", "expected"), [
    ("0.4.1 - 0.4.3", "v0.4.3"),
    ("~0.2", "v0.2.5"),
    ("^0.2.1", "v0.2.5"),
    ("~0.2.1", "v0.2.5"),
    (">=0.2, <0.4", "v0.2.5"),
    ("0.4.x", "v0.4.3"),
    ("1", "v1.0.0"),
    ("=0.4.1", "v0.4.1"),
    ("<0.2 || >=1", "v1.0.0"),
    ("0.3", None),
], ids=lambda value: str(value))
def test_best_tag(constraint: str, expected: str | None) -> None:
    assert best_tag(constraint, TAGS) == expected


def test_pre_releases_and_words_are_not_versions() -> None:
    assert parse_version("v0.3.0-rc.1") is None
    assert parse_version("latest") is None
    assert parse_version("v0.4.3") == (0, 4, 3)


def test_improper_constraint_is_a_clear_error() -> None:
    with pytest.raises(PlainError, match="improper constraint"):
        best_tag("banana", TAGS)
