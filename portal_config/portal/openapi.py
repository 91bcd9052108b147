"""Stripe's OpenAPI document for the billing portal (the shipped, reduced copy): one loader."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

CONFIGURATIONS = "/v1/billing_portal/configurations"
CONFIGURATION = "/v1/billing_portal/configurations/{configuration}"


def packaged_json(name: str) -> dict[str, Any]:
    """A JSON file shipped in portal_config/data/ (package data, found wherever it is installed)."""
    text = resources.files("portal_config").joinpath(f"data/{name}")
    loaded: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return loaded


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    return packaged_json("stripe-openapi-billing-portal.json")


def request_schema(path: str, method: str = "post") -> dict[str, Any]:
    """The form-encoded request body schema of one operation."""
    operation = document()["paths"][path][method]
    body: dict[str, Any] = operation["requestBody"]["content"]
    return dict(body["application/x-www-form-urlencoded"]["schema"])


def create_schema() -> dict[str, Any]:
    return request_schema(CONFIGURATIONS)


def update_schema() -> dict[str, Any]:
    return request_schema(CONFIGURATION)


def without_empty_string(schema: dict[str, Any]) -> dict[str, Any]:
    """`anyOf: [X, {enum: [""]}]` is Stripe's "send '' to clear"; return X."""
    options = schema.get("anyOf")
    if not options:
        return schema
    real = [o for o in options if o.get("enum") != [""]]
    return real[0] if len(real) == 1 else schema


def accepts_empty_string(schema: dict[str, Any]) -> bool:
    return any(o.get("enum") == [""] for o in schema.get("anyOf", []))
