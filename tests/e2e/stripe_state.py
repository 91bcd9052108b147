"""What the e2e tests read back from the emulator: the state a user would see in Stripe.

Stripe leaves `products` out unless expanded, so every read here expands it, as portal-config does.
Shared sample files live here too, so no test module imports another.
"""

from __future__ import annotations

from typing import Any

import stripe

TEST_KEY = "sk_test_e2e_4eC39HqLyjWDarjtT1zdp7dc"
LIVE_KEY = "sk_live_e2e_4eC39HqLyjWDarjtT1zdp7dc"
PRODUCTS = "features.subscription_update.products"

# A product with one monthly price, offered by its lookup key.
PRO = {
    "id": "prod_pro",
    "name": "Pro",
    "prices": [
        {
            "id": "price_pro_monthly",
            "lookup_key": "pro_monthly",
            "unit_amount": 2000,
            "recurring": {"interval": "month"},
        }
    ],
}
STANDARD = """\
name: Standard portal
default_return_url: "${app_url}/account"
business_profile:
  headline: Acme partners with Stripe for simplified billing.
features:
  customer_update: {enabled: true, allowed_updates: [email, address]}
  invoice_history: {enabled: true}
  subscription_cancel:
    enabled: true
    cancellation_reason: {enabled: true, options: [too_expensive, other]}
metadata: {team: billing}
"""
PLANS = """\
name: Plans
default_return_url: "${app_url}/account"
features:
  invoice_history: {enabled: true}
  subscription_update:
    enabled: true
    default_allowed_updates: [price]
    products:
      - prices: [lookup_key:pro_monthly, lookup_key:pro_yearly]
"""
BASIC = """\
name: Basic
features:
  invoice_history: {enabled: true}
"""


def catalog(suffix: str) -> dict:
    """The same lookup keys in each account, with that account's own IDs."""
    return {
        "products": [
            {
                "id": f"prod_pro_{suffix}",
                "name": "Pro",
                "prices": [
                    {
                        "id": f"price_pm_{suffix}",
                        "lookup_key": "pro_monthly",
                        "unit_amount": 2000,
                        "currency": "usd",
                        "recurring": {"interval": "month"},
                    },
                    {
                        "id": f"price_py_{suffix}",
                        "lookup_key": "pro_yearly",
                        "unit_amount": 20000,
                        "currency": "usd",
                        "recurring": {"interval": "year"},
                    },
                ],
            },
            {
                "id": f"prod_team_{suffix}",
                "name": "Team",
                "prices": [
                    {
                        "id": f"price_tm_{suffix}",
                        "lookup_key": "team_monthly",
                        "unit_amount": 5000,
                        "currency": "usd",
                        "recurring": {"interval": "month"},
                    },
                    {
                        "id": f"price_nolk_{suffix}",
                        "unit_amount": 7000,
                        "currency": "usd",
                        "recurring": {"interval": "month"},
                    },
                    {
                        "id": f"price_once_{suffix}",
                        "lookup_key": "setup_fee",
                        "unit_amount": 900,
                        "currency": "usd",
                        "recurring": None,
                    },
                    {
                        "id": f"price_old_{suffix}",
                        "lookup_key": "team_legacy",
                        "unit_amount": 4000,
                        "currency": "usd",
                        "recurring": {"interval": "month"},
                        "active": False,
                    },
                ],
            },
        ]
    }


def client(project: Any, key: str = TEST_KEY, account: str | None = None) -> stripe.StripeClient:
    return stripe.StripeClient(
        key, base_addresses={"api": project.emulator.url}, stripe_account=account
    )


def configurations(
    project: Any, key: str = TEST_KEY, account: str | None = None
) -> list[dict[str, Any]]:
    listed = client(project, key, account).v1.billing_portal.configurations.list(
        {"limit": 100, "expand": [f"data.{PRODUCTS}"]}
    )
    return [c.to_dict() for c in listed.auto_paging_iter()]


def by_key(project: Any, key: str = TEST_KEY, account: str | None = None) -> dict[str, Any]:
    return {
        c["metadata"].get("portal_config_key"): c for c in configurations(project, key, account)
    }


def dashboard_edit(project: Any, config: str, params: dict[str, Any], key: str = TEST_KEY) -> None:
    """What someone clicking in the Dashboard does to the configuration of key `config`, in the
    mode of `key` (the test mode's: staging)."""
    config_id = by_key(project, key)[config]["id"]
    client(project, key).v1.billing_portal.configurations.update(config_id, params)


def applied(project: Any, *envs: str) -> None:
    for env in envs:
        result = project.run("apply", "--env", env, "--yes")
        assert result.exit_code == 0, result.output


def clean(project: Any, *envs: str) -> None:
    """`plan` of each environment shows no changes (exit 0 with --detailed-exitcode)."""
    for env in envs:
        result = project.run("plan", "--env", env, "--detailed-exitcode")
        assert result.exit_code == 0, result.output
        assert "No changes." in result.stdout
