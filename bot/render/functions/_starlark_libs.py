"""The modules a starlark program may ``load()``: the catalog image's allowed libraries.

``krmfn.star`` (match_gvk / match_name / match_namespace, with the per-tag match_gvk behaviour)
and ``encoding/json.star`` are written in starlark so values keep their types; base64, yaml,
hash, math and re are Python functions (their values cross as JSON). The libraries that reach
the network or files (http, xlsx, zipfile, ...) load, but each function fails with a message
that points at the docker runtime: a program must not see the bot's environment.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from collections.abc import Callable
from typing import Any

import starlark as sl

from bot.render.functions._starlark_values import go_format_float

_KRMFN = '''
def __meta(r, key):
    m = r.get("metadata") if type(r) == "dict" else None
    v = m.get(key) if type(m) == "dict" else None
    return v if type(v) == "string" else ""

def __field(r, key):
    v = r.get(key) if type(r) == "dict" else None
    return v if type(v) == "string" else ""

def __match_gvk(r, apiVersion, kind):
    av = __field(r, "apiVersion")
    if EXACT:
        if av == apiVersion and __field(r, "kind") == kind:
            return True
        return (apiVersion == "" and __field(r, "kind") == kind) or (kind == "" and av == apiVersion)
    # master compares {group: "", version: apiVersion} with the object's parsed group/version,
    # so only core-group apiVersions (no "/") can ever match.
    return "/" not in av and av == apiVersion and __field(r, "kind") == kind

krmfn = struct(
    match_gvk = __match_gvk,
    match_name = lambda r, name: __meta(r, "name") == name,
    match_namespace = lambda r, namespace: __meta(r, "namespace") == namespace,
)
'''

_OFFLINE = {
    "bsoup.star": ("bsoup", ("parseHtml",)),
    "encoding/csv.star": ("csv", ("read_all", "write_all")),
    "geo.star": ("geo", ("Point", "Line", "Polygon", "MultiPolygon", "parseGeoJSON")),
    "html.star": ("html", ("html",)),
    "http.star": ("http", ("get", "put", "post", "delete", "patch", "options")),
    "time.star": ("time", ("now", "parse_time", "parse_duration", "time", "from_timestamp")),
    "xlsx.star": ("xlsx", ("get_url",)),
    "zipfile.star": ("ZipFile", ("__call__",)),
}


def loader(match_gvk_exact: bool, dialect: sl.Dialect, globals_: sl.Globals) -> Callable[[str], sl.FrozenModule]:
    def load(module_name: str) -> sl.FrozenModule:
        module = sl.Module()
        if module_name == "krmfn.star":
            module["EXACT"] = match_gvk_exact
            sl.eval(module, sl.parse(module_name, _KRMFN, dialect), globals_)
        elif module_name == "encoding/json.star":
            # Two steps: a top-level ``json = ...`` would hide the builtin json it is built from.
            module.add_callable("_indent", _json_indent)
            module.add_callable("_encode", go_json_encode)
            sl.eval(module, sl.parse(module_name, "_decode = json.decode\n", dialect), globals_)
            sl.eval(module, sl.parse(module_name, "json = struct(encode = _encode, decode = _decode,"
                                     " indent = _indent)\n", dialect), globals_)
        elif module_name in _PYTHON_LIBRARIES:
            export, functions = _PYTHON_LIBRARIES[module_name]
            _bind(module, export, functions, dialect, globals_)
        elif module_name in _OFFLINE:
            export, names = _OFFLINE[module_name]
            _bind(module, export, {n: _unavailable(module_name, n) for n in names}, dialect, globals_)
        return module.freeze()

    return load


def _bind(module: sl.Module, export: str, functions: dict[str, Callable[..., Any]],
          dialect: sl.Dialect, globals_: sl.Globals) -> None:
    for fn_name, fn in functions.items():
        module.add_callable(f"_{fn_name}", fn)
    members = ", ".join(f"{n} = _{n}" for n in functions)
    sl.eval(module, sl.parse("<porchbot>", f"{export} = struct({members})\n", dialect), globals_)


def _unavailable(module_name: str, fn_name: str) -> Callable[..., Any]:
    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError(f"{module_name}: {fn_name} is not available in the builtin starlark runtime "
                           "(no network or filesystem access); run this function with --runtime docker")

    return refuse


def go_json_encode(value: Any) -> str:
    """go.starlark.net's json.encode: compact, dict keys sorted, floats in Go's %g form."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"json.encode: cannot encode non-finite float {value}")
        return go_format_float(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(go_json_encode(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{go_json_encode(value[k])}"
                              for k in sorted(value)) + "}"
    raise ValueError(f"json.encode: cannot encode {type(value).__name__} as JSON")


def _json_indent(text: str, prefix: str = "", indent: str = "\t") -> str:
    return json.dumps(json.loads(text), indent=indent).replace("\n", "\n" + prefix)


def _b64(encode: bool) -> Callable[..., str]:
    def codec(data: str, encoding: str = "standard") -> str:
        url = encoding.startswith("url")
        raw = encoding.endswith("_raw")
        if encode:
            out = (base64.urlsafe_b64encode if url else base64.b64encode)(data.encode()).decode()
            return out.rstrip("=") if raw else out
        padded = data + "=" * (-len(data) % 4) if raw else data
        return (base64.urlsafe_b64decode if url else base64.b64decode)(padded).decode("utf-8", "replace")

    return codec


def _hash(algorithm: str) -> Callable[[str], str]:
    return lambda data: hashlib.new(algorithm, data.encode()).hexdigest()


def _yaml_dumps(data: Any) -> str:
    from bot.render.functions._starlark_values import data_to_node
    from bot.render.yaml.emitter import emit_node

    return emit_node(data_to_node(data))


def _yaml_loads(text: str) -> Any:
    from bot.render.yaml.convert import node_to_python
    from bot.render.yaml.parser import parse_document

    document = parse_document(text)
    return node_to_python(document) if document is not None else None


_PYTHON_LIBRARIES: dict[str, tuple[str, dict[str, Callable[..., Any]]]] = {
    "encoding/base64.star": ("base64", {"encode": _b64(True), "decode": _b64(False)}),
    "encoding/yaml.star": ("yaml", {"dumps": _yaml_dumps, "loads": _yaml_loads}),
    "hash.star": ("hash", {"md5": _hash("md5"), "sha1": _hash("sha1"), "sha256": _hash("sha256")}),
    "math.star": ("math", {
        "ceil": lambda x: math.ceil(x), "floor": lambda x: math.floor(x), "round": lambda x: float(round(x)),
        "sqrt": math.sqrt, "pow": math.pow, "exp": math.exp, "log": lambda x, base=math.e: math.log(x, base),
        "fabs": math.fabs, "mod": math.fmod, "sin": math.sin, "cos": math.cos, "tan": math.tan,
    }),
    "re.star": ("re", {
        "findall": lambda pattern, text, flags=0: re.findall(pattern, text),
        "split": lambda pattern, text, maxsplit=0, flags=0: re.split(pattern, text, maxsplit=maxsplit),
        "sub": lambda pattern, repl, text, count=0, flags=0: re.sub(pattern, repl, text, count=count),
        "match": lambda pattern, text, flags=0: [[m.group(0), *m.groups()] for m in [re.match(pattern, text)] if m],
    }),
}
