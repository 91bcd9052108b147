"""One client-side rate limit shared by every request of a run, so side-by-side writes and a
fleet's accounts stay under Stripe's limits (25 requests per second in test mode, 100 in live:
docs.stripe.com/rate-limits) instead of meeting 429s.

A sliding window: at most `per_second` requests start in any one-second window (a token bucket
would let twice that through across a window's edge).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

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
