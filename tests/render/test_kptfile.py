"""Strict Kptfile decoding with kpt's error texts, and the canonical re-encoding the status write uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.render.kptfile import marshal_kptfile, parse_kptfile, read_kptfile
from bot.render.render_errors import (
    KptfileReadError,
    NoKptfile,
    OldKptfileVersion,
    UnknownKptfileType,
    ValidateError,
)
from bot.render.validation import validate_pipeline

HEAD = "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: app\n"


@pytest.mark.parametrize(("text", "details"), [
    (HEAD + "  foo: 1\nbar: 2\n",
     "yaml: unmarshal errors:\n  line 5: field foo not found in type yaml.ObjectMeta\n"
     "  line 6: field bar not found in type v1.KptFile"),
    (HEAD + "pipeline:\n  mutators:\n    - image: a\n      targetResources: []\n",
     "yaml: unmarshal errors:\n  line 8: field targetResources not found in type v1.Function"),
    (HEAD + "pipeline:\n  mutators: {a: 1}\n",
     "yaml: unmarshal errors:\n  line 6: cannot unmarshal !!map into []v1.Function"),
    (HEAD + "pipeline:\n  mutators:\n    - image: a\n      configMap:\n        k: [1]\n",
     "yaml: unmarshal errors:\n  line 9: cannot unmarshal !!seq into string"),
    (HEAD + "pipeline: 3\n", "yaml: unmarshal errors:\n  line 5: cannot unmarshal !!int `3` into v1.Pipeline"),
], ids=["unknown-fields", "unknown-function-field", "map-for-list", "seq-for-string", "int-for-struct"])
def test_strict_decoding_errors(text: str, details: str) -> None:
    with pytest.raises(KptfileReadError) as caught:
        parse_kptfile(text, "/pkg")
    assert caught.value.details == details
    assert caught.value.console_text() == f"Error: Kptfile at \"/pkg\" can't be read.\n\nDetails:\n{details} \n"


def test_versions() -> None:
    with pytest.raises(OldKptfileVersion, match=r'has an old version \("v1alpha2"\) of the Kptfile schema'):
        parse_kptfile("apiVersion: kpt.dev/v1alpha2\nkind: Kptfile\n", "/pkg")
    with pytest.raises(UnknownKptfileType, match=r'unknown resource type \("kpt.dev/v2, Kind=Kptfile"\)'):
        parse_kptfile("apiVersion: kpt.dev/v2\nkind: Kptfile\n", "/pkg")


def test_missing_kptfile(tmp_path: Path) -> None:
    with pytest.raises(NoKptfile, match="No Kptfile found at"):
        read_kptfile(tmp_path)


def test_canonical_marshal_orders_fields_and_drops_comments() -> None:
    text = (HEAD.replace("  name: app\n", "  annotations:\n    b: \"2\"\n    a: x\n  name: app # the app\n")
            + "pipeline:\n  mutators:\n    - configMap:\n        z: \"1\"\n        a: b\n"
            + "      tag: \"~0.2\"\n      image: set-labels\n")
    kptfile = parse_kptfile(text, "/pkg")
    assert marshal_kptfile(kptfile.canonical) == (
        "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: app\n  annotations:\n    a: x\n    b: \"2\"\n"
        "pipeline:\n  mutators:\n    - image: set-labels\n      configMap:\n        a: b\n        z: \"1\"\n"
        "      tag: ~0.2\n")
    assert kptfile.mutators[0].config_map == {"z": "1", "a": "b"}


@pytest.mark.parametrize(("pipeline", "field", "reason"), [
    ("  mutators:\n    - configMap: {a: b}\n", "pipeline.mutators[0]",
     "must specify a functon (`image` or `exec`) to execute"),
    ("  validators:\n    - image: Foo Bar\n", "pipeline.validators[0].image", 'function name "Foo Bar" is invalid'),
    ("  mutators:\n    - image: a\n    - image: b\n      configMap: {a: b}\n      configPath: c.yaml\n",
     "pipeline.mutators[1]", "functionConfig must not specify both `configMap` and `configPath` at the same time"),
    ("  mutators:\n    - image: a\n      configPath: two.yaml\n", "pipeline.mutators[0].configPath",
     'functionConfig "two.yaml" must not contain more than one config, got 2'),
    ("  mutators:\n    - image: a\n      configPath: noname.yaml\n", "pipeline.mutators[0].configPath",
     'functionConfig "noname.yaml": resource must have `metadata.name`'),
], ids=["no-image-or-exec", "bad-image", "both-configs", "two-configs", "no-name"])
def test_pipeline_validation(tmp_path: Path, pipeline: str, field: str, reason: str) -> None:
    (tmp_path / "two.yaml").write_text("apiVersion: v1\nkind: A\nmetadata:\n  name: a\n---\n"
                                      "apiVersion: v1\nkind: B\nmetadata:\n  name: b\n")
    (tmp_path / "noname.yaml").write_text("apiVersion: v1\nkind: A\nmetadata: {}\n")
    kptfile = parse_kptfile(HEAD + "pipeline:\n" + pipeline, str(tmp_path))
    with pytest.raises(ValidateError) as caught:
        validate_pipeline(kptfile, tmp_path)
    assert caught.value.field == field
    assert caught.value.reason == reason
    assert str(caught.value).startswith(f"Kptfile is invalid:\nField: `{field}`\n")
