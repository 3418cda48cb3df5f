"""The exec runtime: a local executable speaking the ResourceList protocol on stdin/stdout.

Only with ``--allow-exec``: a Kptfile from a pull request must never make the bot run a binary.
"""

from __future__ import annotations

import shlex
import subprocess

from bot.render.resourcelist import ResourceList
from bot.render.resourcelist_wire import WireError, decode_resource_list, encode_resource_list
from bot.render.runtimes.base import FunctionError, FunctionRef, FunctionRun, RuntimeOptions, partial_output

ALLOW_EXEC_MESSAGE = "must run with `--allow-exec` option to allow running function binaries"


class ExecRuntime:
    name = "exec"

    def __init__(self, options: RuntimeOptions) -> None:
        self.options = options

    def reproduces(self, function: FunctionRef, resource_list: ResourceList) -> bool:
        return True  # it runs the executable itself

    def run(self, function: FunctionRef, resource_list: ResourceList) -> FunctionRun:
        if not self.options.allow_exec:
            raise FunctionError(ALLOW_EXEC_MESSAGE, execution_error=True)
        try:
            argv = shlex.split(function.exec)
        except ValueError as err:
            raise FunctionError(f"cannot parse exec command {function.exec!r}: {err}",
                                execution_error=True) from err
        if not argv:
            raise FunctionError("exec command is empty", execution_error=True)
        stdin = encode_resource_list(resource_list)
        timeout = self.options.limits.timeout_seconds
        try:
            completed = subprocess.run(argv, input=stdin.encode("utf-8"), capture_output=True,
                                       timeout=timeout, check=False)
        except FileNotFoundError as err:
            raise FunctionError(f'exec: "{argv[0]}": executable file not found in $PATH',
                                execution_error=True) from err
        except PermissionError as err:
            raise FunctionError(f"fork/exec {argv[0]}: permission denied", execution_error=True) from err
        except subprocess.TimeoutExpired as err:
            raise FunctionError(f"function {function.exec!r} timed out after {timeout:g}s",
                                execution_error=True) from err
        stderr = completed.stderr.decode("utf-8", errors="replace")
        stdout = completed.stdout.decode("utf-8", errors="replace")
        if completed.returncode != 0:
            output = partial_output(stdout)
            raise FunctionError(f"function {function.exec!r} exited with code {completed.returncode}",
                                exit_code=completed.returncode, stderr=stderr, output=output)
        try:
            output = decode_resource_list(stdout)
        except WireError as err:
            raise FunctionError(str(err), exit_code=1, stderr=stderr, execution_error=True) from err
        return FunctionRun(output=output, stderr=stderr, exit_code=0)
