"""starlark builtin: config forms, the runtime contract, Go-compatible messages, output shape, sandbox."""

from __future__ import annotations

import pytest

from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError
from tests.render.functions.conftest import MakeRL, builtins_of, emit, run_builtin

MASTER = "ghcr.io/kptdev/krm-functions-catalog/starlark:latest"
V050 = "gcr.io/kpt-fn/starlark:v0.5.0"

APP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: my-cm
data:
  some-key: some-value
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
"""


def star(source: str, name: str = "my-star") -> str:
    body = "".join(f"  {line}\n" for line in source.splitlines())
    return f"apiVersion: fn.kpt.dev/v1alpha1\nkind: StarlarkRun\nmetadata:\n  name: {name}\nsource: |\n{body}"


BUILTINS = builtins_of("starlark")
lookup = BUILTINS.lookup


def run(rl: ResourceList, image: str = MASTER) -> None:
    run_builtin(image, rl, BUILTINS)


def failure(rl: ResourceList, image: str = MASTER) -> FunctionError:
    with pytest.raises(FunctionError) as raised:
        run(rl, image)
    return raised.value


def test_mutates_items_and_sees_bookkeeping_annotations(make_rl: MakeRL) -> None:
    rl = make_rl(APP, star('for r in ctx.resource_list["items"]:\n'
                           '  r["metadata"]["namespace"] = r["metadata"]["annotations"]["config.kubernetes.io/index"]'))
    run(rl)
    # The SDK sorts items by "apiVersion kind namespace name" on output.
    assert [(i.str_value("kind"), i.str_value("metadata", "namespace")) for i in rl.items] == [
        ("Deployment", "1"), ("ConfigMap", "0")]
    namespace = rl.items[0].path("metadata", "namespace")
    assert namespace is not None and emit(rl.items[0]).count('namespace: "1"') == 1
    assert rl.results == [] and rl.stderr == ""


def test_configmap_config_gives_params_as_data(make_rl: MakeRL) -> None:
    config = ('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-fn\ndata:\n  replicas: "5"\n'
              '  source: |\n    for r in ctx.resource_list["items"]:\n      if r["kind"] == "Deployment":\n'
              '        r["spec"]["replicas"] = int(ctx.resource_list["functionConfig"]["data"]["replicas"])\n')
    rl = make_rl(APP, config)
    run(rl)
    deployment = next(i for i in rl.items if i.str_value("kind") == "Deployment")
    replicas = deployment.path("spec", "replicas")
    assert replicas is not None and replicas.value == "5" and replicas.tag == "!!int"


def test_new_objects_come_out_as_yaml_v3_marshals_them(make_rl: MakeRL) -> None:
    program = ('ctx.resource_list["items"].append({"kind": "ConfigMap", "apiVersion": "v1",\n'
               '  "metadata": {"name": "gen"}, "data": {"b10": "yes", "b2": "1", "a": 1.0, "e": [], "t": (1, 2),\n'
               '  "big": 1234567.0, "neg": -4, "n": None, "multi": "x\\ny\\n"}})')
    rl = make_rl(APP, star(program))
    run(rl)
    generated = next(i for i in rl.items if i.str_value("metadata", "name") == "gen")
    assert emit(generated) == (
        "apiVersion: v1\n"
        "data:\n"
        "  a: 1\n"
        "  b2: \"1\"\n"
        "  b10: \"yes\"\n"
        "  big: 1.234567e+06\n"
        "  e: []\n"
        "  multi: |\n    x\n    y\n"
        "  \"n\": null\n"  # a YAML 1.1 bool as a key is quoted too
        "  neg: -4\n"
        "  t:\n  - 1\n  - 2\n"
        "kind: ConfigMap\n"
        "metadata:\n  name: gen\n"
    )


def test_print_goes_to_stderr_sets_print_as_go_does(make_rl: MakeRL) -> None:
    rl = make_rl(APP, star('x = set(["foo", "bar"])\nprint(x)\nprint("n", len(x), "foo" in x, sep="|")\n'
                           'def fib(n):\n  return n if n < 2 else fib(n-1) + fib(n-2)\nprint(fib(10))'))
    run(rl)
    assert rl.stderr == 'set(["foo", "bar"])\nn|2|True\n55'


def test_set_methods_work_on_our_dict_backed_sets(make_rl: MakeRL) -> None:
    program = ("s = set([1, 2])\ns.add(3)\ns.discard(1)\nu = s.union([7])\nl = [1, 2]\nl.remove(1)\n"
               "print(s, u, s.intersection([2, 9]), u.difference(s), l, s.issubset(u), 3 in s)\ns.remove(42)")
    rl = make_rl(APP, star(program))
    err = failure(rl)
    assert err.stderr.startswith("set([2, 3]) set([2, 3, 7]) set([2]) set([7]) [2] True True\n")
    assert [r.message for r in rl.results] == ["remove: missing key"]


def test_while_loops_and_global_reassignment(make_rl: MakeRL) -> None:
    rl = make_rl(APP, star("n = 0\nwhile n < 3:\n  n += 1\nn = n * 2\nprint(n)"))
    run(rl)
    assert rl.stderr == "6"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        pytest.param('fail("no private keys")', "fail: no private keys", id="fail"),
        pytest.param("def f(r):\n  return r and \n  r\nf(1)", "my-star:2:16: got newline, want primary expression",
                     id="syntax"),
        pytest.param("x = undefined_name", "my-star:1:5: undefined: undefined_name", id="undefined"),
        pytest.param('x = {}["k"]', 'key "k" not in dict', id="missing-key"),
    ],
)
def test_errors_read_as_go_starlark_writes_them(make_rl: MakeRL, source: str, message: str) -> None:
    rl = make_rl(APP, star("print('before')\n" + source if source.startswith("fail") else source))
    err = failure(rl)
    assert len(rl.results) == 1 and rl.results[0].severity == "error"
    assert rl.results[0].message == message
    assert err.stderr.endswith("failed to evaluate function: error: function failure")
    if source.startswith("fail"):
        assert err.stderr == "before\nfailed to evaluate function: error: function failure"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        pytest.param(None, "FunctionConfig is missing. Expect `ConfigMap` or `StarlarkRun`", id="missing"),
        pytest.param(star("").replace("source: |\n", 'source: ""\n'), "`source` must not be empty", id="empty"),
        pytest.param("apiVersion: foo.com/v1\nkind: Bar\nmetadata:\n  name: x\n",
                     "`functionConfig` must be either /v1, Kind=ConfigMap or fn.kpt.dev/v1alpha1, "
                     "Kind=StarlarkRun, but we got: foo.com/v1, Kind=Bar", id="wrong-kind"),
    ],
)
def test_config_errors(make_rl: MakeRL, config: str | None, message: str) -> None:
    rl = make_rl(APP, config)
    failure(rl)
    assert [r.message for r in rl.results] == [message]


def test_match_gvk_differs_between_tags(make_rl: MakeRL) -> None:
    program = ('load("krmfn.star", "krmfn")\n'
               'for r in ctx.resource_list["items"]:\n'
               '  print(r["kind"], krmfn.match_gvk(r, "apps/v1", "Deployment"), krmfn.match_gvk(r, "v1", "ConfigMap"),'
               ' krmfn.match_name(r, "web"))')
    master, v050 = make_rl(APP, star(program)), make_rl(APP, star(program))
    run(master)
    run(v050, V050)
    assert master.stderr == "ConfigMap False True False\nDeployment False False True"
    assert v050.stderr == "ConfigMap False True False\nDeployment True False True"


def test_sandbox_no_environment_no_network(make_rl: MakeRL, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORCHBOT_SECRET_TOKEN", "s3cret")
    rl = make_rl(APP, star("print(len(ctx.environment))"))
    run(rl)
    assert rl.stderr == "0"
    rl = make_rl(APP, star('load("http.star", "http")\nhttp.get("http://example.com")'))
    failure(rl)
    assert "not available in the builtin starlark runtime" in rl.results[0].message


def test_libraries_load(make_rl: MakeRL) -> None:
    program = ('load("encoding/json.star", "json")\nload("encoding/base64.star", "base64")\n'
               'load("hash.star", "hash")\nload("math.star", "math")\nload("re.star", "re")\n'
               'print(json.encode({"b": 1.0, "a": [1, -2]}), base64.encode("hi"), hash.md5("a")[:6], math.ceil(1.2),'
               ' re.findall("[0-9]+", "a1b22"))')
    rl = make_rl(APP, star(program))
    run(rl)
    assert rl.stderr == '{"a":[1,-2],"b":1} aGk= 0cc175 2 ["1", "22"]'


def test_open_api_knows_the_builtin_kinds(make_rl: MakeRL) -> None:
    program = 'print(ctx.open_api["definitions"]["io.k8s.api.apps.v1.Deployment"]["x-kubernetes-group-version-kind"][0]["kind"])'
    rl = make_rl(APP, star(program))
    run(rl)
    assert rl.stderr == "Deployment"


def test_unclaimed_tags_fall_back() -> None:
    assert lookup("gcr.io/kpt-fn/starlark:v0.4.2") is None
    assert lookup("gcr.io/kpt-fn/starlark:unstable") is not None


@pytest.mark.parametrize(
    ("value", "text"),
    [(1.0, "1"), (2.5, "2.5"), (100000.0, "100000"), (1e6, "1e+06"), (1234567.0, "1.234567e+06"),
     (0.0001, "0.0001"), (1e-05, "1e-05"), (-3.75, "-3.75"), (float("inf"), ".inf")],
)
def test_floats_format_as_go_strconv_g(value: float, text: str) -> None:
    from bot.render.functions._starlark_values import go_format_float

    assert go_format_float(value) == text


def test_map_keys_sort_as_yaml_v3_sorts_them() -> None:
    from functools import cmp_to_key

    from bot.render.functions._starlark_values import key_less

    def compare(x: str, y: str) -> int:
        return -1 if key_less(x, y) else (1 if key_less(y, x) else 0)

    keys = ["b", "a10", "a2", "A", "_x", "aab", "a-b", "10", "2", "1"]
    ordered = sorted(keys, key=cmp_to_key(compare))
    assert ordered == ["_x", "1", "2", "10", "A", "a-b", "a2", "a10", "aab", "b"]


def test_a_second_run_changes_nothing(make_rl: MakeRL) -> None:
    program = ('for r in ctx.resource_list["items"]:\n  r["metadata"]["namespace"] = "prod"\n'
               'if len([r for r in ctx.resource_list["items"] if r["metadata"]["name"] == "gen"]) == 0:\n'
               '  ctx.resource_list["items"].append({"apiVersion": "v1", "kind": "ConfigMap",'
               ' "metadata": {"name": "gen", "namespace": "prod"}})')
    first = make_rl(APP, star(program))
    run(first)
    second = ResourceList(items=[item.copy() for item in first.items], function_config=first.function_config)
    run(second)
    assert [emit(i) for i in second.items] == [emit(i) for i in first.items]


@pytest.mark.docker
@pytest.mark.parametrize("image", [MASTER, V050])
def test_our_function_image_gives_the_builtin_items(image: str) -> None:
    """The same program through the docker runtime (our image under the catalog name) edits alike."""
    from bot.render.resourcelist_wire import decode_resource_list, encode_resource_list
    from bot.render.runtimes.base import ContainerLimits, FunctionRef, RuntimeOptions
    from bot.render.runtimes.docker import DockerRuntime, docker_status

    usable, reason = docker_status()
    if not usable:
        pytest.skip(reason)
    from tests.images.build import build_all

    build_all(only=("krm-fn",))
    text = ("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"
            + "".join(f"- {line}\n" if i == 0 else f"  {line}\n" for i, line in enumerate(APP.split("---\n")[1]
                                                                                      .splitlines()))
            + "functionConfig:\n" + "".join(f"  {line}\n" for line in star(
                'load("krmfn.star", "krmfn")\nfor r in ctx.resource_list["items"]:\n'
                '  r["metadata"]["namespace"] = str(krmfn.match_gvk(r, "apps/v1", "Deployment"))\n'
                'ctx.resource_list["items"].append({"apiVersion": "v1", "kind": "ConfigMap",'
                ' "metadata": {"name": "gen"}, "data": {"on": "yes", "n": 1.5}})').splitlines()))
    builtin_list = decode_resource_list(text)
    run(builtin_list, image)
    runtime = DockerRuntime(RuntimeOptions(image_pull_policy="never", limits=ContainerLimits(timeout_seconds=60)))
    docker_run = runtime.run(FunctionRef(image=image), decode_resource_list(text))
    assert docker_run.output is not None
    assert encode_resource_list(docker_run.output) == encode_resource_list(builtin_list)


# ---- v0.4.3: the v0.5.0 code on the go.starlark.net of 2021 ----------------------------------------

V043 = "gcr.io/kpt-fn/starlark:v0.4.3"


@pytest.mark.parametrize(("program", "message"), [
    ('a = {"x": 1} | {"y": 2}', "unknown binary op: dict | dict"),
    ('a = {"x": 1}\na |= {"y": 2}', "unknown binary op: dict | dict"),
    ('a = set(["x"]) | {"y": 2}', "unknown binary op: set | dict"),
    ('a = "kpt-fn".removeprefix("kpt-")', "string has no .removeprefix field or method"),
    ('n = ctx.resource_list["items"][0]["metadata"]["name"]\nb = n.removesuffix("-cm")',
     "string has no .removesuffix field or method"),
])
def test_v043_lacks_what_go_starlark_added_in_2022(make_rl: MakeRL, program: str, message: str) -> None:
    err = failure(make_rl(APP, star(program)), V043)
    assert err.exit_code == 1 and str(err) == message
    run(make_rl(APP, star(program)), V050)  # v0.5.0's interpreter has them


def test_v043_runs_what_it_had(make_rl: MakeRL) -> None:
    program = """\
s = set(["a"]) | set(["b"])
s |= set(["c"])
flags = 4 | 1
names = [r["metadata"]["name"] for r in ctx.resource_list["items"]
         if krmfn.match_gvk(r, "apps/v1", "Deployment")]
print(sorted(s), flags, names, set() | set(["x"]))
""".replace("names = ", 'load("krmfn.star", "krmfn")\nnames = ')
    rl = make_rl(APP, star(program))
    run(rl, V043)
    # match_gvk compares apiVersion exactly in v0.4.x (master's regression came later)
    assert rl.stderr == '["a", "b", "c"] 5 ["web"] set(["x"])'


def test_v043_errors_keep_their_lines(make_rl: MakeRL) -> None:
    program = 'a = (1 |\n  2)\nb = set(["k"]) | set()\nfail("line " + str(a))'
    err = failure(make_rl(APP, star(program)), V043)
    assert str(err) == "fail: line 3"
    err = failure(make_rl(APP, star("x = 1 | 2\ny = undefined_name")), V043)
    assert str(err) == "my-star:2:5: undefined: undefined_name"
