"""The few git commands an update needs, as subprocesses on a throw-away bare repository.

(bot/upgrade sits below bot/lifecycle, so it keeps its own small plumbing instead of importing the
lifecycle's git layer.)
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from bot.errors import PorchbotError


class GitFailed(PorchbotError):
    """A git command failed; the message is git's last line of error output."""


class BareRepo:
    def __init__(self, git_dir: Path) -> None:
        self.git_dir = git_dir

    def run_raw(self, *args: str) -> subprocess.CompletedProcess[str]:
        # core.askPass=true: a remote asking for credentials fails at once instead of prompting
        return subprocess.run(["git", "-c", "core.askPass=true", f"--git-dir={self.git_dir}", *args],
                              capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)

    def run(self, *args: str) -> str:
        result = self.run_raw(*args)
        if result.returncode != 0:
            lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
            first_fatal = next((line for line in lines if line.startswith(("fatal:", "error:"))), None)
            raise GitFailed(first_fatal or (lines[-1] if lines else f"git {args[0]} failed"))
        return result.stdout

    def init(self) -> None:
        self.run("init", "--quiet", "--bare", str(self.git_dir))

    def rev_parse(self, revision: str) -> str | None:
        result = self.run_raw("rev-parse", "--verify", "-q", revision)
        return result.stdout.strip() or None if result.returncode == 0 else None

    def extract(self, treeish: str, destination: Path) -> None:
        """Write the files of ``treeish`` (``commit:path`` or a tree) into ``destination``.

        The throw-away repository's own index is used: one extraction at a time.
        """
        destination.mkdir(parents=True, exist_ok=True)
        self.run("read-tree", treeish)
        self.run(f"--work-tree={destination}", "checkout-index", "-a", "-f")
