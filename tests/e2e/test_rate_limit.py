"""The run's one client-side rate limit: every HTTP request, the SDK's retries included, waits
for it, `--max-rps` sets it, and a fleet at the default rate stays under Stripe's limits (in all
and per endpoint) as the emulator enforces them; a 429 that outlasts the retries names Stripe's
reason."""

from __future__ import annotations

import json
import time

import pytest

from portal_config.project import config
from portal_config.stripe_api import client, connection
from portal_config.stripe_api.ratelimit import DEFAULT_PER_SECOND, RateLimiter
from tests.reliability.servers import Answer, Arrival, serving

from .conftest import PROJECT_FILE, Project
from .fleets import FLEET_PROJECT, TENANT
from .stripe_state import BASIC, by_key


class Counting(RateLimiter):
    def __init__(self) -> None:
        super().__init__(1000)
        self.acquired = 0

    def acquire(self, endpoint: str | None = None) -> None:
        self.acquired += 1
        super().acquire(endpoint)


def test_every_request_and_every_retry_waits_for_the_limiter(project) -> None:
    loaded = config.load_project(project.configs / "portal-config.yaml")
    project.emulator.faults.script([{"status": 500, "method": "GET"}])  # the SDK retries it
    limiter = Counting()
    with connection.connect(loaded.environments["staging"], limiter=limiter) as gateway:
        project.emulator.clear_log()
        assert gateway.list_configurations() == []
        gateway.configurations_newer_than(None)
    assert len(project.emulator.request_log) == 3 and limiter.acquired == 3


def test_max_rps_spaces_the_requests_of_a_run(project) -> None:
    for key in ("one", "two"):
        project.write(f"{key}.yaml", BASIC.replace("Basic", key))
    project.emulator.clear_log()
    started = time.monotonic()
    result = project.run("apply", "--env", "staging", "--max-rps", "3")
    elapsed = time.monotonic() - started
    assert result.exit_code == 0, result.output
    # 5 requests (the plan's list, then a re-check and a create each): 3 in the first second
    assert len(project.emulator.request_log) == 5 and elapsed >= 0.95
    assert set(by_key(project)) == {"one", "two"}


def test_max_rps_must_be_above_zero(project) -> None:
    result = project.run("plan", "--env", "staging", "--max-rps", "0")
    assert result.exit_code == 1 and "Invalid value for '--max-rps'" in result.stderr


def live_fleet(project: Project, size: int) -> None:
    """A live-mode fleet of `size` connected accounts (fleets.py's project, in live mode)."""
    text = FLEET_PROJECT.format(url=project.emulator.url)
    text = text.replace("mode: test", "mode: live").replace("_TEST_KEY", "_LIVE_KEY")
    project.write("portal-config.yaml", text)
    project.write("tenant.yaml", TENANT)
    project.emulator.add_connected_accounts(
        size,
        metadata=lambda i: {"portal": "managed", "app_url": f"https://t{i}.example"},
        mode="live",
    )


def test_a_live_fleet_at_the_default_rate_stays_under_stripes_limits(project: Project) -> None:
    """A fleet plan is one endpoint (GET /v1/billing_portal/configurations) again and again:
    live mode's 80 a second in all would be over its limit of 25 (docs.stripe.com/rate-limits)."""
    project.emulator.rate_limits = True
    live_fleet(project, 60)
    # Against a local server the run is limited only when asked: the live default, as asked.
    rate = f"{DEFAULT_PER_SECOND['live']:g}"
    applied = project.run("apply", "--env", "fleet", "--yes", "--max-rps", rate)
    assert applied.exit_code == 0, applied.output
    assert "Apply complete: 60 created" in applied.output
    planned = project.run("plan", "--env", "fleet", "--max-rps", rate)
    assert planned.exit_code == 0 and "No changes." in planned.output, planned.output
    log = project.emulator.request_log
    assert len(log) > 200 and [r for r in log if r.status == 429] == []
    busiest = project.emulator.busiest_seconds()
    assert busiest["GET /v1/billing_portal/configurations"] > 15  # the fleet's own endpoint
    assert busiest.pop("*") <= 100 and max(busiest.values()) <= 25


@pytest.mark.parametrize(
    ("reason", "named"),
    [
        (
            "endpoint-rate",
            " (endpoint-rate: more requests a second to one endpoint than Stripe allows)",
        ),
        ("some-new-limit", " (some-new-limit)"),
        ("\x1b[2Jcleared", ""),  # not a name: nothing of it reaches the terminal
    ],
)
def test_a_429_names_stripes_reason(
    project: Project, monkeypatch: pytest.MonkeyPatch, reason: str, named: str
) -> None:
    monkeypatch.setattr(client, "RETRY_DELAY", 0.002)
    monkeypatch.setattr(client, "RETRY_DELAY_MAX", 0.01)
    refusal = {
        "error": {
            "type": "invalid_request_error",
            "code": "rate_limit",
            "message": "Request rate limit exceeded. You can learn more about rate limits here "
            "https://stripe.com/docs/rate-limits.",
        }
    }

    def limited(arrival: Arrival) -> Answer:
        headers = {"Content-Type": "application/json", "Stripe-Rate-Limited-Reason": reason}
        return 429, headers, json.dumps(refusal).encode()

    with serving(limited) as server:
        project.write("portal-config.yaml", PROJECT_FILE.format(url=server.url))
        result = project.run("plan", "--env", "staging")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert len(server.arrivals) == client.RETRIES + 1
    assert (
        "environment 'staging': listing portal configurations: Stripe kept rate-limiting"
        f"{named}: Request rate limit exceeded. You can learn more about rate limits here "
        "https://stripe.com/docs/rate-limits. Everything using this Stripe account counts toward "
        "its limits: wait a minute and run again, or lower --max-rps.\n"
    ) in result.stderr, result.stderr
    assert "\x1b" not in result.output
