"""The schema of a configuration file's Stripe fields: the create request schema of
`POST /v1/billing_portal/configurations` from the shipped OpenAPI copy (portal/openapi.py), so
Stripe's field names, enums, types and lengths cannot drift, with what files change in it, each
for a stated reason. schema.py checks files against it; schema_messages.py words its errors."""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from typing import Any

from ..portal import model, openapi

METADATA_KEY_LENGTH = 40


def _for_files(node: dict[str, Any]) -> dict[str, Any]:
    """Stripe's request schema as files use it: without the `""` alternative (in a file, a value
    is cleared as `null`: _clearable_as_null) and closed to unknown fields everywhere."""
    node = dict(openapi.without_empty_string(node))
    if "properties" in node:
        node["properties"] = {name: _for_files(sub) for name, sub in node["properties"].items()}
        node.setdefault("additionalProperties", False)
    if isinstance(node.get("items"), dict):
        node["items"] = _for_files(node["items"])
    if isinstance(node.get("additionalProperties"), dict):
        node["additionalProperties"] = _for_files(node["additionalProperties"])
    return node


@lru_cache(maxsize=1)
def stripe_fields_schema() -> dict[str, Any]:
    """The writable Stripe fields of a configuration file. Treat the result as read-only."""
    schema = _for_files(copy.deepcopy(openapi.create_schema()))
    del schema["properties"]["expand"]  # a request option, not part of the configuration
    del schema["required"]  # `features` left out: every feature disabled (the model fills it)
    props = schema["properties"]
    features = props["features"]["properties"]
    cancel = features["subscription_cancel"]["properties"]["proration_behavior"]
    # stripe-python 16.1 documents it: "Passing always_invoice will result in an error".
    cancel["enum"] = [value for value in cancel["enum"] if value != "always_invoice"]
    cancel["errorMessage"] = "Stripe refuses always_invoice when cancelling"
    products = features["subscription_update"]["properties"]["products"]
    products["maxItems"] = 10  # "up to 10 products": in Stripe's description, not its structure
    products["errorMessage"] = f"Stripe allows at most {products['maxItems']} products"
    entry = products["items"]
    entry["required"] = [name for name in entry["required"] if name != "product"]  # from prices
    entry["properties"]["prices"]["items"].update(
        pattern=r"^(lookup_key:\S.*|[^\s:]+)$",
        **{"errorMessage": "must be a price ID (price_...) or lookup_key:KEY"},
    )
    metadata = openapi.document()["components"]["schemas"]["billing_portal.configuration"][
        "properties"
    ]["metadata"]  # the object's schema states the values' maxLength (500)
    props["metadata"]["additionalProperties"] = {  # null: remove the key
        "type": ["string", "null"],
        "maxLength": metadata["additionalProperties"]["maxLength"],
    }
    # Stripe's metadata docs (docs.stripe.com/api/metadata): "key names up to 40 characters
    # long", and "you can't use square brackets ([ and ]) in keys". The count is rules.py's.
    props["metadata"]["propertyNames"] = {
        "maxLength": METADATA_KEY_LENGTH,
        "pattern": r"^[^\[\]]*$",
        "errorMessage": f"must be at most {METADATA_KEY_LENGTH} characters, without [ or ] "
        "(Stripe's limits on metadata keys)",
    }
    _clearable_as_null(schema)
    # Update-only in Stripe: `active: false` keeps a configuration retired (what import writes
    # for an inactive one); left out, a file's configuration is active.
    props["active"] = copy.deepcopy(openapi.update_schema()["properties"]["active"])
    _describe(schema, ())
    return schema


def _clearable_as_null(schema: dict[str, Any]) -> None:
    """`null` says a value is unset (`overrides.prod.default_return_url: null`): allowed where
    Stripe's update request accepts `""` to clear a single value (model.Field.clearable, read
    from the OpenAPI document: the URLs, `name`, `headline`, `payment_method_configuration`).
    A list is cleared as `[]`; payload.py sends either as `""`, as Stripe clears a field."""
    for field in model.fields():
        if field.clearable and field.kind == "value":
            node = schema
            for part in field.parts:
                node = node["properties"][part]
            node["type"] = [node["type"], "null"]


# Stripe's descriptions link their docs with site-relative paths ("/api/...") on docs.stripe.com,
# where https://docs.stripe.com/api lives; an editor outside it needs the host.
_RELATIVE_LINK = re.compile(r"\]\((/[^)\s]*)\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)\s]*\)")


def _describe(node: dict[str, Any], path: tuple[str, ...]) -> None:
    """Stripe's words on each field for editors' hover (portal/openapi.field_description):
    `markdownDescription` (yaml-language-server and VS Code render it) and `description` as
    plain text for the rest (https://github.com/redhat-developer/yaml-language-server#readme)."""
    for name, sub in node.get("properties", {}).items():
        text = openapi.field_description((*path, name))
        if text:
            sub["markdownDescription"] = _RELATIVE_LINK.sub(r"](https://docs.stripe.com\1)", text)
            sub["description"] = _LINK.sub(r"\1", text)
        _describe(sub, (*path, name))
    if isinstance(node.get("items"), dict):
        _describe(node["items"], path)


def stripe_field_names() -> tuple[str, ...]:
    """The top-level keys of a configuration file that are Stripe's (the rest are ours)."""
    return tuple(stripe_fields_schema()["properties"])
