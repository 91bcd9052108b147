"""What Stripe does that the tool must not be surprised by (issue 9), end to end on the emulator:
includable products, the default's lifecycle, Connect applications, Stripe-Notice headers.

The module runs under every emulator behaviour (conftest.BEHAVIOURS) unless a test names some.
"""

from __future__ import annotations

import json

import pytest

from .stripe_state import PLANS, PRODUCTS, TEST_KEY, by_key, client, configurations

CATALOG = {
    "products": [
        {
            "id": "prod_pro",
            "name": "Pro",
            "prices": [
                {
                    "id": "price_pro_m",
                    "lookup_key": "pro_monthly",
                    "unit_amount": 2000,
                    "recurring": {"interval": "month"},
                },
                {
                    "id": "price_pro_y",
                    "lookup_key": "pro_yearly",
                    "unit_amount": 20000,
                    "recurring": {"interval": "year"},
                },
            ],
        },
        {
            "id": "prod_team",
            "name": "Team",
            "prices": [
                {
                    "id": "price_team_m",
                    "lookup_key": "team_monthly",
                    "unit_amount": 5000,
                    "recurring": {"interval": "month"},
                }
            ],
        },
    ]
}
BASIC = "name: Basic\nfeatures: {invoice_history: {enabled: true}}\n"


def config_requests(project) -> list:
    return [
        r
        for r in project.emulator.request_log
        if r.path.startswith("/v1/billing_portal/configurations")
    ]


def test_products_converge_and_every_request_expands_them(project) -> None:
    """Without the expansion on list, plan never converges; on retrieve, apply's re-read sees a
    changed object; on create and update, Stripe's answer seems not to hold what was written."""
    project.emulator.seed(CATALOG)
    project.write("plans.yaml", PLANS)
    created = project.run("apply", "--env", "staging")
    assert created.exit_code == 0, created.output
    assert "Apply complete: 1 created" in created.stdout
    clean = project.run("plan", "--env", "staging", "--detailed-exitcode")
    assert clean.exit_code == 0, clean.stdout
    assert "No changes. Stripe matches the configuration files." in clean.stdout

    project.emulator.clear_log()
    again = project.run("apply", "--env", "staging")
    assert again.exit_code == 0 and project.writes() == []

    project.write(
        "plans.yaml",
        PLANS.replace(
            "[lookup_key:pro_monthly, lookup_key:pro_yearly]",
            "[lookup_key:pro_monthly]\n      - prices: [lookup_key:team_monthly]",
        ),
    )
    updated = project.run("apply", "--env", "staging")
    assert updated.exit_code == 0, updated.output
    assert "Apply complete: 0 created, 1 updated" in updated.stdout
    assert project.run("plan", "--env", "staging", "--detailed-exitcode").exit_code == 0
    (config,) = configurations(project)
    assert sorted(
        (p["product"], tuple(p["prices"]))
        for p in config["features"]["subscription_update"]["products"]
    ) == [("prod_pro", ("price_pro_m",)), ("prod_team", ("price_team_m",))]

    # The direct evidence: every request for configurations asks for the expansion.
    for request in config_requests(project):
        asked = request.query if request.method == "GET" else request.body
        wanted = (
            f"data.{PRODUCTS}"
            if request.path.endswith("configurations") and request.method == "GET"
            else PRODUCTS
        )
        assert asked.get("expand") == [wanted], (request.method, request.path)


def test_import_writes_products_as_lookup_keys_and_plans_clean(project) -> None:
    project.emulator.seed(CATALOG)
    client(project).v1.billing_portal.configurations.create(
        {
            "name": "Existing",
            "features": {
                "subscription_update": {
                    "enabled": True,
                    "default_allowed_updates": ["price"],
                    "products": [{"product": "prod_pro", "prices": ["price_pro_m", "price_pro_y"]}],
                }
            },
        }
    )
    imported = project.run("import", "--env", "staging")
    assert imported.exit_code == 0, imported.output
    text = (project.configs / "existing.yaml").read_text()
    assert "lookup_key:pro_monthly" in text and "lookup_key:pro_yearly" in text
    assert project.run("plan", "--env", "staging", "--detailed-exitcode").exit_code == 0


def test_doctor_checks_the_portals_prices(project) -> None:
    project.emulator.seed(CATALOG)
    project.write("plans.yaml", PLANS)
    assert project.run("apply", "--env", "staging").exit_code == 0
    client(project).v1.prices.update("price_pro_y", {"active": False})
    result = project.run("doctor", "--env", "staging", "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    assert any(f["status"] == "problem" and "price_pro_y" in f["evidence"] for f in findings), (
        result.stdout
    )


@pytest.mark.behaviours("first-becomes-default")
def test_the_first_configuration_becoming_the_default(project) -> None:
    project.write("basic.yaml", BASIC)
    assert project.run("apply", "--env", "staging").exit_code == 0
    (basic,) = configurations(project)
    assert basic["is_default"] is True
    assert project.run("plan", "--env", "staging", "--detailed-exitcode").exit_code == 0

    ids = project.run("ids", "--env", "staging", "--format", "json")
    assert json.loads(ids.stdout)["ids"] == {"basic": basic["id"], "default": basic["id"]}
    text = project.run("ids", "--env", "staging")
    assert f"the test mode default is basic's configuration ({basic['id']})" in text.stderr
    doctor = project.run("doctor", "--env", "staging")
    assert f"{basic['id']} is the test mode default" in doctor.stdout
    assert "basic.yaml)" in doctor.stdout.split(f"{basic['id']} is the test mode default")[1]

    project.remove("basic.yaml")
    project.emulator.clear_log()
    plan = project.run("plan", "--env", "staging", "--prune", "--detailed-exitcode")
    assert plan.exit_code == 2, plan.output  # the file is gone: drift
    assert "Stripe cannot deactivate the default" in plan.stdout
    assert "dashboard.stripe.com/test/settings/billing/portal" in plan.stdout
    pruned = project.run("apply", "--env", "staging", "--prune")
    assert pruned.exit_code == 0, pruned.output
    assert project.writes() == []  # never active=false on the default
    assert configurations(project)[0]["active"] is True


@pytest.mark.behaviours("first-becomes-default")
def test_a_default_made_by_stripe_that_refuses_updates(project) -> None:
    """Both reports at once (API-REFERENCE §9): the tool's first configuration becomes the
    default, and Stripe then refuses to change it."""
    project.write("basic.yaml", BASIC)
    assert project.run("apply", "--env", "staging").exit_code == 0
    project.emulator.refuse_default_updates = True
    project.write("basic.yaml", BASIC.replace("Basic", "Basic 2"))
    result = project.run("apply", "--env", "staging")
    assert result.exit_code == 1
    assert "Make these changes in the Dashboard" in result.stdout
    assert 'name: "Basic" -> "Basic 2"' in result.stdout
    assert "Traceback" not in result.output
    still = project.run("plan", "--env", "staging", "--detailed-exitcode")
    assert still.exit_code == 2 and 'name: "Basic" -> "Basic 2"' in still.stdout


CONNECT_PROJECT = """\
version: 1
project: acme
environments:
  tenant:
    mode: test
    api_key_env: PORTAL_CONFIG_E2E_TEST_KEY
    api_base: {url}
    stripe_account: acct_tenant1
    vars: {{app_url: "https://tenant.example.com"}}
"""


@pytest.mark.parametrize("stamped", [None, "ca_platform"], ids=["unstamped", "stamped"])
def test_a_connect_environment_with_or_without_the_platforms_application(
    project, stamped: str | None
) -> None:
    """Undocumented: whether Stripe stamps the platform's application on what it creates through
    Stripe-Account. Either way the tool's own configurations are its own, and another
    application's are left alone and named."""
    project.emulator.connect_application = stamped
    project.write("portal-config.yaml", CONNECT_PROJECT.format(url=project.emulator.url))
    project.emulator.seed(
        {
            "configurations": [
                {
                    "name": "Other app",
                    "features": {"invoice_history": {"enabled": True}},
                    "application": "ca_other",
                }
            ]
        },
        account="acct_tenant1",
    )
    project.write("basic.yaml", BASIC)
    project.write("old.yaml", BASIC.replace("Basic", "Old"))
    assert project.run("apply", "--env", "tenant").exit_code == 0
    mine = by_key(project, TEST_KEY, "acct_tenant1")
    assert mine["basic"]["application"] == stamped
    plan = project.run("plan", "--env", "tenant", "--detailed-exitcode")
    assert plan.exit_code in (0, 2) and "Problems" not in plan.stdout, plan.stdout
    other_id = next(
        c["id"]
        for c in configurations(project, TEST_KEY, "acct_tenant1")
        if c["application"] == "ca_other"
    )
    assert f'"Other app" ({other_id}, created by the Connect application ca_other)' in plan.stdout

    project.write("basic.yaml", BASIC.replace("Basic", "Basic 2"))
    project.remove("old.yaml")
    changed = project.run("apply", "--env", "tenant", "--prune")
    assert changed.exit_code == 0, changed.output
    mine = by_key(project, TEST_KEY, "acct_tenant1")
    if mine["old"]["is_default"]:  # first-becomes-default made it the default: kept
        assert mine["old"]["active"] is True
    else:
        assert mine["old"]["active"] is False
    assert mine["basic"]["name"] == "Basic 2" or mine["basic"]["is_default"]
    assert project.run("plan", "--env", "tenant", "--detailed-exitcode").exit_code in (0, 2)
    others = [
        c
        for c in configurations(project, TEST_KEY, "acct_tenant1")
        if c["application"] == "ca_other"
    ]
    assert others[0]["name"] == "Other app"  # never touched


def test_stripe_notices_are_shown_once_after_the_output(project) -> None:
    project.emulator.settings.notice = "This API version is deprecated: upgrade."
    project.write("basic.yaml", BASIC)
    result = project.run("apply", "--env", "staging")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("This API version is deprecated") == 1
    assert result.stderr.rstrip().endswith(
        "Stripe notice: This API version is deprecated: upgrade."
    )
    assert "deprecated" not in result.stdout
    assert "STRIPE_SUPPRESS_NOTICES" not in result.stderr
