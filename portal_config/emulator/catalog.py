"""The catalogue endpoints portal configurations refer to: products, prices, customers, account
(and its balance)."""

from __future__ import annotations

from typing import Any

from .context import Call
from .errors import ApiError, invalid, missing_param
from .lists import paginate
from .objects import account, merge, new_customer, new_price, new_product

PLATFORM_ACCOUNT = "acct_1EmulatorPlatform0"


# -- products -------------------------------------------------------------------------------


def list_products(call: Call) -> dict[str, Any]:
    params = call.params
    ids = params.get("ids")
    newest_first = [
        product
        for product in reversed(call.state.products.values())
        if params.get("active") in (None, product["active"]) and (not ids or product["id"] in ids)
    ]
    return paginate(newest_first, params, "/v1/products", "product")


def create_product(call: Call) -> dict[str, Any]:
    object_id = call.params.get("id") or call.object_id
    if object_id in call.state.products:
        raise ApiError(400, "Product already exists.", code="resource_already_exists", param="id")
    product = new_product(call.params, livemode=call.livemode, now=call.now, object_id=object_id)
    call.state.products[product["id"]] = product
    return product


def retrieve_product(call: Call) -> dict[str, Any]:
    return call.target_object("products", "product")


def update_product(call: Call) -> dict[str, Any]:
    product = retrieve_product(call)
    merge(product, call.params)
    product["updated"] = call.now
    return product


# -- prices ---------------------------------------------------------------------------------


def list_prices(call: Call) -> dict[str, Any]:
    params = call.params
    lookup_keys = params.get("lookup_keys")
    newest_first = [
        price
        for price in reversed(call.state.prices.values())
        if params.get("active") in (None, price["active"])
        and params.get("product") in (None, price["product"])
        and params.get("type") in (None, price["type"])
        and params.get("currency") in (None, price["currency"])
        and (not lookup_keys or price["lookup_key"] in lookup_keys)
    ]
    return paginate(newest_first, params, "/v1/prices", "price")


def create_price(call: Call) -> dict[str, Any]:
    params = call.params
    if "unit_amount" not in params:
        raise missing_param("unit_amount")
    product_id = params.get("product")
    if product_id:
        call.get("products", product_id, "product", "product")
    elif not params.get("product_data"):
        raise invalid(
            "You must specify either `product` or `product_data` when creating a price.",
            "product",
            "parameter_missing",
        )
    _claim_lookup_key(call, params.get("lookup_key"), None)
    if not product_id:
        product_call = Call(call.state, call.mode, call.account, params["product_data"], call.now)
        product_id = create_product(product_call)["id"]
    price = new_price(
        params, product=product_id, livemode=call.livemode, now=call.now, object_id=call.object_id
    )
    call.state.prices[price["id"]] = price
    return price


def retrieve_price(call: Call) -> dict[str, Any]:
    return call.target_object("prices", "price")


def update_price(call: Call) -> dict[str, Any]:
    price = retrieve_price(call)
    if call.params.get("lookup_key"):
        _claim_lookup_key(call, call.params["lookup_key"], price["id"])
    merge(price, {k: v for k, v in call.params.items() if k != "transfer_lookup_key"})
    return price


def _claim_lookup_key(call: Call, lookup_key: str | None, claimant: str | None) -> None:
    """A lookup key names one price per mode and account; `transfer_lookup_key` moves it."""
    if not lookup_key:
        return
    holder = next((p for p in call.state.prices.values() if p["lookup_key"] == lookup_key), None)
    if holder is None or holder["id"] == claimant:
        return
    if not call.params.get("transfer_lookup_key"):
        raise invalid(f"A price (`{holder['id']}`) already uses that lookup key.", "lookup_key")
    holder["lookup_key"] = None


# -- customers and the account --------------------------------------------------------------


def create_customer(call: Call) -> dict[str, Any]:
    customer = new_customer(
        call.params, livemode=call.livemode, now=call.now, object_id=call.object_id
    )
    call.state.customers[customer["id"]] = customer
    return customer


def retrieve_customer(call: Call) -> dict[str, Any]:
    return call.target_object("customers", "customer")


def retrieve_account(call: Call) -> dict[str, Any]:
    return account(call.account or PLATFORM_ACCOUNT, livemode=call.livemode)


def retrieve_balance(call: Call) -> dict[str, Any]:
    """The acting account's balance, as docs.stripe.com/api/balance/balance_object shows it:
    every account has one, in each mode, so its `livemode` tells an organization key's mode
    (planning/mode.confirm_mode). The emulator moves no money: empty, in USD."""
    return {
        "object": "balance",
        "available": [{"amount": 0, "currency": "usd", "source_types": {"card": 0}}],
        "pending": [{"amount": 0, "currency": "usd", "source_types": {"card": 0}}],
        "livemode": call.livemode,
    }
