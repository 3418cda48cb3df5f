"""One functionConfig strategy per builtin function name, each aimed at the package it is given.

A config that only ever missed would prove little, so each strategy mostly picks names, images and
values that the generated package holds; now and then it draws a config the function rejects,
because a failing render must fail the same way on every runtime too. Configs are fixed points by
construction (a regex never matches its own replacement), so rendering rendered output is a no-op.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import strategies as st

from tests.render.property_packages import NAMESPACES, FnConfig, PackageSpec, config_map_file, data_config

ConfigStrategy = Callable[[st.DrawFn, PackageSpec], FnConfig]

LABEL_KEYS = ("tier", "app.kubernetes.io/part-of", "owner")
VALUES = ("web", "backend", "team-a", "v2")


def _some_name(draw: st.DrawFn, spec: PackageSpec, kind: str | None = None) -> str:
    names = spec.names(kind) or spec.names()
    return draw(st.sampled_from(names))


def _typed(kind: str, body: str, api_version: str = "fn.kpt.dev/v1alpha1") -> FnConfig:
    return FnConfig(config_file=f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: {kind.lower()}\n"
                                f"  annotations:\n    config.kubernetes.io/local-config: \"true\"\n{body}")


def _string_map(key: str, values: dict[str, str]) -> str:
    return f"{key}:\n" + "".join(f"  {name}: {value}\n" for name, value in values.items())


def set_namespace(draw: st.DrawFn, spec: PackageSpec) -> FnConfig:
    namespace = draw(st.sampled_from((*NAMESPACES, "staging")))
    form = draw(st.sampled_from(("data", "typed", "matcher", "package-context")))
    if form == "typed":
        return _typed("SetNamespace", f"namespace: {namespace}\n")
    if form == "matcher":  # only resources in the matched namespace move (master)
        return draw(data_config({"namespace": namespace, "namespaceMatcher": draw(st.sampled_from(NAMESPACES))}))
    if form == "package-context":  # kpt pkg init's package-context.yaml: its data.name is the namespace
        return FnConfig(config_file="apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kptfile.kpt.dev\n"
                                    "  annotations:\n    config.kubernetes.io/local-config: \"true\"\n"
                                    f"data:\n  name: {namespace}\n")
    return draw(data_config({"namespace": namespace}))


def set_labels(draw: st.DrawFn, spec: PackageSpec) -> FnConfig:
    labels = draw(st.dictionaries(st.sampled_from(LABEL_KEYS), st.sampled_from(VALUES), min_size=1, max_size=3))
    if draw(st.booleans()):
        return _typed("SetLabels", _string_map("labels", labels))
    return draw(data_config(labels))


def set_annotations(draw: st.DrawFn, spec: PackageSpec) -> FnConfig:
    keys = st.sampled_from(("example.com/owner", "note", "config.kubernetes.io/depends-on-nothing"))
    annotations = draw(st.dictionaries(keys, st.sampled_from(VALUES), min_size=1, max_size=2))
    if draw(st.booleans()):
        extra = ("additionalAnnotationFields:\n  - kind: Deployment\n    path: spec/template/metadata/annotations\n"
                 "    create: true\n") if draw(st.booleans()) else ""
        return _typed("SetAnnotations", _string_map("annotations", annotations) + extra)
    return draw(data_config(annotations))


def apply_replacements(draw: st.DrawFn, spec: PackageSpec) -> FnConfig:
    source = _some_name(draw, spec, "ConfigMap")
    kind, field_path = draw(st.sampled_from((
        ("Deployment", "spec.template.metadata.labels.owner"),  # created by v0.1.2+ only with create
        ("Deployment", "metadata.labels.app"),
        ("Service", "spec.selector.app"),
        ("Namespace", "metadata.name"))))
    create = "\n          create: true" if draw(st.booleans()) else ""
    text = ("apiVersion: fn.kpt.dev/v1alpha1\nkind: ApplyReplacements\nmetadata:\n  name: replace\n"
            "  annotations:\n    config.kubernetes.io/local-config: \"true\"\nreplacements:\n"
            f"  - source:\n      kind: ConfigMap\n      name: {source}\n      fieldPath: data.owner\n"
            f"    targets:\n      - select:\n          kind: {kind}\n        fieldPaths:\n"
            f"          - {field_path}\n        options:{create or ' {}'}\n")
    return FnConfig(config_file=text)


def search_replace(draw: st.DrawFn, spec: PackageSpec) -> FnConfig:
    name = _some_name(draw, spec)
    data = draw(st.sampled_from((
        {"by-path": "metadata.name", "by-value": name, "put-value": f"{name}-renamed"},
        {"by-value": name, "put-comment": "found it"},
        {"by-path": "spec.**.image", "by-value-regex": r"^nginx:(\d+)\.(\d+)$", "put-value": "nginx:${1}.${2}-fixed"},
        {"by-path": "metadata.annotations.example", "put-value": "added"},
        # An absolute by-path with put-value creates the field in every item: kept off the Kptfile,
        # which would no longer decode (the image does the same).
        {"by-path": "spec.replicas", "by-file-path": "**/deployment-*.yaml", "put-value": "4"},
        {"by-value": "web", "by-value-regex": "w.b"},  # both value matchers: an error
    )))
    # Always a config file: an inline configMap puts the by-value into the Kptfile, where the
    # function matches it too. kpt then writes the Kptfile's status through its Go types, which
    # drops the new comment and the quotes, so the next render reports the match differently
    # (kpt and the image do that as well; it settles on the third render).
    return FnConfig(config_file=config_map_file(data))


def set_image(draw: st.DrawFn, spec: PackageSpec) -> FnConfig:
    name = draw(st.sampled_from([image.split(":")[0] for image in spec.images()] or ["nginx"]))
    change = draw(st.sampled_from(({"newTag": "1.27"}, {"newName": f"mirror.example.com/{name}", "newTag": "9"},
                                   {"digest": "sha256:" + "ab" * 32}, {})))  # {}: a validation error
    if draw(st.booleans()):
        return draw(data_config({"name": name, **change}))
    image = "".join(f"    {key}: {value}\n" for key, value in {"name": name, **change}.items())
    if draw(st.booleans()):  # images in a field kustomize does not know by default
        image += "additionalImageFields:\n  - kind: ConfigMap\n    path: data/image\n"
    return FnConfig(config_file="apiVersion: fn.kpt.dev/v1alpha1\nkind: SetImage\nmetadata:\n  name: set-image\n"
                                "  annotations:\n    config.kubernetes.io/local-config: \"true\"\n"
                                f"image:\n{image}")


def ensure_name_substring(draw: st.DrawFn, spec: PackageSpec) -> FnConfig:
    """Configs are resources it renames too: each gets its own name, or a second render would meet
    two configs renamed alike (kustomize's duplicate id error, as in the image)."""
    mode, substring = draw(st.sampled_from((("prepend", "dev-"), ("append", "-v2"), ("prepend", "web"))))
    name = spec.config_name("ensure")
    if draw(st.booleans()):
        return FnConfig(config_map={mode: substring}) if draw(st.booleans()) else \
            FnConfig(config_file=config_map_file({mode: substring}, name))
    extra = ("additionalNameFields:\n  - kind: Deployment\n    path: spec/template/metadata/labels/app\n"
             if draw(st.booleans()) else "")
    return FnConfig(config_file="apiVersion: fn.kpt.dev/v1alpha1\nkind: EnsureNameSubstring\nmetadata:\n"
                                f"  name: {name}\nsubstring: {substring}\neditMode: {mode}\n{extra}")


def apply_setters(draw: st.DrawFn, spec: PackageSpec) -> FnConfig:
    setters = draw(st.dictionaries(st.sampled_from(("replicas", "image", "tag", "unused")),
                                   st.sampled_from(("3", "nginx", "1.27", "busybox")), min_size=1, max_size=3))
    if draw(st.booleans()):  # an array setter ("[]" is left out: see test_apply_setters_empty_list_*)
        setters["command"] = draw(st.sampled_from(("[nginx, -v]", "- one\\n- two", "[one]", "not-a-list", "")))
    return draw(data_config(setters))


def create_setters(draw: st.DrawFn, spec: PackageSpec) -> FnConfig:
    value = draw(st.sampled_from([*spec.names(), "nginx", "not-in-the-package"]))
    setters = {"app-name": value}
    if draw(st.booleans()):
        setters["ports"] = '["--port", "8080"]'  # an array setter matching the args flow sequence
    return draw(data_config(setters))


STARLARK_PROGRAMS = (
    'for r in ctx.resource_list["items"]:\n'
    '  r["metadata"].setdefault("annotations", {})["example.com/team"] = ctx.resource_list["functionConfig"]'
    '["params"]["team"]',
    'load("krmfn.star", "krmfn")\n'
    'for r in ctx.resource_list["items"]:\n'
    '  if krmfn.match_gvk(r, "apps/v1", "Deployment") or krmfn.match_gvk(r, "v1", "Service"):\n'
    '    r["metadata"].setdefault("labels", {})["touched"] = "yes"',
    'ctx.resource_list["items"] = [r for r in ctx.resource_list["items"] if r["kind"] != "Namespace"]',
    'fail("refusing: " + ctx.resource_list["functionConfig"]["params"]["team"])',
    # print() on success: kpt keeps the text as the step's stderr.
    'print("visited", len(ctx.resource_list["items"]), "items")\nprint("team:", ctx.resource_list'
    '["functionConfig"]["params"]["team"])',
    # A new item without a path: kpt files it under its default name. Regenerated on every run, so
    # it stays a fixed point after another step (an annotator) touched it.
    'items = [r for r in ctx.resource_list["items"] if r["metadata"]["name"] != "generated"]\n'
    'items.append({"apiVersion": "v1", "kind": "ConfigMap",'
    ' "metadata": {"name": "generated"},'
    ' "data": {"deployments": str(len([r for r in items if r["kind"] == "Deployment"])), "flag": "yes"}})\n'
    'ctx.resource_list["items"] = items',
    'load("encoding/json.star", "json")\n'
    'for r in ctx.resource_list["items"]:\n'
    '  if r["kind"] == "ConfigMap" and r["metadata"]["name"] != "fn-config":\n'
    '    r.setdefault("data", {})["snapshot"] = json.encode({"labels": r["metadata"].get("labels", {}), "n": 1.5})',
)


def starlark(draw: st.DrawFn, spec: PackageSpec) -> FnConfig:
    program = draw(st.sampled_from(STARLARK_PROGRAMS))
    body = "".join(f"  {line}\n" for line in program.splitlines())
    return FnConfig(config_file="apiVersion: fn.kpt.dev/v1alpha1\nkind: StarlarkRun\nmetadata:\n  name: star\n"
                                "  annotations:\n    config.kubernetes.io/local-config: \"true\"\n"
                                f"params:\n  team: {draw(st.sampled_from(VALUES))}\nsource: |\n{body}")


def upsert_resource(draw: st.DrawFn, spec: PackageSpec) -> FnConfig:
    """Replace a ConfigMap the package holds, or insert one at a target path.

    A subpackage inserts under another name: kpt keeps each package's paths relative to that
    package until the end of the render, so a parent upserting the same name at the same relative
    target path would take over the subpackage's new item and move it to the root, on every render
    again (kpt and the image do that too; it is not the builtin's doing).
    """
    inserted = "inserted-sub" if spec.scope else "inserted"
    name = draw(st.sampled_from([*spec.names("ConfigMap"), inserted]))
    target = "" if name != inserted else "    config.kubernetes.io/target-path: upserted/configmap.yaml\n"
    annotations = f"  annotations:\n{target}" if target else ""
    text = (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n{annotations}"
            f"data:\n  owner: {draw(st.sampled_from(VALUES))} # from upsert\n")
    namespaces = [r.namespace for r in spec.resources if r.kind == "ConfigMap" and r.name == name]
    if namespaces and namespaces[0]:
        text = text.replace(f"  name: {name}\n", f"  name: {name}\n  namespace: {namespaces[0]}\n")
    return FnConfig(config_file=text)


def set_enforcement_action(draw: st.DrawFn, spec: PackageSpec) -> FnConfig:
    return draw(data_config({"enforcementAction": draw(st.sampled_from(("deny", "warn", "dryrun", "block")))}))


def kubeval(draw: st.DrawFn, spec: PackageSpec) -> FnConfig:
    """Strict runs skip the Kptfile: the image's Kptfile schema predates ``status``, so a strict run
    fails on any Kptfile kpt has rendered (true to the image, but not a config anyone keeps)."""
    data = draw(st.sampled_from(({"strict": "true", "skip_kinds": "Kptfile"}, {"strict": "false"},
                                 {"ignore_missing_schemas": "true"}, {"skip_kinds": "Service,ConfigMap"})))
    return draw(data_config(data))


def no_op(draw: st.DrawFn, spec: PackageSpec) -> FnConfig:
    return FnConfig()


CONFIGS: dict[str, ConfigStrategy] = {
    "set-namespace": set_namespace, "set-labels": set_labels, "set-annotations": set_annotations,
    "apply-replacements": apply_replacements, "search-replace": search_replace, "set-image": set_image,
    "ensure-name-substring": ensure_name_substring, "apply-setters": apply_setters,
    "create-setters": create_setters, "starlark": starlark, "upsert-resource": upsert_resource,
    "set-enforcement-action": set_enforcement_action, "kubeval": kubeval, "no-op": no_op,
}

# Resource kinds a function needs to find something to do.
EXTRA_KINDS: dict[str, tuple[str, ...]] = {"set-enforcement-action": ("K8sRequiredLabels",)}

__all__ = ["CONFIGS", "EXTRA_KINDS", "ConfigStrategy", "config_map_file"]
