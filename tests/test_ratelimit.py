"""The shared client-side rate limit: never more than its rate in any one-second window."""

from __future__ import annotations

import threading

import pytest

from portal_config.stripe_api.ratelimit import (
    DEFAULT_PER_SECOND,
    ENDPOINT_PER_SECOND,
    RateLimiter,
    endpoint,
    for_mode,
)

# One second, less the limiter's nanosecond of slack for the fake clock's float sums of waits.
SECOND = 1.0 - 1e-9


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.now += seconds


def starts(rate: float, n: int) -> list[float]:
    clock = FakeClock()
    limiter = RateLimiter(rate, clock=clock, sleep=clock.sleep)
    times = []
    for _ in range(n):
        limiter.acquire()
        times.append(clock.now)
    return times


@pytest.mark.parametrize("rate", [1, 3, 20, 80, 2.5])
def test_no_one_second_window_holds_more_than_the_rate(rate: float) -> None:
    times = starts(rate, 200)
    for i, t in enumerate(times):
        in_window = [s for s in times[i:] if s - t < SECOND]
        assert len(in_window) <= max(1, int(rate))


def test_a_seconds_requests_are_spread_over_it_a_tenth_at_a_time() -> None:
    # a burst of 20 would reach Stripe bunched up with the previous second's by the jitter
    assert starts(20, 20) == pytest.approx([tenth / 10 for tenth in range(10) for _ in (1, 2)])


def test_the_rate_is_reached_not_undershot() -> None:
    times = starts(10, 100)
    assert times[-1] == pytest.approx(9.9)  # 100 starts at 10/s: the last in the 10th second


def test_threads_share_one_limit() -> None:
    limiter = RateLimiter(1000)
    done: list[int] = []
    threads = [
        threading.Thread(target=lambda: (limiter.acquire(), done.append(1))) for _ in range(50)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert len(done) == 50


def test_defaults_are_under_stripes_limits_and_max_rps_overrides() -> None:
    assert DEFAULT_PER_SECOND["test"] < 25 and DEFAULT_PER_SECOND["live"] < 100
    assert for_mode("test").per_second == DEFAULT_PER_SECOND["test"]
    assert for_mode("live", 5).per_second == 5
    with pytest.raises(ValueError):
        RateLimiter(0)


def test_stripe_itself_is_limited_by_default_an_emulator_only_when_asked() -> None:
    from pathlib import Path

    from portal_config.errors import Location
    from portal_config.project.spec import Environment
    from portal_config.stripe_api.ratelimit import limiter_for

    def env(mode: str, api_base: str | None = None, emulator: Path | None = None) -> Environment:
        return Environment(
            name=mode,
            mode=mode,
            api_key_env="K",
            api_base=api_base,
            stripe_account=None,
            emulator=emulator,
            seed=None,
            vars={},
            location=Location("configs/portal-config.yaml", 1, 1),
        )

    local = env("test", "http://127.0.0.1:12111")
    assert limiter_for([local]) is None and limiter_for([env("test", emulator=Path("s"))]) is None
    run_limit = limiter_for([env("live"), local, env("test", "https://api.stripe.com/")])
    assert run_limit is not None and run_limit.per_second == DEFAULT_PER_SECOND["test"]
    live = limiter_for([env("live")])
    assert live is not None and live.per_second == DEFAULT_PER_SECOND["live"]
    asked = limiter_for([local], max_rps=7)
    assert asked is not None and asked.per_second == 7


CONFIG = "GET /v1/billing_portal/configurations/{id}"


def windows_of(times: list[float]) -> int:
    """The most starts in any one-second window."""
    return max(len([s for s in times[i:] if s - t < SECOND]) for i, t in enumerate(times))


def test_one_endpoint_stays_under_its_own_limit_inside_a_higher_global_one() -> None:
    clock = FakeClock()
    limiter = RateLimiter(DEFAULT_PER_SECOND["live"], clock=clock, sleep=clock.sleep)
    one, other = [], []
    for _ in range(100):  # a fleet plan: every request the same endpoint, plus a few others
        limiter.acquire(CONFIG)
        one.append(clock.now)
        limiter.acquire("POST /v1/billing_portal/configurations")
        other.append(clock.now)
    assert windows_of(one) <= ENDPOINT_PER_SECOND < 25
    assert windows_of(sorted(one + other)) <= DEFAULT_PER_SECOND["live"]
    # two endpoints side by side: each at its own limit, not half of one
    assert one[-1] == pytest.approx(100 / ENDPOINT_PER_SECOND - 0.1)


def test_the_global_limit_holds_across_endpoints() -> None:
    clock = FakeClock()
    limiter = RateLimiter(DEFAULT_PER_SECOND["test"], clock=clock, sleep=clock.sleep)
    times = []
    for i in range(100):
        limiter.acquire(f"GET /v1/endpoint{i % 7}")
        times.append(clock.now)
    assert windows_of(times) <= DEFAULT_PER_SECOND["test"]


@pytest.mark.parametrize(
    ("method", "url", "template"),
    [
        (
            "get",
            "https://api.stripe.com/v1/billing_portal/configurations/bpc_1Ab?expand[]=x",
            CONFIG,
        ),
        ("GET", "http://127.0.0.1:9/v1/billing_portal/configurations/bpc_portal_probe", CONFIG),
        (
            "POST",
            "http://127.0.0.1:9/v1/billing_portal/configurations/bpc_2",
            CONFIG.replace("GET", "POST"),
        ),
        (
            "GET",
            "http://127.0.0.1:9/v1/billing_portal/configurations?limit=100",
            "GET /v1/billing_portal/configurations",
        ),
        ("GET", "https://api.stripe.com/v1/prices/price_basic", "GET /v1/prices/{id}"),
        ("GET", "https://api.stripe.com/v1/accounts/acct_1/persons", "GET /v1/accounts/{id}/{id}"),
        ("GET", "https://api.stripe.com/v1/account", "GET /v1/account"),
    ],
)
def test_an_endpoint_is_its_method_and_path_template_whatever_the_id(
    method: str, url: str, template: str
) -> None:
    assert endpoint(method, url) == template


def test_max_rps_against_any_server_brings_the_endpoint_limits() -> None:
    from portal_config.stripe_api.ratelimit import limiter_for

    asked = limiter_for([], max_rps=1000)
    assert asked is not None and asked.per_endpoint == ENDPOINT_PER_SECOND
