"""Organization keys and Stripe-Context (behaviours.py, "organization keys", "Stripe-Context"),
through the real stripe SDK: an organization key names its account in Stripe-Context on every
request, never in Stripe-Account; acct_platform/acct_connected reaches a platform's connected
account, the same objects its platform reaches with Stripe-Account."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

import pytest
import stripe

from portal_config.emulator import Emulator

ORG_KEY = "sk_org_test_51QaZe2eOrganizationKey0123456789"
PLATFORM = "acct_1OrgPlatform0001"
BASIC = {"features": {"invoice_history": {"enabled": True}}}


def org_client(emulator: Emulator, context: str | None = None, **options: Any) -> Any:
    return stripe.StripeClient(
        ORG_KEY, base_addresses={"api": emulator.url}, stripe_context=context, **options
    ).v1.billing_portal.configurations


def refused(call: Any) -> stripe.StripeError:
    with pytest.raises(stripe.StripeError) as caught:
        call()
    return caught.value


def test_an_organization_key_needs_stripe_context(emulator: Emulator) -> None:
    error = refused(lambda: org_client(emulator).list())
    assert isinstance(error, stripe.InvalidRequestError)
    assert error.http_status == 400
    assert "must include the Stripe-Context header" in str(error.user_message)
    assert ORG_KEY not in str(error.json_body)


def test_an_organization_key_needs_stripe_version(emulator: Emulator) -> None:
    # stripe-python sends Stripe-Version on every request: a bare request, without it
    request = urllib.request.Request(
        f"{emulator.url}/v1/billing_portal/configurations",
        headers={"Authorization": f"Bearer {ORG_KEY}", "Stripe-Context": PLATFORM},
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 400
    assert "must include the Stripe-Version header" in caught.value.read().decode()


def test_an_organization_key_refuses_stripe_account(emulator: Emulator) -> None:
    client = org_client(emulator, PLATFORM, stripe_account=PLATFORM)
    error = refused(lambda: client.create(BASIC))
    assert error.http_status == 400
    assert "Stripe-Account header cannot be used with an organization API key" in str(
        error.user_message
    )
    assert emulator.store.existing("test", PLATFORM) is None  # nothing was created


def test_each_account_of_the_organization_has_its_own_objects(emulator: Emulator) -> None:
    made = org_client(emulator, PLATFORM).create(BASIC)
    assert made.livemode is False
    assert [c.id for c in org_client(emulator, PLATFORM).list().data] == [made.id]
    assert org_client(emulator, "acct_1OrgOtherShop01").list().data == []
    live = stripe.StripeClient(
        "sk_org_live_51QaZe2eOrganizationKey0123456789",
        base_addresses={"api": emulator.url},
        stripe_context=PLATFORM,
    )
    assert live.v1.billing_portal.configurations.list().data == []  # live mode is apart


def test_platform_slash_connected_reaches_the_platforms_connected_account(
    emulator: Emulator,
) -> None:
    (connected,) = emulator.add_connected_accounts(1, platform=PLATFORM)
    made = org_client(emulator, f"{PLATFORM}/{connected}").create(BASIC)

    # the same account's objects, however it is reached
    assert [c.id for c in org_client(emulator, connected).list().data] == [made.id]
    assert org_client(emulator, PLATFORM).list().data == []
    listed = stripe.StripeClient(
        ORG_KEY, base_addresses={"api": emulator.url}, stripe_context=PLATFORM
    ).v1.accounts.list()
    assert [a.id for a in listed.data] == [connected]

    stranger = refused(lambda: org_client(emulator, f"{PLATFORM}/acct_1NotConnected01").list())
    assert stranger.http_status == 403
    assert stranger.error is not None and stranger.error.code == "account_invalid"


def test_a_platforms_own_key_may_name_its_connected_account_in_stripe_context(
    emulator: Emulator,
) -> None:
    (connected,) = emulator.add_connected_accounts(1)
    platform_key = "sk_test_51QaZe2ePlatformKey000000000"
    through_context = stripe.StripeClient(
        platform_key, base_addresses={"api": emulator.url}, stripe_context=connected
    )
    made = through_context.v1.billing_portal.configurations.create(BASIC)
    through_account = stripe.StripeClient(
        platform_key, base_addresses={"api": emulator.url}, stripe_account=connected
    )
    listed = through_account.v1.billing_portal.configurations.list().data
    assert [c.id for c in listed] == [made.id]
    log = emulator.request_log
    assert [r.account for r in log] == [connected, connected]


def test_the_balance_answers_in_the_keys_mode_for_the_context_and_its_permission(
    emulator: Emulator,
) -> None:
    # docs.stripe.com/api/balance/balance_object: every account's balance carries `livemode`
    def balance(key: str = ORG_KEY, context: str | None = PLATFORM) -> Any:
        client = stripe.StripeClient(
            key, base_addresses={"api": emulator.url}, stripe_context=context
        )
        return client.v1.balance.retrieve()

    test = balance()
    assert (test.object, test.livemode) == ("balance", False)
    assert [b.currency for b in test.available] == [b.currency for b in test.pending] == ["usd"]
    assert balance("sk_org_live_51QaZe2eOrganizationKey0123456789").livemode is True
    assert refused(lambda: balance(context=None)).http_status == 400  # Stripe-Context needed
    assert [r.account for r in emulator.request_log if r.status == 200] == [PLATFORM, PLATFORM]

    emulator.key_permissions = {ORG_KEY: {"billing_portal": "write"}}
    denied = refused(balance)
    assert denied.http_status == 403
    assert "rak_balance_read" in str(denied.user_message)
