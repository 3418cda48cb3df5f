"""Replays one of Porch's CLI cases (``cases/<case>/config.yaml``) against ``porchbot`` in git-only mode,
comparing each command as Porch's harness (test/e2e/cli/suite.go) does.

Per command: the exit code exactly; stdout exactly, or with ``yaml: true`` as data after dropping the
lines holding ``resourceVersion:`` / ``creationTimestamp:`` (the first YAML document of each side), or
with ``ignoreWhitespace`` after collapsing runs of spaces; stderr exactly (a substring with
``containsErrorString``) after dropping ``[PASS]`` lines and, with ``stdErrTabToWhitespace``, tabs as two
spaces. Like Porch's harness, a mismatch does not stop the case: every command runs and every mismatch
is reported.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.porchctl.gitserver import IN_CLUSTER, CaseGitServer

PROJECT_DIR = Path(__file__).resolve().parents[2]
SCRATCH = "/tmp/porch-e2e"


@dataclass
class Outcome:
    mismatches: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def load_case(config: Path) -> dict[str, Any]:
    loaded = yaml.safe_load(config.read_text()) or {}
    return loaded if isinstance(loaded, dict) else {}


def _yaml_data(text: str) -> tuple[bool, Any]:
    """As reorderYamlStdout: drop the volatile lines and read the first document (False: not YAML)."""
    kept = "".join(line + "\n" for line in text.splitlines()
                   if "resourceVersion:" not in line and "creationTimestamp:" not in line)
    try:
        documents = yaml.safe_load_all(kept)
        return True, next(iter(documents), None)
    except yaml.YAMLError:
        return False, None


def _whitespace(text: str) -> str:
    return " ".join(part for part in text.split(" ") if part)


def _clean_stderr(text: str) -> str:
    return "".join(line + "\n" for line in text.splitlines() if "[PASS]" not in line)


class CaseReplay:
    def __init__(self, name: str, work: Path, server: CaseGitServer) -> None:
        self.name = name
        self.scratch = work / "porch-e2e"
        self.scratch.mkdir(parents=True)
        self.server = server
        self.env = {
            **os.environ,
            "PORCHBOT_CONFIG_DIR": str(work / "config"),
            "PORCHBOT_STATE_DIR": str(work / "state"),
            "PORCHBOT_KPTFILE_STATUS": "false",  # the v4 era's kpt wrote no Kptfile status
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_CONFIG_NOSYSTEM": "1",
            **server.git_config_env(),
        }
        self.env.pop("PORCHBOT_DEBUG", None)
        self.cwd = work

    def substitute(self, text: str) -> str:
        return text.replace(IN_CLUSTER, self.server.cluster_url).replace(SCRATCH, str(self.scratch))

    def argv(self, args: list[str]) -> list[str] | str:
        """The command to run for a case's argv, or the reason it cannot run here."""
        program, rest = args[0], args[1:]
        if program == "porchctl":
            return [sys.executable, "-m", "bot.cli", *rest]
        if program == "kpt" and rest[:2] == ["fn", "eval"]:
            return [sys.executable, "-m", "bot.cli", *rest]  # the README allows porchbot fn eval here
        if program == "sh":
            return ["sh", *rest]
        if program == "kubectl":
            return "kubectl talks to a Kubernetes API; git-only mode has none"
        return f"{program} is not a command the replay knows"

    def run(self, case: dict[str, Any]) -> Outcome:
        outcome = Outcome()
        for index, command in enumerate(case.get("commands") or []):
            args = [self.substitute(str(arg)) for arg in command["args"]]
            argv = self.argv(args)
            label = f"{self.name}[{index}] {' '.join(command['args'])}"
            if isinstance(argv, str):
                outcome.skipped.append(f"{label}: {argv}")
                continue
            result = subprocess.run(argv, input=command.get("stdin"), capture_output=True, text=True,
                                    env=self.env, cwd=PROJECT_DIR if args[0] != "sh" else self.cwd,
                                    timeout=300, check=False)
            outcome.mismatches.extend(f"{label}: {problem}" for problem in self.compare(command, result))
        return outcome

    def compare(self, command: dict[str, Any], result: subprocess.CompletedProcess[str]) -> list[str]:
        problems = []
        want_code = int(command.get("exitCode") or 0)
        if result.returncode != want_code:
            problems.append(f"exit code {result.returncode}, want {want_code} (stderr: {result.stderr!r})")
        want_out = self.substitute(command.get("stdout") or "")
        got_out = result.stdout
        want_err = self.substitute(command.get("stderr") or "")
        got_err = _clean_stderr(result.stderr)
        if command.get("stdErrTabToWhitespace"):
            got_err = got_err.replace("\t", "  ")
        if command.get("ignoreWhitespace"):
            want_out, got_out = _whitespace(want_out), _whitespace(got_out)
            want_err, got_err = _whitespace(want_err), _whitespace(got_err)
        if command.get("yaml") and got_out:
            got_yaml, got_data = _yaml_data(got_out)
            want_yaml, want_data = _yaml_data(want_out)
            if got_yaml and want_yaml:
                if got_data != want_data:
                    problems.append(f"stdout differs as YAML:\n--- want\n{want_out}--- got\n{result.stdout}")
            elif got_out != want_out:
                problems.append(f"stdout:\n--- want\n{want_out}--- got\n{got_out}")
        elif got_out != want_out:
            problems.append(f"stdout:\n--- want\n{want_out}--- got\n{got_out}")
        if command.get("containsErrorString"):
            if want_err not in got_err:
                problems.append(f"stderr does not contain:\n{want_err!r}\n--- got\n{got_err!r}")
        elif got_err != want_err:
            problems.append(f"stderr:\n--- want\n{want_err!r}\n--- got\n{got_err!r}")
        return problems
