"""Portal sessions: the default, an explicit configuration, and why links fail."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from .shapes import CATALOG

INVOICES_ON = {
    "features": {"invoice_history": {"enabled": True}},
    "default_return_url": "https://example.com/account",
}


@pytest.fixture
def client(emulator: Any, stripe_client: Any) -> Any:
    emulator.seed(CATALOG)
    return stripe_client()


def test_session_with_an_explicit_configuration(client: Any) -> None:
    config = client.v1.billing_portal.configurations.create(INVOICES_ON)
    session = client.v1.billing_portal.sessions.create(
        {"customer": "cus_alice", "configuration": config.id, "locale": "de"}
    )
    assert session.id.startswith("bps_") and session.object == "billing_portal.session"
    assert session.url.startswith("https://billing.stripe.com/p/session/test_")
    assert (session.configuration, session.customer, session.livemode) == (
        config.id,
        "cus_alice",
        False,
    )
    assert session.return_url == "https://example.com/account"  # the configuration's default
    assert session.locale == "de" and session.flow is None


def test_session_uses_the_default_and_return_url_overrides(emulator: Any, client: Any) -> None:
    emulator.seed({"default_configuration": True})
    default = client.v1.billing_portal.configurations.list({"is_default": True}).data[0]
    session = client.v1.billing_portal.sessions.create(
        {
            "customer": "cus_alice",
            "return_url": "https://example.com/here",
            "expand": ["configuration"],
            "flow_data": {
                "type": "subscription_cancel",
                "subscription_cancel": {"subscription": "sub_1"},
            },
        }
    )
    assert session.configuration.id == default.id
    assert session.return_url == "https://example.com/here"
    assert session.flow.type == "subscription_cancel"
    assert session.flow.subscription_cancel.subscription == "sub_1"
    assert session.flow.after_completion.type == "portal_homepage"


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (
            "sk_test_123",
            "No configuration provided and your test mode default configuration has "
            "not been created. Provide a configuration or create your default by saving your "
            "customer portal settings in test mode at "
            "https://dashboard.stripe.com/test/settings/billing/portal.",
        ),
        (
            "sk_live_123",
            "No configuration provided and your live mode default configuration has "
            "not been created. Provide a configuration or create your default by saving your "
            "customer portal settings in live mode at "
            "https://dashboard.stripe.com/settings/billing/portal.",
        ),
    ],
)
def test_no_default_uses_stripes_wording(
    emulator: Any, stripe_client: Any, key: str, expected: str
) -> None:
    mode = "live" if "live" in key else "test"
    emulator.seed({"customers": [{"id": "cus_bob"}]}, mode=mode)
    client = stripe_client(key)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.billing_portal.sessions.create({"customer": "cus_bob"})
    assert caught.value.http_status == 400
    assert caught.value.user_message == expected
    # An explicit configuration works without a default.
    config = client.v1.billing_portal.configurations.create(INVOICES_ON)
    session = client.v1.billing_portal.sessions.create(
        {"customer": "cus_bob", "configuration": config.id}
    )
    assert session.livemode is (mode == "live")
    assert session.url.startswith(
        "https://billing.stripe.com/p/session/" + ("test_" if mode == "test" else "")
    )


def test_inactive_configuration_is_refused(client: Any) -> None:
    config = client.v1.billing_portal.configurations.create(INVOICES_ON)
    client.v1.billing_portal.configurations.update(config.id, {"active": False})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.billing_portal.sessions.create(
            {"customer": "cus_alice", "configuration": config.id}
        )
    exc: Any = caught.value
    assert (exc.http_status, exc.param) == (400, "configuration")
    assert "is not active" in exc.user_message


@pytest.mark.parametrize(
    ("params", "status", "code", "param"),
    [
        ({"customer": "cus_nobody"}, 404, "resource_missing", "customer"),
        (
            {"customer": "cus_alice", "configuration": "bpc_nope"},
            404,
            "resource_missing",
            "configuration",
        ),
        ({"return_url": "https://example.com"}, 400, "parameter_missing", "customer"),
        ({"customer": "cus_alice", "locale": "xx"}, 400, None, "locale"),
    ],
    ids=["unknown-customer", "unknown-configuration", "no-customer", "bad-locale"],
)
def test_session_errors(
    client: Any, params: dict[str, Any], status: int, code: str | None, param: str
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.billing_portal.sessions.create(params)
    exc: Any = caught.value
    assert (exc.http_status, exc.code, exc.param) == (status, code, param)
