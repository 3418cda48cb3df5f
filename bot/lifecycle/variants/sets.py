"""``config.porch.kpt.dev/v1alpha2`` PackageVariantSet: parsed strictly, then expanded into one
PackageVariant per target, as Porch's controller renders them.

Targets: ``repositories`` (names of registered repositories, each with ``packageNames``; default the
upstream package's name) or ``repositorySelector`` (``matchLabels`` and ``matchExpressions`` with In,
NotIn, Exists, DoesNotExist over the labels ``repo register --label`` gives). ``objectSelector`` selects
Kubernetes objects, which a git-only bot has none of: refused with that reason. The template's fields and
their ``*Exprs`` CEL forms are Porch's (see bot.lifecycle.variants.cel for the variables); an expression's
entry wins over a plain entry of the same key. Generated variants are named ``<set>-<repo>-<package>``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.lifecycle.variants import cel
from bot.lifecycle.variants.fields import Fields, VariantError
from bot.lifecycle.variants.spec import (
    ADOPTION,
    DELETION,
    FUNCTION_FIELDS,
    Injector,
    PackageVariant,
    check_context,
    parse_injector,
    parse_upstream,
)

TEMPLATE_FIELDS = ("downstream", "adoptionPolicy", "deletionPolicy", "labels", "labelExprs", "annotations",
                   "annotationExprs", "packageContext", "pipeline", "injectors")
_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def _map_exprs(fields: Fields, key: str, plain: dict[str, str], inputs: dict[str, Any]) -> dict[str, str]:
    found = dict(plain)
    for index, entry in enumerate(fields.mappings(key)):
        item = Fields(fields.file, f"{fields.where(key)}[{index}]", entry, ("key", "value", "keyExpr", "valueExpr"))
        for literal, expression in (("key", "keyExpr"), ("value", "valueExpr")):
            if item.has(literal) == item.has(expression):
                raise item.error(literal, f"give exactly one of {literal} and {expression}")
        name = item.string("key") if item.has("key") else \
            cel.evaluate(item.string("keyExpr"), inputs, fields.file, item.where("keyExpr"))
        value = item.string("value") if item.has("value") else \
            cel.evaluate(item.string("valueExpr"), inputs, fields.file, item.where("valueExpr"))
        found[name] = value
    return found


def _functions(pipeline: Fields, key: str, inputs: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    made = []
    for index, entry in enumerate(pipeline.mappings(key)):
        item = Fields(pipeline.file, f"{pipeline.where(key)}[{index}]", entry, (*FUNCTION_FIELDS, "configMapExprs"))
        if not item.string("image") and not item.string("exec"):
            raise item.error("image", "required (a function needs an image or exec)")
        function = {k: v for k, v in entry.items() if k != "configMapExprs"}
        config = _map_exprs(item, "configMapExprs", item.string_map("configMap"), inputs)
        if config:
            function["configMap"] = config
        made.append(function)
    return tuple(made)


def selected(selector: Fields, labels: Mapping[str, str]) -> bool:
    for key, value in selector.string_map("matchLabels").items():
        if labels.get(key) != value:
            return False
    for index, entry in enumerate(selector.mappings("matchExpressions")):
        item = Fields(selector.file, f"{selector.where('matchExpressions')}[{index}]", entry,
                      ("key", "operator", "values"))
        key, operator = item.string("key", required=True), item.string("operator", required=True, choices=_OPERATORS)
        values = item.string_list("values")
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if (operator == "Exists") != present and operator in ("Exists", "DoesNotExist"):
            return False
    return True


def _dns(text: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")


class _Template:
    def __init__(self, template: Fields, upstream: dict[str, Any]) -> None:
        self.fields, self.upstream = template, upstream

    def render(self, set_name: str, owner: str, repo_default: str, package_default: str,
               repositories: Mapping[str, Mapping[str, str]], upstream: tuple[str, str, int]) -> PackageVariant:
        t = self.fields
        inputs: dict[str, Any] = {"repoDefault": repo_default, "packageDefault": package_default,
                                  "upstream": self.upstream, "target": {"repo": repo_default, "package": package_default}}
        downstream = t.sub("downstream", ("repo", "package", "repoExpr", "packageExpr"))
        repo = downstream.string("repo") or repo_default
        if downstream.string("repoExpr"):
            repo = cel.evaluate(downstream.string("repoExpr"), inputs, t.file, downstream.where("repoExpr"))
        if repo not in repositories:
            raise VariantError(t.file, downstream.where("repo"), f"repository {repo!r} is not registered")
        inputs["repository"] = {"name": repo, "namespace": "default", "labels": dict(repositories[repo]),
                                "annotations": {}}
        package = downstream.string("package") or package_default
        if downstream.string("packageExpr"):
            package = cel.evaluate(downstream.string("packageExpr"), inputs, t.file, downstream.where("packageExpr"))
        context = t.sub("packageContext", ("data", "removeKeys", "dataExprs", "removeKeyExprs"))
        data = _map_exprs(context, "dataExprs", context.string_map("data"), inputs)
        remove = context.string_list("removeKeys") + [
            cel.evaluate(expr, inputs, t.file, f"{context.where('removeKeyExprs')}[{i}]")
            for i, expr in enumerate(context.string_list("removeKeyExprs"))]
        check_context(context, data, remove)
        pipeline = t.sub("pipeline", ("validators", "mutators"))
        injectors = []
        for index in range(len(t.mappings("injectors"))):
            item = parse_injector(t, "injectors", index, ("group", "version", "kind", "name", "nameExpr"))
            if item.has("name") == item.has("nameExpr"):
                raise item.error("name", "give exactly one of name and nameExpr")
            name = item.string("name") or cel.evaluate(item.string("nameExpr"), inputs, t.file, item.where("nameExpr"))
            injectors.append(Injector(name, item.optional_string("group"), item.optional_string("version"),
                                      item.optional_string("kind")))
        return PackageVariant(
            name=_dns(f"{set_name}-{repo}-{package}"), file=t.file, upstream_repo=upstream[0],
            upstream_package=upstream[1], upstream_revision=upstream[2], downstream_repo=repo,
            downstream_package=package,
            adoption=t.string("adoptionPolicy", choices=ADOPTION) or "adoptNone",
            deletion=t.string("deletionPolicy", choices=DELETION) or "delete",
            labels=_map_exprs(t, "labelExprs", t.string_map("labels"), inputs),
            annotations=_map_exprs(t, "annotationExprs", t.string_map("annotations"), inputs),
            context_data=data, context_remove=tuple(remove), validators=_functions(pipeline, "validators", inputs),
            mutators=_functions(pipeline, "mutators", inputs), injectors=tuple(injectors), owner=owner,
            from_set=set_name)


def expand_set(document: dict[str, Any], file: str, owner: str,
               repositories: Mapping[str, Mapping[str, str]]) -> list[PackageVariant]:
    """The variants a set generates; ``repositories``: registered repository name → its labels."""
    top = Fields(file, "", document, ("apiVersion", "kind", "metadata", "spec", "status"))
    set_name = top.sub("metadata", ("name", "namespace", "labels", "annotations")).string("name", required=True)
    spec = top.sub("spec", ("upstream", "targets"))
    upstream = parse_upstream(spec)
    upstream_input = {"name": upstream[1], "namespace": "default", "labels": {}, "annotations": {},
                      "repo": upstream[0], "package": upstream[1]}
    targets = spec.mappings("targets")
    if not targets:
        raise spec.error("targets", "required: at least one target")
    variants: list[PackageVariant] = []
    for index, entry in enumerate(targets):
        target = Fields(file, f"spec.targets[{index}]", entry,
                        ("repositories", "repositorySelector", "objectSelector", "template"))
        given = [key for key in ("repositories", "repositorySelector", "objectSelector") if target.has(key)]
        if len(given) != 1:
            raise target.error("repositories", "give exactly one of repositories, repositorySelector, objectSelector")
        if given[0] == "objectSelector":
            raise target.error("objectSelector", "not supported: there are no Kubernetes objects to select in git; "
                                                 "use repositorySelector over `repo register --label` labels")
        pairs: list[tuple[str, str]] = []
        if given[0] == "repositories":
            for r, item in enumerate(target.mappings("repositories")):
                repo = Fields(file, f"{target.where('repositories')}[{r}]", item, ("name", "packageNames"))
                name = repo.string("name", required=True)
                if name not in repositories:
                    raise repo.error("name", f"repository {name!r} is not registered")
                pairs += [(name, package) for package in repo.string_list("packageNames") or [upstream[1]]]
        else:
            selector = target.sub("repositorySelector", ("matchLabels", "matchExpressions"))
            pairs += [(name, upstream[1]) for name, labels in sorted(repositories.items()) if selected(selector, labels)]
        template = target.sub("template", TEMPLATE_FIELDS)
        renderer = _Template(template, upstream_input)
        variants += [renderer.render(set_name, owner, repo, package, repositories, upstream) for repo, package in pairs]
    return variants
