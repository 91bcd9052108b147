"""schema.py and rules.py: the schemas follow Stripe's request schema; errors read well."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from portal_config.errors import Location, Problem
from portal_config.portal import model, openapi
from portal_config.project import rules, schema, stripe_fields
from portal_config.project.loader import load

HERE = Location("c.yaml", 1, 1)


def nowhere(path: tuple[Any, ...], key: bool = False) -> Location:
    return HERE


def messages(data: Any, document: dict[str, Any]) -> list[str]:
    return [p.message for p in schema.check(data, document, nowhere)]


def walk(node: Any, path: str = "") -> Any:
    """Every (path, subschema) of a schema, by property names and list items."""
    yield path, node
    for name, sub in node.get("properties", {}).items():
        yield from walk(sub, f"{path}.{name}")
    if isinstance(node.get("items"), dict):
        yield from walk(node["items"], f"{path}[]")


def test_stripe_fields_follow_the_create_request_schema() -> None:
    ours = dict(walk(stripe_fields.stripe_fields_schema()))
    theirs = dict(walk_resolved(openapi.create_schema()))
    assert set(ours) == set(theirs) | {".active"}  # update-only: keeps a retired one retired
    # null clears a value where Stripe's update accepts "" (stripe_fields._clearable_as_null).
    nullable = {"." + f.path for f in model.fields() if f.clearable and f.kind == "value"}
    assert nullable == {
        ".business_profile.headline",
        ".business_profile.privacy_policy_url",
        ".business_profile.terms_of_service_url",
        ".default_return_url",
        ".features.payment_method_update.payment_method_configuration",
        ".name",
    }
    for path, node in theirs.items():
        also = ["null"] if path in nullable else []
        assert ours[path].get("type") == ([node["type"], *also] if also else node.get("type")), path
        assert ours[path].get("maxLength") == node.get("maxLength"), path
        if path != ".features.subscription_cancel.proration_behavior":
            assert ours[path].get("enum") == node.get("enum"), path
    assert "always_invoice" not in ours[".features.subscription_cancel.proration_behavior"]["enum"]


def walk_resolved(node: dict[str, Any], path: str = "") -> Any:
    node = openapi.without_empty_string(node)
    if path == ".expand":
        return
    yield path, node
    for name, sub in node.get("properties", {}).items():
        yield from walk_resolved(sub, f"{path}.{name}")
    if isinstance(node.get("items"), dict):
        yield from walk_resolved(node["items"], f"{path}[]")


def test_every_object_is_closed_and_no_empty_string_alternative_is_left() -> None:
    for document in (
        schema.config_schema(),
        schema.config_schema(("a", "b")),
        schema.project_schema(),
    ):
        text = json.dumps(document)
        assert '"enum": [""]' not in text
        for path, node in walk(document):
            if "properties" in node and path != ".environments":
                assert node.get("additionalProperties") is False or path.endswith(".seed"), path


def test_the_schemas_are_valid_json_schema() -> None:
    for document in (
        schema.config_schema(),
        schema.config_schema(("prod",)),
        schema.project_schema(),
    ):
        Draft7Validator.check_schema(document)


def test_overrides_are_partial_and_keyed_by_environment() -> None:
    document = schema.config_schema(("staging", "prod"))
    data = {
        "features": {"invoice_history": {"enabled": True}},
        "overrides": {
            "prod": {"features": {"customer_update": {"allowed_updates": ["email"]}}},
            "prdo": {},
        },
    }
    assert messages(data, document) == ["unknown environment 'prdo' (did you mean 'prod'?)"]
    assert "required" not in json.dumps(document["properties"]["overrides"])


def test_the_printed_schema_accepts_any_environment_name() -> None:
    data = {
        "ids": {"anything": "bpc_123"},
        "overrides": {"eu-prod": {"name": "x"}},
        "environments": ["x"],
    }
    assert messages(data, schema.config_schema()) == []
    assert messages({"ids": {"bad name": "bpc_1"}}, schema.config_schema()) == [
        f"ids: 'bad name' {schema.NAME_RULE}"
    ]


def test_product_is_optional_and_prices_take_lookup_keys() -> None:
    products = [{"prices": ["lookup_key:pro monthly", "price_1Pabc"]}]
    data = {"features": {"subscription_update": {"enabled": True, "products": products}}}
    assert messages(data, schema.config_schema()) == []


def test_metadata_values_may_be_null() -> None:
    assert messages({"metadata": {"old": None, "team": "billing"}}, schema.config_schema()) == []


@pytest.mark.parametrize(
    "data, expected",
    [
        (
            {"features": {"subscription_cancel": {"enabled": True, "cancelation": {}}}},
            "unknown field 'cancelation' (did you mean 'cancellation_reason'?)",
        ),
        (
            {"privacy_policy_url": "https://x"},
            "unknown field 'privacy_policy_url' here (it belongs under business_profile)",
        ),
        (
            {"login_page": {"enabled": True, "url": "x"}},
            "unknown field 'url' (expected one of: enabled)",
        ),
        (
            {"features": {"customer_update": {"enabled": True, "allowed_updates": ["emial"]}}},
            (
                "features.customer_update.allowed_updates[0]: 'emial' is not one of: address, "
                "email, "
                "name, phone, shipping, tax_id (did you mean 'email'?)"
            ),
        ),
        (
            {"features": {"invoice_history": {"enabled": "on"}}},
            (
                "features.invoice_history.enabled: expected true or false, got 'on' (portal-config "
                "reads YAML 1.2 booleans: write true or false)"
            ),
        ),
        (
            {"name": 42},
            "name: expected a string or null, got the number 42 (quote it to make it text)",
        ),
        (
            {"business_profile": {"headline": "x" * 61}},
            "business_profile.headline: 61 characters; at most 60 allowed",
        ),
        (
            {"features": {"invoice_history": {}}},
            "features.invoice_history: missing required field 'enabled'",
        ),
        ({"environments": ["a", "a"]}, "environments: lists the same entry twice"),
    ],
)
def test_friendly_messages(data: dict[str, Any], expected: str) -> None:
    assert messages(data, schema.config_schema()) == [expected]


def test_problems_point_at_the_key_for_unknown_fields_and_at_the_value_otherwise() -> None:
    seen: list[tuple[tuple[Any, ...], bool]] = []

    def locate(path: tuple[Any, ...], key: bool = False) -> Location:
        seen.append((path, key))
        return HERE

    schema.check({"colour": 1, "name": 2}, schema.config_schema(), locate)
    assert (("colour",), True) in seen and (("name",), False) in seen


@pytest.mark.parametrize(
    "value, ok",
    [
        ("STRIPE_SECRET_KEY", True),
        ("_KEY2", True),
        ("sk_test_abc", False),
        ("rk_live_51Habcdefghij", False),
        ("STRIPE-KEY", False),
        ("2KEY", False),
    ],
)
def test_api_key_env_is_a_variable_name_not_a_key(value: str, ok: bool) -> None:
    data = {"version": 1, "environments": {"e": {"mode": "test", "api_key_env": value}}}
    found = messages(data, schema.project_schema())
    assert (found == []) is ok
    assert all(value not in message for message in found)


def test_project_version_must_be_1() -> None:
    data = {"version": "1", "environments": {"e": {"mode": "test", "emulator": "s.json"}}}
    assert messages(data, schema.project_schema()) == [
        "version: must be 1, got '1' (this portal-config reads version 1)"
    ]


# --- rules ---------------------------------------------------------------------------------------


def secrets_in(text: str, folder: Path) -> list[Problem]:
    path = folder / "c.yaml"
    path.write_text(text)
    return rules.find_secrets(load(path)[0])


def test_find_secrets_locates_and_masks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = "a: 1\n# was: sk_live_51Habcdefghijklmnop\nb: rk_test_0123456789\n"
    found = secrets_in(text, tmp_path)
    assert [(p.location.line, p.location.col) for p in found] == [(2, 8), (3, 4)]
    assert "sk_live_...mnop" in found[0].message and "51Habcdefghijklmnop" not in found[0].message
    assert "restricted key (rk_test_...6789)" in found[1].message


def test_find_secrets_finds_every_kind_of_key_and_escaped_ones(tmp_path: Path) -> None:
    text = (
        'a: "sk\\u005flive_51Habcdefghijklmnop"\n'  # the text shows no key; the value is one
        "b: pk_live_51Habcdefghijklmnop\n"
        "c: whsec_51Habcdefghijklmnop\n"
    )
    found = secrets_in(text, tmp_path)
    assert [(p.location.line, p.location.col) for p in found] == [(1, 4), (2, 4), (3, 4)]
    kinds = ["secret key (sk_live_", "publishable key (pk_live_", "webhook signing secret (whsec_"]
    assert all(kind in p.message for kind, p in zip(kinds, found, strict=True))
    assert all("51Habcdefghijklmnop" not in p.message for p in found)


@pytest.mark.parametrize("text", ["sk_test_ or rk_live_ prefixes", "disk_test_1234567890"])
def test_find_secrets_ignores_what_is_not_a_secret_key(text: str, tmp_path: Path) -> None:
    assert secrets_in(text, tmp_path) == []


def test_mask_secrets() -> None:
    assert rules.mask_secrets("key sk_test_abcdefghij1234 here") == "key sk_test_...1234 here"


def cancel(**fields: Any) -> dict[str, Any]:
    return {"features": {"subscription_cancel": {"enabled": True, **fields}}}


@pytest.mark.parametrize(
    "params, live, count",
    [
        (cancel(mode="immediately", proration_behavior="create_prorations"), False, 0),
        (cancel(mode="at_period_end", proration_behavior="create_prorations"), False, 1),
        (cancel(proration_behavior="create_prorations"), False, 1),
        (cancel(proration_behavior="none"), False, 0),
        ({"default_return_url": "http://localhost:3000/a"}, False, 0),
        ({"default_return_url": "http://localhost:3000/a"}, True, 1),
        ({"business_profile": {"terms_of_service_url": "ftp://x/terms"}}, False, 1),
        ({"business_profile": {"privacy_policy_url": "https://x/p"}}, True, 0),
    ],
)
def test_check_params(params: dict[str, Any], live: bool, count: int) -> None:
    assert len(rules.check_params(params, live, nowhere)) == count


def test_adjustable_quantity_minimum_must_not_exceed_maximum() -> None:
    def products(minimum: int, maximum: int) -> dict[str, Any]:
        quantity = {"enabled": True, "minimum": minimum, "maximum": maximum}
        entry = {"prices": ["price_1"], "adjustable_quantity": quantity}
        return {"features": {"subscription_update": {"enabled": True, "products": [entry]}}}

    assert rules.check_params(products(2, 2), False, nowhere) == []
    [problem] = rules.check_params(products(3, 2), False, nowhere)
    assert problem.message == (
        "features.subscription_update.products[0].adjustable_quantity."
        "minimum: 3 is greater than the maximum 2"
    )


def test_raw_ids() -> None:
    entry = {"product": "prod_1", "prices": ["price_1", "lookup_key:pro"]}
    params = {
        "features": {
            "subscription_update": {"products": [entry, {"product": "custom", "prices": []}]},
            "payment_method_update": {"enabled": True, "payment_method_configuration": "pmc_1"},
        }
    }
    assert [value for _, value in rules.raw_ids(params)] == ["pmc_1", "prod_1", "price_1"]


def test_one_validator_serves_a_schema_for_the_whole_run() -> None:
    """Built once per schema, not once per file and environment (validate on many files)."""
    built = schema.config_schema()
    assert schema._validator(built) is schema._validator(built)
    assert schema._validator(schema.project_schema()) is not schema._validator(built)


def test_the_project_files_seed_takes_the_keys_the_emulator_seeds() -> None:
    from portal_config.emulator.seed import SEED_KEYS
    from portal_config.project.schema import project_schema

    environment = project_schema()["properties"]["environments"]["additionalProperties"]
    assert set(environment["properties"]["seed"]["properties"]) == SEED_KEYS
