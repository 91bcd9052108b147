"""One client-side rate limiter shared by every request of a run (every thread, retry and fleet
account), so side-by-side writes and a fleet's accounts stay under Stripe's limits instead of
meeting 429s. Stripe's limits are per account (docs.stripe.com/rate-limits, API-REFERENCE §17):
100 requests a second in live mode and 25 in test mode and sandboxes in all, and 25 a second to
each endpoint, an endpoint being a method and a path template (every configuration ID is one
`GET /v1/billing_portal/configurations/{id}`). The limiter keeps both: a global window and one
per endpoint. A fleet plan is one endpoint again and again, so live mode's global default alone
would be over that endpoint's limit.

Each is a sliding window: at most N requests start in any one-second window (a token bucket
would let twice that through across a window's edge). `LimitedSession` is where each HTTP
request starts, retries included; stripe_api hands it to the SDK. The default global limit is
under Stripe's own (for api.stripe.com); an emulator or another local server has none unless
`--max-rps` asks for one, and whenever there is a limit the endpoint windows come with it.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import requests
from urllib3.util import parse_url

from ..jsontypes import Data
from ..project.safety import STRIPE_API

if TYPE_CHECKING:
    from ..project.spec import Environment

# Under Stripe's limits, leaving room for the app's own requests with the same key.
DEFAULT_PER_SECOND = {"test": 20.0, "live": 80.0}
ENDPOINT_PER_SECOND = 20.0
_SLICES = 10  # a second's requests, spread over its tenths (_windows)
# Stripe's namespaces (docs.stripe.com/api): in /v1/billing_portal/configurations/{id} the
# resource is two segments. A namespace missing here only merges endpoints into one window
# (stricter), never splits one.
_NAMESPACES = frozenset(
    {
        "apps",
        "billing",
        "billing_portal",
        "checkout",
        "climate",
        "entitlements",
        "financial_connections",
        "forwarding",
        "identity",
        "issuing",
        "radar",
        "reporting",
        "sigma",
        "tax",
        "terminal",
        "test_helpers",
        "treasury",
    }
)


def endpoint(method: str, url: str) -> str:
    """`METHOD /v1/resource/{id}...`: the version and the resource as they are, every segment
    after them an ID. (A named action such as /pay shares its window with its siblings: one
    window for two endpoints only waits more.)"""
    parts = [part for part in (parse_url(url).path or "").split("/") if part]
    version, rest = parts[:1], parts[1:]
    names = 2 if rest[:1] and rest[0] in _NAMESPACES else 1
    template = [*version, *rest[:names], *["{id}"] * len(rest[names:])]
    return f"{method.upper()} /{'/'.join(template)}"


class _Window:
    """At most `capacity` starts in any `seconds`."""

    def __init__(self, capacity: int, seconds: float):
        self.capacity, self.seconds = capacity, seconds
        self.starts: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more may start (0: now)."""
        # (a nanosecond's slack: a float sum of waits must not loop on a rounding error)
        while self.starts and now - self.starts[0] >= self.seconds - 1e-9:
            self.starts.popleft()
        return 0.0 if len(self.starts) < self.capacity else self.seconds - (now - self.starts[0])


def _windows(per_second: float) -> tuple[_Window, _Window]:
    """`per_second` as windows: at most that many in a second (or longer below 1 a second:
    never shorter, so a window never holds more), and a tenth of it in a tenth of that. The
    second spreads a second's requests over it: a burst of them would reach Stripe bunched up
    with the end of the previous second's by the network's jitter, over Stripe's count."""
    capacity = max(1, int(per_second))
    seconds = max(1.0, capacity / per_second)
    return _Window(capacity, seconds), _Window(math.ceil(capacity / _SLICES), seconds / _SLICES)


class RateLimiter:
    """The run's limiter: `per_second` in all, `per_endpoint` to each endpoint."""

    def __init__(
        self,
        per_second: float,
        *,
        per_endpoint: float = ENDPOINT_PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if per_second <= 0:
            raise ValueError("the rate limit must be above 0 requests per second")
        self.per_second, self.per_endpoint = per_second, per_endpoint
        self._global = _windows(per_second)
        self._endpoints: dict[str, tuple[_Window, _Window]] = {}  # the endpoints a run calls
        self._lock = threading.Lock()
        self._clock, self._sleep = clock, sleep

    def acquire(self, endpoint: str | None = None) -> None:
        """Wait until one more request (to `endpoint`, from `endpoint()`) may start, then count
        it in every window it falls in at once, so no window counts a start that waited on
        another."""
        while True:
            with self._lock:
                windows = [*self._global]
                if endpoint is not None:
                    if endpoint not in self._endpoints:
                        self._endpoints[endpoint] = _windows(self.per_endpoint)
                    windows += self._endpoints[endpoint]
                now = self._clock()
                wait = max(window.wait(now) for window in windows)
                if wait <= 0:
                    for window in windows:
                        window.starts.append(now)
                    return
            self._sleep(wait)


def for_mode(mode: str, max_rps: float | None = None) -> RateLimiter:
    """The run's limiter: `--max-rps`, else the default for the environment's mode."""
    return RateLimiter(max_rps if max_rps is not None else DEFAULT_PER_SECOND[mode])


class LimitedSession(requests.Session):
    def __init__(self, limiter: RateLimiter | None):
        super().__init__()
        self.limiter = limiter

    # (headers, data, timeout, ...: passed through as the SDK's RequestsClient gives them)
    def request(  # type: ignore[override]
        self, method: str, url: str, *args: Data, **kwargs: Data
    ) -> requests.Response:
        if self.limiter is not None:
            self.limiter.acquire(endpoint(method, url))
        return super().request(method, url, *args, **kwargs)


def _talks_to_stripe(env: Environment) -> bool:
    return env.emulator is None and (env.api_base or STRIPE_API).rstrip("/") == STRIPE_API


def limiter_for(envs: Sequence[Environment], max_rps: float | None = None) -> RateLimiter | None:
    """The run's one limiter: `max_rps`, else the strictest default of the modes of the
    environments that reach Stripe itself; None when none does and no limit was asked for."""
    if max_rps is not None:
        return RateLimiter(max_rps)
    modes = sorted({env.mode for env in envs if _talks_to_stripe(env)}, key=("test", "live").index)
    return for_mode(modes[0]) if modes else None
