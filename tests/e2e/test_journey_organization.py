"""Journey: a team whose Stripe accounts belong to one organization uses one organization key
(`sk_org...`, docs.stripe.com/keys/organization-api-keys) for them all. Each request names the
account it acts for in `Stripe-Context` (docs.stripe.com/context), never `Stripe-Account`; one
environment is one account (`stripe_context:`), a fleet is several of the organization's
accounts (`stripe_accounts: {organization: [...]}`). The key's mode is confirmed from Stripe's
answers before anything is written, and the key is never printed."""

from __future__ import annotations

from typing import Any

import stripe

from .stripe_state import PLANS, STANDARD, TEST_KEY, clean

ORG_KEY = "sk_org_test_51QaZe2eOrganizationKey0123456789"
LIVE_ORG_KEY = "sk_org_live_51QaZe2eOrganizationKey0123456789"
SHOP = "acct_1OrgShop00000001"
FLEET = ("acct_1OrgBrandA000001", "acct_1OrgBrandB000002", "acct_1OrgBrandC000003")
ORG_ENVS = """\
  shop:
    mode: test
    api_key_env: PORTAL_CONFIG_E2E_ORG_KEY
    api_base: {url}
    stripe_context: {shop}
    vars: {{app_url: "https://shop.example.com"}}
  brands:
    mode: test
    api_key_env: PORTAL_CONFIG_E2E_ORG_KEY
    api_base: {url}
    stripe_accounts: {{organization: [{fleet}]}}
    vars: {{app_url: "https://brands.example.com"}}
"""

# An account with no configuration and no price gives no `livemode` to check: before a plan that
# writes, its balance is read (GET /v1/balance, docs.stripe.com/api/balance/balance_object).
BALANCE = "/v1/balance"

CONNECT_ENV = """\
  tenants:
    mode: test
    api_key_env: PORTAL_CONFIG_E2E_ORG_KEY
    api_base: {url}
    stripe_context: {platform}
    stripe_accounts: {{connected: all}}
    vars: {{app_url: "https://tenants.example.com"}}
"""


def organization_project(project: Any, monkeypatch: Any, key: str = ORG_KEY) -> None:
    monkeypatch.setenv("PORTAL_CONFIG_E2E_ORG_KEY", key)
    path = project.configs / "portal-config.yaml"
    envs = ORG_ENVS.format(url=project.emulator.url, shop=SHOP, fleet=", ".join(FLEET))
    path.write_text(path.read_text() + envs)
    project.write("standard.yaml", STANDARD)


def org_client(project: Any, key: str = ORG_KEY, context: str = SHOP) -> stripe.StripeClient:
    return stripe.StripeClient(
        key, base_addresses={"api": project.emulator.url}, stripe_context=context
    )


def balance_reads(project: Any) -> int:
    return sum(r.path == BALANCE for r in project.emulator.request_log)


def configurations_of(project: Any, context: str) -> list[dict[str, Any]]:
    """What the organization's account `context` holds, read with the organization key."""
    listed = org_client(project, context=context).v1.billing_portal.configurations.list(
        {"limit": 100}
    )
    return [c.to_dict() for c in listed.auto_paging_iter()]


def assert_context_only(project: Any, contexts: set[str]) -> None:
    """Every request named one of `contexts` in Stripe-Context, and none sent Stripe-Account."""
    log = project.emulator.request_log
    assert log
    assert {r.headers.get("stripe-context") for r in log} == contexts
    assert all("stripe-account" not in r.headers for r in log)
    # none refused for its headers (400); doctor's write probe is a 404 by design
    assert [(r.path, r.status) for r in log if r.status == 400] == []


def test_an_organization_account_applies_and_plans_clean_through_stripe_context(
    project, monkeypatch
) -> None:
    organization_project(project, monkeypatch)

    applied = project.run("--verbose", "apply", "--env", "shop")
    assert applied.exit_code == 0, applied.output
    assert "+ standard in shop will be created" in applied.stdout
    assert ORG_KEY not in applied.output
    # --verbose names the account each request acts for, from Stripe-Context
    logged = [line for line in applied.stderr.splitlines() if line.startswith("Stripe: ")]
    assert logged and all(f"account {SHOP}" in line for line in logged), logged
    clean(project, "shop")

    assert_context_only(project, {SHOP})
    made = configurations_of(project, SHOP)
    assert [c["metadata"]["portal_config_key"] for c in made] == ["standard"]
    # an empty account: its mode confirmed by its balance, read once, in its context
    balances = [r for r in project.emulator.request_log if r.path == BALANCE]
    assert [r.headers["stripe-context"] for r in balances] == [SHOP]


def test_a_fleet_of_the_organizations_accounts_applies_and_plans_clean(
    project, monkeypatch
) -> None:
    organization_project(project, monkeypatch)

    applied = project.run("apply", "--env", "brands")
    assert applied.exit_code == 0, applied.output
    assert "Apply complete: 3 created" in applied.stdout, applied.stdout
    assert ORG_KEY not in applied.output
    clean(project, "brands")

    assert_context_only(project, set(FLEET))
    for account in FLEET:
        made = configurations_of(project, account)
        assert [c["metadata"]["portal_config_key"] for c in made] == ["standard"], account
    assert configurations_of(project, SHOP) == []


def test_an_organization_accounts_object_is_read_as_itself(project, monkeypatch) -> None:
    organization_project(project, monkeypatch)
    project.write(
        "regional.yaml",
        """\
        environments: [brands]
        name: "Portal for ${account.country}"
        features: {invoice_history: {enabled: true}}
        """,
    )

    applied = project.run("apply", "--env", "brands", "--target", "regional")
    assert applied.exit_code == 0, applied.output
    assert_context_only(project, set(FLEET))
    read = [r for r in project.emulator.request_log if r.path.startswith("/v1/account")]
    assert sorted((r.path, r.headers["stripe-context"]) for r in read) == [
        ("/v1/account", account) for account in FLEET
    ]
    (made,) = configurations_of(project, FLEET[0])
    assert made["name"] == "Portal for US"


def test_a_platforms_connected_accounts_are_reached_below_it(project, monkeypatch) -> None:
    organization_project(project, monkeypatch)
    connected = project.emulator.add_connected_accounts(2, platform=SHOP)
    path = project.configs / "portal-config.yaml"
    path.write_text(path.read_text() + CONNECT_ENV.format(url=project.emulator.url, platform=SHOP))

    applied = project.run("apply", "--env", "tenants")
    assert applied.exit_code == 0, applied.output
    assert "Apply complete: 2 created" in applied.stdout
    clean(project, "tenants")

    # listed through the platform's context, each account through platform/connected
    assert_context_only(project, {SHOP, *(f"{SHOP}/{account}" for account in connected)})
    for account in connected:
        (made,) = configurations_of(project, account)
        assert made["metadata"]["portal_config_key"] == "standard"
    assert configurations_of(project, SHOP) == []


def test_doctor_works_on_an_organization_environment(project, monkeypatch) -> None:
    organization_project(project, monkeypatch)
    applied = project.run("apply", "--env", "shop")
    assert applied.exit_code == 0, applied.output

    doctor = project.run("doctor", "--env", "shop")
    assert "Doctor for shop" in doctor.stdout, doctor.output
    assert "organization key in PORTAL_CONFIG_E2E_ORG_KEY works" in doctor.stdout
    # organization keys may be restricted like rk_ keys: the write permission is probed
    assert "the organization key may write portal configurations" in doctor.stdout
    assert ORG_KEY not in doctor.output
    assert_context_only(project, {SHOP})

    project.emulator.clear_log()
    fleet = project.run("doctor", "--env", "brands")
    assert "Traceback" not in fleet.output
    assert all(account in fleet.stdout for account in FLEET), fleet.output
    assert_context_only(project, set(FLEET))


def test_the_embedded_emulator_acts_for_the_account_stripe_context_names(project) -> None:
    path = project.configs / "portal-config.yaml"
    path.write_text(
        path.read_text()
        + "  local:\n    mode: test\n    emulator: state.json\n"
        + f"    stripe_context: {SHOP}\n    vars: {{app_url: 'http://localhost:3000'}}\n"
    )
    project.write("standard.yaml", STANDARD)

    applied = project.run("apply", "--env", "local")
    assert applied.exit_code == 0, applied.output
    clean(project, "local")
    listed = project.run("ids", "--env", "local")
    assert listed.exit_code == 0, listed.output
    assert "standard" in listed.stdout
    assert f"test:{SHOP}" in (project.configs / "state.json").read_text()  # that account's


def test_an_organization_key_without_stripe_context_is_refused_at_its_line(
    project, monkeypatch
) -> None:
    monkeypatch.setenv("PORTAL_CONFIG_E2E_TEST_KEY", ORG_KEY)
    project.write("standard.yaml", STANDARD)

    planned = project.run("plan", "--env", "staging")
    assert planned.exit_code == 1
    assert "Traceback" not in planned.output
    assert "portal-config.yaml:6:5: environment 'staging'" in planned.stderr, planned.output
    assert "stripe_context: acct_" in planned.stderr
    assert ORG_KEY not in planned.output
    assert project.emulator.request_log == []


def test_a_live_answer_to_a_test_environment_is_refused_before_writing(
    project, monkeypatch
) -> None:
    # the key's prefix is not documented to say its mode: Stripe's answers do
    organization_project(project, monkeypatch, key=LIVE_ORG_KEY)
    stripe.StripeClient(
        LIVE_ORG_KEY, base_addresses={"api": project.emulator.url}, stripe_context=SHOP
    ).v1.billing_portal.configurations.create({"features": {"invoice_history": {"enabled": True}}})
    project.emulator.clear_log()

    applied = project.run("apply", "--env", "shop", "--yes")
    assert applied.exit_code == 1, applied.output
    assert "live mode" in applied.output
    assert "environment 'shop' is test mode" in applied.output
    assert project.writes() == []
    assert balance_reads(project) == 0  # the configuration's livemode told: no balance read
    assert LIVE_ORG_KEY not in applied.output

    doctor = project.run("doctor", "--env", "shop")
    assert doctor.exit_code == 1, doctor.output
    assert "its organization key is a live mode key" in doctor.stdout, doctor.output
    assert "works and is a test mode key" not in doctor.stdout
    assert LIVE_ORG_KEY not in doctor.output


def test_a_live_key_for_a_test_environment_on_an_empty_account_writes_nothing(
    project, monkeypatch
) -> None:
    organization_project(project, monkeypatch, key=LIVE_ORG_KEY)

    applied = project.run("apply", "--env", "shop", "--yes")
    assert applied.exit_code == 1, applied.output
    assert "Traceback" not in applied.output
    assert "environment 'shop' is test mode but Stripe answered with a live mode balance" in (
        applied.output
    )
    assert "its organization key is a live mode key" in applied.output
    assert project.writes() == []
    assert balance_reads(project) == 1
    assert LIVE_ORG_KEY not in applied.output


def test_prices_confirm_the_mode_without_a_balance_read(project, monkeypatch) -> None:
    organization_project(project, monkeypatch, key=LIVE_ORG_KEY)
    stripe_ = org_client(project, LIVE_ORG_KEY)
    product = stripe_.v1.products.create({"name": "Pro"})
    for key, interval in (("pro_monthly", "month"), ("pro_yearly", "year")):
        stripe_.v1.prices.create(
            {
                "product": product.id,
                "lookup_key": key,
                "unit_amount": 2000,
                "currency": "usd",
                "recurring": {"interval": interval},
            }
        )
    (project.configs / "standard.yaml").unlink()
    project.write("plans.yaml", PLANS)
    project.emulator.clear_log()

    applied = project.run("apply", "--env", "shop", "--yes")
    assert applied.exit_code == 1, applied.output
    assert "Stripe answered with live mode prices" in applied.output
    assert project.writes() == []
    assert balance_reads(project) == 0


def test_a_key_refused_the_balance_says_the_mode_cannot_be_confirmed(project, monkeypatch) -> None:
    organization_project(project, monkeypatch)
    project.emulator.key_permissions = {ORG_KEY: {"billing_portal": "write", "prices": "read"}}

    applied = project.run("apply", "--env", "shop")
    assert applied.exit_code == 1, applied.output
    assert "Traceback" not in applied.output
    assert "cannot confirm the mode of its organization key" in applied.output
    assert "Balance" in applied.output and "Dashboard" in applied.output
    assert project.writes() == []
    assert balance_reads(project) == 1


def test_no_balance_is_read_for_a_key_that_says_its_mode(project, monkeypatch) -> None:
    monkeypatch.setenv("PORTAL_CONFIG_E2E_TEST_KEY", TEST_KEY)
    project.write("standard.yaml", STANDARD)

    applied = project.run("apply", "--env", "staging")
    assert applied.exit_code == 0, applied.output
    assert balance_reads(project) == 0


def test_doctor_on_an_empty_account_confirms_the_mode_from_the_balance(
    project, monkeypatch
) -> None:
    # nothing listed tells the key's mode: doctor reads the balance, as a plan that writes does
    organization_project(project, monkeypatch, key=LIVE_ORG_KEY)

    doctor = project.run("doctor", "--env", "shop")
    assert doctor.exit_code == 1, doctor.output
    assert "Stripe answered with a live mode balance" in doctor.stdout, doctor.output
    assert "its organization key is a live mode key" in doctor.stdout
    assert "works and is a test mode key" not in doctor.stdout
    assert balance_reads(project) == 1
    assert project.writes() == []
    assert LIVE_ORG_KEY not in doctor.output


def test_doctor_with_a_key_refused_the_balance_says_what_to_grant(project, monkeypatch) -> None:
    organization_project(project, monkeypatch)
    project.emulator.key_permissions = {ORG_KEY: {"billing_portal": "write", "prices": "read"}}

    doctor = project.run("doctor", "--env", "shop")
    assert doctor.exit_code == 1, doctor.output
    assert "cannot confirm the mode of its organization key" in doctor.stdout, doctor.output
    assert "fix: grant the organization key Balance read" in doctor.stdout, doctor.output
    assert "export the organization's" not in doctor.stdout
    assert balance_reads(project) == 1
    assert project.writes() == []


def test_doctor_names_a_failed_balance_read_as_itself(project, monkeypatch) -> None:
    organization_project(project, monkeypatch)
    project.emulator.faults.script([{"status": 500, "path_prefix": BALANCE}] * 10)

    doctor = project.run("doctor", "--env", "shop")
    assert doctor.exit_code == 1, doctor.output
    assert "Traceback" not in doctor.output
    assert "reading the balance (for the key's mode)" in doctor.stdout, doctor.output
    assert "listing portal configurations" not in doctor.stdout
    assert project.writes() == []


def test_an_organization_account_it_cannot_reach_is_not_told_to_reconnect(
    project, monkeypatch
) -> None:
    # an organization's account is no platform's connected one: "reconnect it" would mislead
    organization_project(project, monkeypatch)
    project.emulator.revoked_accounts = {FLEET[1]}

    planned = project.run("plan", "--env", "brands")
    assert f"account {FLEET[1]}: the organization key cannot act for this account" in (
        planned.output
    ), planned.output
    assert "Reconnect" not in planned.output
    assert "Traceback" not in planned.output


def test_a_configuration_no_file_claims_confirms_the_mode_of_a_plan_that_only_counts_it(
    project, monkeypatch
) -> None:
    # A text plan keeps a configuration no file claims only as counted (shown.Unclaimed): it
    # was listed in the key's mode all the same, so no balance is read for the mode.
    organization_project(project, monkeypatch)
    org_client(project).v1.billing_portal.configurations.create(
        {"name": "Clicked in the Dashboard", "features": {"invoice_history": {"enabled": True}}}
    )
    project.emulator.clear_log()

    planned = project.run("plan", "--env", "shop")
    assert planned.exit_code == 0, planned.output
    assert "1 to create" in planned.stdout
    assert "1 configuration(s) no file claims, left alone" in planned.stdout
    assert balance_reads(project) == 0
