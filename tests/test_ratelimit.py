"""The shared client-side rate limit: never more than its rate in any one-second window."""

from __future__ import annotations

import threading

import pytest

from portal_config.stripe_api.ratelimit import DEFAULT_PER_SECOND, RateLimiter, for_mode


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
        in_window = [s for s in times[i:] if s - t < 1.0]
        assert len(in_window) <= max(1, int(rate))


def test_requests_under_the_rate_do_not_wait() -> None:
    assert starts(20, 20) == [0.0] * 20


def test_the_rate_is_reached_not_undershot() -> None:
    times = starts(10, 100)
    assert times[-1] == pytest.approx(9.0)  # 100 starts at 10/s: the last one 9 s in


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
