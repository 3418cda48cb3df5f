"""``.krmignore``: gitignore patterns, one file per package dir, matched relative to that dir."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pathspec

KRMIGNORE = ".krmignore"


class IgnoreMatcher:
    def __init__(self, package_dir: Path) -> None:
        self._spec: pathspec.PathSpec | None = None  # type: ignore[type-arg]
        try:
            text = (package_dir / KRMIGNORE).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return
        lines = [line for line in text.splitlines() if line.strip()]
        if lines:
            import pathspec  # only packages with a .krmignore pay for it (~10 ms to import)

            self._spec = pathspec.PathSpec.from_lines("gitwildmatch", lines)

    def ignored(self, relative_path: str, is_dir: bool) -> bool:
        """``relative_path`` is slash-separated and relative to the package dir."""
        if self._spec is None:
            return False
        return self._spec.match_file(relative_path + "/" if is_dir else relative_path)
