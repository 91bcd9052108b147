"""doctor end to end, for a deep link: `--flow TYPE` (a session's flow_data.type) is checked
against each configuration's features, since a flow opens only what the configuration enables
(docs.stripe.com/customer-management/portal-deep-links; API-REFERENCE §7, §11.1) (issue 22)."""

from __future__ import annotations

from portal_config.emulator.seed import DASHBOARD_DEFAULT
from tests.support.cli import finding

from .fleets import fleet
from .stripe_state import PRO

HEALTHY_DEFAULT = {**DASHBOARD_DEFAULT, "default_return_url": "https://staging.example.com/account"}
TEAM_PRICE = {
    "id": "price_team_monthly",
    "lookup_key": "team_monthly",
    "unit_amount": 9000,
    "recurring": {"interval": "month"},
}
NO_UPDATES = """\
default_return_url: "${app_url}/account"
features:
  invoice_history: {enabled: true}
  subscription_update: {enabled: false}
"""
UPDATES_WITHOUT_PRODUCTS = """\
default_return_url: "${app_url}/account"
features:
  subscription_update:
    enabled: true
    default_allowed_updates: [quantity]
"""
PLANS = """\
default_return_url: "${app_url}/account"
features:
  subscription_update:
    enabled: true
    default_allowed_updates: [price]
    products:
      - prices: [lookup_key:pro_monthly]
"""


def applied(project, **files: str) -> None:
    project.emulator.seed({"default_configuration": HEALTHY_DEFAULT, "products": [PRO]})
    for name, text in files.items():
        project.write(f"{name}.yaml", text)
    result = project.run("apply", "--env", "staging")
    assert result.exit_code == 0, result.output


def test_a_flow_no_configuration_enables_is_a_problem_at_the_features_line(project) -> None:
    applied(project, basic=NO_UPDATES)
    result = project.run("doctor", "--env", "staging", "--flow", "subscription_update")
    assert result.exit_code == 1, result.output
    line = finding(
        result,
        "problem",
        "flow basic",
        "configs/basic.yaml:4:",
        "subscription_update deep links fail",
    )
    assert "features.subscription_update.enabled" in line
    assert "fix: set features.subscription_update.enabled: true in " in line
    assert "configs/basic.yaml and apply" in line
    # the default (the Dashboard's) does not enable it either: its fix is the Dashboard
    assert "settings/billing/portal" in finding(result, "problem", "flow default")


def test_a_flow_one_configuration_enables_is_ok_there_and_a_warning_elsewhere(project) -> None:
    applied(project, basic=NO_UPDATES)
    result = project.run("doctor", "--env", "staging", "--flow", "subscription_cancel")
    assert result.exit_code == 2, result.output
    finding(result, "ok", "flow default", "subscription_cancel")
    line = finding(result, "warning", "flow basic", "features.subscription_cancel")
    assert "fix: set features.subscription_cancel.enabled: true in " in line


def test_update_confirm_needs_prices_in_the_products(project) -> None:
    applied(project, basic=UPDATES_WITHOUT_PRODUCTS, plans=PLANS)
    result = project.run("doctor", "--env", "staging", "--flow", "subscription_update_confirm")
    assert result.exit_code == 2, result.output
    line = finding(result, "warning", "flow basic", "configs/basic.yaml:4:")
    assert "features.subscription_update.products offers no price" in line
    assert "fix: add the deep link's prices to features.subscription_update.products" in line
    finding(result, "ok", "flow plans", "subscription_update_confirm")


def test_without_flow_no_flow_is_checked(project) -> None:
    applied(project, basic=NO_UPDATES)
    result = project.run("doctor", "--env", "staging")
    assert "flow " not in result.stdout, result.output


def test_every_flow_type_stripe_takes_is_checked() -> None:
    """--flow offers each flow_data.type of the shipped OpenAPI extract and subscription_pause
    (2026-10-28.endive), as the emulator accepts them."""
    from portal_config.doctor.flows import FLOW_FEATURES
    from portal_config.portal.openapi import request_schema

    flow = request_schema("/v1/billing_portal/sessions")["properties"]["flow_data"]
    types = set(flow["properties"]["type"]["enum"]) | {"subscription_pause"}
    assert set(FLOW_FEATURES) == types


def test_a_fleet_checks_the_flow_in_each_account(project) -> None:
    accounts = fleet(project, size=2, others=0)
    for account in accounts:
        project.emulator.seed({"default_configuration": DASHBOARD_DEFAULT}, account=account)
    assert project.run("apply", "--env", "fleet").exit_code == 0
    result = project.run("doctor", "--env", "fleet", "--flow", "subscription_update")
    assert result.exit_code == 1, result.output
    assert "Fleet fleet: 2 account(s): 0 healthy, 2 with findings." in result.stdout
    for account in accounts:
        assert f"fleet/{account}: 2 problem(s)" in result.stdout, result.output
    line = finding(result, "problem", "flow tenant", "features.subscription_update.enabled")
    assert "configs/tenant.yaml:7:3" in line  # the nearest written parent: features


def test_update_confirm_with_a_price_needs_that_price_in_the_products(project) -> None:
    project.emulator.seed(
        {"products": [{"id": "prod_team", "name": "Team", "prices": [TEAM_PRICE]}]}
    )
    applied(project, plans=PLANS)
    args = ["doctor", "--env", "staging", "--flow", "subscription_update_confirm"]
    offered = project.run(*args, "--price", "price_pro_monthly")
    finding(offered, "ok", "flow plans", "subscription_update_confirm")
    result = project.run(*args, "--price", "price_team_monthly")
    assert result.exit_code == 1, result.output
    line = finding(result, "problem", "flow plans", "does not offer price_team_monthly")
    assert "configs/plans.yaml:7:7" in line  # the products
    assert "fix: add price_team_monthly to features.subscription_update.products" in line


def test_price_is_refused_without_the_update_confirm_flow(project) -> None:
    result = project.run("doctor", "--env", "staging", "--price", "price_pro_monthly")
    assert result.exit_code == 1, result.output
    assert "--price needs --flow subscription_update_confirm" in result.stderr
    assert project.emulator.request_log == []
