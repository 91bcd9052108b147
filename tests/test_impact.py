"""portal/impact.py: what a customer will notice, in plain words, from one table of rules keyed by
field path. Every field of the file schema a customer can notice has a rule; the rest are listed,
each with why no customer notices it."""

from __future__ import annotations

from typing import Any

from portal_config.planning.changes import Create, Deactivate, FieldChange, Update
from portal_config.portal import impact, model
from portal_config.project.schema import config_schema

CANCEL = "features.subscription_cancel"
PRODUCTS = model.PRODUCTS


def _leaves(schema: dict[str, Any], prefix: str = "") -> list[str]:
    """Every field path of a file, stopping where a rule (or the list of fields customers cannot
    notice) takes the whole value: a products entry is said as one."""
    found = []
    for name, prop in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        if impact.rule_for(path) is not None or impact.unnoticed(path):
            continue
        if "properties" in prop:
            found += _leaves(prop, path + ".")
        else:
            found.append(path)
    return found


def test_every_field_a_customer_can_notice_has_a_rule() -> None:
    assert _leaves(config_schema()) == []
    # And every rule is of a field that exists (a renamed field leaves no stale rule behind).
    known = {f.path for f in model.fields()} | {"active"}
    assert set(impact.RULES) <= known


def update(*fields: tuple[str, Any, Any], labels: dict[str, str] | None = None) -> list[str]:
    change = Update("staging", "std", "bpc_1", None, tuple(FieldChange(*f) for f in fields), {})
    return change.impact(labels or {})


def test_a_change_of_cancellation_mode_is_said_in_plain_words() -> None:
    said = update(
        (f"{CANCEL}.mode", "at_period_end", "immediately"),
        (f"{CANCEL}.proration_behavior", "none", "create_prorations"),
    )
    assert said == [
        "Cancellations take effect immediately instead of at the end of the period, with prorations"
    ]
    assert update((f"{CANCEL}.enabled", True, False)) == [
        "Customers can no longer cancel in the portal"
    ]
    assert update((f"{CANCEL}.cancellation_reason.enabled", True, False)) == [
        "Customers are no longer asked why they cancel"
    ]


def test_return_urls_and_lists_say_what_moved() -> None:
    assert update(("default_return_url", "https://a.test/x", "https://b.test/y")) == [
        "Sessions return to https://b.test/y instead of https://a.test/x"
    ]
    said = update(("features.customer_update.allowed_updates", ("email",), ("address", "tax_id")))
    assert said == [
        "Customers can now update their address and tax ID",
        "Customers can no longer update their email",
    ]


def test_plans_are_named_by_their_labels_else_their_ids() -> None:
    old = (model.ProductEntry("prod_pro", ("price_pm",)),)
    new = (*old, model.ProductEntry("prod_team", ("price_tm", "price_ty")))
    labels = {"price_tm": "lookup_key:team_monthly", "price_ty": "lookup_key:team_yearly"}
    assert update((PRODUCTS, old, new), labels=labels) == [
        "Customers can now switch to team_monthly, team_yearly"
    ]
    assert update((PRODUCTS, new, old)) == [
        "Customers can no longer switch to prod_team (price_tm, price_ty)"
    ]


def test_what_no_customer_notices_is_not_said_and_an_unknown_field_by_its_name() -> None:
    assert update(("name", "Old", "New"), ("metadata.team", "a", "b")) == []
    assert update(("features.teleport.enabled", False, True)) == [
        "features.teleport.enabled changes (false -> true)"
    ]


def test_a_create_and_a_deactivation_have_their_sentence() -> None:
    fields = (
        FieldChange(f"{CANCEL}.enabled", None, True),
        FieldChange("features.invoice_history.enabled", None, True),
    )
    said = Create("staging", "std", None, None, fields, {}).impact({})
    assert said[0] == "A new portal: customers can see their invoice history"
    assert said[1:] == [  # what differs from Stripe's defaults, and what a feature turned on does
        "Customers can cancel in the portal",
        "Cancellations take effect at the end of the period",
        "Customers are not asked why they cancel",
    ]
    gone = Deactivate("staging", "std", "bpc_1", None, (FieldChange("active", True, False),), {})
    assert gone.impact({}) == ["Portal sessions created with this configuration will fail"]


def test_a_feature_turned_off_says_nothing_of_its_details() -> None:
    said = update(
        (f"{CANCEL}.enabled", True, False), (f"{CANCEL}.mode", "immediately", "at_period_end")
    )
    assert said == ["Customers can no longer cancel in the portal"]


def test_values_cannot_smuggle_control_characters() -> None:
    (said,) = update(("business_profile.headline", None, "Hi\x1b[31m\nthere"))
    assert "\x1b" not in said and "\n" not in said, said


def test_offline_entries_of_unresolved_products_are_each_named() -> None:
    """Offline (explain, diff) every entry's product is the product of its prices: two entries
    are two offers, never one."""
    pro = model.ProductEntry(model.UNRESOLVED_PRODUCT, ("lookup_key:pro_m", "lookup_key:pro_y"))
    team = model.ProductEntry(model.UNRESOLVED_PRODUCT, ("lookup_key:team_m",))
    values = {f"{PRODUCTS[: -len('.products')]}.enabled": True, PRODUCTS: (pro, team)}
    assert "Customers can switch to pro_m, pro_y; team_m" in impact.describe(values, {})
    assert update((PRODUCTS, (pro,), (pro, team))) == ["Customers can now switch to team_m"]


def test_offers_are_said_in_one_order_whatever_the_ids() -> None:
    team = model.ProductEntry("prod_a", ("price_t",))
    pro = model.ProductEntry("prod_b", ("price_p",))
    labels = {"price_t": "lookup_key:team", "price_p": "lookup_key:pro"}
    assert update((PRODUCTS, (), (team, pro)), labels=labels) == [
        "Customers can now switch to pro; team"
    ]
