from __future__ import annotations

from bot.web.signatures import verify_github_signature, verify_gitlab_token

# GitHub's documented check value.
DOC_SECRET = "It's a Secret to Everybody"
DOC_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_github_documented_example() -> None:
    assert verify_github_signature(DOC_SECRET, b"Hello, World!", DOC_SIGNATURE)


def test_github_rejects_wrong_secret_body_and_missing() -> None:
    assert not verify_github_signature("other", b"Hello, World!", DOC_SIGNATURE)
    assert not verify_github_signature(DOC_SECRET, b"Hello, World! ", DOC_SIGNATURE)
    assert not verify_github_signature(DOC_SECRET, b"Hello, World!", None)
    assert not verify_github_signature(DOC_SECRET, b"Hello, World!", "sha1=abc")
    assert not verify_github_signature(DOC_SECRET, b"Hello, World!", "sha256=\u00e9")


def test_gitlab_token() -> None:
    assert verify_gitlab_token("s3cret", "s3cret")
    assert not verify_gitlab_token("s3cret", "s3cre")
    assert not verify_gitlab_token("s3cret", None)
    assert not verify_gitlab_token("s3cret", "")
