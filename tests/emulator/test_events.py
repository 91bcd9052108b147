"""Events of the billing portal configurations through the real stripe SDK: one per create and
update, with the request that made it and the previous values of what changed, listed like
Stripe's lists, per account, for 30 days (emulator/events.py)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from .shapes import CATALOG

UPDATED = "billing_portal.configuration.updated"


def events(client: Any, **params: Any) -> dict[str, Any]:
    answer = client.raw_request("get", "/v1/events", **params)
    return client.deserialize(answer, api_mode="V1").to_dict()


def test_an_update_records_what_changed_before_and_the_request_that_made_it(
    emulator: Any, stripe_client: Any
) -> None:
    client = stripe_client()
    configurations = client.v1.billing_portal.configurations
    created = configurations.create(
        {
            "business_profile": {"headline": "Old headline"},
            "features": {"invoice_history": {"enabled": True}},
            "metadata": {"team": "billing"},
        },
        {"idempotency_key": "portal-config-create-abc"},
    )
    emulator.clear_log()
    configurations.update(
        created.id,
        {"business_profile": {"headline": "New headline"}, "metadata": {"segment": "smb"}},
        {"idempotency_key": "dashboard-key-1"},
    )
    request_id = emulator.request_log[-1].request_id

    listed = events(client)
    assert [e["type"] for e in listed["data"]] == [UPDATED, "billing_portal.configuration.created"]
    update = listed["data"][0]
    assert update["id"].startswith("evt_")
    assert update["request"] == {"id": request_id, "idempotency_key": "dashboard-key-1"}
    assert update["data"]["object"]["business_profile"]["headline"] == "New headline"
    previous = update["data"]["previous_attributes"]
    assert previous["business_profile"] == {"headline": "Old headline"}
    assert previous["metadata"] == {"segment": None}  # a key added: it was unset
    assert "features" not in previous
    assert update["livemode"] is False and update["object"] == "event"
    assert update["account"] is None
    assert listed["data"][1]["request"]["idempotency_key"] == "portal-config-create-abc"
    assert "previous_attributes" not in listed["data"][1]["data"]


def test_the_list_filters_by_type_and_time_and_pages(emulator: Any, stripe_client: Any) -> None:
    client = stripe_client()
    configurations = client.v1.billing_portal.configurations
    config = configurations.create({"features": {"invoice_history": {"enabled": True}}})
    emulator.clock_offset = -2 * 3600  # two hours ago
    configurations.update(config.id, {"default_return_url": "https://example.com/a"})
    emulator.clock_offset = 0
    for path in ("b", "c"):
        configurations.update(config.id, {"default_return_url": f"https://example.com/{path}"})

    updates = events(client, type=UPDATED)["data"]
    assert len(updates) == 3
    assert [e["data"]["object"]["default_return_url"][-1] for e in updates] == ["c", "b", "a"]
    assert updates[0]["created"] - updates[2]["created"] >= 2 * 3600 - 5

    recent = events(client, type=UPDATED, created={"gte": int(time.time()) - 3600})["data"]
    assert len(recent) == 2

    first = events(client, type=UPDATED, limit=2)
    assert first["has_more"] is True and len(first["data"]) == 2
    rest = events(client, type=UPDATED, limit=2, starting_after=first["data"][-1]["id"])
    assert rest["has_more"] is False
    assert [e["id"] for e in first["data"] + rest["data"]] == [e["id"] for e in updates]
    assert len(events(client, type="billing_portal.configuration.*")["data"]) == 4


def test_events_are_kept_30_days(emulator: Any, stripe_client: Any) -> None:
    client = stripe_client()
    configurations = client.v1.billing_portal.configurations
    emulator.clock_offset = -31 * 24 * 3600
    config = configurations.create({"features": {"invoice_history": {"enabled": True}}})
    emulator.clock_offset = -29 * 24 * 3600
    configurations.update(config.id, {"default_return_url": "https://example.com/a"})
    emulator.clock_offset = 0

    listed = events(client)["data"]
    assert [e["type"] for e in listed] == [UPDATED]


def test_events_are_per_connected_account(emulator: Any, stripe_client: Any) -> None:
    (account,) = emulator.add_connected_accounts(1)
    platform, connected = stripe_client(), stripe_client(account=account)
    connected.v1.billing_portal.configurations.create(
        {"features": {"invoice_history": {"enabled": True}}}
    )

    assert events(platform)["data"] == []
    (event,) = events(connected)["data"]
    assert event["account"] == account


def test_a_seed_and_a_replayed_request_make_no_request_or_second_event(
    emulator: Any, stripe_client: Any
) -> None:
    emulator.seed({"configurations": [{"features": {"invoice_history": {"enabled": True}}}]})
    client = stripe_client()
    (seeded,) = events(client)["data"]
    assert seeded["request"] == {"id": None, "idempotency_key": None}
    config_id = seeded["data"]["object"]["id"]
    for _ in range(2):  # the second is a replay of the first
        client.v1.billing_portal.configurations.update(
            config_id, {"default_return_url": "https://example.com"}, {"idempotency_key": "k1"}
        )
    assert len(events(client, type=UPDATED)["data"]) == 1


@pytest.mark.parametrize(
    ("bad", "param"), [({"limit": 101}, "limit"), ({"created": {"after": 1}}, "created[after]")]
)
def test_bad_list_parameters_are_refused_as_stripe_does(
    emulator: Any, stripe_client: Any, bad: dict[str, Any], param: str
) -> None:
    import stripe

    with pytest.raises(stripe.InvalidRequestError) as refused:
        events(stripe_client(), **bad)
    assert (refused.value.http_status, refused.value.param) == (400, param)


def test_an_events_object_leaves_products_out_but_its_previous_values_keep_them(
    emulator: Any, stripe_client: Any
) -> None:
    emulator.seed(CATALOG)
    configurations = stripe_client().v1.billing_portal.configurations
    offer = {"enabled": True, "default_allowed_updates": ["price"]}
    pro = {"product": "prod_pro", "prices": ["price_pro_m"]}
    created = configurations.create(
        {"features": {"subscription_update": {**offer, "products": [pro]}}}
    )
    both = {**pro, "prices": ["price_pro_m", "price_pro_y"]}
    configurations.update(created.id, {"features": {"subscription_update": {"products": [both]}}})

    (update,) = events(stripe_client(), type=UPDATED)["data"]
    assert "products" not in update["data"]["object"]["features"]["subscription_update"]
    (before,) = update["data"]["previous_attributes"]["features"]["subscription_update"]["products"]
    assert before["prices"] == ["price_pro_m"]


def test_the_clock_is_set_back_over_http_too(emulator: Any, stripe_client: Any) -> None:
    def control(document: dict[str, Any]) -> int:
        request = urllib.request.Request(
            f"{emulator.url}/_emulator/clock", data=json.dumps(document).encode(), method="POST"
        )
        try:
            with urllib.request.urlopen(request) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as refused:
            return refused.code

    assert control({"offset_seconds": -7200}) == 200
    created = stripe_client().v1.billing_portal.configurations.create(
        {"features": {"invoice_history": {"enabled": True}}}
    )
    assert abs(created.created - (time.time() - 7200)) < 60
    assert control({"offset": 1}) == 400  # the name is offset_seconds
    assert control({"offset_seconds": 0}) == 200
    assert emulator.clock_offset == 0
