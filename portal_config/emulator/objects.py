"""Stripe-shaped objects: what a create fills in by default, and how an update merges.

Defaults follow API-REFERENCE §3 and §7 (Stripe's fixtures and documented defaults); every
field of the OpenAPI `billing_portal.configuration` schema is present, nullable ones as null.
"""

from __future__ import annotations

import copy
import secrets
import string
from typing import Any

from .values import Data

_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str, length: int = 24) -> str:
    """Stripe-like object IDs, e.g. bpc_1Pgc70B7WZ01zgkWSnFO04Vt."""
    return f"{prefix}_1" + "".join(secrets.choice(_ALPHABET) for _ in range(length - 1))


def portal_url(kind: str, livemode: bool, base: str | None = None) -> str:
    """A billing.stripe.com link, or one on `base` (the emulator's own: portal_page.py serves
    sessions): kind is "session" or "login"; test-mode links say so."""
    token = ("" if livemode else "test_") + new_id("x", 28)[2:]
    return f"{base or 'https://billing.stripe.com'}/p/{kind}/{token}"


CONFIGURATION_DEFAULTS: dict[str, Any] = {
    "business_profile": {
        "headline": None,
        "privacy_policy_url": None,
        "terms_of_service_url": None,
    },
    "default_return_url": None,
    "features": {
        "customer_update": {"enabled": False, "allowed_updates": []},
        "invoice_history": {"enabled": False},
        "payment_method_update": {"enabled": False, "payment_method_configuration": None},
        "subscription_cancel": {
            "enabled": False,
            "mode": "at_period_end",
            "proration_behavior": "none",
            "cancellation_reason": {"enabled": False, "options": [], "feedback_options": []},
        },
        "subscription_pause": {
            "enabled": False,
            "duration": {
                "type": "interval_options",
                "interval_options": [{"interval": "month", "interval_count": 1}],
            },
        },
        "subscription_update": {
            "enabled": False,
            "default_allowed_updates": [],
            "products": [],
            "proration_behavior": "none",
            "schedule_at_period_end": {"conditions": []},
            "trial_update_behavior": "end_trial",
            "billing_cycle_anchor": None,
        },
    },
    "login_page": {"enabled": False, "url": None},
    "metadata": {},
    "name": None,
}

# The five reasons of the API reference's example answer to a create (API-REFERENCE §17).
FIVE_CANCELLATION_REASONS = [
    "too_expensive",
    "missing_features",
    "switched_service",
    "unused",
    "other",
]


def creation_defaults(*, cancellation_reasons: bool, schedule_conditions: bool) -> dict[str, Any]:
    """The candidate defaults of a new configuration that Stripe does not state (behaviours.py,
    "creation defaults"), as parameters laid under a create's own: the API reference's example
    shows all five cancellation reasons, fixtures3.json `[]` and a decreasing_item_amount
    condition; CONFIGURATION_DEFAULTS holds the other candidates."""
    features: dict[str, Any] = {}
    if cancellation_reasons:
        reasons = {"options": list(FIVE_CANCELLATION_REASONS)}
        features["subscription_cancel"] = {"cancellation_reason": reasons}
    if schedule_conditions:
        conditions = [{"type": "decreasing_item_amount"}]
        features["subscription_update"] = {"schedule_at_period_end": {"conditions": conditions}}
    return {"features": features} if features else {}


# Defaults inside list items, which an update replaces whole (so they are filled per item).
ITEM_DEFAULTS: dict[tuple[str, ...], dict[str, Any]] = {
    ("features", "subscription_update", "products"): {
        "adjustable_quantity": {"enabled": False, "minimum": 1, "maximum": None}
    },
    ("features", "subscription_pause", "duration", "interval_options"): {"interval_count": 1},
}

# Set by the server, never by a parameter.
_NOT_PARAMETERS = ("expand",)


def merge(target: dict[str, Any], params: dict[str, Any], path: tuple[str, ...] = ()) -> None:
    """Stripe's update semantics, in place: hashes merge key by key (metadata included), `""`
    clears (a list to [], a hash to {}, anything else to null), lists and scalars replace whole,
    and a `""` inside metadata removes that key."""
    for key, value in params.items():
        if not path and key in _NOT_PARAMETERS:
            continue
        current = target.get(key)
        if value == "":
            if path and path[-1] == "metadata":
                target.pop(key, None)
            else:
                target[key] = type(current)() if isinstance(current, (list, dict)) else None
        elif isinstance(value, dict) and isinstance(current, dict):
            merge(current, value, (*path, key))
        elif isinstance(value, list):
            defaults = ITEM_DEFAULTS.get((*path, key))
            target[key] = [_with_defaults(item, defaults) for item in value]
        else:
            target[key] = copy.deepcopy(value)


def _with_defaults(item: Data, defaults: dict[str, Any] | None) -> Data:
    if defaults is None or not isinstance(item, dict):
        return copy.deepcopy(item)
    filled = copy.deepcopy(defaults)
    merge(filled, item)
    return filled


def new_configuration(
    params: dict[str, Any],
    *,
    livemode: bool,
    now: int,
    object_id: str | None = None,
    defaults: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A configuration as a create makes it: `defaults` (creation_defaults) laid over
    CONFIGURATION_DEFAULTS, then the parameters."""
    config: dict[str, Any] = {
        "id": object_id or new_id("bpc"),
        "object": "billing_portal.configuration",
        "active": True,
        "application": None,
        "created": now,
        "is_default": False,
        "livemode": livemode,
        "updated": now,
        **copy.deepcopy(CONFIGURATION_DEFAULTS),
    }
    merge(config, defaults or {})
    update_configuration(config, params, now=now)
    return config


def update_configuration(config: dict[str, Any], params: dict[str, Any], *, now: int) -> None:
    merge(config, params)
    login = config["login_page"]
    if not login["enabled"]:
        login["url"] = None  # "the previously generated url, if any, will be deactivated"
    elif login["url"] is None:
        login["url"] = portal_url("login", config["livemode"])
    duration = config["features"]["subscription_pause"]["duration"]
    if duration["type"] == "indefinite":
        duration["interval_options"] = []
    config["updated"] = now


def new_product(
    params: dict[str, Any], *, livemode: bool, now: int, object_id: str | None = None
) -> dict[str, Any]:
    product: dict[str, Any] = {
        "id": object_id or new_id("prod", 14),
        "object": "product",
        "active": True,
        "created": now,
        "default_price": None,
        "description": None,
        "images": [],
        "livemode": livemode,
        "marketing_features": [],
        "metadata": {},
        "name": "",
        "package_dimensions": None,
        "shippable": None,
        "statement_descriptor": None,
        "tax_code": None,
        "unit_label": None,
        "updated": now,
        "url": None,
    }
    merge(product, {k: v for k, v in params.items() if k != "id"})
    return product


def new_price(
    params: dict[str, Any], *, product: str, livemode: bool, now: int, object_id: str | None = None
) -> dict[str, Any]:
    recurring = params.get("recurring")
    price: dict[str, Any] = {
        "id": object_id or new_id("price"),
        "object": "price",
        "active": params.get("active", True),
        "billing_scheme": "per_unit",
        "created": now,
        "currency": str(params["currency"]).lower(),
        "custom_unit_amount": None,
        "livemode": livemode,
        "lookup_key": params.get("lookup_key"),
        "metadata": copy.deepcopy(params.get("metadata") or {}),
        "nickname": params.get("nickname"),
        "product": product,
        "recurring": None,
        "tax_behavior": "unspecified",
        "tiers_mode": None,
        "transform_quantity": None,
        "type": "recurring" if recurring else "one_time",
        "unit_amount": params.get("unit_amount"),
        "unit_amount_decimal": None,
    }
    if params.get("unit_amount") is not None:
        price["unit_amount_decimal"] = str(params["unit_amount"])
    if recurring:
        price["recurring"] = {
            "interval": recurring["interval"],
            "interval_count": recurring.get("interval_count", 1),
            "meter": None,
            "trial_period_days": None,
            "usage_type": "licensed",
        }
    return price


def new_customer(
    params: dict[str, Any], *, livemode: bool, now: int, object_id: str | None = None
) -> dict[str, Any]:
    customer: dict[str, Any] = {
        "id": object_id or new_id("cus", 14),
        "object": "customer",
        "address": None,
        "balance": 0,
        "created": now,
        "currency": None,
        "default_source": None,
        "delinquent": False,
        "description": None,
        "email": None,
        "invoice_prefix": new_id("x", 9)[2:].upper(),
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "livemode": livemode,
        "metadata": {},
        "name": None,
        "phone": None,
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": None,
    }
    merge(customer, {k: v for k, v in params.items() if k != "id"})
    return customer


def new_session(
    params: dict[str, Any],
    *,
    configuration: dict[str, Any],
    livemode: bool,
    now: int,
    base: str | None = None,
) -> dict[str, Any]:
    return {
        "id": new_id("bps"),
        "object": "billing_portal.session",
        "after_expiration": _after_expiration(params.get("after_expiration")),
        "configuration": configuration["id"],
        "created": now,
        "customer": params.get("customer"),
        "customer_account": params.get("customer_account"),
        "flow": _flow(params.get("flow_data")),
        "livemode": livemode,
        "locale": params.get("locale"),
        "on_behalf_of": params.get("on_behalf_of"),
        "return_url": params.get("return_url") or configuration["default_return_url"],
        "url": portal_url("session", livemode, base),
    }


def _after_expiration(requested: dict[str, Any] | None) -> dict[str, Any] | None:
    """The session's `after_expiration` (2026-10-28.endive): its type, and `customer_login`'s
    `expires_at` (null: recoverable without a deadline)."""
    if not requested:
        return None
    login = requested.get("customer_login") or {}
    return {
        "type": requested["type"],
        "customer_login": {"expires_at": login.get("expires_at")}
        if requested["type"] == "customer_login"
        else None,
    }


def _flow(flow_data: dict[str, Any] | None) -> dict[str, Any] | None:
    """The session's `flow`: the requested flow with Stripe's nulls for the parts not asked for."""
    if not flow_data:
        return None
    flow: dict[str, Any] = {
        "type": flow_data["type"],
        "after_completion": {
            "type": "portal_homepage",
            "hosted_confirmation": None,
            "redirect": None,
        },
        "subscription_cancel": None,
        "subscription_pause": None,
        "subscription_update": None,
        "subscription_update_confirm": None,
    }
    merge(flow, {k: v for k, v in flow_data.items() if k != "type"})
    return flow


def account(account_id: str, *, livemode: bool) -> dict[str, Any]:
    return {
        "id": account_id,
        "object": "account",
        "business_profile": {"name": "Stripe emulator"},
        "charges_enabled": True,
        "country": "US",
        "default_currency": "usd",
        "details_submitted": True,
        "email": None,
        "livemode": livemode,
        "type": "standard",
    }
