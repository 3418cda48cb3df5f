"""kpt's console lines: result strings, durations, [PASS]/[FAIL] blocks."""

from __future__ import annotations

import io

import pytest

from bot.render.console import Console, go_duration, result_line
from bot.render.resourcelist import ResourceRef, Result, ResultField


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0s"), (0.0000005, "500ns"), (0.0015, "1.5ms"), (2.25, "2.25s"), (61.5, "1m1.5s"),
])
def test_go_duration(seconds: float, text: str) -> None:
    assert go_duration(seconds) == text


def test_result_line_shapes() -> None:
    assert result_line(Result(message="set 4 labels in total", severity="info")) == "[info]: set 4 labels in total"
    assert result_line(Result(message="m", field=ResultField(path="metadata.annotations"))) == \
        "[info] metadata.annotations: m"
    ref = ResourceRef(api_version="apps/v1", kind="Deployment", name="web", namespace="prod")
    assert result_line(Result(message="two\nlines", severity="error", resource_ref=ref,
                              field=ResultField(path="spec"))) == "[error] apps/v1/Deployment/prod/web spec: two lines"


def test_fail_block_layout() -> None:
    stream = io.StringIO()
    console = Console(stream)
    console.running("img:latest", 2, "app")
    console.finished("img:latest", 0, [Result(message="bad", severity="error")], "oops\n", 1)
    assert stream.getvalue() == (
        '[RUNNING] "img:latest" on 2 resource(s) on package "app"\n'
        '[FAIL] "img:latest" in 0s\n'
        "  [Results]:\n"
        "    [error]: bad\n"
        "  Stderr:\n"
        "    oops\n"
        "    \n"
        "  Exit code: 1\n")
