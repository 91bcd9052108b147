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


def test_enabled_subscription_update_without_products_is_refused_when_switched_on(
    emulator: Any, stripe_client: Any
) -> None:
    configs = stripe_client().v1.billing_portal.configurations
    bare = {"features": {"subscription_update": {"enabled": True}}}
    assert configs.create(bare).features.subscription_update.enabled is True  # documented
    emulator.subscription_update_needs_products = True
    emulator.seed(CATALOG)
    for params, missing in [
        (bare, "products"),
        ({"features": {"subscription_update": {"enabled": True, "products": []}}}, "products"),
        (
            {
                "features": {
                    "subscription_update": {
                        "enabled": True,
                        "products": PRODUCTS_ON["features"]["subscription_update"]["products"],
                    }
                }
            },
            "default_allowed_updates",
        ),
    ]:
        with pytest.raises(stripe.InvalidRequestError) as caught:
            configs.create(params)
        exc: Any = caught.value
        assert (exc.http_status, exc.code, exc.param) == (
            400,
            "parameter_missing",
            f"features[subscription_update][{missing}]",
        )
    made = configs.create(PRODUCTS_ON)
    with pytest.raises(stripe.InvalidRequestError):  # emptied by an update: refused alike
        configs.update(made.id, {"features": {"subscription_update": {"products": ""}}})
    disabled = configs.update(made.id, {"features": {"subscription_update": {"enabled": False}}})
    assert disabled.features.subscription_update.enabled is False


def test_each_candidate_creation_default(emulator: Any, stripe_client: Any) -> None:
    configs = stripe_client().v1.billing_portal.configurations

    def defaults() -> tuple[list[str], list[str]]:
        made = configs.create(INVOICES_ON).features
        return (
            made.subscription_cancel.cancellation_reason.options,
            [c.type for c in made.subscription_update.schedule_at_period_end.conditions],
        )

    assert defaults() == ([], [])  # fixtures3.json's cancellation reasons
    emulator.default_cancellation_reasons = True
    five = ["too_expensive", "missing_features", "switched_service", "unused", "other"]
    assert defaults() == (five, [])
    emulator.default_cancellation_reasons = False
    emulator.default_schedule_conditions = True
    assert defaults() == ([], ["decreasing_item_amount"])
    # What a create sends wins over either default.
    sent = configs.create(
        {
            "features": {
                "subscription_cancel": {
                    "enabled": True,
                    "cancellation_reason": {"enabled": True, "options": ["other"]},
                },
                "subscription_update": {
                    "enabled": False,
                    "schedule_at_period_end": {"conditions": [{"type": "shortening_interval"}]},
                },
            }
        }
    ).features
    assert sent.subscription_cancel.cancellation_reason.options == ["other"]
    assert sent.subscription_update.schedule_at_period_end.conditions[0].type == (
        "shortening_interval"
    )


@pytest.mark.parametrize(
    "option",
    [
        "subscription_update_needs_products",
        "default_cancellation_reasons",
        "default_schedule_conditions",
    ],
)
def test_each_unknown_is_a_constructor_switch(option: str) -> None:
    assert getattr(Emulator(**{option: True}).settings, option) is True
    assert getattr(Emulator().settings, option) is False
