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


def test_session_with_an_explicit_configuration(emulator: Any, client: Any) -> None:
    config = client.v1.billing_portal.configurations.create(INVOICES_ON)
    session = client.v1.billing_portal.sessions.create(
        {"customer": "cus_alice", "configuration": config.id, "locale": "de"}
    )
    assert session.id.startswith("bps_") and session.object == "billing_portal.session"
    assert session.url.startswith(f"{emulator.url}/p/session/test_")  # the emulated portal
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
        f"{emulator.url}/p/session/" + ("test_" if mode == "test" else "")
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
        # An object a body parameter names is a 400 (a 404 is for one in the URL's path).
        ({"customer": "cus_nobody"}, 400, "resource_missing", "customer"),
        (
            {"customer": "cus_alice", "configuration": "bpc_nope"},
            400,
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


def test_an_id_of_the_other_mode_is_a_400_with_stripes_hint(
    emulator: Any, client: Any, stripe_client: Any
) -> None:
    emulator.seed({"customers": [{"id": "cus_live"}]}, mode="live")
    live_config = stripe_client("sk_live_123").v1.billing_portal.configurations.create(INVOICES_ON)
    for params, param, noun, object_id in [
        ({"customer": "cus_live"}, "customer", "customer", "cus_live"),
        (
            {"customer": "cus_alice", "configuration": live_config.id},
            "configuration",
            "configuration",
            live_config.id,
        ),
    ]:
        with pytest.raises(stripe.InvalidRequestError) as caught:
            client.v1.billing_portal.sessions.create(params)
        exc: Any = caught.value
        assert (exc.http_status, exc.code, exc.param) == (400, "resource_missing", param)
        assert exc.user_message == (
            f"No such {noun}: '{object_id}'; a similar object exists in live mode, but a test "
            "mode key was used to make this request."
        )


@pytest.mark.parametrize(
    "return_url",
    ["/account", "example.com/account", "https://", "javascript:alert(1)", "ftp://example.com/x"],
)
def test_return_url_must_be_an_absolute_url(client: Any, return_url: str) -> None:
    config = client.v1.billing_portal.configurations.create(INVOICES_ON)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.billing_portal.sessions.create(
            {"customer": "cus_alice", "configuration": config.id, "return_url": return_url}
        )
    exc: Any = caught.value
    assert (exc.http_status, exc.code, exc.param) == (400, "url_invalid", "return_url")
    assert "absolute URL" in exc.user_message


def test_return_url_is_required_without_a_default_return_url(client: Any) -> None:
    bare = client.v1.billing_portal.configurations.create(
        {"features": {"invoice_history": {"enabled": True}}}
    )
    sessions = client.v1.billing_portal.sessions
    with pytest.raises(stripe.InvalidRequestError) as caught:
        sessions.create({"customer": "cus_alice", "configuration": bare.id})
    exc: Any = caught.value
    assert (exc.http_status, exc.code, exc.param) == (400, "parameter_missing", "return_url")
    assert f"{bare.id} has no default_return_url" in exc.user_message
    made = sessions.create(
        {"customer": "cus_alice", "configuration": bare.id, "return_url": "http://localhost:3000/"}
    )
    assert made.return_url == "http://localhost:3000/"


def test_after_expiration_and_the_pause_flow_are_accepted(client: Any) -> None:
    config = client.v1.billing_portal.configurations.create(INVOICES_ON)
    session = client.v1.billing_portal.sessions.create(
        {
            "customer": "cus_alice",
            "configuration": config.id,
            "after_expiration": {"type": "customer_login", "customer_login": {"expires_at": 2000}},
            "flow_data": {
                "type": "subscription_pause",
                "subscription_pause": {"subscription": "sub_1"},
            },
        }
    )
    assert session.after_expiration.type == "customer_login"
    assert session.after_expiration.customer_login.expires_at == 2000
    assert (session.flow.type, session.flow.subscription_pause.subscription) == (
        "subscription_pause",
        "sub_1",
    )
    assert session.flow.subscription_cancel is None
    plain = client.v1.billing_portal.sessions.create(
        {"customer": "cus_alice", "configuration": config.id}
    )
    assert plain.after_expiration is None
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.billing_portal.sessions.create(
            {"customer": "cus_alice", "after_expiration": {"type": "recovery"}}
        )
    assert caught.value.param == "after_expiration[type]"
