"""The run's one client-side rate limit: every HTTP request, the SDK's retries included, waits
for it, and `--max-rps` sets it."""

from __future__ import annotations

import time

from portal_config.project import config
from portal_config.stripe_api import connection
from portal_config.stripe_api.ratelimit import RateLimiter

from .stripe_state import BASIC, by_key


class Counting(RateLimiter):
    def __init__(self) -> None:
        super().__init__(1000)
        self.acquired = 0

    def acquire(self) -> None:
        self.acquired += 1
        super().acquire()


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
