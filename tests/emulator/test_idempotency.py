"""Idempotency keys: replay, mismatch, in-progress, 24 hours, and what is not remembered."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import stripe

INVOICES_ON = {"features": {"invoice_history": {"enabled": True}}}


def create(client: Any, params: dict[str, Any], key: str) -> Any:
    return client.v1.billing_portal.configurations.create(params, {"idempotency_key": key})


def test_same_key_and_parameters_replay_the_first_answer(emulator: Any, stripe_client: Any) -> None:
    client = stripe_client()
    first = create(client, INVOICES_ON, "create-standard")
    again = create(client, INVOICES_ON, "create-standard")
    assert again.to_dict() == first.to_dict()
    assert len(client.v1.billing_portal.configurations.list().data) == 1
    replay = emulator.request_log[-2]
    assert replay.idempotency_key == "create-standard" and replay.status == 200
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.last_response.headers
    assert again.last_response.headers["Original-Request"] == first.last_response.request_id


def test_same_key_with_other_parameters_is_an_idempotency_error(stripe_client: Any) -> None:
    client = stripe_client()
    create(client, INVOICES_ON, "k1")
    with pytest.raises(stripe.IdempotencyError) as caught:
        create(client, {**INVOICES_ON, "name": "other"}, "k1")
    exc: Any = caught.value
    assert (exc.http_status, exc.error.type) == (400, "idempotency_error")
    assert "'k1'" in exc.user_message


def test_errors_after_execution_started_are_replayed_but_validation_errors_are_not(
    stripe_client: Any,
) -> None:
    configs = stripe_client().v1.billing_portal.configurations
    for _ in range(2):
        with pytest.raises(stripe.InvalidRequestError) as caught:
            configs.update("bpc_missing", {"name": "x"}, {"idempotency_key": "upd"})
        assert caught.value.http_status == 404
    assert caught.value.headers["Idempotent-Replayed"] == "true"

    with pytest.raises(stripe.InvalidRequestError):
        configs.create({"features": {"bogus": {}}, "name": "x"}, {"idempotency_key": "val"})
    fixed = configs.create(
        {"features": {"bogus": {}}, "name": "x"} | INVOICES_ON, {"idempotency_key": "val2"}
    )
    assert fixed.name == "x"
    # The failed validation left "val" unused, so the same key with a valid body is not a replay.
    retried = configs.create(INVOICES_ON, {"idempotency_key": "val"})
    assert "Idempotent-Replayed" not in retried.last_response.headers


def test_keys_are_per_mode_and_account(stripe_client: Any) -> None:
    test_cfg = create(stripe_client(), INVOICES_ON, "shared")
    live_cfg = create(stripe_client("sk_live_123"), INVOICES_ON, "shared")
    connect_cfg = create(stripe_client(account="acct_a"), INVOICES_ON, "shared")
    assert len({test_cfg.id, live_cfg.id, connect_cfg.id}) == 3


def test_a_key_in_flight_gets_a_409(emulator: Any, stripe_client: Any) -> None:
    emulator.faults.latency = 0.3
    client = stripe_client()
    outcome: dict[str, Any] = {}

    def first() -> None:
        outcome["first"] = create(client, INVOICES_ON, "slow")

    thread = threading.Thread(target=first)
    thread.start()
    time.sleep(0.1)
    with pytest.raises(stripe.APIError) as caught:
        create(stripe_client(), INVOICES_ON, "slow")
    thread.join()
    exc: Any = caught.value
    assert (exc.http_status, exc.error.code) == (409, "idempotency_key_in_use")
    assert outcome["first"].id.startswith("bpc_")


def test_keys_are_forgotten_after_24_hours(emulator: Any, stripe_client: Any) -> None:
    client = stripe_client()
    first = create(client, INVOICES_ON, "daily")
    start = time.time()
    emulator.store.clock = lambda: start + 23 * 3600
    assert create(client, INVOICES_ON, "daily").id == first.id
    emulator.store.clock = lambda: start + 25 * 3600
    later = create(client, {**INVOICES_ON, "name": "changed"}, "daily")
    assert later.id != first.id and later.name == "changed"
