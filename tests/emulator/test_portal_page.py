"""A session's `url` opens the emulated portal: a page served by the emulator from its own state,
read here as a person reads it (the text, the links), after the stripe SDK created the session."""

from __future__ import annotations

import copy
from typing import Any

from tests.support.pages import read_page

from .shapes import CATALOG, FULL_CREATE

RETURN = "https://app.example/account?tab=billing&from=portal"


def portal(client: Any, **changes: Any) -> Any:
    """A configuration like FULL_CREATE (cancellation reasons, both plans, invoices) with a
    headline that needs escaping."""
    params = copy.deepcopy(FULL_CREATE)
    params["business_profile"]["headline"] = "Acme & <Sons> billing"
    params.update(changes)
    return client.v1.billing_portal.configurations.create(params)


def test_the_session_url_shows_the_configured_portal(emulator: Any, stripe_client: Any) -> None:
    emulator.seed(CATALOG)
    client = stripe_client()
    config = portal(client)
    session = client.v1.billing_portal.sessions.create(
        {"customer": "cus_alice", "configuration": config.id, "return_url": RETURN}
    )
    assert session.url.startswith(f"{emulator.url}/p/session/test_")
    page = read_page(session.url)
    assert (page.status, page.content_type) == (200, "text/html; charset=utf-8")
    assert "emulated portal" in page.text and "not Stripe's page" in page.text
    assert "Acme & <Sons> billing" in page.text  # escaped on the wire, read back as written
    assert "Pro: 20.00 USD per month, 200.00 USD per year" in page.text
    assert "Team: 90.00 USD per month" in page.text
    assert "pro_once" not in page.text and "50.00" not in page.text  # not offered
    assert "Cancellations take effect immediately, with prorations" in page.text
    assert "You are asked why you cancel: Customer service, Low quality" in page.text
    assert "Invoice history" in page.text
    assert "Update your payment method" in page.text
    assert "Update your email, address, tax ID" in page.text
    assert "Pause your subscription for 2 weeks or 3 months" in page.text
    assert page.links["Return"] == RETURN


def test_a_portal_shows_only_what_it_enables(emulator: Any, stripe_client: Any) -> None:
    emulator.seed(CATALOG)
    client = stripe_client()
    config = client.v1.billing_portal.configurations.create(
        {"features": {"invoice_history": {"enabled": True}}}
    )
    session = client.v1.billing_portal.sessions.create(
        {"customer": "cus_alice", "configuration": config.id, "return_url": RETURN}
    )
    page = read_page(session.url)
    assert "Invoice history" in page.text
    for absent in ("Cancel", "Switch plans", "payment method", "Pause", "Update your"):
        assert absent not in page.text, absent
    assert page.links["Return"] == RETURN


def test_a_deep_link_lands_on_its_step_with_the_retention_offer(
    emulator: Any, stripe_client: Any
) -> None:
    emulator.seed(CATALOG)
    client = stripe_client()
    config = portal(client)
    session = client.v1.billing_portal.sessions.create(
        {
            "customer": "cus_alice",
            "configuration": config.id,
            "return_url": RETURN,
            "flow_data": {
                "type": "subscription_cancel",
                "subscription_cancel": {
                    "subscription": "sub_42",
                    "retention": {"type": "coupon_offer", "coupon_offer": {"coupon": "STAY20"}},
                },
                "after_completion": {
                    "type": "redirect",
                    "redirect": {"return_url": "https://app.example/bye"},
                },
            },
        }
    )
    page = read_page(session.url)
    assert page.ids[0] == "subscription_cancel"  # the step comes first, before the home page
    step = page.text.split("Acme & <Sons> billing")[0]  # before the home page's headline
    assert "Cancel subscription sub_42 Cancellations take effect immediately" in step
    assert "Before you go: coupon STAY20" in step
    assert page.links["Done"] == "https://app.example/bye"


def test_an_unknown_or_expired_session_is_a_clear_404(emulator: Any, stripe_client: Any) -> None:
    emulator.seed(CATALOG)
    client = stripe_client()
    config = portal(client)
    created = client.v1.billing_portal.sessions.create
    opened = created({"customer": "cus_alice", "configuration": config.id})
    late = created(
        {
            "customer": "cus_alice",
            "configuration": config.id,
            "after_expiration": {"type": "customer_login"},
        }
    )
    assert read_page(opened.url).status == 200  # visited in time: it stays open
    unknown = read_page(f"{emulator.url}/p/session/test_nosuchsession")
    assert unknown.status == 404
    assert "No portal session has this link" in unknown.text
    assert "emulated portal" in unknown.text
    now = emulator.store.clock()
    emulator.store.clock = lambda: now + 5 * 60 + 1
    expired = read_page(late.url)
    assert expired.status == 404
    assert "This portal session expired" in expired.text
    assert "create a new session each time" in expired.text
    assert "Stripe lets the customer verify their email to get a new session" in expired.text
    assert read_page(opened.url).status == 200


def test_a_connected_accounts_session_opens_its_own_portal(
    emulator: Any, stripe_client: Any
) -> None:
    emulator.seed(CATALOG, account="acct_1Connected")
    client = stripe_client(account="acct_1Connected")
    config = portal(client, business_profile={"headline": "Connected & co"})
    session = client.v1.billing_portal.sessions.create(
        {"customer": "cus_alice", "configuration": config.id, "return_url": RETURN}
    )
    page = read_page(session.url)
    assert page.status == 200 and "Connected & co" in page.text
    assert "Team: 90.00 USD per month" in page.text  # the account's own catalog
