"""pull: Stripe's value of a field as a person writes it in the file."""

from __future__ import annotations

from pathlib import Path

from portal_config.planning.changes import FieldChange
from portal_config.portal import model
from portal_config.writeback.pull import FilePull, Pulled, field_parts, written

PRICES = {
    "price_pm": {"id": "price_pm", "lookup_key": "pro_monthly", "active": True},
    "price_old": {"id": "price_old", "lookup_key": "pro_legacy", "active": False},
    "price_raw": {"id": "price_raw", "lookup_key": None, "active": True},
}
VARS = {"app_url": "https://staging.example.com"}


def change(path: str, old: object) -> FieldChange:
    return FieldChange(path, model.comparable(path, old), None)


def test_prices_by_lookup_key_where_an_active_price_has_one_in_the_files_order() -> None:
    old = [{"product": "prod_pro", "prices": ["price_pm", "price_old", "price_raw"]}]
    in_file = [{"prices": ["price_raw", "lookup_key:pro_monthly"]}]
    assert written(change(model.PRODUCTS, old), in_file, PRICES, VARS) == [
        {"product": "prod_pro", "prices": ["price_raw", "lookup_key:pro_monthly", "price_old"]}
    ]


def test_lists_keep_the_files_order_and_add_the_rest() -> None:
    path = "features.customer_update.allowed_updates"
    assert written(
        change(path, ["tax_id", "email", "address"]), ["email", "address"], PRICES, VARS
    ) == ["email", "address", "tax_id"]


def test_vars_come_back_as_names_a_literal_dollar_brace_escaped_a_cleared_value_null() -> None:
    url = change("default_return_url", "https://staging.example.com/billing?${x}")
    assert written(url, None, PRICES, VARS) == "${app_url}/billing?$${x}"
    assert written(change("business_profile.headline", None), "Old", PRICES, VARS) is None
    assert written(change("metadata.owner", None), "ada", PRICES, VARS) is None


def test_a_metadata_key_with_dots_is_one_key() -> None:
    assert field_parts("metadata.billing.owner") == ("metadata", "billing.owner")
    assert field_parts("features.invoice_history.enabled") == (
        "features",
        "invoice_history",
        "enabled",
    )


def test_the_summary_groups_fields_by_where_they_went() -> None:
    pulled = FilePull(
        "k",
        Path("k.yaml"),
        "",
        "",
        [
            Pulled("name", ""),
            Pulled("a.b", "overrides.staging"),
            Pulled("a.c", "overrides.staging"),
        ],
    )
    assert pulled.summary() == "name; a.b, a.c (under overrides.staging)"
