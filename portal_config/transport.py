"""Where each HTTP request to Stripe starts: a `requests.Session` that waits for the run's one
rate limiter (ratelimit.py) before every request, retries included, so side-by-side writes and
several environments together stay under Stripe's limits instead of meeting 429s.

The default limit is Stripe's own (for api.stripe.com); an emulator or another local server has
none unless `--max-rps` asks for one. No `stripe` import here: stripe_api hands this session to
the SDK's RequestsClient.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import requests

from .ratelimit import RateLimiter, for_mode
from .safety import STRIPE_API
from .values import Data

if TYPE_CHECKING:
    from .config import Environment


class LimitedSession(requests.Session):
    def __init__(self, limiter: RateLimiter | None):
        super().__init__()
        self.limiter = limiter

    # (headers, data, timeout, ...: passed through as the SDK's RequestsClient gives them)
    def request(self, method: str, url: str, *args: Data,  # type: ignore[override]
                **kwargs: Data) -> requests.Response:
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
