"""Stores per mode and Connect account; the state file (persistence, atomic writes, lock); seeds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import stripe

from portal_config.emulator import Emulator, EmulatorError
from portal_config.emulator import store as store_module

INVOICES_ON = {"features": {"invoice_history": {"enabled": True}}}


def ids(client: Any) -> list[str]:
    return [c.id for c in client.v1.billing_portal.configurations.list().data]


def test_test_live_and_connect_stores_are_apart(stripe_client: Any) -> None:
    test, live = stripe_client("sk_test_1"), stripe_client("sk_live_1")
    connect_test, connect_live = (
        stripe_client(account="acct_a"),
        stripe_client("rk_live_1", account="acct_a"),
    )
    made = {
        name: client.v1.billing_portal.configurations.create(INVOICES_ON)
        for name, client in [
            ("test", test),
            ("live", live),
            ("ct", connect_test),
            ("cl", connect_live),
        ]
    }
    assert made["test"].livemode is False and made["live"].livemode is True
    assert made["cl"].livemode is True and made["ct"].livemode is False
    assert made["live"].login_page.url is None
    assert ids(test) == [made["test"].id]
    assert ids(stripe_client("rk_test_other")) == [made["test"].id]  # same mode, same store
    assert ids(live) == [made["live"].id]
    assert ids(connect_test) == [made["ct"].id]
    assert ids(connect_live) == [made["cl"].id]
    assert ids(stripe_client(account="acct_b")) == []
    with pytest.raises(stripe.InvalidRequestError) as caught:
        live.v1.billing_portal.configurations.retrieve(made["test"].id)
    assert caught.value.http_status == 404


def test_request_log_records_mode_and_account(emulator: Any, stripe_client: Any) -> None:
    stripe_client("sk_live_1", account="acct_z").v1.billing_portal.configurations.list({"limit": 3})
    entry = emulator.request_log[-1]
    assert (entry.method, entry.path, entry.query, entry.status) == (
        "GET",
        "/v1/billing_portal/configurations",
        {"limit": "3"},
        200,
    )
    assert (entry.mode, entry.account) == ("live", "acct_z")
    assert entry.headers["stripe-account"] == "acct_z"
    emulator.clear_log()
    assert emulator.request_log == []


def test_state_persists_across_instances(tmp_path: Path) -> None:
    state = tmp_path / "sub" / "state.json"
    with Emulator(state_file=state) as first:
        client = stripe.StripeClient("sk_test_1", base_addresses={"api": first.url})
        made = client.v1.billing_portal.configurations.create(
            {**INVOICES_ON, "metadata": {"k": "v"}}, {"idempotency_key": "persist"}
        )
        client.v1.customers.create({"email": "a@b.c"})
        live = stripe.StripeClient(
            "sk_live_1", base_addresses={"api": first.url}, stripe_account="acct_x"
        )
        live.v1.products.create({"id": "prod_l", "name": "Live"})
    saved = json.loads(state.read_text())
    assert set(saved["accounts"]) == {"test:", "live:acct_x"}

    with Emulator(state_file=state) as second:
        client = stripe.StripeClient("sk_test_1", base_addresses={"api": second.url})
        assert client.v1.billing_portal.configurations.retrieve(made.id).to_dict() == (
            made.to_dict()
        )
        replay = client.v1.billing_portal.configurations.create(
            {**INVOICES_ON, "metadata": {"k": "v"}}, {"idempotency_key": "persist"}
        )
        assert replay.id == made.id
        assert replay.last_response.headers["Idempotent-Replayed"] == "true"
        live = stripe.StripeClient(
            "sk_live_1", base_addresses={"api": second.url}, stripe_account="acct_x"
        )
        assert live.v1.products.retrieve("prod_l").name == "Live"


def test_state_is_saved_after_every_write(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with Emulator(state_file=state) as emu:
        client = stripe.StripeClient("sk_test_1", base_addresses={"api": emu.url})
        made = client.v1.billing_portal.configurations.create(INVOICES_ON)
        on_disk = json.loads(state.read_text())["accounts"]["test:"]["configurations"]
        assert [c["id"] for c in on_disk] == [made.id]
        assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json", "state.json.lock"]


def test_a_failed_write_leaves_the_previous_state_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state.json"
    with Emulator(state_file=state) as emu:
        client = stripe.StripeClient("sk_test_1", base_addresses={"api": emu.url})
        client.v1.billing_portal.configurations.create(INVOICES_ON)
        before = state.read_bytes()

        def crash(src: Any, dst: Any) -> None:
            raise OSError("disk full")

        monkeypatch.setattr(store_module.os, "replace", crash)
        with pytest.raises(stripe.APIError):
            client.v1.billing_portal.configurations.create(INVOICES_ON)
        assert state.read_bytes() == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json", "state.json.lock"]
        monkeypatch.undo()


def test_the_state_file_is_locked_while_in_use(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    first = Emulator(state_file=state)
    try:
        with pytest.raises(EmulatorError, match="in use by another emulator"):
            Emulator(state_file=state)
    finally:
        first.stop()
    Emulator(state_file=state).stop()


def test_a_corrupt_state_file_is_an_error(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text("{not json")
    with pytest.raises(EmulatorError, match="not an emulator state file"):
        Emulator(state_file=state)
    state.unlink()
    Emulator(state_file=state).stop()  # the failed open released its lock


def test_constructor_seed_applies_only_to_fresh_state(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    seed = {
        "test": {"default_configuration": True, "customers": [{"id": "cus_t"}]},
        "live": {"customers": [{"id": "cus_l", "email": "l@example.com"}]},
    }
    with Emulator(state_file=state, seed=seed) as emu:
        live = stripe.StripeClient("sk_live_1", base_addresses={"api": emu.url})
        assert live.v1.customers.retrieve("cus_l").email == "l@example.com"
        test = stripe.StripeClient("sk_test_1", base_addresses={"api": emu.url})
        default = test.v1.billing_portal.configurations.list({"is_default": True}).data[0]
        assert default.features.invoice_history.enabled is True
    with Emulator(state_file=state, seed={"customers": [{"id": "cus_new"}]}) as emu:
        test = stripe.StripeClient("sk_test_1", base_addresses={"api": emu.url})
        with pytest.raises(stripe.InvalidRequestError):
            test.v1.customers.retrieve("cus_new")
        assert test.v1.customers.retrieve("cus_t").id == "cus_t"


def test_seed_format(emulator: Any, stripe_client: Any) -> None:
    emulator.seed(
        {
            "products": [
                {
                    "id": "prod_p",
                    "name": "P",
                    "active": False,
                    "prices": [
                        {
                            "id": "price_p",
                            "lookup_key": "p_m",
                            "unit_amount": 100,
                            "recurring": {"interval": "month"},
                            "active": False,
                        }
                    ],
                }
            ],
            "default_configuration": {
                "features": {"customer_update": {"enabled": True}},
                "name": "Dashboard",
            },
            "configurations": [
                {
                    "id": "bpc_old",
                    "features": {"invoice_history": {"enabled": False}},
                    "active": False,
                },
                {
                    "features": {
                        "subscription_update": {
                            "enabled": True,
                            "products": [{"product": "prod_p", "prices": ["price_p"]}],
                        }
                    },
                    "metadata": {"k": "v"},
                },
            ],
        },
        account="acct_s",
    )
    client = stripe_client(account="acct_s")
    configs = client.v1.billing_portal.configurations.list().data
    assert [c.is_default for c in configs] == [False, False, True]
    assert configs[2].name == "Dashboard" and configs[1].id == "bpc_old"
    assert configs[1].active is False
    price = client.v1.prices.retrieve("price_p")
    assert price.active is False and price.product == "prod_p"
    assert client.v1.products.retrieve("prod_p").active is False
    assert stripe_client().v1.billing_portal.configurations.list().data == []


@pytest.mark.parametrize(
    ("seed", "message"),
    [
        ({"colour": 1}, "unknown seed key"),
        ({"configurations": [{"features": {"nope": {}}}]}, "Received unknown parameter"),
        (
            {
                "configurations": [
                    {
                        "features": {
                            "subscription_update": {
                                "enabled": True,
                                "products": [{"product": "prod_nope", "prices": ["price_x"]}],
                            }
                        }
                    }
                ]
            },
            "No such product",
        ),
    ],
)
def test_bad_seeds_are_refused(emulator: Any, seed: dict[str, Any], message: str) -> None:
    with pytest.raises(EmulatorError, match=message):
        emulator.seed(seed)
