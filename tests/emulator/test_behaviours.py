"""The emulator's switchable Stripe behaviours (behaviours.py), through the real stripe SDK."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
import stripe

from portal_config.emulator.behaviours import BEHAVIOURS, options
from portal_config.emulator.emulator import Emulator

from .shapes import CATALOG

INVOICES_ON = {"features": {"invoice_history": {"enabled": True}}}
PRODUCTS_ON = {
    "default_return_url": "https://example.com/account",
    "features": {
        "subscription_update": {
            "enabled": True,
            "default_allowed_updates": ["price"],
            "products": [{"product": "prod_pro", "prices": ["price_pro_m"]}],
        }
    },
}


def test_every_behaviour_names_its_source_and_every_option_exists() -> None:
    emulator = Emulator()
    for behaviour in BEHAVIOURS:
        assert behaviour.kind in {"spec", "docs", "reported", "guess"}, behaviour.name
        assert len(behaviour.source) > 10, behaviour.name
    for option in options():
        assert hasattr(emulator.settings, option) and hasattr(emulator, option), option


def test_a_raw_get_has_no_products_without_expand(emulator: Any, stripe_client: Any) -> None:
    emulator.seed(CATALOG)
    created = stripe_client().v1.billing_portal.configurations.create(PRODUCTS_ON)
    request = urllib.request.Request(
        f"{emulator.url}/v1/billing_portal/configurations/{created.id}",
        headers={"Authorization": "Bearer sk_test_123"},
    )
    with urllib.request.urlopen(request) as answer:
        plain = json.loads(answer.read())
    assert "products" not in plain["features"]["subscription_update"]
    with urllib.request.urlopen(
        urllib.request.Request(
            request.full_url + "?expand[]=features.subscription_update.products",
            headers=request.headers,
        )
    ) as answer:
        expanded = json.loads(answer.read())
    assert expanded["features"]["subscription_update"]["products"][0]["product"] == "prod_pro"


def test_a_sessions_expanded_configuration_has_no_products(
    emulator: Any, stripe_client: Any
) -> None:
    emulator.seed(CATALOG)
    client = stripe_client()
    config = client.v1.billing_portal.configurations.create(PRODUCTS_ON)
    session = client.v1.billing_portal.sessions.create(
        {"customer": "cus_alice", "configuration": config.id, "expand": ["configuration"]}
    )
    assert "products" not in session.configuration.features.subscription_update
    deep = client.v1.billing_portal.sessions.create(
        {
            "customer": "cus_alice",
            "configuration": config.id,
            "expand": ["configuration", "configuration.features.subscription_update.products"],
        }
    )
    assert deep.configuration.features.subscription_update.products[0].product == "prod_pro"


def test_an_idempotent_replay_answers_like_the_first_time(stripe_client: Any) -> None:
    configs = stripe_client().v1.billing_portal.configurations
    first = configs.create(INVOICES_ON, {"idempotency_key": "k1"}).to_dict()
    again = configs.create(INVOICES_ON, {"idempotency_key": "k1"}).to_dict()
    assert first == again and "products" not in again["features"]["subscription_update"]


def test_by_default_nothing_becomes_the_default(stripe_client: Any) -> None:
    assert stripe_client().v1.billing_portal.configurations.create(INVOICES_ON).is_default is False


def test_first_becomes_default(emulator: Any, stripe_client: Any) -> None:
    emulator.first_becomes_default = True
    configs = stripe_client().v1.billing_portal.configurations
    first, second = configs.create(INVOICES_ON), configs.create(INVOICES_ON)
    assert (first.is_default, second.is_default) == (True, False)
    # Per mode and account: live mode and a connected account get their own first default.
    assert (
        stripe_client("sk_live_123").v1.billing_portal.configurations.create(INVOICES_ON).is_default
        is True
    )
    assert (
        stripe_client(account="acct_1")
        .v1.billing_portal.configurations.create(INVOICES_ON)
        .is_default
        is True
    )
    with pytest.raises(stripe.InvalidRequestError) as caught:
        configs.update(first.id, {"active": False})
    assert caught.value.user_message == (
        "You cannot set `active: false` on your default PortalConfiguration."
    )
    assert configs.update(first.id, {"name": "still updatable"}).name == "still updatable"


def test_connect_application_is_stamped_through_stripe_account(
    emulator: Any, stripe_client: Any
) -> None:
    emulator.connect_application = "ca_platform"
    platform_for_account = stripe_client(account="acct_1").v1.billing_portal.configurations
    created = platform_for_account.create(INVOICES_ON)
    assert created.application == "ca_platform"
    assert platform_for_account.update(created.id, {"name": "ours"}).name == "ours"
    own = stripe_client().v1.billing_portal.configurations.create(INVOICES_ON)
    assert own.application is None  # the platform's own account: no application


def test_another_applications_configuration_is_read_only(emulator: Any, stripe_client: Any) -> None:
    emulator.connect_application = "ca_platform"
    emulator.seed(
        {"configurations": [{**INVOICES_ON, "application": "ca_other"}]}, account="acct_1"
    )
    configs = stripe_client(account="acct_1").v1.billing_portal.configurations
    other = configs.list().data[0]
    with pytest.raises(stripe.InvalidRequestError) as caught:
        configs.update(other.id, {"name": "mine now"})
    assert caught.value.user_message.startswith(
        "You cannot make any changes to a PortalConfiguration"
    )
