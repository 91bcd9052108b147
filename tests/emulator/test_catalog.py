"""Prices, products, customers and the account, as portal-config reads and seeds them."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from .shapes import CATALOG


@pytest.fixture
def client(emulator: Any, stripe_client: Any) -> Any:
    emulator.seed(CATALOG)
    return stripe_client()


def test_prices_list_filters(client: Any) -> None:
    prices = client.v1.prices
    by_key = prices.list({"lookup_keys": ["pro_monthly", "team_monthly"]})
    assert sorted(p.id for p in by_key.data) == ["price_pro_m", "price_team_m"]
    assert by_key.url == "/v1/prices"
    assert [p.id for p in prices.list({"product": "prod_team"}).data] == ["price_team_m"]
    assert [p.id for p in prices.list({"type": "one_time"}).data] == ["price_pro_once"]
    assert len(prices.list({"type": "recurring"}).data) == 3
    assert len(prices.list({"active": False}).data) == 0
    too_many = [f"k{i}" for i in range(11)]
    with pytest.raises(stripe.InvalidRequestError):
        prices.list({"lookup_keys": too_many})


def test_prices_expand_product(client: Any) -> None:
    listed = client.v1.prices.list({"lookup_keys": ["pro_monthly"], "expand": ["data.product"]})
    assert listed.data[0].product.name == "Pro"
    price = client.v1.prices.retrieve("price_pro_m", {"expand": ["product"]})
    assert price.product.id == "prod_pro"
    assert client.v1.prices.retrieve("price_pro_m").product == "prod_pro"


def test_price_shape(client: Any) -> None:
    price = client.v1.prices.retrieve("price_pro_y")
    assert (price.object, price.type, price.currency, price.unit_amount) == (
        "price",
        "recurring",
        "usd",
        20000,
    )
    assert price.recurring.interval == "year" and price.recurring.interval_count == 1
    assert price.lookup_key == "pro_yearly" and price.active and price.livemode is False
    assert client.v1.prices.retrieve("price_pro_once").recurring is None


def test_create_price_and_lookup_key_rules(client: Any) -> None:
    prices = client.v1.prices
    created = prices.create(
        {
            "currency": "usd",
            "unit_amount": 2500,
            "product": "prod_pro",
            "recurring": {"interval": "month"},
            "nickname": "new",
        }
    )
    assert created.product == "prod_pro" and created.type == "recurring"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        prices.create(
            {
                "currency": "usd",
                "unit_amount": 1,
                "product": "prod_pro",
                "lookup_key": "pro_monthly",
            }
        )
    assert caught.value.param == "lookup_key"
    moved = prices.create(
        {
            "currency": "usd",
            "unit_amount": 2100,
            "product": "prod_pro",
            "recurring": {"interval": "month"},
            "lookup_key": "pro_monthly",
            "transfer_lookup_key": True,
        }
    )
    assert [p.id for p in prices.list({"lookup_keys": ["pro_monthly"]}).data] == [moved.id]
    assert prices.retrieve("price_pro_m").lookup_key is None
    with_new_product = prices.create(
        {"currency": "eur", "unit_amount": 100, "product_data": {"name": "Addon"}}
    )
    assert client.v1.products.retrieve(with_new_product.product).name == "Addon"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        prices.create({"currency": "usd", "unit_amount": 1, "product": "prod_nope"})
    assert (caught.value.http_status, caught.value.param) == (400, "product")  # named in the body


def test_update_price_archives_and_moves_lookup_keys(client: Any) -> None:
    archived = client.v1.prices.update("price_pro_y", {"active": False, "lookup_key": ""})
    assert archived.active is False and archived.lookup_key is None
    assert [p.id for p in client.v1.prices.list({"active": False}).data] == ["price_pro_y"]


def test_products(client: Any) -> None:
    products = client.v1.products
    assert [p.id for p in products.list().data] == ["prod_team", "prod_pro"]
    made = products.create({"name": "Enterprise", "metadata": {"tier": "3"}})
    assert made.id.startswith("prod_") and made.metadata.to_dict() == {"tier": "3"}
    assert products.retrieve(made.id).name == "Enterprise"
    mine = products.create({"id": "prod_mine", "name": "Mine"})
    assert mine.id == "prod_mine"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        products.create({"id": "prod_mine", "name": "Again"})
    assert caught.value.code == "resource_already_exists"
    products.update("prod_mine", {"active": False})
    assert [p.id for p in products.list({"active": False}).data] == ["prod_mine"]
    assert [p.id for p in products.list({"ids": ["prod_pro"]}).data] == ["prod_pro"]


def test_customers(client: Any) -> None:
    made = client.v1.customers.create({"email": "bob@example.com", "name": "Bob"})
    assert made.id.startswith("cus_") and made.object == "customer"
    assert client.v1.customers.retrieve(made.id).email == "bob@example.com"
    assert client.v1.customers.retrieve("cus_alice").email == "alice@example.com"


def test_account(stripe_client: Any) -> None:
    platform = stripe_client().v1.accounts.retrieve_current()
    assert platform.object == "account" and platform.id.startswith("acct_")
    connected = stripe_client(account="acct_123").v1.accounts.retrieve_current()
    assert connected.id == "acct_123"
