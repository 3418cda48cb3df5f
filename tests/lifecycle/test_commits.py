"""Commit messages as Porch writes them: subject, blank line, ``kpt:`` + Go-style compact JSON."""

from __future__ import annotations

from bot.lifecycle import commits


def test_annotation_line_matches_go_encoding() -> None:
    text = commits.message(commits.INIT_SUBJECT, "new-package", "v1", "v1",
                           {"type": "init", "init": {"description": "a <b> & é"}})
    assert text == (
        "Creating new empty revision\n\n"
        'kpt:{"package":"new-package","workspaceName":"v1","revision":"v1",'
        '"task":{"type":"init","init":{"description":"a \\u003cb\\u003e \\u0026 é"}}}\n'
    )


def test_approve_subject_and_no_task() -> None:
    text = commits.message(commits.approve_subject("a/b", "v3"), "a/b", "v3", "v3")
    assert text == 'Approving package revision a/b/v3\n\nkpt:{"package":"a/b","workspaceName":"v3","revision":"v3"}\n'
