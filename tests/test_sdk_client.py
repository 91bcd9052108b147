"""stripe_api/sdk.Client.get sends a GET as stripe-python's own StripeClient.raw_request does:
it is built on the SDK's private requestor (to spare a plan StripeClient's imports), so a
stripe-python release that changes those internals must fail here, not in a user's run."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from portal_config.emulator.emulator import Emulator
from portal_config.stripe_api import sdk, transport

# What Stripe reads of a request: the key, the pinned version, the account acted for.
SENT = ("authorization", "stripe-version", "stripe-account", "stripe-context")
PATH = "/v1/billing_portal/configurations"


@pytest.mark.parametrize(
    ("key", "account", "context"),
    [
        ("sk_test_123", None, None),
        ("sk_test_123", "a connected account", None),
        ("sk_org_test_51QaZe2eOrganizationKey0123456789", None, "acct_1OrgShop00000001"),
    ],
)
def test_a_get_is_sent_as_stripe_clients_raw_request_sends_it(
    emulator: Emulator, key: str, account: str | None, context: str | None
) -> None:
    if account:
        (account,) = emulator.add_connected_accounts(1)
    ours = sdk._client(key, emulator.url, account, context, transport.TimeBudget())
    theirs = stripe.StripeClient(
        key,
        base_addresses={"api": emulator.url},
        stripe_account=account,
        stripe_context=context,
        stripe_version=sdk.STRIPE_VERSION,
        max_network_retries=0,
    )
    ours.get(PATH, {"limit": 3})
    theirs.raw_request("get", PATH, limit=3)
    mine, reference = emulator.request_log[-2:]

    def seen(request: Any) -> tuple[Any, ...]:
        return (
            request.method,
            request.path,
            request.query,
            *(request.headers.get(h) for h in SENT),
        )

    assert seen(mine) == seen(reference)
    assert mine.status == reference.status == 200
