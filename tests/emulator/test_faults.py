"""Injected faults seen through the SDK's retry logic, and the HTTP control endpoints."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
import stripe

INVOICES_ON = {"features": {"invoice_history": {"enabled": True}}}


def creates(emulator: Any) -> list[Any]:
    return [r for r in emulator.request_log if r.method == "POST"]


def test_500_then_success_is_retried_with_the_same_idempotency_key(
    emulator: Any, stripe_client: Any
) -> None:
    emulator.faults.script([{"status": 500, "method": "POST"}])
    made = stripe_client(retries=2).v1.billing_portal.configurations.create(INVOICES_ON)
    attempts = creates(emulator)
    assert [a.status for a in attempts] == [500, 200]
    assert attempts[0].idempotency_key == attempts[1].idempotency_key is not None
    assert made.id.startswith("bpc_")


def test_500_without_retries_is_an_api_error(emulator: Any, stripe_client: Any) -> None:
    emulator.faults.script([{"status": 503}])
    with pytest.raises(stripe.APIError) as caught:
        stripe_client().v1.billing_portal.configurations.list()
    exc: Any = caught.value
    assert exc.http_status == 503 and exc.error.type == "api_error"
    assert exc.request_id.startswith("req_")


def test_429_is_a_rate_limit_error_retried_only_when_stripe_says_so(
    emulator: Any, stripe_client: Any
) -> None:
    emulator.faults.script([{"status": 429}])
    with pytest.raises(stripe.RateLimitError) as caught:
        stripe_client(retries=2).v1.billing_portal.configurations.list()
    assert caught.value.http_status == 429 and caught.value.error.code == "rate_limit"
    assert len(emulator.request_log) == 1  # no Stripe-Should-Retry: the SDK does not retry

    emulator.faults.script([{"status": 429, "should_retry": True}])
    assert stripe_client(retries=2).v1.billing_portal.configurations.list().data == []
    assert [r.status for r in emulator.request_log[1:]] == [429, 200]


def test_should_retry_false_vetoes_a_retry(emulator: Any, stripe_client: Any) -> None:
    emulator.faults.script([{"status": 503, "should_retry": False, "method": "POST"}])
    with pytest.raises(stripe.APIError):
        stripe_client(retries=2).v1.billing_portal.configurations.create(INVOICES_ON)
    assert [r.status for r in creates(emulator)] == [503]


def test_a_dropped_connection_is_an_api_connection_error(emulator: Any, stripe_client: Any) -> None:
    emulator.faults.script([{"drop": True, "path_prefix": "/v1/billing_portal"}])
    client = stripe_client()
    assert client.v1.prices.list().data == []  # does not match the fault's path
    with pytest.raises(stripe.APIConnectionError):
        client.v1.billing_portal.configurations.create(INVOICES_ON)
    assert emulator.request_log[-1].status is None
    assert client.v1.billing_portal.configurations.list().data == []  # nothing was created

    emulator.faults.script([{"drop": True}])
    made = stripe_client(retries=1).v1.billing_portal.configurations.create(INVOICES_ON)
    assert [r.status for r in creates(emulator)][-2:] == [None, 200]
    assert made.active


def test_faults_are_consumed_in_order_by_matching_requests(
    emulator: Any, stripe_client: Any
) -> None:
    emulator.faults.script([{"status": 500, "method": "POST"}, {"status": 503}])
    client = stripe_client()
    with pytest.raises(stripe.APIError) as first:
        client.v1.billing_portal.configurations.list()
    assert first.value.http_status == 503  # the GET skips the POST-only entry
    with pytest.raises(stripe.APIError) as second:
        client.v1.billing_portal.configurations.create(INVOICES_ON)
    assert second.value.http_status == 500
    assert emulator.faults.pending == 0
    with pytest.raises(ValueError):
        emulator.faults.script([{"status": 418}])


def test_failure_rate_and_latency(emulator: Any, stripe_client: Any) -> None:
    emulator.faults.failure_rate = 1.0
    with pytest.raises(stripe.APIError):
        stripe_client().v1.billing_portal.configurations.list()
    emulator.faults.failure_rate = 0.0
    emulator.faults.latency = 0.05
    started = time.perf_counter()
    stripe_client().v1.billing_portal.configurations.list()
    assert time.perf_counter() - started >= 0.05


def test_keep_alive_requests_are_fast(emulator: Any, stripe_client: Any) -> None:
    """One write per answer: no ~40 ms Nagle/delayed-ACK stall per keep-alive request."""
    client = stripe_client()
    client.v1.billing_portal.configurations.list()
    started = time.perf_counter()
    for _ in range(20):
        client.v1.billing_portal.configurations.create(INVOICES_ON)
    assert (time.perf_counter() - started) / 20 < 0.03


def control(emulator: Any, method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(emulator.url + path, data=data, method=method)
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def test_http_control_endpoints(emulator: Any, stripe_client: Any) -> None:
    control(
        emulator,
        "POST",
        "/_emulator/seed?mode=live",
        {"customers": [{"id": "cus_l"}], "default_configuration": True},
    )
    control(emulator, "POST", "/_emulator/seed", {"test": {"customers": [{"id": "cus_t"}]}})
    live = stripe_client("sk_live_1")
    assert live.v1.customers.retrieve("cus_l").livemode is True
    assert stripe_client().v1.customers.retrieve("cus_t").id == "cus_t"
    session = live.v1.billing_portal.sessions.create(
        {"customer": "cus_l", "return_url": "https://example.com/account"}
    )
    assert session.url.startswith(f"{emulator.url}/p/session/")

    logged = control(emulator, "GET", "/_emulator/requests")["data"]
    assert [entry["path"] for entry in logged][-1] == "/v1/billing_portal/sessions"
    assert logged[-1]["body"]["customer"] == "cus_l" and logged[-1]["mode"] == "live"

    control(emulator, "POST", "/_emulator/faults", {"script": [{"status": 500}], "latency_ms": 0})
    with pytest.raises(stripe.APIError):
        stripe_client().v1.customers.retrieve("cus_t")

    control(emulator, "POST", "/_emulator/reset", {})
    assert control(emulator, "GET", "/_emulator/requests")["data"] == []
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client().v1.customers.retrieve("cus_t")

    with pytest.raises(urllib.error.HTTPError) as caught:
        control(emulator, "POST", "/_emulator/faults", {"nonsense": 1})
    assert caught.value.code == 400


def test_an_account_fault_meets_only_that_accounts_requests_and_a_delay_holds_one(
    emulator: Any, stripe_client: Any
) -> None:
    (account,) = emulator.add_connected_accounts(1)
    mine = {"account": account}
    emulator.faults.script([{**mine, "status": 500}, {**mine, "delay_seconds": 0.3}])
    stripe_client().v1.billing_portal.configurations.list()  # the platform's own: untouched
    with pytest.raises(stripe.APIError):
        stripe_client(account=account).v1.billing_portal.configurations.list()
    started = time.monotonic()
    stripe_client(account=account).v1.billing_portal.configurations.list()  # held, then answered
    assert time.monotonic() - started >= 0.3 and emulator.faults.pending == 0
    for bad in ({"delay_seconds": 61}, {"delay_seconds": 1, "status": 500}):
        with pytest.raises(ValueError):
            emulator.faults.script([bad])
