"""fastparse builds exactly the parser's tree (every slot of every node) or gives the text to the parser.

The merge runs with and without it in tests/upgrade/test_shared_suite.py (``fastlane.ordinary_path``).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings

from bot.render.yaml import emit_node, read_file_documents
from bot.render.yaml.errors import YAMLError
from bot.render.yaml.node import Node
from bot.upgrade import fastparse
from bot.upgrade.identity import add_merge_comment
from tests.conftest import SHARED_DIR
from tests.line_edits import EDITS, edit_lines
from tests.upgrade.world import deployment

SLOTS = ("kind", "tag", "value", "style", "head_comment", "line_comment", "foot_comment", "anchor", "line",
         "column")


def difference(built: Node, parsed: Node, path: str = "") -> str | None:
    for slot in SLOTS:
        if getattr(built, slot) != getattr(parsed, slot):
            return f"{path or '/'}: {slot} {getattr(built, slot)!r} != {getattr(parsed, slot)!r}"
    if (built.alias is None) != (parsed.alias is None) or len(built.content) != len(parsed.content):
        return f"{path or '/'}: content differs"
    for index, (one, two) in enumerate(zip(built.content, parsed.content, strict=True)):
        found = difference(one, two, f"{path}/{index}")
        if found is not None:
            return found
    return None


def _assert_as_parsed(text: str) -> bool:
    """True when fastparse built the tree (and it is the parser's), False when it left it to the parser."""
    built = fastparse.document(text)
    if built is None:
        return False
    parsed = read_file_documents(text)
    assert len(parsed) == 1, text
    found = difference(built, parsed[0][0])
    assert found is None, f"{found}\n{text}"
    return True


def _as_kpt_got_it(text: str) -> str:
    doc = read_file_documents(text)[0][0]
    add_merge_comment(doc.content[0])
    return emit_node(doc)


def test_generated_resources_as_upstream_writes_them_and_as_kpt_got_them() -> None:
    for i in range(50):
        assert _assert_as_parsed(deployment(i, replicas=i % 4, env=("info", "debug")[i % 2]))
        assert _assert_as_parsed(_as_kpt_got_it(deployment(i)))


@pytest.mark.parametrize("text", [
    "a: 1\nb:\n  - c: 2\n",  # a wide sequence
    "a: 1 # note\n",  # a comment where kpt writes none
    "a: 1\na: 2\n",  # a key twice
    "a: 'x'\n",  # quoted (only kpt's identifier annotation is)
    "a:\n- - b\n",  # a sequence in a sequence
    "a:\n- b\n",  # a sequence of scalars
    "a: {}\n",  # flow
    "a: 1\n\n",  # a blank line
    "a:\n",  # an empty value
    "a: null\n",  # null
    "a: yes\n",  # a YAML 1.1 word
    "---a: 1\n",  # a document marker, not a key: the parser refuses it
    "a: 2:\n",  # a mapping indicator at the end of a value: the parser refuses it
    "a:\n- b: 'x\x01'\n",  # a control character
])
def test_anything_else_goes_to_the_parser(text: str) -> None:
    assert fastparse.document(text) is None


@pytest.mark.shared
def test_every_plain_document_of_the_shared_update_suite_is_built_as_the_parser_builds_it() -> None:
    root = SHARED_DIR / "conformance" / "update"
    if not root.is_dir():
        pytest.skip("../shared not available (conformance/update)")
    built = 0
    for directory, _, files in os.walk(root):
        for name in sorted(files):
            if not (name.endswith((".yaml", ".yml")) or name == "Kptfile"):
                continue
            try:
                with open(os.path.join(directory, name), encoding="utf-8") as handle:
                    text = handle.read()
            except UnicodeDecodeError:
                continue
            for piece in text.split("\n---\n"):
                built += _assert_as_parsed(piece if piece.endswith("\n") else piece + "\n")
    assert built > 500  # the lane is not vacuous


@settings(deadline=None, derandomize=True, database=None, max_examples=400,
          suppress_health_check=[HealthCheck.too_slow])
@given(edits=EDITS)
def test_edited_documents_are_built_as_parsed_or_left_to_the_parser(edits: list[tuple[int, int, str]]) -> None:
    text = edit_lines(_as_kpt_got_it(deployment(3)), edits)
    if fastparse.document(text) is None:
        return
    try:
        assert _assert_as_parsed(text)
    except YAMLError as err:
        raise AssertionError(f"built a tree for text the parser refuses ({err}):\n{text}") from err
