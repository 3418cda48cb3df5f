"""search-replace builtin: matching rules, edits, legacy results and failures."""

from __future__ import annotations

import pytest

from bot.render.functions._legacy_fn import go_quote
from bot.render.functions.registry import lookup
from bot.render.functions.search_replace import doublestar_match, path_pattern_match
from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError
from tests.render.functions.conftest import MakeRL, emit, run_builtin
from tests.render.functions.conftest import result_rows as results

IMAGE = "gcr.io/kpt-fn/search-replace:unstable"

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: the-deployment
  namespace: my-space
spec:
  replicas: 3
"""

URLS = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: nginx-urls
data:
  FQDN: nginx.com
  MY_BAR_URL: https://nginx.com/bar
"""


def config(**data: str) -> str:
    lines = "".join(f"  {key}: {go_quote(value)}\n" for key, value in data.items())
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n{lines}"


def run(rl: ResourceList, image: str = IMAGE) -> ResourceList:
    return run_builtin(image, rl)


@pytest.mark.parametrize("image", [IMAGE, "ghcr.io/kptdev/krm-functions-catalog/search-replace:latest",
                                   "gcr.io/kpt-fn/search-replace:v0.2.0", "search-replace:v0.2"])
def test_claimed_tags(image: str) -> None:
    assert lookup(image) is not None


def test_v01_is_not_claimed() -> None:
    assert lookup("gcr.io/kpt-fn/search-replace:v0.1.1") is None


def test_by_path_and_value_puts_the_value(make_rl: MakeRL) -> None:
    rl = run(make_rl(DEPLOYMENT, config(**{"by-path": "metadata.name", "by-value": "the-deployment",
                                           "put-value": "my-deployment"})))
    assert "  name: my-deployment\n" in emit(rl.items[0])
    assert results(rl) == [('Mutated field value to "my-deployment"', "", "metadata.name", "resources.yaml")]


def test_put_value_is_retyped_like_kpt_rereading_the_output(make_rl: MakeRL) -> None:
    rl = run(make_rl(DEPLOYMENT, config(**{"by-path": "spec.replicas", "by-value": "3", "put-value": "4"})))
    replicas = rl.items[0].path("spec", "replicas")
    assert replicas is not None and (replicas.value, replicas.tag) == ("4", "!!int")
    assert "  replicas: 4\n" in emit(rl.items[0])
    assert results(rl)[0][0] == 'Mutated field value to "4"'


def test_no_match_is_a_single_result_without_severity(make_rl: MakeRL) -> None:
    rl = run(make_rl(DEPLOYMENT, config(**{"by-value": "absent", "by-file-path": "resources.yaml"})))
    assert results(rl) == [("no matches", "", "", "")]


def test_regex_capture_groups_fill_the_comment(make_rl: MakeRL) -> None:
    rl = run(make_rl(URLS, config(**{"by-path": "data.**", "by-value-regex": "(.*)nginx.com(.*)",
                                     "put-comment": "kpt-set: ${1}${host}${2}"})))
    text = emit(rl.items[0])
    assert "  FQDN: nginx.com # kpt-set: ${host}\n" in text
    assert "  MY_BAR_URL: https://nginx.com/bar # kpt-set: https://${host}/bar\n" in text
    assert "  name: nginx-urls\n" in text  # outside data.**
    assert [r[0] for r in results(rl)] == [
        'Mutated field value to "nginx.com # kpt-set: ${host}"',
        'Mutated field value to "https://nginx.com/bar # kpt-set: https://${host}/bar"',
    ]


def test_matching_by_value_only_reports_without_editing(make_rl: MakeRL) -> None:
    rl = run(make_rl(URLS, config(**{"by-value": "nginx.com"})))
    assert results(rl) == [('Matched field value "nginx.com"', "", "data.FQDN", "resources.yaml")]


def test_file_path_glob_matches_the_top_level_file_too(make_rl: MakeRL) -> None:
    top = make_rl(URLS, path="setters.yaml")
    nested = make_rl(URLS, path="subpkg/setters.yaml")
    other = make_rl(URLS, path="resources.yaml")
    rl = ResourceList(items=top.items + nested.items + other.items,
                      function_config=make_rl(URLS, config(**{
                          "by-value": "nginx.com", "by-file-path": "**/setters.yaml",
                          "put-value": "example.org"})).function_config)
    run(rl)
    assert [i.str_value("data", "FQDN") for i in rl.items] == ["example.org", "example.org", "nginx.com"]


def test_absolute_path_with_put_value_creates_the_field_everywhere(make_rl: MakeRL) -> None:
    rl = run(make_rl(URLS + "---\n" + DEPLOYMENT, config(**{"by-path": "spec.paused", "put-value": "true"})))
    for item in rl.items:
        paused = item.path("spec", "paused")
        assert paused is not None and paused.tag == "!!bool"
    assert emit(rl.items[0]).endswith("spec:\n  paused: true\n")
    assert [r[0] for r in results(rl)] == ['Mutated field value to "true"'] * 2


def test_put_comment_on_a_sequence_key(make_rl: MakeRL) -> None:
    items = "apiVersion: v1\nkind: MyKind\nmetadata:\n  name: foo\nenvironments: [dev, stage]\n"
    rl = run(make_rl(items, config(**{"by-path": "environments", "put-comment": "kpt-set: ${env}"})))
    assert emit(rl.items[0]).endswith("environments: # kpt-set: ${env}\n- dev\n- stage\n")
    assert results(rl) == [('Mutated field value to "[dev, stage]"', "",
                            "environments # kpt-set: ${env}", "resources.yaml")]


def test_items_without_a_path_count_but_are_not_reported(make_rl: MakeRL) -> None:
    rl = run(make_rl(URLS, config(**{"by-value": "nginx.com"}), bookkeeping=False))
    assert results(rl) == [("no matches", "", "", "")]


@pytest.mark.parametrize(("data", "message"), [
    ({"by-value": "a", "by-value-regex": "a"}, 'only one of ["by-value", "by-value-regex"] can be provided'),
    ({"by-vaule": "a"}, 'invalid matcher "by-vaule", must be one of ["by-value" "by-file-path" '
                        '"by-value-regex" "by-path" "put-value" "put-comment"]'),
    ({"by-value-regex": "nginx", "put-value": "${1}"}, "unable to resolve capture groups"),
])
def test_errors_fail_with_one_error_result(make_rl: MakeRL, data: dict[str, str], message: str) -> None:
    rl = make_rl(URLS, config(**data))
    with pytest.raises(FunctionError) as failure:
        run(rl)
    assert failure.value.exit_code == 1
    assert failure.value.stderr == f"{message}{message}\n"
    assert results(rl) == [(f"failed to perform search-replace operation: {go_quote(message)}", "error", "", "")]


@pytest.mark.parametrize(("path", "pattern", "expected"), [
    ("metadata.name", "metadata.name", True),
    ("spec.template.spec.containers[0].image", "**.image", True),
    ("spec.template.spec.containers[0].image", "spec.*.spec.containers[*].image", True),
    ("spec.containers[1].image", "spec.containers[0].image", False),
    ("spec.containers[1].image", "spec.*[1].image", True),
    ("data", "data.**", True),
    ("metadata.name", "*", False),
])
def test_path_patterns(path: str, pattern: str, expected: bool) -> None:
    assert path_pattern_match(path.split("."), pattern.split(".")) is expected


@pytest.mark.parametrize(("pattern", "name", "expected"), [
    ("**/setters.yaml", "setters.yaml", True),
    ("**/setters.yaml", "a/b/setters.yaml", True),
    ("*.yaml", "a/x.yaml", False),
    ("a/**", "a", True),
    ("a/**/c.yaml", "a/c.yaml", True),
    ("{x,y}.yaml", "y.yaml", True),
    ("[!a]*.yaml", "b.yaml", True),
    ("resources.yaml", "resources.yaml", True),
])
def test_doublestar(pattern: str, name: str, expected: bool) -> None:
    assert doublestar_match(pattern, name) is expected


def test_go_quote_escapes_like_strconv() -> None:
    assert go_quote('a"b\\c\n\x01\x7fé\u00a0') == '"a\\"b\\\\c\\n\\x01\\x7fé\\u00a0"'
