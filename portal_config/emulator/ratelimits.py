"""Stripe's rate limits, enforced when switched on (`Settings.rate_limits`; behaviours.py: "rate
limits"): per mode, a global limit (100 requests a second in live mode, 25 in test mode and
sandboxes) and each endpoint's own (25 a second), an endpoint being the method and the path
template (every ID counts as one), as docs.stripe.com/rate-limits states them. A request over
either answers Stripe's 429, `Stripe-Rate-Limited-Reason` naming the limit; it never ran, so it
counts toward neither.

Requests made for a connected account (Stripe-Account) count toward the platform's limits here:
which account Stripe counts them against is not documented (API-REFERENCE §17), and the
platform's is the stricter for a fleet (a run that stays under it stays under either).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable

from .context import api_mode
from .errors import ApiError

GLOBAL_PER_SECOND = {"live": 100, "test": 25}
ENDPOINT_PER_SECOND = 25
# Stripe's 429 for a rate limit (its `rate_limit` code, an invalid_request_error).
MESSAGE = (
    "Request rate limit exceeded. You can learn more about rate limits here "
    "https://stripe.com/docs/rate-limits."
)


class RateLimits:
    """The sliding one-second windows of one emulator: a request starts only while every
    window it falls in holds fewer than its limit."""

    def __init__(self) -> None:
        self.clock = time.monotonic  # a test may hold it still
        self._starts: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, mode: str, endpoint: str) -> None:
        """Count a request of `mode` to `endpoint` ("GET /v1/prices/{price}"), or raise the
        429 of the first limit it is over (the endpoint's first: in test mode both are 25)."""
        limits = (
            ((mode, endpoint), ENDPOINT_PER_SECOND, "endpoint-rate"),
            ((mode, ""), GLOBAL_PER_SECOND[api_mode(mode)], "global-rate"),
        )
        with self._lock:
            now = self.clock()
            windows = []
            for key, limit, reason in limits:
                starts = self._starts.setdefault(key, deque())
                while starts and now - starts[0] >= 1.0:
                    starts.popleft()
                if len(starts) >= limit:
                    raise ApiError(
                        429,
                        MESSAGE,
                        code="rate_limit",
                        headers={"Stripe-Rate-Limited-Reason": reason},
                    )
                windows.append(starts)
            for starts in windows:
                starts.append(now)


def busiest_seconds(arrivals: Iterable[tuple[str, float]]) -> dict[str, int]:
    """For each endpoint of (endpoint, time) arrivals, and "*" for all of them: the most that
    arrived within one second, as the windows above count them."""
    times: dict[str, list[float]] = {}
    for endpoint, at in arrivals:
        times.setdefault(endpoint, []).append(at)
        times.setdefault("*", []).append(at)
    most = {}
    for endpoint, ats in sorted(times.items()):
        ats.sort()
        first = most[endpoint] = 0
        for last, at in enumerate(ats):
            while at - ats[first] >= 1.0:
                first += 1
            most[endpoint] = max(most[endpoint], last - first + 1)
    return most
