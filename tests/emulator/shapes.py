"""Helpers for emulator tests: the OpenAPI response shapes and a full create payload."""

from __future__ import annotations

from typing import Any

import jsonschema

from portal_config.emulator.validation import response_schema

CANCEL_REASONS = [
    "customer_service",
    "low_quality",
    "missing_features",
    "other",
    "switched_service",
    "too_complex",
    "too_expensive",
    "unused",
]

CATALOG: dict[str, Any] = {
    "products": [
        {
            "id": "prod_pro",
            "name": "Pro",
            "prices": [
                {
                    "id": "price_pro_m",
                    "lookup_key": "pro_monthly",
                    "unit_amount": 2000,
                    "recurring": {"interval": "month"},
                },
                {
                    "id": "price_pro_y",
                    "lookup_key": "pro_yearly",
                    "unit_amount": 20000,
                    "recurring": {"interval": "year"},
                },
                {
                    "id": "price_pro_once",
                    "lookup_key": "pro_once",
                    "unit_amount": 5000,
                    "recurring": None,
                },
            ],
        },
        {
            "id": "prod_team",
            "name": "Team",
            "prices": [
                {
                    "id": "price_team_m",
                    "lookup_key": "team_monthly",
                    "unit_amount": 9000,
                    "recurring": {"interval": "month"},
                }
            ],
        },
    ],
    "customers": [{"id": "cus_alice", "email": "alice@example.com"}],
}

# Sets every writable create parameter (test_every_create_parameter_is_covered checks this).
FULL_CREATE: dict[str, Any] = {
    "name": "Standard portal",
    "default_return_url": "https://example.com/account",
    "business_profile": {
        "headline": "Acme partners with Stripe for simplified billing.",
        "privacy_policy_url": "https://example.com/privacy",
        "terms_of_service_url": "https://example.com/terms",
    },
    "login_page": {"enabled": True},
    "metadata": {"portal_config_key": "standard", "team": "billing"},
    "features": {
        "customer_update": {"enabled": True, "allowed_updates": ["email", "address", "tax_id"]},
        "invoice_history": {"enabled": True},
        "payment_method_update": {"enabled": True, "payment_method_configuration": "pmc_123"},
        "subscription_cancel": {
            "enabled": True,
            "mode": "immediately",
            "proration_behavior": "create_prorations",
            "cancellation_reason": {
                "enabled": True,
                "options": CANCEL_REASONS,
                "feedback_options": ["bfo_1", "bfo_2"],
            },
        },
        "subscription_pause": {
            "enabled": True,
            "duration": {
                "type": "interval_options",
                "interval_options": [
                    {"interval": "week", "interval_count": 2},
                    {"interval": "month", "interval_count": 3},
                ],
            },
        },
        "subscription_update": {
            "enabled": True,
            "default_allowed_updates": ["price", "promotion_code", "quantity"],
            "proration_behavior": "always_invoice",
            "billing_cycle_anchor": "now",
            "trial_update_behavior": "continue_trial",
            "schedule_at_period_end": {
                "conditions": [{"type": "decreasing_item_amount"}, {"type": "shortening_interval"}]
            },
            "products": [
                {
                    "product": "prod_pro",
                    "prices": ["price_pro_m", "price_pro_y"],
                    "adjustable_quantity": {"enabled": True, "minimum": 2, "maximum": 10},
                },
                {"product": "prod_team", "prices": ["price_team_m"]},
            ],
        },
    },
}


PRODUCTS = "configuration.features.subscription_update.products"
# Asks for the one includable field, as portal-config does on retrieve, create and update.
EXPAND_PRODUCTS = {"expand": ["features.subscription_update.products"]}


def assert_configuration_shape(config: dict[str, Any], *, expanded: bool = True) -> None:
    """Valid per the OpenAPI response schema AND every property of it present (nulls included),
    except `products`, which Stripe includes only when expanded."""
    schema = response_schema("billing_portal.configuration")
    jsonschema.Draft7Validator(schema).validate(config)
    absent = set() if expanded else {PRODUCTS}
    if not expanded:
        assert "products" not in config["features"]["subscription_update"]
    assert_every_property(config, schema, "configuration", absent)


def assert_every_property(
    value: Any, schema: dict[str, Any], path: str, absent: set[str] = frozenset()
) -> None:  # type: ignore[assignment]
    if "anyOf" in schema:
        branches = [b for b in schema["anyOf"] if "properties" in b]
        if isinstance(value, dict) and branches:
            assert_every_property(value, branches[0], path, absent)
        return
    if isinstance(value, dict) and "properties" in schema:
        expected = {k for k in schema["properties"] if f"{path}.{k}" not in absent}
        missing = expected - set(value)
        assert not missing, f"{path} lacks {sorted(missing)}"
        for key in expected:
            assert_every_property(value[key], schema["properties"][key], f"{path}.{key}", absent)
    elif isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            assert_every_property(item, schema["items"], f"{path}[{i}]", absent)


def leaf_paths(schema: dict[str, Any], prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """Every parameter path of a request schema ("[]" stands for a list item)."""
    if "anyOf" in schema:
        return set().union(*(leaf_paths(b, prefix) for b in schema["anyOf"])) or {prefix}
    if schema.get("type") == "array" and "properties" in schema.get("items", {}):
        return leaf_paths(schema["items"], (*prefix, "[]"))
    if "properties" in schema and schema["properties"]:
        return set().union(*(leaf_paths(s, (*prefix, k)) for k, s in schema["properties"].items()))
    return {prefix} if prefix else set()


def value_paths(value: Any, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    if isinstance(value, dict) and value:
        return set().union(*(value_paths(v, (*prefix, k)) for k, v in value.items()))
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return set().union(*(value_paths(v, (*prefix, "[]")) for v in value))
    return {prefix}
