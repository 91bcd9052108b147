"""One client-side rate limit shared by every request of a run, so side-by-side writes and a
fleet's accounts stay under Stripe's limits (25 requests per second in test mode, 100 in live:
docs.stripe.com/rate-limits) instead of meeting 429s.

A sliding window: at most `per_second` requests start in any one-second window (a token bucket
would let twice that through across a window's edge). `LimitedSession` is where each HTTP request
starts, retries included; stripe_api hands it to the SDK. The default limit is Stripe's own (for
api.stripe.com); an emulator or another local server has none unless `--max-rps` asks for one.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import requests

from ..jsontypes import Data
from ..project.safety import STRIPE_API

if TYPE_CHECKING:
    from ..project.spec import Environment

# Under Stripe's limits, leaving room for the app's own requests with the same key.
DEFAULT_PER_SECOND = {"test": 20.0, "live": 80.0}


class RateLimiter:
    def __init__(
        self,
        per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if per_second <= 0:
            raise ValueError("the rate limit must be above 0 requests per second")
        self.per_second = per_second
        self._capacity = max(1, int(per_second))
        # 1 s, or longer below 1 request a second; never shorter, so a window never holds more.
        self._window = max(1.0, self._capacity / per_second)
        self._starts: deque[float] = deque()
        self._lock = threading.Lock()
        self._clock, self._sleep = clock, sleep

    def acquire(self) -> None:
        """Wait until one more request may start, then count it."""
        while True:
            with self._lock:
                now = self._clock()
                # (a nanosecond's slack: a float sum of waits must not loop on a rounding error)
                while self._starts and now - self._starts[0] >= self._window - 1e-9:
                    self._starts.popleft()
                if len(self._starts) < self._capacity:
                    self._starts.append(now)
                    return
                wait = self._window - (now - self._starts[0])
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
            self.limiter.acquire()
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
