"""Issue 5: import existing portals, and one set of files for test and live (lookup keys)."""

from __future__ import annotations

import json
import re

import pytest
import stripe

from portal_config.portal import model

from .stripe_state import LIVE_KEY, TEST_KEY, catalog, configurations

FULL = {
    "name": "Full portal",
    "default_return_url": "https://staging.example.com/account",
    "business_profile": {
        "headline": "Everything.",
        "privacy_policy_url": "https://e.com/p",
        "terms_of_service_url": "https://e.com/t",
    },
    "login_page": {"enabled": True},
    "features": {
        "customer_update": {"enabled": True, "allowed_updates": ["email", "tax_id"]},
        "invoice_history": {"enabled": True},
        "payment_method_update": {"enabled": True, "payment_method_configuration": "pmc_1"},
        "subscription_cancel": {
            "enabled": True,
            "mode": "immediately",
            "proration_behavior": "create_prorations",
            "cancellation_reason": {
                "enabled": True,
                "options": ["unused", "other"],
                "feedback_options": ["fo_1"],
            },
        },
        "subscription_update": {
            "enabled": True,
            "default_allowed_updates": ["price", "quantity"],
            "proration_behavior": "always_invoice",
            "billing_cycle_anchor": "now",
            "trial_update_behavior": "continue_trial",
            "schedule_at_period_end": {"conditions": [{"type": "shortening_interval"}]},
            "products": [
                {
                    "product": "prod_pro_t",
                    "prices": ["price_pm_t", "price_py_t"],
                    "adjustable_quantity": {"enabled": True, "minimum": 2, "maximum": 9},
                }
            ],
        },
        "subscription_pause": {
            "enabled": True,
            "duration": {
                "type": "interval_options",
                "interval_options": [
                    {"interval": "week", "interval_count": 2},
                    {"interval": "month", "interval_count": 1},
                ],
            },
        },
    },
    "metadata": {"owner": "billing-team"},
}


def sdk(project, key: str) -> stripe.StripeClient:
    return stripe.StripeClient(key, base_addresses={"api": project.emulator.url})


def listed(project, key: str) -> list[dict]:
    return configurations(project, key)


# Not under refuse-default-updates: it updates the default.
@pytest.mark.behaviours("documented", "first-becomes-default")
def test_import_round_trips_through_plan_and_a_second_account(project, tmp_path) -> None:
    project.emulator.seed(
        {
            **catalog("t"),
            "default_configuration": {
                "features": {"invoice_history": {"enabled": True}},
                "name": "Main",
            },
        },
        mode="test",
    )
    project.emulator.seed({**catalog("l"), "default_configuration": True}, mode="live")
    configs = sdk(project, TEST_KEY).v1.billing_portal.configurations
    configs.create(FULL)
    configs.create({"name": "Basic", "features": {"invoice_history": {"enabled": True}}})

    imported = project.run("import", "--env", "staging")
    assert imported.exit_code == 0, imported.output
    names = sorted(p.name for p in project.configs.glob("*.yaml"))
    assert names == ["basic.yaml", "full-portal.yaml", "main.yaml", "portal-config.yaml"]
    full = (project.configs / "full-portal.yaml").read_text()
    assert "lookup_key:pro_monthly" in full and "product:" not in full
    assert "default_return_url: ${app_url}/account" in full  # serves every environment
    assert re.search(r"ids:\n  staging: bpc_\w+", full)
    assert "default: true" in (project.configs / "main.yaml").read_text()

    plan = project.run("plan", "--env", "staging", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert "No changes." in plan.stdout

    again = project.run("import", "--env", "staging")  # every configuration has its file
    assert again.exit_code == 0 and "skipped 3 configuration(s)" in again.stderr
    assert "Imported 0 configuration(s)" in again.stdout
    refused = project.run("import", "--env", "staging", "--out", str(project.configs))
    assert refused.exit_code == 1 and "nothing was written" in refused.stderr

    # The same files, applied to the live account, then imported back: the same files.
    applied = project.run("apply", "--env", "prod", "--yes")
    assert applied.exit_code == 0, applied.output
    again = project.run("import", "--env", "prod", "--out", str(tmp_path / "from-prod"))
    assert again.exit_code == 0, again.output
    for name in ("basic.yaml", "full-portal.yaml", "main.yaml"):
        first = (project.configs / name).read_text()
        second = (tmp_path / "from-prod" / name).read_text()
        strip = lambda text: re.sub(r"ids:\n(  \w+: bpc_\w+\n)+", "", text)  # noqa: E731
        assert strip(first) == strip(second), name


def test_one_set_of_files_promotes_from_test_to_live(project) -> None:
    project.emulator.seed(catalog("t"), mode="test")
    project.emulator.seed(catalog("l"), mode="live")
    project.write(
        "standard.yaml",
        """\
        name: Standard
        default_return_url: "${app_url}/account"
        features:
          subscription_update:
            enabled: true
            default_allowed_updates: [price]
            products:
              - prices: [lookup_key:pro_monthly, lookup_key:pro_yearly]
              - prices: [lookup_key:team_monthly]
        """,
    )
    plan = project.run("plan", "--env", "staging")
    assert "lookup_key:pro_monthly (price_pm_t)" in plan.stdout, plan.output
    as_json = json.loads(project.run("plan", "--env", "staging", "--format", "json").stdout)
    (products,) = [
        f for f in as_json["environments"][0]["changes"][0]["fields"] if f["path"] == model.PRODUCTS
    ]
    assert products["old"] is None
    assert products["new"][0]["prices"] == ["price_pm_t", "price_py_t"]
    assert as_json["environments"][0]["price_labels"]["price_pm_t"] == "lookup_key:pro_monthly"
    assert project.run("apply", "--env", "staging").exit_code == 0
    assert project.run("apply", "--env", "prod", "--yes").exit_code == 0

    (test_cfg,), (live_cfg,) = listed(project, TEST_KEY), listed(project, LIVE_KEY)
    products = "features.subscription_update.products"
    test_state, live_state = model.canonical(test_cfg), model.canonical(live_cfg)
    assert {p: v for p, v in test_state.items() if p not in (products, "default_return_url")} == {
        p: v for p, v in live_state.items() if p not in (products, "default_return_url")
    }
    assert [(e.product, e.prices) for e in test_state[products]] == [
        ("prod_pro_t", ("price_pm_t", "price_py_t")),
        ("prod_team_t", ("price_tm_t",)),
    ]
    assert [(e.product, e.prices) for e in live_state[products]] == [
        ("prod_pro_l", ("price_pm_l", "price_py_l")),
        ("prod_team_l", ("price_tm_l",)),
    ]
    assert live_cfg["default_return_url"] == "https://example.com/account"


def test_unusable_lookup_keys_are_errors_before_anything_is_written(project) -> None:
    project.emulator.seed(catalog("t"), mode="test")
    path = project.write(
        "bad.yaml",
        """\
        features:
          subscription_update:
            enabled: true
            products:
              - prices: [lookup_key:nope]
              - prices: [lookup_key:setup_fee]
              - prices: [lookup_key:team_legacy]
              - prices: [lookup_key:pro_monthly, lookup_key:team_monthly]
        """,
    )
    project.emulator.clear_log()
    result = project.run("apply", "--env", "staging")
    assert result.exit_code == 1
    assert (
        f"{path}:5:18: lookup_key:nope matches no price in environment 'staging'" in result.stdout
    )
    assert "lookup_key:setup_fee is the one-time price price_once_t" in result.stdout
    assert "lookup_key:team_legacy is the archived price price_old_t" in result.stdout
    assert "belong to different products (prod_pro_t, prod_team_t)" in result.stdout
    assert "nothing was applied" in result.stderr
    assert project.writes() == []


# Not under first-becomes-default: the first configuration it creates would become the default.
@pytest.mark.behaviours("documented", "refuse-default-updates")
def test_import_edge_cases_still_plan_no_changes(project) -> None:
    configs = sdk(project, TEST_KEY).v1.billing_portal.configurations
    retired = configs.create(
        {"name": "Retired", "features": {"invoice_history": {"enabled": True}}}
    )
    configs.update(retired.id, {"active": False})
    configs.create({"name": "L" * 120, "features": {"invoice_history": {"enabled": True}}})
    configs.create(
        {
            "name": "Promo",
            "business_profile": {"headline": "Save ${5} today"},
            "features": {"invoice_history": {"enabled": True}},
        }
    )
    ours = configs.create(
        {
            "name": "Renamed later",
            "metadata": {
                "portal_config_project": "acme",
                "portal_config_env": "prod",
                "portal_config_key": "standard",
            },
            "features": {"invoice_history": {"enabled": True}},
        }
    )

    result = project.run("import", "--env", "staging", "--include-inactive")
    assert result.exit_code == 0, result.output
    retired_file = (project.configs / "retired.yaml").read_text()
    assert "active: false" in retired_file
    assert "Save $${5} today" in (project.configs / "promo.yaml").read_text()
    assert (project.configs / ("l" * 96 + ".yaml")).exists()
    assert f"staging: {ours.id}" in (project.configs / "standard.yaml").read_text()

    assert project.run("validate").exit_code == 0
    plan = project.run("plan", "--env", "staging", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert [c["name"] for c in listed(project, TEST_KEY) if c["id"] == retired.id] == ["Retired"]


def test_every_environments_price_problems_are_reported_together(project) -> None:
    project.emulator.seed(catalog("t"), mode="test")  # the live account has no such prices
    path = project.write(
        "std.yaml",
        """\
        features:
          subscription_update:
            enabled: true
            products:
              - prices: [lookup_key:pro_monthly]
              - prices: [lookup_key:pro_yearly]
              - product: prod_x
                prices: [price_missing]
              - prices: [price_missing_too]
        """,
    )
    result = project.run("plan", "--all")
    assert result.exit_code == 1
    assert (
        f"{path}:6:9: in environment 'staging' product prod_pro_t is already offered by "
        "entry 1: put all its prices in one entry"
    ) in result.stdout
    assert "lookup_key:pro_monthly matches no price in environment 'prod'" in result.stdout
    assert (
        f"{path}:9:18: price price_missing_too does not exist in test mode (environment "
        "'staging')" in result.stdout
    )
    assert "Traceback" not in result.output


def test_a_removed_price_is_named_by_its_lookup_key(project) -> None:
    project.emulator.seed(catalog("t"), mode="test")
    text = """\
        features:
          subscription_update:
            enabled: true
            default_allowed_updates: [price]  # Stripe may refuse an enabled one without
            products: [{prices: [lookup_key:pro_monthly, lookup_key:pro_yearly]}]
        """
    project.write("standard.yaml", text)
    assert project.run("apply", "--env", "staging").exit_code == 0
    project.write("standard.yaml", text.replace(", lookup_key:pro_yearly", ""))
    result = project.run("plan", "--env", "staging")
    assert (
        "      - prod_pro_t: lookup_key:pro_monthly (price_pm_t), lookup_key:pro_yearly "
        "(price_py_t)"
    ) in result.stdout
    assert "      + prod_pro_t: lookup_key:pro_monthly (price_pm_t)" in result.stdout


def test_a_price_problem_in_one_environment_leaves_the_others_planned(project) -> None:
    project.emulator.seed(catalog("l"), mode="live")  # staging has none of these prices
    project.write(
        "std.yaml",
        "features:\n  subscription_update:\n    enabled: true\n"
        "    products: [{prices: [lookup_key:pro_monthly]}]\n",
    )
    result = project.run("plan", "--all", "--detailed-exitcode")
    assert result.exit_code == 1
    assert "+ std in prod will be created" in result.stdout
    assert (
        "  staging: " in result.stdout
        and "matches no price in environment 'staging'" in result.stdout
    )
    applied = project.run("apply", "--all", "--yes")
    assert applied.exit_code == 1 and "nothing was applied" in applied.stderr
    assert project.writes() == []


def test_import_again_adds_only_what_the_files_do_not_describe(project) -> None:
    configs = sdk(project, TEST_KEY).v1.billing_portal.configurations
    configs.create({"name": "First", "features": {"invoice_history": {"enabled": True}}})
    assert project.run("import", "--env", "staging").exit_code == 0
    configs.create({"name": "Second", "features": {"invoice_history": {"enabled": True}}})
    again = project.run("import", "--env", "staging")
    assert again.exit_code == 0, again.output
    assert "skipped 1 configuration(s) the files already describe" in again.stderr
    assert "wrote configs/second.yaml" in again.stdout or "second.yaml" in again.stdout
    assert project.run("plan", "--env", "staging", "--detailed-exitcode").exit_code == 0
