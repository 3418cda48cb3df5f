"""Playwright on Debian's chromium for the browser tests: found on PATH (never `playwright install`), skipped
cleanly when absent unless PORCHBOT_REQUIRE_BROWSER=1 (scripts/test.sh sets it once the setup installed it)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ASSETS = Path(__file__).resolve().parent / "assets"
SERIOUS = ("serious", "critical")


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    missing = "chromium is not installed (scripts/ensure-services.sh installs Debian's)" if found is None else ""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "playwright is not installed (the test extras)"
    if missing:
        if os.environ.get("PORCHBOT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"PORCHBOT_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    assert found is not None
    return found


# The pictures the README shows: with PORCHBOT_SCREENSHOTS=docs/screenshots they are written there too.
README_SHOTS = ("overview.png", "overview-dark.png", "package.png", "fleet.png")


class Shots:
    """Every screenshot goes to the test's artifact folder; the README's also to PORCHBOT_SCREENSHOTS."""

    def __init__(self, artifacts: Path) -> None:
        self.artifacts = artifacts
        self.artifacts.mkdir(parents=True, exist_ok=True)
        published = os.environ.get("PORCHBOT_SCREENSHOTS")
        self.published = Path(published) if published else None
        if self.published is not None:
            self.published.mkdir(parents=True, exist_ok=True)

    def take(self, page: Any, name: str) -> None:
        page.screenshot(path=str(self.artifacts / name), full_page=True)
        if self.published is not None and name in README_SHOTS:
            (self.published / name).write_bytes((self.artifacts / name).read_bytes())


def launch(headers: dict[str, str]) -> Iterator[tuple[Any, Any]]:
    """(browser, context) with ``headers`` on every request; closed afterwards."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        # --no-sandbox: the tests run as root in CI, where chromium refuses its sandbox.
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        context = browser.new_context(extra_http_headers=headers, viewport={"width": 1280, "height": 900})
        try:
            yield browser, context
        finally:
            context.close()
            browser.close()


def axe_violations(page: Any) -> list[str]:
    """axe-core's violations of impact serious or critical on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(ASSETS / "axe.min.js"))
    result = page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations']})")
    found = []
    for violation in result["violations"]:
        if violation.get("impact") in SERIOUS:
            targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
            found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return found
