"""responses.py: what a configuration, a price, a page and a paged list must look like before the
tool reads them, and the words of each defect."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from portal_config.stripe_api import responses
from portal_config.stripe_api.responses import Malformed, Page
from portal_config.stripe_api.seen import SeenIds

from .support.samples import stripe_config

PRICE = {
    "id": "price_1",
    "object": "price",
    "active": True,
    "product": "prod_1",
    "recurring": {"interval": "month"},
    "lookup_key": "pro",
}


def broken(path: str, value: Any) -> dict[str, Any]:
    obj = stripe_config("bpc_1", "main")
    *parents, leaf = path.split(".")
    node = obj
    for part in parents:
        node = node[part]
    if value is KeyError:
        del node[leaf]
    else:
        node[leaf] = value
    return obj


def test_stripes_own_configuration_passes_as_it_is() -> None:
    obj = stripe_config("bpc_1", "main")
    assert responses.configuration(copy.deepcopy(obj)) == obj
    assert responses.configuration(obj, expected_id="bpc_1").raw is obj  # kept whole, not copied


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        ("id", KeyError, "has no id"),
        ("object", "list", "a 'list' object, not a billing_portal.configuration"),
        ("metadata", KeyError, "has no metadata"),
        ("metadata", ["a"], "not text by key"),
        ("is_default", "no", "is_default 'no', not true or false"),
        ("features", None, "features None, not an object"),
        ("features.invoice_history", KeyError, "no features.invoice_history"),
        ("features.invoice_history.enabled", "yes", "features.invoice_history.enabled is 'yes'"),
        ("features.customer_update.allowed_updates", "email", "not a list of strings"),
        ("features.subscription_update.products", [{"prices": []}], "without a text product"),
        (
            "features.subscription_update.products",
            [{"product": "prod_1", "prices": "price_1"}],
            "prices are not a list of IDs",
        ),
        ("business_profile", "Acme", "business_profile is 'Acme', not an object"),
        ("business_profile.headline", {"text": "x"}, "not a single value"),
        ("application", 7, "application 7, not an ID"),
        ("name", 12, "name is 12: not text"),
        ("default_return_url", 5, "default_return_url is 5: not text"),
        ("business_profile.privacy_policy_url", True, "privacy_policy_url is True: not text"),
        ("features.customer_update.enabled", 1, "customer_update.enabled is 1: not true or false"),
        ("features.subscription_cancel.mode", 0, "mode is 0: not text"),
        (
            "features.subscription_pause.duration.interval_options",
            [{"interval": "month", "interval_count": "1"}],
            "interval_count is not a whole number",
        ),
        (
            "features.subscription_update.products",
            [{"product": "prod_1", "prices": [], "adjustable_quantity": {"minimum": True}}],
            "adjustable_quantity is not readable",
        ),
    ],
)
def test_a_configuration_defect_is_named(path: str, value: Any, words: str) -> None:
    with pytest.raises(Malformed, match=words.replace("(", r"\(").replace(")", r"\)")):
        responses.configuration(broken(path, value))


def test_a_configuration_null_metadata_is_no_metadata_and_readable() -> None:
    assert responses.configuration(broken("metadata", None))["metadata"] is None


def test_a_creates_answer_must_carry_a_configuration_id() -> None:
    assert responses.created(stripe_config("bpc_1"))["id"] == "bpc_1"
    with pytest.raises(Malformed, match=r"id 'price_1' is not a configuration's \(bpc_...\)"):
        responses.created(stripe_config("price_1"))


def test_the_answer_must_be_the_configuration_asked_for() -> None:
    with pytest.raises(Malformed, match="is not bpc_2, the configuration asked for"):
        responses.configuration(stripe_config("bpc_1"), expected_id="bpc_2")


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ([], "the answer is [], not a list object"),
        (None, "the answer is None, not a list object"),
        ({"object": "list", "has_more": False}, "the list's data is None, not a list"),
        (
            {"object": "list", "data": "oops", "has_more": False},
            "the list's data is 'oops', not a list",
        ),
        ({"object": "list", "data": []}, "the list's has_more is None, not true or false"),
    ],
)
def test_a_page_must_be_a_list_object(value: Any, words: str) -> None:
    with pytest.raises(Malformed) as caught:
        responses.page(value)
    assert str(caught.value) == words


def test_a_price_from_a_lookup_must_carry_a_key_that_was_asked_for() -> None:
    assert responses.price(dict(PRICE), lookup_keys=["pro"])["id"] == "price_1"
    with pytest.raises(Malformed, match="lookup_key None, not one of those asked for"):
        responses.price({**PRICE, "lookup_key": None}, lookup_keys=["pro"])
    with pytest.raises(Malformed, match="product None, not an ID"):
        responses.price({**PRICE, "product": None})
    assert responses.price({**PRICE, "product": {"id": "prod_1"}})["id"] == "price_1"


def test_every_page_follows_cursors_and_stops_a_server_that_pages_for_ever(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = [f"bpc_{i}" for i in range(5)]

    def pages(cursor: dict[str, str]) -> Page:
        start = ids.index(cursor["starting_after"]) + 1 if cursor else 0
        return Page([{"id": i} for i in ids[start : start + 2]], start + 2 < len(ids))

    def item(value: Any, where: str) -> dict[str, Any]:
        return dict(value)

    assert [o["id"] for o in responses.every_page(pages, item)] == ids
    with pytest.raises(Malformed, match="the pages repeat: bpc_0 came twice"):
        responses.every_page(lambda cursor: Page([{"id": "bpc_0"}], True), item)
    monkeypatch.setattr(responses, "MAX_PAGES", 2)
    with pytest.raises(Malformed, match="more than 2 pages"):
        responses.every_page(pages, item)
    monkeypatch.setattr(responses, "MAX_OBJECTS", 3)
    monkeypatch.setattr(responses, "MAX_PAGES", 10)
    with pytest.raises(Malformed, match="more than 3 objects"):
        responses.every_page(pages, item)
    # Stripe's end of a list is has_more false; an empty page ends it too, as the SDK reads it.
    assert responses.every_page(lambda cursor: Page([], True), item) == []


def test_an_item_defect_says_which_item() -> None:
    def item(value: Any, where: str) -> dict[str, Any]:
        return responses.configuration(value, where)

    page = Page([stripe_config("bpc_1"), broken("metadata", KeyError)], False)
    with pytest.raises(Malformed, match=r"^item 2 of page 1, bpc_1, has no metadata"):
        responses.every_page(lambda cursor: page, item)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ([], "is not a balance"),
        ({"object": "account", "livemode": False}, "is not a balance"),
        ({"object": "balance"}, "livemode None, not true or false"),
        ({"object": "balance", "livemode": "false"}, "livemode 'false', not true or false"),
    ],
)
def test_a_balance_is_read_only_with_its_livemode(value: Any, words: str) -> None:
    # an organization key's mode rests on it (planning/mode.confirm_mode)
    with pytest.raises(Malformed, match=words):
        responses.balance(value)
    assert responses.balance({"object": "balance", "livemode": True})["livemode"] is True


def test_the_ids_seen_are_told_apart_and_a_repeat_is_caught_as_the_table_grows() -> None:
    # stripe_api/seen.py: each ID's hash in a table that doubles as it fills (from 256 slots).
    seen = SeenIds()
    ids = [f"bpc_{n:024}" for n in range(5000)]
    assert all(seen.add(i) for i in ids)
    assert len(seen) == 5000
    assert not any(seen.add(i) for i in ids[::97])  # each, long after it came
    assert len(seen) == 5000
