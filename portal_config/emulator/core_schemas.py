"""Request schemas for the catalogue endpoints the shipped OpenAPI copy does not cover.

Only the parameters portal-config and its tests use, in Stripe's names and types; anything else
is an unknown parameter, as it would be for a typo against Stripe.
"""

from __future__ import annotations

from typing import Any

STRING: dict[str, Any] = {"type": "string", "maxLength": 5000}
BOOLEAN: dict[str, Any] = {"type": "boolean"}
INTEGER: dict[str, Any] = {"type": "integer"}
EXPAND: dict[str, Any] = {"type": "array", "items": STRING}
METADATA: dict[str, Any] = {"type": "object", "additionalProperties": {"type": "string"}}


def clearable(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` or "" (Stripe's way to unset a value on update)."""
    return {"anyOf": [schema, {"type": "string", "enum": [""]}]}


def hash_of(properties: dict[str, Any], *required: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


def _list_params(**filters: dict[str, Any]) -> dict[str, Any]:
    return hash_of(
        {"limit": INTEGER, "starting_after": STRING, "ending_before": STRING, "expand": EXPAND}
        | filters
    )


_RETRIEVE = hash_of({"expand": EXPAND})
# A list's `created` filter: a timestamp, or a hash of bounds.
_CREATED = {"anyOf": [INTEGER, hash_of({op: INTEGER for op in ("gt", "gte", "lt", "lte")})]}

_RECURRING = hash_of(
    {
        "interval": {"type": "string", "enum": ["day", "week", "month", "year"]},
        "interval_count": INTEGER,
    },
    "interval",
)

REQUESTS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/v1/prices"): _list_params(
        active=BOOLEAN,
        currency=STRING,
        product=STRING,
        type={"type": "string", "enum": ["one_time", "recurring"]},
        lookup_keys={"type": "array", "items": STRING, "maxItems": 10},
    ),
    ("POST", "/v1/prices"): hash_of(
        {
            "currency": STRING,
            "product": STRING,
            "product_data": hash_of(
                {"name": STRING, "active": BOOLEAN, "metadata": METADATA}, "name"
            ),
            "unit_amount": INTEGER,
            "recurring": _RECURRING,
            "lookup_key": {"type": "string", "maxLength": 200},
            "transfer_lookup_key": BOOLEAN,
            "active": BOOLEAN,
            "nickname": STRING,
            "metadata": METADATA,
            "expand": EXPAND,
        },
        "currency",
    ),
    ("GET", "/v1/prices/{price}"): _RETRIEVE,
    ("POST", "/v1/prices/{price}"): hash_of(
        {
            "active": BOOLEAN,
            "lookup_key": clearable({"type": "string", "maxLength": 200}),
            "transfer_lookup_key": BOOLEAN,
            "nickname": clearable(STRING),
            "metadata": clearable(METADATA),
            "expand": EXPAND,
        }
    ),
    ("GET", "/v1/products"): _list_params(active=BOOLEAN, ids={"type": "array", "items": STRING}),
    ("POST", "/v1/products"): hash_of(
        {
            "id": STRING,
            "name": STRING,
            "active": BOOLEAN,
            "description": STRING,
            "metadata": METADATA,
            "expand": EXPAND,
        },
        "name",
    ),
    ("GET", "/v1/products/{id}"): _RETRIEVE,
    ("POST", "/v1/products/{id}"): hash_of(
        {
            "name": STRING,
            "active": BOOLEAN,
            "description": clearable(STRING),
            "metadata": clearable(METADATA),
            "expand": EXPAND,
        }
    ),
    ("POST", "/v1/customers"): hash_of(
        {
            "email": clearable({"type": "string", "maxLength": 512}),
            "name": clearable({"type": "string", "maxLength": 256}),
            "description": clearable(STRING),
            "phone": clearable({"type": "string", "maxLength": 20}),
            "metadata": clearable(METADATA),
            "expand": EXPAND,
        }
    ),
    ("GET", "/v1/customers/{customer}"): _RETRIEVE,
    ("GET", "/v1/account"): _RETRIEVE,
    ("GET", "/v1/balance"): _RETRIEVE,
    ("GET", "/v1/accounts"): _list_params(created=_CREATED),
    ("GET", "/v1/accounts/{account}"): _RETRIEVE,
    # https://docs.stripe.com/api/events/list (events.py)
    ("GET", "/v1/events"): _list_params(
        created=_CREATED,
        type=STRING,
        types={"type": "array", "items": STRING, "maxItems": 20},
        delivery_success=BOOLEAN,
    ),
}


def add_endive_session_params(schema: dict[str, Any]) -> None:
    """POST /v1/billing_portal/sessions as API 2026-10-28.endive takes it, which the shipped
    extract (2026-09-30.endive) predates: `after_expiration` and the `subscription_pause` flow,
    as stripe-python 16.1.0 generates them (stripe/params/billing_portal/
    _session_create_params.py: SessionCreateParamsAfterExpiration, SessionCreateParamsFlowData;
    stripe-node 23.1.0's CHANGELOG lists both; API-REFERENCE §17)."""
    login = hash_of({"expires_at": INTEGER})
    after = {"type": {"type": "string", "enum": ["customer_login"]}, "customer_login": login}
    schema["properties"]["after_expiration"] = hash_of(after, "type")
    flow = schema["properties"]["flow_data"]
    flow["properties"]["type"]["enum"].append("subscription_pause")
    flow["properties"]["subscription_pause"] = hash_of({"subscription": STRING}, "subscription")
