"""prices.py: `lookup_key:K` resolved to price IDs, products derived from prices, problems
located at the line that wrote the price."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from portal_config.errors import Location, StripeFailure
from portal_config.pipeline.prices import PriceCatalog, fetch_catalog, lookup_keys_in, resolve
from portal_config.project.loader import DataPath

ENTRIES = "features.subscription_update.products"


def price(price_id: str, product: Any = "prod_a", **extra: Any) -> dict[str, Any]:
    return {
        "id": price_id,
        "product": product,
        "active": True,
        "recurring": {"interval": "month"},
        **extra,
    }


def params(*entries: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "Std",
        "features": {"subscription_update": {"enabled": True, "products": list(entries)}},
    }


def entries_of(resolved: dict[str, Any]) -> list[dict[str, Any]]:
    products: list[dict[str, Any]] = resolved["features"]["subscription_update"]["products"]
    return products


def at(path: DataPath) -> Location:
    """Stands in for the file's locations: the data path, dotted, is the 'file'."""
    return Location(".".join(str(p) for p in path))


def run(written: dict[str, Any], catalog: PriceCatalog) -> tuple[dict[str, Any], list[str]]:
    resolved, problems = resolve(written, catalog, "prod", at)
    return resolved, [str(p) for p in problems]


def test_lookup_keys_are_collected_once_sorted_from_every_file() -> None:
    files = [
        params({"prices": ["lookup_key:pro_m", "price_1", "lookup_key:basic"]}),
        params({"product": "prod_b", "prices": ["lookup_key:pro_m"]}),
        {"name": "none"},
        params({"product": "prod_c"}),
    ]
    assert lookup_keys_in(files) == ["basic", "pro_m"]


def test_the_catalog_labels_price_ids_with_their_lookup_keys() -> None:
    catalog = PriceCatalog({"pro_m": price("price_1"), "basic": price("price_2")})
    assert catalog.labels() == {"price_1": "lookup_key:pro_m", "price_2": "lookup_key:basic"}


def test_fetch_asks_for_lookup_keys_at_once_and_raw_ids_only_without_a_product() -> None:
    asked: list[list[str]] = []
    retrieved: list[str] = []

    def by_lookup_key(keys: list[str]) -> dict[str, dict[str, Any]]:
        asked.append(keys)
        return {"pro_m": price("price_1")}

    def retrieve(price_id: str) -> dict[str, Any]:
        retrieved.append(price_id)
        if price_id == "price_gone":
            raise StripeFailure("No such price", kind="missing")
        return price(price_id)

    files = [
        params(
            {"prices": ["lookup_key:pro_m", "price_2", "price_gone"]},
            {"product": "prod_b", "prices": ["price_3"]},
        ),
        params({"prices": ["price_2"]}),
    ]
    catalog = fetch_catalog(files, by_lookup_key, retrieve)
    assert asked == [["pro_m"]]
    assert retrieved == ["price_2", "price_gone"]  # once each; price_3 names its product
    assert catalog.by_id == {"price_2": price("price_2"), "price_gone": None}
    assert catalog.by_lookup_key == {"pro_m": price("price_1")}


def test_fetch_lets_other_failures_through() -> None:
    def retrieve(price_id: str) -> dict[str, Any]:
        raise StripeFailure("Invalid API key", kind="authentication")

    with pytest.raises(StripeFailure, match="Invalid API key"):
        fetch_catalog([params({"prices": ["price_1"]})], lambda keys: {}, retrieve)


@pytest.mark.parametrize("found, missing", [({"pro_m": price("price_1")}, False), ({}, True)])
def test_the_accounts_keys_are_listed_only_when_a_key_is_missing(
    found: dict[str, Any], missing: bool
) -> None:
    asked: list[int] = []

    def active_lookup_keys(pages: int) -> list[str]:
        asked.append(pages)
        return ["pro_month", "basic"]

    catalog = fetch_catalog(
        [params({"prices": ["lookup_key:pro_m"]})], lambda keys: found, price, active_lookup_keys
    )
    assert catalog.known_lookup_keys == (["pro_month", "basic"] if missing else [])
    assert asked == ([10] if missing else [])


def test_a_failure_listing_the_accounts_keys_only_loses_the_hint() -> None:
    def active_lookup_keys(pages: int) -> list[str]:
        raise StripeFailure("forbidden", kind="permission")

    catalog = fetch_catalog(
        [params({"prices": ["lookup_key:pro_m"]})], lambda keys: {}, price, active_lookup_keys
    )
    _, problems = run(params({"prices": ["lookup_key:pro_m"]}), catalog)
    assert problems == [
        f"{ENTRIES}.0.prices.0: lookup_key:pro_m matches no price in environment "
        "'prod': create the price with that lookup key in this account, or fix "
        "the key"
    ]


def test_an_unknown_lookup_key_gets_the_closest_known_key() -> None:
    catalog = PriceCatalog({}, known_lookup_keys=["pro_monthly", "basic"])
    _, problems = run(params({"prices": ["lookup_key:pro_montly", "lookup_key:zzz"]}), catalog)
    assert problems[0].startswith(
        f"{ENTRIES}.0.prices.0: lookup_key:pro_montly matches no price "
        "in environment 'prod' (did you mean lookup_key:pro_monthly?): "
    )
    assert "did you mean" not in problems[1]


def test_lookup_keys_become_price_ids_and_the_product_is_filled_in() -> None:
    written = params({"prices": ["lookup_key:pro_m", "lookup_key:pro_y"]})
    catalog = PriceCatalog({"pro_m": price("price_1"), "pro_y": price("price_2", {"id": "prod_a"})})
    resolved, problems = run(written, catalog)
    assert problems == []
    assert entries_of(resolved) == [{"product": "prod_a", "prices": ["price_1", "price_2"]}]
    assert entries_of(written) == [{"prices": ["lookup_key:pro_m", "lookup_key:pro_y"]}]


def test_resolving_copies_only_the_products_it_rewrites() -> None:
    """A plan resolves every managed file's prices: the rest of its params (metadata, features,
    URLs) is shared as it was, not copied whole for each of 1,000 files, and never changed."""
    written = {
        **params({"prices": ["lookup_key:pro_m"]}, {"product": "prod_b", "prices": ["price_9"]}),
        "metadata": {"team": "billing"},
    }
    written["features"]["invoice_history"] = {"enabled": True}
    before = copy.deepcopy(written)
    resolved, problems = run(written, PriceCatalog({"pro_m": price("price_1")}))
    assert problems == [] and written == before
    assert entries_of(resolved) == [
        {"product": "prod_a", "prices": ["price_1"]},
        {"product": "prod_b", "prices": ["price_9"]},
    ]
    assert resolved["metadata"] is written["metadata"]
    assert resolved["features"]["invoice_history"] is written["features"]["invoice_history"]


def test_a_raw_id_under_an_explicit_product_is_left_for_stripe_to_check() -> None:
    resolved, problems = run(params({"product": "prod_b", "prices": ["price_9"]}), PriceCatalog({}))
    assert problems == [] and entries_of(resolved) == [{"product": "prod_b", "prices": ["price_9"]}]


def test_an_unknown_lookup_key_is_reported_at_its_position() -> None:
    _, problems = run(
        params({"prices": ["lookup_key:pro_m", "lookup_key:typo"]}),
        PriceCatalog({"pro_m": price("price_1")}),
    )
    assert problems == [
        (
            f"{ENTRIES}.0.prices.1: lookup_key:typo matches no price in environment "
            "'prod': create the price with that lookup key in this account, or fix "
            "the key"
        )
    ]


def test_a_raw_id_that_does_not_exist_says_it_may_be_another_modes() -> None:
    catalog = PriceCatalog({}, {"price_gone": None}, mode="live")
    assert run(params({"prices": ["price_gone"]}), catalog)[1] == [
        f"{ENTRIES}.0.prices.0: price price_gone does not exist in live mode (environment "
        "'prod'): a test-mode ID, or another account's? IDs differ between accounts and modes: "
        "write it as lookup_key:K (the same key in each mode), or put the ID under "
        "overrides.prod"
    ]
    catalog.other_mode["price_gone"] = "test"  # Stripe's 404 said so
    assert run(params({"prices": ["price_gone"]}), catalog)[1] == [
        f"{ENTRIES}.0.prices.0: price price_gone is a test-mode price in a live-mode environment "
        "('prod'): Stripe says a similar object exists in test mode. IDs differ between modes: "
        "write it as lookup_key:K (the same key in each mode), or put the ID "
        "under overrides.prod"
    ]


def test_a_product_its_prices_contradict_is_looked_up_and_named_if_missing() -> None:
    asked: list[str] = []

    def retrieve_product(product_id: str) -> dict[str, Any]:
        asked.append(product_id)
        if product_id == "prod_test":
            raise StripeFailure("No such product", kind="missing", other_mode="test")
        return {"id": product_id}

    files = [
        params({"product": "prod_a", "prices": ["lookup_key:pro_m"]}),  # agrees: not asked
        params({"product": "prod_test", "prices": ["lookup_key:pro_m", "price_t"]}),
        params({"product": "prod_b", "prices": ["lookup_key:pro_m"]}),  # two real products
    ]
    lookup = {"pro_m": price("price_1")}
    catalog = fetch_catalog(files, lambda keys: lookup, price, None, retrieve_product, mode="live")
    assert asked == ["prod_test", "prod_b"]
    assert catalog.missing_products == {"prod_test"}
    assert run(files[0], catalog)[1] == []
    assert run(files[1], catalog)[1] == [
        f"{ENTRIES}.0.product: product prod_test is a test-mode product in a live-mode "
        "environment ('prod'): Stripe says a similar object exists in test mode. IDs differ "
        "between modes: leave `product` out and write each price as lookup_key:K (the same key "
        "in each mode), or put the IDs under overrides.prod"
    ]
    assert run(files[2], catalog)[1] == [
        f"{ENTRIES}.0: in environment 'prod' the prices of this entry belong to different "
        "products (prod_a, prod_b): give each product its own entry"
    ]


def test_archived_and_one_time_prices_are_refused() -> None:
    catalog = PriceCatalog(
        {"old": price("price_1", active=False), "once": price("price_2", recurring=None)}
    )
    _, problems = run(params({"prices": ["lookup_key:old", "lookup_key:once"]}), catalog)
    assert problems[0].startswith(
        f"{ENTRIES}.0.prices.0: lookup_key:old is the archived price price_1 in environment 'prod'"
    )
    assert problems[1].startswith(
        f"{ENTRIES}.0.prices.1: lookup_key:once is the one-time price price_2 in environment 'prod'"
    )


def test_prices_of_different_products_in_one_entry_are_a_problem_at_the_entry() -> None:
    catalog = PriceCatalog({"a": price("price_1", "prod_a"), "b": price("price_2", "prod_b")})
    _, problems = run(params({"prices": ["lookup_key:a", "lookup_key:b"]}), catalog)
    assert problems == [
        (
            f"{ENTRIES}.0: in environment 'prod' the prices of this entry belong to "
            "different products (prod_a, prod_b): give each product its own entry"
        )
    ]


def test_an_explicit_product_that_disagrees_with_its_prices_is_a_problem() -> None:
    catalog = PriceCatalog({"a": price("price_1", "prod_a")})
    _, problems = run(params({"product": "prod_b", "prices": ["lookup_key:a"]}), catalog)
    assert problems and "different products (prod_a, prod_b)" in problems[0]


def test_one_product_in_two_entries_is_a_problem_at_the_second() -> None:
    catalog = PriceCatalog({"a": price("price_1"), "b": price("price_2")})
    _, problems = run(params({"prices": ["lookup_key:a"]}, {"prices": ["lookup_key:b"]}), catalog)
    assert problems == [
        (
            f"{ENTRIES}.1: in environment 'prod' product prod_a is already offered "
            "by entry 1: put all its prices in one entry"
        )
    ]


def test_labels_name_the_products_a_look_up_brought_along() -> None:
    """prices_by_lookup_key expands each price's product: a plan names it (issue 23)."""
    catalog = PriceCatalog(
        {
            "team_monthly": price("price_tm", {"id": "prod_team", "name": "Team"}),
            "pro_monthly": price("price_pm", "prod_pro"),  # not expanded: no name to give
        }
    )
    assert catalog.labels() == {
        "prod_team": "Team",
        "price_tm": "lookup_key:team_monthly",
        "price_pm": "lookup_key:pro_monthly",
    }
