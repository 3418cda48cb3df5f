"""kpt's console output on stderr: package headers, [RUNNING]/[PASS]/[FAIL] blocks, the summary."""

from __future__ import annotations

from typing import TextIO

from bot.render.resourcelist import Result


def go_duration(seconds: float) -> str:
    """Go's time.Duration.String() for the magnitudes a function call takes."""
    nanos = round(seconds * 1e9)
    if nanos == 0:
        return "0s"
    if nanos < 1_000:
        return f"{nanos}ns"
    if nanos < 1_000_000:
        return f"{_trim(nanos / 1e3)}µs"
    if nanos < 1_000_000_000:
        return f"{_trim(nanos / 1e6)}ms"
    minutes, rest = divmod(nanos / 1e9, 60)
    if minutes >= 1:
        return f"{int(minutes)}m{_trim(rest)}s"
    return f"{_trim(rest)}s"


def _trim(value: float) -> str:
    text = f"{value:.9f}".rstrip("0").rstrip(".")
    return text or "0"


def result_line(result: Result) -> str:
    """kyaml's ``framework.Result.String()``: ``[sev][ gvk/ns/name][ field]: message``."""
    text = f"[{result.severity or 'info'}]"
    ref = result.resource_ref
    if ref is not None:
        ids = [part for part in (ref.api_version, ref.kind, ref.namespace, ref.name) if part]
        if ids:
            text += " " + "/".join(ids)
    if result.field is not None:
        text += f" {result.field.path}"
    return f"{text}: {result.message}".replace("\n", " ")


class Console:
    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream

    def write(self, text: str) -> None:
        if self.stream is not None:
            self.stream.write(text)

    def package(self, display_name: str) -> None:
        self.write(f'Package "{display_name}":\n')

    def running(self, function: str, selected: int | None, package: str | None) -> None:
        line = f'[RUNNING] "{function}"'
        if selected is not None:
            line += f" on {selected} resource(s)"
        if package is not None:
            line += f' on package "{package}"'
        self.write(line + "\n")

    def finished(self, function: str, seconds: float, results: list[Result], stderr: str,
                 exit_code: int | None) -> None:
        status = "PASS" if exit_code is None else "FAIL"
        lines = [f'[{status}] "{function}" in {go_duration(seconds)}']
        if results:
            lines.append(_results_title())
            lines.extend(f"    {result_line(result)}" for result in results)
        if stderr:
            lines.append("  Stderr:")
            lines.extend(f"    {line.strip()}" for line in stderr.split("\n"))
        if exit_code is not None:
            lines.append(f"  Exit code: {exit_code}")
        self.write("\n".join(lines) + "\n")


def _results_title() -> str:
    """kpt titles a step's results ``[Results]:``; releases up to v1.0.0-beta.57 (the era without a Kptfile
    status, ``PORCHBOT_KPTFILE_STATUS=false``: Porch v4's CLI cases were recorded with one) wrote ``Results:``."""
    from bot.config.settings import current_settings

    return "  Results:" if current_settings().kptfile_status is False else "  [Results]:"
