"""The fast lane takes only text that kpt's merge and writer leave exactly as it is."""

from __future__ import annotations

import pytest

from bot.render.yaml import emit_node, read_file_documents
from bot.upgrade import fastlane
from bot.upgrade.identity import add_merge_comment
from bot.upgrade.merge3 import merge_resource
from tests.upgrade.world import deployment


def _as_kpt_got_it(text: str) -> str:
    doc = read_file_documents(text)[0][0]
    add_merge_comment(doc.content[0])
    return emit_node(doc)


def test_a_plain_deployment_is_stable_and_merging_it_with_itself_changes_nothing() -> None:
    text = _as_kpt_got_it(deployment(7))
    assert fastlane.stable(text)
    assert fastlane.strip_additions(text) == deployment(7)
    assert fastlane.quick_identity(text, "a.yaml").label() == "apps/Deployment /app-7"  # type: ignore[union-attr]
    docs = [read_file_documents(text)[0][0].content[0] for _ in range(3)]
    assert emit_node(merge_resource(*docs)) == text  # type: ignore[arg-type]


@pytest.mark.parametrize(("old", "new"), [
    ("value: info", 'value: "info"'),  # quoted: the writer may re-quote
    ("value: info", "value: info # why"),  # a comment
    ("value: info", "value: on"),  # YAML 1.1 word: kyaml double-quotes it when it sets the field
    ("value: info", "value:"),  # null: the merge drops it
    ("replicas: 2", "replicas: {}"),  # flow
    ("  replicas: 2\n", "   replicas: 2\n"),  # not kyaml's indentation
    ("'apps|Deployment|default|app-7'", "'apps|Deployment|default|other'"),  # stale identifier
    ("        - containerPort: 8080\n",  # the same merge key twice: kyaml collapses the two
     "        - containerPort: 8080\n        - containerPort: 8080\n          name: second\n"),
])
def test_anything_else_takes_the_ordinary_path(old: str, new: str) -> None:
    text = _as_kpt_got_it(deployment(7))
    assert old in text
    assert not fastlane.stable(text.replace(old, new, 1))


def test_identity_from_text_gives_up_on_quoted_names_and_comments() -> None:
    assert fastlane.quick_identity('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "x"\n', "a.yaml") is None
    assert fastlane.quick_identity("apiVersion: v1\nkind: ConfigMap\nmetadata:\n# c\n  name: x\n", "a.yaml") is None
    assert fastlane.quick_identity("apiVersion: v1\nkind: ConfigMap\n", "a.yaml").name == ""  # type: ignore[union-attr]
