"""Every kind of field goes from set to empty and back through apply, and Stripe ends up equal
to the files each time (the "" clearing that stripe-python would otherwise drop)."""

from __future__ import annotations

import pytest

from .stripe_state import by_key

CATALOG = {
    "products": [
        {
            "id": "prod_e2e",
            "name": "E2E",
            "prices": [
                {
                    "id": "price_e2e_m",
                    "lookup_key": "e2e_monthly",
                    "unit_amount": 1000,
                    "currency": "usd",
                    "recurring": {"interval": "month"},
                },
                {
                    "id": "price_e2e_y",
                    "lookup_key": "e2e_yearly",
                    "unit_amount": 10000,
                    "currency": "usd",
                    "recurring": {"interval": "year"},
                },
            ],
        }
    ]
}

EVERYTHING = """\
name: Everything
default_return_url: "${app_url}/account"
business_profile:
  headline: Everything set.
  privacy_policy_url: "${app_url}/privacy"
  terms_of_service_url: "${app_url}/terms"
login_page: {enabled: true}
features:
  customer_update: {enabled: true, allowed_updates: [email, address, tax_id]}
  invoice_history: {enabled: true}
  payment_method_update: {enabled: true, payment_method_configuration: pmc_e2e}
  subscription_cancel:
    enabled: true
    mode: immediately
    proration_behavior: create_prorations
    cancellation_reason: {enabled: true, options: [too_expensive, unused], feedback_options: [fo_1]}
  subscription_update:
    enabled: true
    default_allowed_updates: [price, quantity]
    proration_behavior: always_invoice
    billing_cycle_anchor: now
    trial_update_behavior: continue_trial
    schedule_at_period_end: {conditions: [{type: decreasing_item_amount}]}
    products:
      - prices: [lookup_key:e2e_monthly, lookup_key:e2e_yearly]
        adjustable_quantity: {enabled: true, minimum: 1, maximum: 5}
  subscription_pause:
    enabled: true
    duration: {type: interval_options, interval_options: [{interval: week, interval_count: 2}]}
metadata: {team: billing, tier: gold}
"""
EMPTIED = """\
features:
  invoice_history: {enabled: true}
metadata: {team: null, tier: null}
"""


def test_every_kind_of_field_set_emptied_and_set_again(project) -> None:
    project.emulator.seed(CATALOG, mode="test")
    for step, text in (("set", EVERYTHING), ("emptied", EMPTIED), ("set again", EVERYTHING)):
        project.write("every.yaml", text)
        applied = project.run("apply", "--env", "staging")
        assert applied.exit_code == 0, f"{step}: {applied.output}"
        again = project.run("plan", "--env", "staging", "--detailed-exitcode")
        assert again.exit_code == 0, f"{step}: {again.stdout}"
    config = by_key(project)["every"]
    assert config["features"]["subscription_update"]["products"][0]["prices"] and config["name"]


@pytest.mark.parametrize(
    "field, expected",
    [
        ("name", None),
        ("default_return_url", None),
        ("business_profile.headline", None),
        ("business_profile.privacy_policy_url", None),
        ("features.customer_update.allowed_updates", []),
        ("features.payment_method_update.payment_method_configuration", None),
        ("features.subscription_cancel.cancellation_reason.options", []),
        ("features.subscription_update.default_allowed_updates", []),
        ("features.subscription_update.schedule_at_period_end.conditions", []),
        ("features.subscription_cancel.mode", "at_period_end"),
        ("features.subscription_update.trial_update_behavior", "end_trial"),
        ("login_page.enabled", False),
    ],
)
def test_emptied_fields_are_empty_in_stripe(project, field, expected) -> None:
    project.emulator.seed(CATALOG, mode="test")
    project.write("every.yaml", EVERYTHING)
    assert project.run("apply", "--env", "staging").exit_code == 0
    project.write("every.yaml", EMPTIED)
    assert project.run("apply", "--env", "staging").exit_code == 0
    node = by_key(project)["every"]
    for part in field.split("."):
        node = node[part]
    assert node == expected
    products = by_key(project)["every"]["features"]["subscription_update"]["products"]
    assert not products
    metadata = by_key(project)["every"]["metadata"]
    assert "team" not in metadata and "tier" not in metadata
