"""Emulator fixtures for the propagation tests."""

from __future__ import annotations

from tests.forge_emulator.fixtures import forge_emulator, github_emulator, gitlab_emulator  # noqa: F401
