"""Pinned release tags and short tags: which builtin answers to which image, per registry.

A short tag is a moving pointer the catalog's release job sets to the release just pushed, so
``vX.Y`` names the newest ``vX.Y.Z`` of the registry the image comes from: gcr.io/kpt-fn stopped at
the 2025 move (``set-namespace:v0.4`` is v0.4.1 there), ghcr carries on (v0.4.5).
"""

from __future__ import annotations

import pytest

from bot.render.functions import _releases
from bot.render.functions.registry import all_functions, lookup
from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError
from tests.render.functions.conftest import MakeRL
from tests.render.functions.conftest import run_builtin as run

GCR = "gcr.io/kpt-fn"
GHCR = "ghcr.io/kptdev/krm-functions-catalog"


def claimed_tags(image: str) -> tuple[str, ...]:
    function = lookup(image)
    assert function is not None, image
    return function.tags


@pytest.mark.parametrize(("image", "release"), [
    (f"{GCR}/set-namespace:v0.4", "v0.4.1"),
    (f"{GCR}/set-namespace:v0", "v0.4.1"),
    (f"{GCR}/set-namespace:v0.3", "v0.3.4"),
    (f"{GHCR}/set-namespace:v0.3", "v0.3.4"),
    (f"{GHCR}/set-namespace:v0.4", "v0.4.5"),
    ("set-namespace:v0.4", "v0.4.5"),  # a bare name pulls from kpt's default prefix, ghcr
    (f"{GCR}/starlark:v0.5", "v0.5.0"),
    (f"{GCR}/starlark:v0.4", "v0.4.3"),
    ("starlark:v0.5", "v0.5.2"),
    (f"{GHCR}/starlark:v0.4", "v0.4.3"),
    (f"{GCR}/set-annotations:v0.1", "v0.1.4"),
    (f"{GHCR}/set-annotations:v0.1", "v0.1.5"),
    (f"{GCR}/apply-replacements:v0.1", "v0.1.1"),
])
def test_a_short_tag_runs_the_newest_release_of_its_registry(image: str, release: str) -> None:
    assert release in claimed_tags(image)


@pytest.mark.parametrize("image", [
    f"{GCR}/set-namespace:v0.4.0", f"{GHCR}/set-namespace:v0.4.0", "set-namespace:v0.3.4",
    "starlark:v0.4.3", f"{GCR}/starlark:v0.4.3",
])
def test_pinned_releases_have_their_own_builtin(image: str) -> None:
    assert claimed_tags(image) == (image.rsplit(":", 1)[1],)


def test_kpt_image_prefix_moves_bare_names_to_gcr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPT_IMAGE_PREFIX", GCR)
    assert claimed_tags("set-namespace:v0.4") == ("v0.4.1",)
    assert claimed_tags("starlark:v0.5") == ("v0.5.0",)


@pytest.mark.parametrize("image", [
    f"{GCR}/set-namespace:v0.9",  # no such line
    f"{GCR}/set-namespace:v0.2",  # v0.2.0 exists but no builtin reproduces it
    f"{GHCR}/wasm/set-namespace:v0.4",  # another image under the registry
    "gcr.io/kpt-fn.evil.example/set-namespace:v0.4",
    f"{GCR}/kubeval:v0.3.1",
])
def test_tags_no_release_backs_are_not_claimed(image: str) -> None:
    assert lookup(image) is None


def test_resolution_reads_the_release_lists() -> None:
    assert _releases.resolve_short_tag("starlark", "v0", GCR) == "v0.5.0"
    assert _releases.resolve_short_tag("starlark", "v0.5.1", GCR) is None  # not a short tag
    assert _releases.resolve_short_tag("kubeval", "v0.3", GHCR) is None  # never moved to ghcr
    assert _releases.resolve_short_tag("no-such-function", "v0.1", GCR) is None


def test_fn_list_descriptions_name_the_short_tags() -> None:
    descriptions = {(f.name, f.tags[0]): f.description for f in all_functions()}
    assert descriptions[("set-namespace", "v0.4.1")].endswith("(also v0.4, v0 on gcr.io/kpt-fn)")
    assert descriptions[("set-namespace", "v0.3.4")].endswith(
        "(also v0.3 on gcr.io/kpt-fn and ghcr.io/kptdev/krm-functions-catalog)")
    assert "v0.5, v0 on ghcr.io/kptdev/krm-functions-catalog" in descriptions[("starlark", "unstable")]
    assert "v0.4 on gcr.io/kpt-fn and" in descriptions[("starlark", "v0.4.3")]
    # every pinned tag kpt-samples and Porch's cases use is listed
    listed = {(f.name, tag) for f in all_functions() for tag in f.tags}
    for wanted in (("set-namespace", "v0.3.4"), ("set-namespace", "v0.4.0"), ("starlark", "v0.4.3")):
        assert wanted in listed


# ---- set-namespace v0.4.0: v0.4.1's algorithm on the SDK of the week before ------------------------

V040 = f"{GCR}/set-namespace:v0.4.0"
V041 = f"{GCR}/set-namespace:v0.4.1"
SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: old\n"


def messages(rl: ResourceList) -> list[tuple[str, str]]:
    return [(r.message, r.severity) for r in rl.results]


def test_v040_sets_every_slot_like_v041(make_rl: MakeRL) -> None:
    config = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  namespace: new\n"
    ours, theirs = run(V040, make_rl(SERVICE, config)), run(V041, make_rl(SERVICE, config))
    assert messages(ours) == messages(theirs) == [('namespace "old" updated to "new", 1 value(s) changed', "info")]


def test_v040_config_errors_point_at_the_config_and_exit_zero(make_rl: MakeRL) -> None:
    config = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  other: x\n"
    rl = run(V040, make_rl(SERVICE, config))
    assert messages(rl) == [("`data.namespace` should not be empty", "error")]
    ref = rl.results[0].resource_ref
    assert ref is not None and (ref.kind, ref.name) == ("ConfigMap", "cfg")
    with pytest.raises(FunctionError) as raised:  # v0.4.1 exits 1 without pointing anywhere
        run(V041, make_rl(SERVICE, config))
    assert raised.value.exit_code == 1


def test_v040_reads_an_empty_config_as_an_unknown_kind_and_crashes_without_one(make_rl: MakeRL) -> None:
    rl = make_rl(SERVICE)
    rl.function_config = make_rl("{}\n").items[0]
    run(V040, rl)
    assert messages(rl) == [("unknown functionConfig Kind= ApiVersion=, expect `SetNamespace` or `ConfigMap`",
                             "error")]
    with pytest.raises(FunctionError) as raised:
        run(V040, make_rl(SERVICE))
    assert raised.value.exit_code == 2
