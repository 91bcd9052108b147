"""doctor end to end, for IDs of the other mode: a price a file names or a configuration `ids:`
pins that exists only in the other mode is named as a live/test mix-up with what to do, as
Stripe's "a similar object exists in ... mode" says (issue 22)."""

from __future__ import annotations

from portal_config.emulator.seed import DASHBOARD_DEFAULT
from tests.support.cli import finding

from .stripe_state import TEST_KEY, client

LIVE_DEFAULT = {**DASHBOARD_DEFAULT, "default_return_url": "https://example.com/account"}
TEST_PRO = {
    "id": "prod_test_pro",
    "name": "Pro",
    "prices": [
        {"id": "price_test_monthly", "unit_amount": 2000, "recurring": {"interval": "month"}}
    ],
}
PINNED_PRICE = """\
name: Plans
default_return_url: "${app_url}/account"
features:
  subscription_update:
    enabled: true
    default_allowed_updates: [price]
    products:
      - prices: [price_test_monthly]
"""
BASIC = """\
default_return_url: "${app_url}/account"
features:
  invoice_history: {enabled: true}
"""


def test_a_test_mode_price_in_a_live_file_is_named_a_test_mode_price(project) -> None:
    project.emulator.seed({"default_configuration": LIVE_DEFAULT}, mode="live")
    project.emulator.seed({"products": [TEST_PRO]}, mode="test")
    project.write("plans.yaml", PINNED_PRICE)
    result = project.run("doctor", "--env", "prod")
    assert result.exit_code == 1, result.output
    line = finding(
        result,
        "problem",
        "configs/plans.yaml:8:",
        "price_test_monthly is a test-mode price in a live-mode environment",
    )
    assert "a similar object exists in test mode" in line  # Stripe's own words
    assert "lookup_key:" in line  # what to write instead


def test_a_configuration_of_the_other_mode_pinned_in_ids_is_named_a_mix_up(project) -> None:
    project.emulator.seed({"default_configuration": LIVE_DEFAULT}, mode="live")
    test_mode = client(project, TEST_KEY).v1.billing_portal.configurations.create(
        {"features": {"invoice_history": {"enabled": True}}}
    )
    project.write("basic.yaml", BASIC + f"ids: {{prod: {test_mode.id}}}\n")
    result = project.run("doctor", "--env", "prod")
    assert result.exit_code == 1, result.output
    line = finding(
        result,
        "problem",
        "configs/basic.yaml:4:",
        f"{test_mode.id} is a test-mode configuration pinned in a live-mode environment",
    )
    assert "a similar object exists in test mode" in line
    assert "fix: pin this environment's own live mode configuration" in line
    assert "`portal-config ids --env prod`" in line
