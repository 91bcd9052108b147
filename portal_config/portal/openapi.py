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


def _inner(node: dict[str, Any]) -> dict[str, Any]:
    """What a field holds: through `$ref`, the `""` alternative, and a list's items."""
    schemas = document()["components"]["schemas"]
    while True:
        if "$ref" in node:
            node = schemas[node["$ref"].rsplit("/", 1)[1]]
        elif without_empty_string(node) is not node:
            node = without_empty_string(node)
        elif isinstance(node.get("items"), dict):
            node = node["items"]
        else:
            return node


def _described(node: dict[str, Any], parts: tuple[str, ...]) -> str:
    for part in parts[:-1]:
        node = _inner(node).get("properties", {}).get(part, {})
    found = _inner(node).get("properties", {}).get(parts[-1], {}).get("description", "")
    return str(found)


def field_description(parts: tuple[str, ...]) -> str:
    """Stripe's description of a configuration field ("" where it has none): the request
    parameter's of POST /v1/billing_portal/configurations, else the configuration object's (the
    extract documents most nested parameters only on the object)."""
    request = _described(create_schema(), parts)
    if request:
        return request
    return _described(document()["components"]["schemas"]["billing_portal.configuration"], parts)
