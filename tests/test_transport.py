"""transport.py: a deadline for one piece of work, the run's time, and the backoff between
retries. (tests/reliability drives the same through the CLI against a dripping server.)"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import requests

from portal_config import defaults
from portal_config.commands import options
from portal_config.stripe_api import transport
from tests.e2e.stripe_state import TEST_KEY


def test_within_gives_the_result_or_the_workers_own_error() -> None:
    assert transport.within(1, lambda: 42, lambda: None) == 42
    with pytest.raises(KeyError):
        transport.within(1, lambda: {}["missing"], lambda: None)


def test_within_stops_waiting_at_the_deadline_and_cuts_the_work() -> None:
    release = threading.Event()
    cut: list[bool] = []
    started = time.monotonic()
    with pytest.raises(transport.TooSlow):
        transport.within(0.1, lambda: release.wait(10), lambda: cut.append(True))
    assert time.monotonic() - started < 1 and cut == [True]
    release.set()


def test_a_requests_deadline_is_its_own_or_what_is_left_of_the_runs() -> None:
    budget = transport.TimeBudget.for_request_seconds(2)
    assert budget.run_seconds == 2 * transport.RUN_DEADLINE_FACTOR
    assert budget.next_request() == 2
    budget.spent = budget.run_seconds - 0.5  # most of the run is spent
    assert 0 < budget.next_request() <= 0.5
    with budget.asking():
        time.sleep(0.05)
        assert budget.remaining() < 0.46
    assert 0.4 < budget.remaining() < 0.46
    time.sleep(0.05)  # between requests (a person at the confirmation prompt): not counted
    assert 0.4 < budget.remaining() < 0.46


def test_backoff_doubles_up_to_its_cap_with_jitter() -> None:
    for attempt, ceiling in ((0, 0.5), (1, 1.0), (2, 2.0), (5, 8.0), (30, 8.0)):
        delays = [transport.backoff(attempt, 0.5, 8.0) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1  # jittered


def test_the_cli_default_is_the_transports() -> None:
    # one home for the default (defaults.py): --help shows what a request really gets
    timeout = options.TIMEOUT_OPTION(lambda: None).__click_params__[0]  # type: ignore[attr-defined]
    assert timeout.default == transport.TimeBudget().request_seconds == defaults.REQUEST_SECONDS


def test_fetch_parses_the_answer_and_refuses_one_past_the_cap(
    emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Against the emulator's real answer: parsed whole under the cap, refused past it (the
    reliability tests send gzip bombs, endless and 100 MB bodies through the CLI)."""
    url = f"{emulator.url}/v1/billing_portal/configurations"
    headers = {"Authorization": f"Bearer {TEST_KEY}"}
    with requests.Session() as session:
        answer = transport.fetch(session, 5, "GET", url, headers, None, True)
        assert answer.status == 200 and answer.json["object"] == "list"  # type: ignore[index]
        monkeypatch.setattr(transport, "MAX_ANSWER_BYTES", len(answer.content) - 1)
        with pytest.raises(transport.TooLarge):
            transport.fetch(session, 5, "GET", url, headers, None, True)
        monkeypatch.setattr(transport, "MAX_ANSWER_BYTES", len(answer.content))
        assert (
            transport.fetch(session, 5, "GET", url, headers, None, True).content == answer.content
        )
