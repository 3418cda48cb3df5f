"""The ``fn render`` / ``fn eval`` argv fast path accepts exactly what typer accepts, with the same meaning."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main

from bot.cli import argv_fastpath as fastpath
from bot.cli import fn, rpkg
from bot.cli import rpkg_transitions as rpkg_impl

PROJECT_DIR = Path(__file__).resolve().parents[2]
KINDS = {(True, False): fastpath.FLAG, (False, False): fastpath.VALUE, (False, True): fastpath.MULTI}


def click_command(name: str) -> Any:
    return typer.main.get_command(fn.app).commands[name]  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", sorted(fastpath.COMMANDS))
def test_option_table_matches_the_typer_command(name: str) -> None:
    command = click_command(name)
    declared = {(p.name, tuple(p.opts), KINDS[(bool(p.is_flag), bool(p.multiple))], repr(p.default))
                for p in command.params if p.param_type_name == "option"}
    table = {(o.dest, o.names, o.kind, repr(o.default)) for o in fastpath.COMMANDS[name].options}
    assert table == declared
    assert all(not p.secondary_opts and not p.envvar for p in command.params)
    settings = {"allow_extra_args": command.allow_extra_args, "allow_interspersed_args": True,
                "ignore_unknown_options": command.ignore_unknown_options, **command.context_settings}
    assert settings["allow_extra_args"] == fastpath.COMMANDS[name].extra_args
    assert command.allow_interspersed_args and settings["allow_interspersed_args"]
    assert not settings["ignore_unknown_options"]


def click_parse(name: str, argv: list[str]) -> dict[str, object] | None:
    """What typer/click make of argv: the params and extra args, or None when it refuses or prints help."""
    command = click_command(name)
    try:
        ctx = command.make_context(name, list(argv))
    except (typer.Exit, typer._click.exceptions.ClickException):
        return None
    params = dict(ctx.params)
    params["args"] = list(ctx.args)
    return params


RENDER_ARGV = {
    "no-args": [],
    "dir-only": ["pkg"],
    "options-after-dir": ["pkg", "--runtime", "builtin", "--allow-exec"],
    "options-before-dir": ["--runtime=docker", "--image-pull-policy", "never", "pkg"],
    "short-output-attached": ["-ostdout", "pkg"],
    "short-output-equals": ["-o=unwrap", "pkg"],
    "value-looks-like-option": ["--results-dir", "--allow-exec", "pkg"],
    "value-is-double-dash": ["--output", "--", "pkg"],
    "last-value-wins": ["--runtime", "auto", "--runtime", "builtin", "pkg"],
    "double-dash-then-dir": ["--allow-network", "--", "-pkg"],
    "dash-dir": ["-"],
    "all-flags": ["--allow-exec", "--allow-network", "--allow-alpha-wasm", "--truncate-output=false", "."],
    "help": ["pkg", "--help"],
    "unknown-long": ["pkg", "--bogus"],
    "unknown-short": ["-x", "pkg"],
    "prefix-is-not-enough": ["--run", "builtin", "pkg"],
    "flag-with-value": ["--allow-exec=true", "pkg"],
    "missing-value": ["pkg", "--runtime"],
    "two-dirs": ["a", "b"],
    "two-dirs-after-double-dash": ["a", "--", "b"],
}

EVAL_ARGV = {
    "image-and-args": ["pkg", "--image", "img:v1", "--", "a=b", "c=d"],
    "args-without-double-dash": ["pkg", "-i", "img:v1", "a=b"],
    "stdin": ["-", "--image=img", "--fn-config", "fn.yaml", "-o", "unwrap"],
    "repeatable": ["pkg", "--mount", "type=bind,src=a,dst=/a", "--mount=type=bind,src=b,dst=/b", "-e", "K=V",
                   "-eX", "--env", "Y"],
    "short-cluster": ["-mi", "img", "pkg"],
    "short-cluster-value-rest": ["-mimg", "pkg"],
    "network-alias": ["--network", "--exec", "./fn", "--allow-exec", "pkg"],
    "dir-after-double-dash": ["--image", "img", "--", "pkg", "x=y"],
    "help": ["--help"],
    "unknown": ["pkg", "--image", "img", "--what"],
    "missing-value": ["pkg", "-i"],
}


@pytest.mark.parametrize(("name", "argv"),
                         [pytest.param("render", argv, id=f"render-{key}") for key, argv in RENDER_ARGV.items()]
                         + [pytest.param("eval", argv, id=f"eval-{key}") for key, argv in EVAL_ARGV.items()])
def test_fast_parse_agrees_with_typer(name: str, argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    expected = click_parse(name, argv)
    capsys.readouterr()  # typer's help/usage text, printed by the refusal cases
    got = fastpath.parse(argv, fastpath.COMMANDS[name])
    if expected is None:
        assert got is None, "typer refuses or helps here, so the fast path must hand it over"
        return
    assert got is not None
    assert got == expected


@pytest.mark.parametrize("verb", sorted(rpkg_impl.TRANSITIONS))
def test_transition_verbs_take_only_names(verb: str) -> None:
    command = typer.main.get_command(rpkg.app).commands[verb]  # type: ignore[attr-defined]
    assert [(p.param_type_name, p.nargs, p.required) for p in command.params] == [("argument", -1, True)]


@pytest.mark.parametrize("argv", [
    pytest.param(["a"], id="one"),
    pytest.param(["a", "b"], id="two"),
    pytest.param(["--", "-a", "b"], id="double-dash"),
    pytest.param(["a", "-"], id="dash-name"),
    pytest.param([], id="none"),
    pytest.param(["a", "--help"], id="help"),
    pytest.param(["-x", "a"], id="unknown-option"),
])
def test_transition_names_agree_with_typer(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    command = typer.main.get_command(rpkg.app).commands["approve"]  # type: ignore[attr-defined]
    try:
        expected: list[str] | None = list(command.make_context("approve", list(argv)).params["names"])
    except (typer.Exit, typer._click.exceptions.ClickException):
        expected = None
    capsys.readouterr()
    assert fastpath.parse_names(argv) == expected


def run_cli(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=PROJECT_DIR, env=env,
                          capture_output=True, text=True, timeout=120)


def test_typer_still_answers_help_and_usage_errors() -> None:
    helped = run_cli("fn", "render", "--help")
    assert helped.returncode == 0 and "--image-pull-policy" in helped.stdout
    refused = run_cli("fn", "render", "--bogus")
    assert refused.returncode == 2 and "No such option" in refused.stderr


def test_the_fast_path_does_not_import_typer(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "Kptfile").write_text("apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: pkg\n")
    (package / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n")
    probe = ("import runpy, sys\n"
             "sys.argv = ['porchbot', 'fn', 'render', sys.argv[1], '--runtime', 'builtin']\n"
             "try:\n    runpy.run_module('bot.cli', run_name='__main__')\n"
             "except SystemExit as done:\n"
             "    print('typer' in sys.modules, 'pydantic' in sys.modules, done.code)\n")
    done = subprocess.run([sys.executable, "-c", probe, str(package)], cwd=PROJECT_DIR, capture_output=True,
                          text=True, timeout=120)
    assert done.stdout.split() == ["False", "False", "0"], done.stderr
    assert "Successfully executed 0 function(s) in 1 package(s)." in done.stderr


def test_a_bad_value_is_the_same_one_line_error_on_both_paths(tmp_path: Path) -> None:
    (tmp_path / "Kptfile").write_text("apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: pkg\n")
    fast = run_cli("fn", "render", str(tmp_path), "--image-pull-policy", "sometimes")
    # A shell-completion variable sends the same argv through typer (the fast path steps aside).
    slow = run_cli("fn", "render", str(tmp_path), "--image-pull-policy", "sometimes",
                   env_extra={"_PORCHBOT_PROBE_COMPLETE": ""})
    assert fast.returncode == slow.returncode == 1
    assert fast.stderr == slow.stderr
    assert fast.stderr.startswith("Error: --image-pull-policy must be one of")
