"""`porchbot fn ...` commands: ``render`` (kpt fn render) and a minimal ``eval``.

The command bodies live in bot/cli/fn_run.py, shared with the argv fast path
(bot/cli/argv_fastpath.py) that runs ``fn render`` / ``fn eval`` without building the typer app.
Keep the flags here and the fast path's table in step (tests/render/test_fastpath.py checks).
"""

from __future__ import annotations

import sys

import typer

from bot.cli.fn_run import run_eval, run_render
from bot.errors import InvalidInput

app = typer.Typer(no_args_is_help=True)


@app.command()
def render(
    pkg_dir: str = typer.Argument(".", metavar="DIR", help="The package to render (default: cwd)"),
    runtime: str = typer.Option("auto", "--runtime", help="auto | builtin | docker"),
    allow_exec: bool = typer.Option(False, "--allow-exec", help="Allow exec functions (local binaries)"),
    image_pull_policy: str = typer.Option("ifNotPresent", "--image-pull-policy",
                                          help="always | ifNotPresent | never"),
    results_dir: str = typer.Option("", "--results-dir", help="Write results.yaml into this dir"),
    truncate_output: str = typer.Option("true", "--truncate-output", help="true | false"),
    output: str = typer.Option("", "--output", "-o", help="stdout | unwrap | a new directory"),
    allow_network: bool = typer.Option(False, "--allow-network", help="Give containers a network"),
    allow_wasm: bool = typer.Option(False, "--allow-alpha-wasm", help="Run catalog wasm builds (as builtins)"),
) -> None:
    """Render a package: run its Kptfile pipelines with kpt fn render semantics."""
    raise typer.Exit(run_render(pkg_dir, runtime, allow_exec, image_pull_policy, results_dir, truncate_output,
                                output, allow_network, allow_wasm))


@app.command(name="eval", context_settings={"allow_extra_args": True, "ignore_unknown_options": False})
def eval_(
    ctx: typer.Context,
    pkg_dir: str = typer.Argument(".", metavar="DIR", help="A package dir, or - for a ResourceList on stdin"),
    image: str = typer.Option("", "--image", "-i", help="The function image"),
    exec_path: str = typer.Option("", "--exec", help="A local executable (needs --allow-exec)"),
    fn_config: str = typer.Option("", "--fn-config", help="A file holding the functionConfig"),
    runtime: str = typer.Option("auto", "--runtime", help="auto | builtin | docker"),
    allow_exec: bool = typer.Option(False, "--allow-exec"),
    image_pull_policy: str = typer.Option("ifNotPresent", "--image-pull-policy"),
    results_dir: str = typer.Option("", "--results-dir"),
    output: str = typer.Option("", "--output", "-o", help="stdout | unwrap (default: in place, or stdout for -)"),
    truncate_output: str = typer.Option("true", "--truncate-output"),
    allow_network: bool = typer.Option(False, "--allow-network", "--network"),
    mount: list[str] = typer.Option([], "--mount", help="type=bind,src=DIR,dst=PATH[,rw=true] (repeatable)"),
    env: list[str] = typer.Option([], "--env", "-e", help="KEY=VALUE or KEY for the function (repeatable)"),
    include_meta_resources: bool = typer.Option(
        True, "--include-meta-resources", "-m", hidden=True,
        help="Accepted for kpt compatibility: meta resources (Kptfile, configs) are always items"),
    match_api_version: str = typer.Option("", "--match-api-version", help="Select resources by api-version"),
    match_kind: str = typer.Option("", "--match-kind", help="Select resources by kind"),
    match_name: str = typer.Option("", "--match-name", help="Select resources by name"),
    match_namespace: str = typer.Option("", "--match-namespace", help="Select resources by namespace"),
    match_annotations: list[str] = typer.Option([], "--match-annotations", help="KEY=VALUE (repeatable)"),
    match_labels: list[str] = typer.Option([], "--match-labels", help="KEY=VALUE (repeatable)"),
    exclude_api_version: str = typer.Option("", "--exclude-api-version", help="Exclude resources by api-version"),
    exclude_kind: str = typer.Option("", "--exclude-kind", help="Exclude resources by kind"),
    exclude_name: str = typer.Option("", "--exclude-name", help="Exclude resources by name"),
    exclude_namespace: str = typer.Option("", "--exclude-namespace", help="Exclude resources by namespace"),
    exclude_annotations: list[str] = typer.Option([], "--exclude-annotations", help="KEY=VALUE (repeatable)"),
    exclude_labels: list[str] = typer.Option([], "--exclude-labels", help="KEY=VALUE (repeatable)"),
) -> None:
    """Run one function on a package or a ResourceList (kpt fn eval, minimal)."""
    selection = {key: value for key, value in locals().items() if key.startswith(("match_", "exclude_"))}
    raise typer.Exit(run_eval(pkg_dir, list(ctx.args), image, exec_path, fn_config, runtime, allow_exec,
                              image_pull_policy, results_dir, output, truncate_output, allow_network,
                              list(mount), list(env), selection))


@app.command(name="list")
def list_functions(
    output: str = typer.Option("table", "--output", "-o", help="table | yaml | json"),
) -> None:
    """The functions Porchbot runs in-process (builtin), the image tags each reproduces, and
    whether the docker runtime (every other image) is usable here."""
    import json

    from bot.render.functions.registry import CATALOG_PREFIXES, all_functions
    from bot.render.runtimes.docker import docker_status

    if output not in ("table", "yaml", "json"):
        raise InvalidInput(f"--output must be table, yaml or json (got {output!r})")
    rows = [{"name": f.name, "tags": list(f.tags), "runtime": "builtin", "description": f.description,
             "images": [f"{prefix}{f.name}" for prefix in CATALOG_PREFIXES]}
            for f in sorted(all_functions(), key=lambda f: f.name)]
    usable, reason = docker_status()
    listing = {"functions": rows, "docker": {"usable": usable, "reason": reason}}
    if output == "json":
        sys.stdout.write(json.dumps(listing, indent=2) + "\n")
    elif output == "yaml":
        from bot.render.yaml.convert import python_to_node
        from bot.render.yaml.emitter import emit_node

        sys.stdout.write(emit_node(python_to_node(listing), wide=True))
    else:
        width = max((len(row["name"]) for row in rows), default=4)
        tags = [", ".join(row["tags"]) for row in rows]
        tag_width = max((len(text) for text in tags), default=4)
        sys.stdout.write(f"{'NAME':<{width}}  RUNTIME  {'TAGS':<{tag_width}}  DESCRIPTION\n")
        for row, text in zip(rows, tags, strict=True):
            sys.stdout.write(f"{row['name']:<{width}}  builtin  {text:<{tag_width}}  {row['description']}\n")
        sys.stdout.write(f"Images: {', '.join(p + 'NAME' for p in CATALOG_PREFIXES)} (or a bare NAME:TAG).\n")
        state = f"usable ({reason})" if usable else f"not usable: {reason}"
        sys.stdout.write(f"Any other image runs on the docker runtime (--runtime auto|docker): {state}.\n")
