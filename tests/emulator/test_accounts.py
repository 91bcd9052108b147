"""A platform's connected accounts (GET /v1/accounts), Stripe-Account against them, and revoked
connections, through the real stripe SDK."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import stripe

from portal_config.emulator import Emulator, EmulatorError

ACME = {
    "id": "acct_1Acme",
    "business_profile": {"name": "Acme", "url": "https://acme.example"},
    "metadata": {"portal": "managed", "app_url": "https://app.acme.example"},
    "email": "ops@acme.example",
}
GLOBEX = {"id": "acct_1Globex", "metadata": {"portal": "manual"}}
REVOKED = {"id": "acct_1Gone", "revoked": True}


def refused(call: Any, *args: Any) -> Any:
    with pytest.raises(stripe.PermissionError) as caught:
        call(*args)
    return caught.value


def test_a_platform_without_connected_accounts_lists_none(stripe_client: Any) -> None:
    listed = stripe_client().v1.accounts.list()
    assert (listed.object, listed.url, listed.data, listed.has_more) == (
        "list",
        "/v1/accounts",
        [],
        False,
    )


def test_the_list_holds_stripes_account_objects_newest_first(
    emulator: Any, stripe_client: Any
) -> None:
    emulator.seed({"connected_accounts": [ACME, GLOBEX]})
    listed = stripe_client().v1.accounts.list()
    assert [a.id for a in listed.data] == ["acct_1Globex", "acct_1Acme"]
    acme = listed.data[1]
    assert (acme.object, acme.type, acme.charges_enabled, acme.email) == (
        "account",
        "standard",
        True,
        "ops@acme.example",
    )
    assert acme.business_profile.name == "Acme"
    assert acme.business_profile.url == "https://acme.example"
    assert acme.business_profile.support_url is None  # every field of the hash, null if unset
    assert acme.metadata.to_dict() == ACME["metadata"]
    assert isinstance(acme.created, int) and acme.country == "US"
    globex = stripe_client().v1.accounts.retrieve("acct_1Globex")
    assert globex.business_profile.name is None and globex.metadata.portal == "manual"
    assert globex.to_dict() == listed.data[0].to_dict()


def test_pages_of_at_most_a_hundred_cover_the_fleet(emulator: Any, stripe_client: Any) -> None:
    made = emulator.add_connected_accounts(250, metadata=lambda n: {"n": n})
    accounts = stripe_client().v1.accounts
    first = accounts.list({"limit": 100})
    assert len(first.data) == 100 and first.has_more
    assert [a.id for a in first.data] == made[::-1][:100]  # same second: newest made first
    walked = [a.id for a in accounts.list({"limit": 100}).auto_paging_iter()]
    assert walked == made[::-1]
    before = accounts.list({"ending_before": made[100], "limit": 3})
    assert [a.id for a in before.data] == made[103:100:-1] and before.has_more
    assert accounts.retrieve(made[41]).metadata.n == "42"  # the function got 1-based indexes
    for limit in (0, 101):
        with pytest.raises(stripe.InvalidRequestError) as caught:
            accounts.list({"limit": limit})
        assert caught.value.param == "limit"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        accounts.list({"starting_after": "acct_1Nobody"})
    assert caught.value.http_status == 404 and "No such account: 'acct_1Nobody'" in str(
        caught.value
    )


def test_created_filters_the_list(emulator: Any, stripe_client: Any) -> None:
    emulator.seed(
        {
            "connected_accounts": [
                {"id": "acct_1Old", "created": 1_600_000_000},
                {"id": "acct_1New", "created": 1_800_000_000},
            ]
        }
    )
    accounts = stripe_client().v1.accounts
    assert [a.id for a in accounts.list().data] == ["acct_1New", "acct_1Old"]
    assert [a.id for a in accounts.list({"created": {"lt": 1_700_000_000}}).data] == ["acct_1Old"]
    assert [a.id for a in accounts.list({"created": 1_800_000_000}).data] == ["acct_1New"]


def test_ten_thousand_accounts_are_cheap(emulator: Any, stripe_client: Any) -> None:
    started = time.perf_counter()
    made = emulator.add_connected_accounts(10_000, metadata={"portal": "managed"})
    assert time.perf_counter() - started < 2  # about 0.1 s: no HTTP, no validation per account
    assert len(set(made)) == 10_000 and all(m.startswith("acct_1") and len(m) == 21 for m in made)
    accounts = stripe_client().v1.accounts
    last_page = accounts.list({"limit": 100, "starting_after": made[100]})
    assert [a.id for a in last_page.data] == made[99::-1] and not last_page.has_more
    oldest = stripe_client(account=made[0]).v1.billing_portal.configurations
    assert oldest.list().data == []


def test_stripe_account_must_name_a_connected_account_once_there_are_some(
    emulator: Any, stripe_client: Any
) -> None:
    assert stripe_client(account="acct_1Anything").v1.prices.list().data == []
    emulator.seed({"connected_accounts": [ACME]})
    assert stripe_client(account="acct_1Acme").v1.billing_portal.configurations.list().data == []
    typo = refused(stripe_client(account="acct_1Acne").v1.billing_portal.configurations.list)
    assert (typo.http_status, typo.error.code) == (403, "account_invalid")
    assert typo.user_message == (  # a key's tail of four characters or fewer is not shown
        "The provided key 'sk_test_****' does not have access to account 'acct_1Acne' (or "
        "that account does not exist). Application access may have been revoked."
    )
    refused(stripe_client().v1.accounts.retrieve, "acct_1Acne")
    # Per mode: live mode has no connected accounts, so any well-formed ID still goes.
    assert stripe_client("sk_live_1", account="acct_1Acne").v1.products.list().data == []
    assert stripe_client("sk_live_1").v1.accounts.list().data == []


def test_a_revoked_connection_answers_403_and_stays_listed(
    emulator: Any, stripe_client: Any
) -> None:
    emulator.seed({"connected_accounts": [ACME, REVOKED]})
    assert emulator.revoked_accounts == {"acct_1Gone"}
    gone = refused(
        stripe_client(account="acct_1Gone").v1.billing_portal.configurations.create,
        {"features": {"invoice_history": {"enabled": True}}},
    )
    assert (gone.http_status, gone.error.code) == (403, "account_invalid")
    assert "access to account 'acct_1Gone'" in gone.user_message
    assert "Application access may have been revoked." in gone.user_message
    assert emulator.request_log[-1].status == 403
    refused(stripe_client().v1.accounts.retrieve, "acct_1Gone")
    # Listed (a connection revoked between the list and the requests; behaviours.py).
    assert "acct_1Gone" in [a.id for a in stripe_client().v1.accounts.list().data]
    emulator.revoked_accounts = {"acct_1Acme"}  # the knob: restored one, revoked another
    assert stripe_client(account="acct_1Gone").v1.prices.list().data == []
    refused(stripe_client(account="acct_1Acme").v1.prices.list)


def test_revoked_without_any_connected_accounts(emulator: Any, stripe_client: Any) -> None:
    emulator.revoked_accounts = {"acct_revoked"}
    refused(stripe_client(account="acct_revoked").v1.billing_portal.configurations.list)
    assert stripe_client(account="acct_other").v1.billing_portal.configurations.list().data == []


def test_a_connected_account_is_no_platform(emulator: Any, stripe_client: Any) -> None:
    emulator.seed({"connected_accounts": [ACME, GLOBEX]})
    assert stripe_client(account="acct_1Acme").v1.accounts.list().data == []
    own = stripe_client(account="acct_1Acme").v1.accounts.retrieve_current()
    assert own.id == "acct_1Acme"


def test_connected_accounts_and_revocations_persist(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with Emulator(state_file=state, seed={"connected_accounts": [ACME, REVOKED]}) as first:
        first.add_connected_accounts(3, business_profile=lambda n: {"name": f"Tenant {n}"})
    saved = json.loads(state.read_text())
    assert len(saved["accounts"]["test:"]["accounts"]) == 5
    assert saved["revoked_accounts"] == ["acct_1Gone"]
    with Emulator(state_file=state) as second:
        client = stripe.StripeClient("sk_test_1", base_addresses={"api": second.url})
        names = [a.business_profile.name for a in client.v1.accounts.list().data]
        assert names == ["Tenant 3", "Tenant 2", "Tenant 1", None, "Acme"]
        gone = stripe.StripeClient(
            "sk_test_1", base_addresses={"api": second.url}, stripe_account="acct_1Gone"
        )
        with pytest.raises(stripe.PermissionError):
            gone.v1.prices.list()
        second.reset()
        assert second.revoked_accounts == set() and client.v1.accounts.list().data == []


def test_the_seed_endpoint_takes_connected_accounts(emulator: Any, stripe_client: Any) -> None:
    request = urllib.request.Request(
        f"{emulator.url}/_emulator/seed",
        method="POST",
        data=json.dumps({"live": {"connected_accounts": [ACME]}}).encode(),
    )
    with urllib.request.urlopen(request) as answer:
        assert json.loads(answer.read()) == {"ok": True}
    assert [a.id for a in stripe_client("sk_live_1").v1.accounts.list().data] == ["acct_1Acme"]
    assert stripe_client().v1.accounts.list().data == []


@pytest.mark.parametrize(
    "accounts, message",
    [
        ([{"id": "acct_1A", "plan": "pro"}], "connected_accounts[0]: unknown field(s) plan"),
        ([{"id": "cus_1"}], "connected_accounts[0]: id must start with acct_"),
        ([{"business_profile": {"nme": "x"}}], "business_profile takes annual_revenue"),
        ([{"metadata": ["a"]}], "metadata must be a mapping"),
        ([{"type": "platinum"}], "type must be one of standard, express, custom, none"),
        ([ACME, ACME], "connected_accounts[1]: acct_1Acme is already a connected account"),
        (["acct_1A"], "connected_accounts[0]: a connected account is a mapping"),
        ({"id": "acct_1A"}, "connected_accounts must be a list"),
    ],
)
def test_seed_mistakes_are_named(emulator: Any, accounts: Any, message: str) -> None:
    with pytest.raises(EmulatorError) as caught:
        emulator.seed({"connected_accounts": accounts})
    assert message in str(caught.value)


def test_connected_accounts_are_the_platforms(emulator: Any) -> None:
    with pytest.raises(EmulatorError, match="belong to the platform"):
        emulator.seed({"connected_accounts": [ACME]}, account="acct_1Other")
