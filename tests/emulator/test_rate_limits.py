"""Stripe's rate limits in the emulator (behaviours.py: "rate limits"), switched on, through the
real stripe SDK: a global limit per mode and one per endpoint (method and path template), each
answered with Stripe's 429 and `Stripe-Rate-Limited-Reason`; off by default."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import stripe

from portal_config.emulator.emulator import Emulator


def frozen(emulator: Emulator) -> list[float]:
    """The limits' clock, held still (one list item: the time), so a test is one instant."""
    now = [0.0]
    emulator.api.limits.clock = lambda: now[0]
    return now


def refusal(call: Callable[[], object]) -> stripe.RateLimitError:
    with pytest.raises(stripe.RateLimitError) as caught:
        call()
    return caught.value


def test_off_by_default_a_burst_is_answered(emulator: Emulator, stripe_client: Any) -> None:
    configurations = stripe_client().v1.billing_portal.configurations
    for _ in range(40):
        configurations.list()
    assert {r.status for r in emulator.request_log} == {200}


def test_one_endpoint_meets_its_own_limit_of_25_a_second(
    emulator: Emulator, stripe_client: Any
) -> None:
    emulator.rate_limits = True
    now = frozen(emulator)
    live = stripe_client("sk_live_123")
    for _ in range(25):
        live.v1.billing_portal.configurations.list()
    refused = refusal(live.v1.billing_portal.configurations.list)
    assert refused.http_status == 429
    assert refused.headers is not None
    assert refused.headers["Stripe-Rate-Limited-Reason"] == "endpoint-rate"
    assert refused.error is not None and refused.error.code == "rate_limit"
    assert refused.error.type == "invalid_request_error"
    assert "Request rate limit exceeded" in str(refused.user_message)
    live.v1.prices.list()  # another endpoint: live mode's global limit is 100
    # one endpoint whatever the ID: the 26th retrieve is refused though each ID is new
    for i in range(25):
        with pytest.raises(stripe.InvalidRequestError):
            live.v1.billing_portal.configurations.retrieve(f"bpc_{i}")
    refusal(lambda: live.v1.billing_portal.configurations.retrieve("bpc_other"))
    now[0] += 1.0  # a second later the window is empty again
    live.v1.billing_portal.configurations.list()
    assert [r.status for r in emulator.request_log].count(429) == 2


def test_test_mode_meets_the_global_limit_of_25_across_endpoints(
    emulator: Emulator, stripe_client: Any
) -> None:
    emulator.rate_limits = True
    frozen(emulator)
    test = stripe_client()
    for i in range(25):
        (test.v1.prices.list if i % 2 else test.v1.billing_portal.configurations.list)()
    refused = refusal(test.v1.products.list)
    assert refused.headers is not None
    assert refused.headers["Stripe-Rate-Limited-Reason"] == "global-rate"
    stripe_client("sk_live_123").v1.products.list()  # each mode is limited on its own


def test_the_busiest_second_of_each_endpoint_is_read_from_the_log() -> None:
    from portal_config.emulator.ratelimits import busiest_seconds

    arrivals = [
        ("GET /a", 0.0),
        ("GET /a", 0.5),
        ("GET /a", 0.99),
        ("GET /a", 1.0),
        ("GET /b", 1.2),
    ]
    assert busiest_seconds(arrivals) == {"*": 4, "GET /a": 3, "GET /b": 1}
    assert busiest_seconds([]) == {}


def test_a_sandbox_meets_test_modes_global_limit(emulator: Emulator, stripe_client: Any) -> None:
    """A sandbox is test mode to the API (docs.stripe.com/rate-limits: 25 a second in sandboxes):
    its requests are answered, then limited as test mode's, never an internal error."""
    emulator.rate_limits = True
    frozen(emulator)
    sandbox = stripe_client("rkcs_test_ratelimited")
    for _ in range(12):
        sandbox.v1.billing_portal.configurations.list()
        sandbox.v1.prices.list()
    sandbox.v1.billing_portal.configurations.list()  # the 25th
    refused = refusal(sandbox.v1.products.list)  # a third endpoint: the global 25 is spent
    assert refused.headers is not None
    assert refused.headers["Stripe-Rate-Limited-Reason"] == "global-rate"
