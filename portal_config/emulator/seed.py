"""Seeds: objects an account already has before the tool runs, including what only the Dashboard
can make (the default configuration, configurations of other Connect applications).

A SEED is a mapping (YAML or JSON):
    default_configuration: true | {<create params>}
    configurations: [{<create params>, active?, is_default?, application?, id?}, ...]
    products: [{id?, name, active?, prices: [{id?, lookup_key?, unit_amount, currency?,
                recurring: {interval: month} | null, active?}]}]
    customers: [{id?, email?, name?}]
    connected_accounts: [{id?, business_profile?: {name?, url?, ...}, metadata?, email?,
                          revoked?: true, seed?: SEED}]   (the platform's; see connect.py;
                          `seed` is what that account itself holds)
A seed document is a bare SEED (test mode) or {"test": SEED, "live": SEED}.
Every object goes through the same validation and handlers as an API request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import connect
from .context import is_sandbox
from .errors import ApiError, EmulatorError
from .objects import FIVE_CANCELLATION_REASONS
from .values import Data

if TYPE_CHECKING:
    from .api import Api

MODES = ("test", "live")
SEED_KEYS = {
    "default_configuration",
    "configurations",
    "products",
    "customers",
    "connected_accounts",
}
CONFIGURATION_EXTRAS = ("active", "is_default", "application")  # what only the Dashboard sets

# What a Dashboard save of the portal settings typically yields: invoices, payment methods,
# customer details and cancellation at period end on; plan switching off.
DASHBOARD_DEFAULT: dict[str, Any] = {
    "features": {
        "customer_update": {"enabled": True, "allowed_updates": ["email", "address", "tax_id"]},
        "invoice_history": {"enabled": True},
        "payment_method_update": {"enabled": True},
        "subscription_cancel": {
            "enabled": True,
            "mode": "at_period_end",
            "cancellation_reason": {"enabled": True, "options": list(FIVE_CANCELLATION_REASONS)},
        },
        "subscription_update": {"enabled": False},
    }
}


def by_mode(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A seed document as {mode: SEED}; a bare SEED is test mode's."""
    if document and all(mode in MODES or is_sandbox(mode) for mode in document):
        return document
    return {"test": document}


def apply_seed(
    api: Api, seed: dict[str, Any], mode: str = "test", account: str | None = None
) -> None:
    if mode not in MODES and not is_sandbox(mode):
        raise EmulatorError(f"seed mode must be test or live, not {mode!r}")
    unknown = set(seed) - SEED_KEYS
    if unknown:
        raise EmulatorError(f"unknown seed key(s): {', '.join(sorted(unknown))}")
    accounts = seed.get("connected_accounts") or []
    if accounts and account is not None:
        raise EmulatorError(
            "seed connected_accounts belong to the platform: seed them without "
            f"an account (not {account})"
        )
    if not isinstance(accounts, list):
        raise EmulatorError("seed connected_accounts must be a list of {id?, metadata?, ...}")
    made: list[str] = []
    if accounts:
        with api.store.lock:
            made = connect.add_accounts(
                api.store.account(mode, None),
                api.store.revoked_accounts,
                accounts,
                now=int(api.store.clock()),
                where=f"seed ({mode} mode) connected_accounts",
            )
    # Each connected account's own catalog and configurations (a connected account's products
    # and prices are its own: docs.stripe.com/connect/direct-charges).
    for entry, made_id in zip(accounts, made, strict=True):
        if isinstance(entry.get("seed"), dict):
            apply_seed(api, entry["seed"], mode, account=made_id)
    seeder = _Seeder(api, mode, account)
    for product in seed.get("products") or []:
        seeder.product(dict(product))
    for customer in seed.get("customers") or []:
        seeder.create("/v1/customers", dict(customer), "customers[]")
    default = seed.get("default_configuration")
    if default:
        params = DASHBOARD_DEFAULT if default is True else dict(default)
        seeder.configuration({**params, "is_default": True}, "default_configuration")
    for i, config in enumerate(seed.get("configurations") or []):
        seeder.configuration(dict(config), f"configurations[{i}]")
    api.store.save()


class _Seeder:
    def __init__(self, api: Api, mode: str, account: str | None):
        self.api, self.mode, self.account = api, mode, account

    def create(self, path: str, params: dict[str, Any], where: str) -> dict[str, Any]:
        object_id = params.pop("id", None)
        try:
            return self.api.call(
                "POST",
                path,
                _drop_nulls(params),
                mode=self.mode,
                account=self.account,
                object_id=object_id,
            )
        except ApiError as error:
            raise EmulatorError(f"seed ({self.mode} mode) {where}: {error.message}") from None

    def product(self, product: dict[str, Any]) -> None:
        prices = product.pop("prices", None) or []
        created = self.create("/v1/products", product, f"product {product.get('name')!r}")
        for price in prices:
            params = {"currency": "usd", **price, "product": created["id"]}
            self.create("/v1/prices", params, f"price {price.get('lookup_key') or price}")

    def configuration(self, config: dict[str, Any], where: str) -> None:
        extras = {k: config.pop(k) for k in CONFIGURATION_EXTRAS if k in config}
        created = self.create("/v1/billing_portal/configurations", config, where)
        with self.api.store.lock:
            configurations = self.api.store.account(self.mode, self.account).configurations
            if extras.get("is_default"):
                for other in configurations.values():
                    other["is_default"] = False  # one default per mode and account
            configurations[created["id"]].update(extras)


def _drop_nulls(value: Data) -> Data:
    """A seed may write `null` for "not set" (recurring: null is a one-time price); the API
    has no null, so leave such keys out."""
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value
