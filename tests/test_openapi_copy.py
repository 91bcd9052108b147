"""The shipped OpenAPI copy is Stripe's document reduced to its structure and descriptions (the
schema printed for editors shows them); it must not drift.

Run this file as a script to regenerate the copy after updating ../shared/stripe/.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SOURCE = PROJECT.parent / "shared" / "stripe" / "openapi-billing-portal.json"
SHIPPED = PROJECT / "portal_config" / "data" / "stripe-openapi-billing-portal.json"

# Neither structure nor the field descriptions editors show (project/stripe_fields.py). Property
# *names* are kept even when they read like these keys.
DROPPED_KEYS = {
    "summary",
    "title",
    "x-expansionResources",
    "x-resourceId",
    "x-stripeBypassValidation",
    "x-extracted-from",
    "x-stub",
}


def reduce(node: object, in_properties: bool = False) -> object:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if not in_properties and key in DROPPED_KEYS:
                continue
            if key == "description" and str(value).startswith("<p>"):  # an operation's, in HTML
                continue
            out[key] = reduce(value, in_properties=(key == "properties" and not in_properties))
        return out
    if isinstance(node, list):
        return [reduce(item) for item in node]
    return node


def reduced_document(source: dict) -> dict:
    return {
        "x-portal-config-source": {
            "from": "../shared/stripe/openapi-billing-portal.json, reduced to structure "
            "(types, enums, required fields, lengths, descriptions)",
            "origin": source["source"]["repository"]
            + " "
            + source["source"]["file"]
            + " @ "
            + source["source"]["commit"],
            "api_version": source["info"]["version"],
            "added_after_extraction": source["source"]["added_after_extraction"],
            "license": source["source"]["license"],
        },
        "openapi": source["openapi"],
        "paths": reduce(source["paths"]),
        "components": reduce(source["components"]),
    }


@pytest.mark.skipif(not SOURCE.exists(), reason="needs ../shared/stripe beside the checkout")
def test_shipped_copy_matches_the_reduced_source() -> None:
    expected = reduced_document(json.loads(SOURCE.read_text()))
    assert json.loads(SHIPPED.read_text()) == expected


def test_shipped_copy_has_no_html_descriptions_and_resolves_every_ref() -> None:
    doc = json.loads(SHIPPED.read_text())
    text = json.dumps(doc)
    assert '"description": "<p>' not in text
    refs = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                refs.add(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    for ref in refs:
        name = ref.removeprefix("#/components/schemas/")
        assert name in doc["components"]["schemas"], ref


if __name__ == "__main__":
    document = reduced_document(json.loads(SOURCE.read_text()))
    SHIPPED.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    print(f"wrote {SHIPPED}", file=sys.stderr)
