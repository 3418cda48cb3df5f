"""The slash-command registry: the PR adapter's vocabulary, and the single source for the parser (bot.handlers.slash),
``/help`` and the unknown-command reply."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CommandSpec:
    name: str
    summary: str
    needs_approver: bool = False


COMMANDS: dict[str, CommandSpec] = {
    spec.name: spec
    for spec in (
        CommandSpec("approve", "merge this draft and publish it as the next revision", needs_approver=True),
        CommandSpec("reject", "return this proposal to Draft"),
        CommandSpec("propose", "propose this draft (mark the pull request ready for review)"),
        CommandSpec("render", "re-render the package on the current head"),
        CommandSpec("ok-to-render", "allow rendering a pull request from an untrusted author",
                    needs_approver=True),
        CommandSpec("help", "list the commands Porchbot understands"),
    )
}


def help_text() -> str:
    lines = ["Porchbot understands these commands at the start of a line in a comment:", ""]
    lines += [f"- `/{spec.name}`: {spec.summary}" for spec in COMMANDS.values()]
    return "\n".join(lines)


def unknown_command_text(name: str) -> str:
    known = ", ".join(f"`/{n}`" for n in COMMANDS)
    return f"Unknown command `/{name}`. Known commands: {known}. Comment `/help` for details."
