"""The release job's fan-out: one job per downstream package, named so that a redone release job enqueues
nothing twice while a new delivery of the same release is a new job; keyed per downstream package."""

from __future__ import annotations

import logging

import pytest

from bot.handlers.context import BotContext
from bot.handlers.release_handler import INTERNAL_KIND, propagation_job, run_propagation
from bot.lifecycle.downstream_index import Downstream
from bot.lifecycle.propagation import Release
from bot.queue.store import Job

RELEASE = Release("blueprints", "https://forge.example/acme/blueprints.git", "basens", 2)
NS_A = Downstream("deployments", "ns-a", "forge.example/acme/blueprints", "basens", "basens/v1", 1)
NS_B = Downstream("deployments", "ns-b", "forge.example/acme/blueprints", "basens", "basens/v1", 1)


def test_job_ids_and_keys() -> None:
    first, key, payload = propagation_job(RELEASE, NS_A, "delivery-1")
    assert propagation_job(RELEASE, NS_A, "delivery-1")[0] == first  # the same job when redone
    assert propagation_job(RELEASE, NS_A, "delivery-2")[0] != first  # a new delivery: a new job
    assert propagation_job(RELEASE, NS_B, "delivery-1")[0] != first
    v3 = Release(RELEASE.repository, RELEASE.url, "basens", 3)
    assert propagation_job(v3, NS_A, "delivery-1")[0] != first
    # One key per downstream package, whatever the release: two workers never run one package at once.
    assert key == propagation_job(v3, NS_A, "delivery-9")[1] == "internal:propagate:deployments:ns-a"
    assert key != propagation_job(RELEASE, NS_B, "delivery-1")[1]
    assert payload["release"]["number"] == 2 and payload["downstream"]["package_path"] == "ns-a"


@pytest.mark.parametrize("payload", [{}, {"kind": "propagate"}, {"release": {"repository": "x"}, "downstream": {}},
                                     {"release": None, "downstream": None}])
def test_an_unreadable_job_is_logged_not_raised(payload: dict[str, object], caplog: pytest.LogCaptureFixture) -> None:
    job = Job("propagate:1", INTERNAL_KIND, "internal:propagate:x", payload, attempts=1, created=0.0)
    with caplog.at_level(logging.WARNING, logger="porchbot.propagation"):
        assert run_propagation(BotContext(), job) is None
    assert "propagation job unreadable" in caplog.text
