"""Forge API calls and errors show up in the Prometheus registry, per forge."""

from __future__ import annotations

import pytest

from bot.errors import NotFound
from bot.forges.base import Forge
from bot.observability import metrics
from tests.forge_emulator import Emulator


def _value(name: str, labels: dict[str, str]) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


def test_calls_and_errors_are_counted(forge: Forge, forge_emulator: Emulator) -> None:
    kind = forge_emulator.kind
    ok_before = _value("porchbot_forge_api_calls_total", {"forge": kind, "outcome": "ok"})
    errors_before = _value("porchbot_forge_api_calls_total", {"forge": kind, "outcome": "error"})
    assert forge.get_branch_head("main")
    with pytest.raises(NotFound):
        forge.get_pull_request(9999)
    assert _value("porchbot_forge_api_calls_total", {"forge": kind, "outcome": "ok"}) == ok_before + 1
    assert _value("porchbot_forge_api_calls_total", {"forge": kind, "outcome": "error"}) == errors_before + 1
