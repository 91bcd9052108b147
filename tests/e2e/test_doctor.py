"""doctor end to end: each cause of a failing portal link set up in the emulator, then doctor's
exit code and the finding that names it with its fix (issue 6)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import stripe

from portal_config.emulator.seed import DASHBOARD_DEFAULT
from tests.support.cli import finding

from .stripe_state import LIVE_KEY, TEST_KEY

TEST_PORTAL = "https://dashboard.stripe.com/test/settings/billing/portal"
LIVE_PORTAL = "https://dashboard.stripe.com/settings/billing/portal"
STANDARD = """\
name: Standard portal
default_return_url: "${app_url}/account"
features:
  invoice_history: {enabled: true}
  subscription_update:
    enabled: true
    default_allowed_updates: [price]
    products:
      - prices: [lookup_key:pro_monthly]
"""
PRO = {
    "id": "prod_pro",
    "name": "Pro",
    "prices": [
        {
            "id": "price_pro_monthly",
            "lookup_key": "pro_monthly",
            "unit_amount": 2000,
            "recurring": {"interval": "month"},
        },
        {"id": "price_setup", "lookup_key": "setup_fee", "unit_amount": 5000, "recurring": None},
    ],
}
CUSTOMER = {"id": "cus_healthy", "email": "jo@example.com"}


def default_with(**fields: Any) -> dict[str, Any]:
    """The Dashboard-made default configuration, with some fields set."""
    return {**DASHBOARD_DEFAULT, **fields}


OFFERING_PRO = {
    "subscription_update": {
        "enabled": True,
        "default_allowed_updates": ["price"],
        "products": [{"product": "prod_pro", "prices": ["price_pro_monthly"]}],
    }
}
HEALTHY_DEFAULT = default_with(default_return_url="https://staging.example.com/account")


def client(project, key: str = TEST_KEY) -> stripe.StripeClient:
    return stripe.StripeClient(key, base_addresses={"api": project.emulator.url})


def healthy(project) -> str:
    """A test mode account where every check passes; returns the standard configuration's ID."""
    project.emulator.seed(
        {"default_configuration": HEALTHY_DEFAULT, "products": [PRO], "customers": [CUSTOMER]}
    )
    project.write("standard.yaml", STANDARD)
    applied = project.run("apply", "--env", "staging")
    assert applied.exit_code == 0, applied.output
    project.emulator.clear_log()
    config_id = next(
        c.id for c in client(project).v1.billing_portal.configurations.list() if not c.is_default
    )
    return config_id


def session_posts(project) -> list[Any]:
    return [
        r
        for r in project.emulator.request_log
        if (r.method, r.path) == ("POST", "/v1/billing_portal/sessions")
    ]


# -- healthy ----------------------------------------------------------------------------------


def test_a_healthy_account_passes_every_check_and_writes_nothing(project) -> None:
    config_id = healthy(project)
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 0, result.output
    assert "problem " not in result.stdout and "warning " not in result.stdout
    for text in (
        "works and is a test mode key",
        "is the test mode default and is active",
        f"{config_id} exists, is active and matches",
        "returns customers to https://staging.example.com/account",
        "offers 1 price(s), all active and recurring",
    ):
        finding(result, "ok", text)
    assert "0 problem(s), 0 warning(s)" in result.stdout
    assert project.writes() == []  # without --customer doctor only reads


def test_json_format_lists_each_finding(project) -> None:
    healthy(project)
    result = project.run("doctor", "--env", "staging", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["environment"] == "staging" and document["exit_code"] == 0
    assert document["counts"]["problem"] == 0
    checks = {f["check"]: f["status"] for f in document["findings"]}
    assert checks["key"] == "ok" and checks["default"] == "ok"
    assert checks["configuration standard"] == "ok"


# -- the default configuration -----------------------------------------------------------------


# Not under first-becomes-default: the first configuration it creates would become the default.
@pytest.mark.behaviours("documented", "refuse-default-updates")
def test_no_default_saved_in_test_mode_is_a_warning_when_an_id_can_be_passed(project) -> None:
    project.emulator.seed({"products": [PRO]})
    project.write("standard.yaml", STANDARD)
    assert project.run("apply", "--env", "staging").exit_code == 0
    config_id = next(iter(client(project).v1.billing_portal.configurations.list())).id
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 2, result.output
    line = finding(result, "warning", "no default configuration is saved in test mode")
    assert "sessions created without `configuration` fail" in line
    assert f"fix: save the customer portal settings at {TEST_PORTAL}" in line
    assert f"or pass configuration={config_id}" in line


def test_no_default_in_live_mode_when_test_mode_has_one_is_a_problem(project) -> None:
    project.emulator.seed({"default_configuration": HEALTHY_DEFAULT}, mode="test")
    result = project.run("doctor", "--env", "prod")
    assert result.exit_code == 1, result.output
    line = finding(result, "problem", "no default configuration is saved in live mode")
    assert f"fix: save the customer portal settings at {LIVE_PORTAL}" in line


def test_a_default_file_without_a_default_in_stripe_is_a_problem(project) -> None:
    project.write("main.yaml", "default: true\nfeatures: {invoice_history: {enabled: true}}\n")
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 1, result.output
    assert TEST_PORTAL in finding(result, "problem", "no default configuration is saved")
    finding(
        result,
        "problem",
        "configs/main.yaml:1:10: default: true, but this test mode has no default configuration",
    )


# -- each file's configuration ----------------------------------------------------------------


def test_an_inactive_configuration_is_named_with_apply_as_the_fix(project) -> None:
    config_id = healthy(project)
    client(project).v1.billing_portal.configurations.update(config_id, {"active": False})
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 1, result.output
    line = finding(
        result, "problem", f"{config_id} is inactive: portal sessions created with it fail"
    )
    assert "fix: `portal-config apply --env staging` reactivates it" in line


def test_a_missing_configuration_is_named_with_apply_as_the_fix(project) -> None:
    project.emulator.seed({"default_configuration": HEALTHY_DEFAULT, "products": [PRO]})
    project.write("standard.yaml", STANDARD)
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 1, result.output
    line = finding(
        result, "problem", "configs/standard.yaml", "has no configuration in staging yet"
    )
    assert "fix: run `portal-config apply --env staging`" in line


def test_a_pinned_configuration_that_no_longer_exists_is_a_problem(project) -> None:
    project.emulator.seed({"default_configuration": HEALTHY_DEFAULT, "products": [PRO]})
    project.write("standard.yaml", STANDARD + "ids: {staging: bpc_gone}\n")
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 1, result.output
    finding(result, "problem", "ids pins bpc_gone, which does not exist")


def test_drift_is_a_warning_with_a_summary(project) -> None:
    config_id = healthy(project)
    client(project).v1.billing_portal.configurations.update(config_id, {"name": "Edited"})
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 2, result.output
    line = finding(
        result,
        "warning",
        f"{config_id} differs from",
        "configs/standard.yaml",
        "in 1 field(s): name",
    )
    assert "portal-config plan --env staging" in line


# -- return URLs -------------------------------------------------------------------------------


def test_a_missing_return_url_is_a_warning(project) -> None:
    project.emulator.seed({"default_configuration": True})
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 2, result.output
    line = finding(
        result, "warning", "has no default_return_url: every session must pass return_url"
    )
    assert f"fix: set it in the portal settings at {TEST_PORTAL}" in line


def test_an_http_return_url_in_live_mode_is_a_problem(project) -> None:
    project.emulator.seed(
        {"default_configuration": default_with(default_return_url="http://example.com/account")},
        mode="live",
    )
    result = project.run("doctor", "--env", "prod")
    assert result.exit_code == 1, result.output
    line = finding(
        result,
        "problem",
        "default_return_url http://example.com/account is plain http in live mode",
    )
    assert "to its https:// address" in line


def test_a_return_url_on_another_host_than_app_url_is_a_warning(project) -> None:
    project.emulator.seed(
        {
            "default_configuration": default_with(
                default_return_url="https://old.example.net/account"
            )
        }
    )
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 2, result.output
    line = finding(
        result, "warning", "is not on this environment's app_url host staging.example.com"
    )
    assert "https://staging.example.com" in line


# -- prices and products -----------------------------------------------------------------------


def offering_default(project) -> None:
    project.emulator.seed(
        {
            "products": [PRO],
            "default_configuration": default_with(
                default_return_url="https://staging.example.com/account",
                features={**DASHBOARD_DEFAULT["features"], **OFFERING_PRO},
            ),
        }
    )


def test_an_archived_price_in_stripe_is_a_problem(project) -> None:
    offering_default(project)
    client(project).v1.prices.update("price_pro_monthly", {"active": False})
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 1, result.output
    line = finding(
        result, "problem", "offers the archived price price_pro_monthly (lookup_key:pro_monthly)"
    )
    assert "fix: unarchive the price" in line


def test_a_file_naming_an_archived_price_is_a_problem(project) -> None:
    project.emulator.seed({"default_configuration": HEALTHY_DEFAULT, "products": [PRO]})
    client(project).v1.prices.update("price_pro_monthly", {"active": False})
    project.write("standard.yaml", STANDARD)
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 1, result.output
    line = finding(
        result, "problem", "lookup_key:pro_monthly is the archived price price_pro_monthly"
    )
    assert "unarchive it or move the lookup key to an active price" in line


def test_an_archived_product_is_a_problem(project) -> None:
    offering_default(project)
    client(project).v1.products.update("prod_pro", {"active": False})
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 1, result.output
    line = finding(result, "problem", "offers product prod_pro (Pro), which is archived")
    assert "fix: unarchive the product" in line


def test_a_one_time_price_is_a_problem(project) -> None:
    project.emulator.seed({"default_configuration": HEALTHY_DEFAULT, "products": [PRO]})
    project.write("standard.yaml", STANDARD.replace("pro_monthly", "setup_fee"))
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 1, result.output
    line = finding(result, "problem", "lookup_key:setup_fee is the one-time price price_setup")
    assert "take recurring prices only" in line


# -- the key -----------------------------------------------------------------------------------


def test_a_key_of_the_wrong_mode_is_refused_before_any_request(project, monkeypatch) -> None:
    monkeypatch.setenv("PORTAL_CONFIG_E2E_TEST_KEY", LIVE_KEY)
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 1, result.output
    line = finding(result, "problem", "holds a live key")
    assert "Refused before any request" in line
    assert (
        "fix: export this account's test mode key (sk_test_... or rk_test_...) in "
        "PORTAL_CONFIG_E2E_TEST_KEY" in line
    )
    assert project.emulator.request_log == []
    assert LIVE_KEY not in result.output and LIVE_KEY[8:] not in result.output


def test_a_foreign_address_is_refused_before_the_key_is_even_read(project, monkeypatch) -> None:
    text = (project.configs / "portal-config.yaml").read_text()
    project.write(
        "portal-config.yaml", text.replace(project.emulator.url, "https://evil.example", 1)
    )
    monkeypatch.delenv("PORTAL_CONFIG_E2E_TEST_KEY")  # judged after the address: not reported
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 1, result.output
    line = finding(result, "problem", "refusing to send the API key to https://evil.example")
    assert "Nothing was sent." in line
    assert "fix: remove api_base to use Stripe itself, or point it at a loopback emulator" in line
    assert "is not set" not in result.output
    assert project.emulator.request_log == []


def test_a_revoked_key_is_a_problem(project) -> None:
    project.emulator.revoked_keys = {TEST_KEY}
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 1, result.output
    line = finding(result, "problem", "Stripe rejected the API key")
    assert "https://dashboard.stripe.com/test/apikeys" in line
    assert TEST_KEY not in result.output


READ_ONLY = {"billing_portal": "read", "prices": "read", "products": "read"}


def test_a_restricted_key_without_write_permission_is_a_problem(project, monkeypatch) -> None:
    healthy(project)
    monkeypatch.setenv("PORTAL_CONFIG_E2E_TEST_KEY", "rk_test_doctor_readonly")
    project.emulator.key_permissions = {"rk_test_doctor_readonly": READ_ONLY}
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 1, result.output
    finding(result, "ok", "the restricted key in PORTAL_CONFIG_E2E_TEST_KEY works")
    line = finding(result, "problem", "the restricted key cannot write portal configurations")
    assert "rak_customer_portal_write" in line
    assert "fix: edit the restricted key in the Dashboard: Customer portal needs Write" in line
    assert "rk_test_doctor_readonly" not in result.output
    assert len(client(project).v1.billing_portal.configurations.list().data) == 2  # no write


def test_a_restricted_key_with_write_permission_passes(project, monkeypatch) -> None:
    healthy(project)
    monkeypatch.setenv("PORTAL_CONFIG_E2E_TEST_KEY", "rk_test_doctor_writer")
    project.emulator.key_permissions = {
        "rk_test_doctor_writer": {**READ_ONLY, "billing_portal": "write"}
    }
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 0, result.output
    finding(result, "ok", "the restricted key may write portal configurations")


# -- the customer and real sessions -----------------------------------------------------------


def test_customer_creates_a_real_session_per_configuration(project) -> None:
    config_id = healthy(project)
    result = project.run("doctor", "--env", "staging", "--customer", "cus_healthy")
    assert result.exit_code == 0, result.output
    finding(result, "ok", "cus_healthy exists in test mode")
    finding(
        result,
        "ok",
        "session created without `configuration` (the default) (URL hidden: pass --show-url)",
    )
    finding(result, "ok", f"session created with configuration={config_id}")
    posts = session_posts(project)
    assert [r.body.get("configuration") for r in posts] == [None, config_id]
    assert all(r.body["customer"] == "cus_healthy" and r.status == 200 for r in posts)
    assert "/p/session/" not in result.stdout  # not a terminal: URL hidden


def test_show_url_prints_the_session_url(project) -> None:
    healthy(project)
    result = project.run(
        "doctor", "--env", "staging", "--customer", "cus_healthy", "--show-url", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    urls = [f["url"] for f in json.loads(result.stdout)["findings"] if f["url"]]
    assert len(urls) == 2 and all("/p/session/" in u for u in urls)
    assert all(u in result.stdout for u in urls)


def test_an_app_user_id_instead_of_a_customer_id_is_called_out(project) -> None:
    healthy(project)
    result = project.run("doctor", "--env", "staging", "--customer", "user_42")
    assert result.exit_code == 1, result.output
    line = finding(
        result,
        "problem",
        "'user_42' is not a Stripe customer ID (those start with "
        "cus_): probably your app's own user ID",
    )
    assert "fix: pass the Stripe customer ID your app stored" in line
    assert not any("customers" in r.path for r in project.emulator.request_log)
    assert session_posts(project) == []


def test_an_unknown_customer_is_a_problem(project) -> None:
    healthy(project)
    result = project.run("doctor", "--env", "staging", "--customer", "cus_nobody")
    assert result.exit_code == 1, result.output
    line = finding(result, "problem", "no customer cus_nobody in test mode")
    assert "a test mode ID is unknown in live mode" in line
    assert session_posts(project) == []


def test_a_customer_of_the_other_mode_is_named_a_live_test_mix_up(project) -> None:
    healthy(project)
    project.emulator.seed({"customers": [{"id": "cus_live_only"}]}, mode="live")
    result = project.run("doctor", "--env", "staging", "--customer", "cus_live_only")
    assert result.exit_code == 1, result.output
    line = finding(
        result,
        "problem",
        "customer cus_live_only exists in live mode, not in test mode: a live mode ID used "
        "with a test mode key",
    )
    assert "a similar object exists in live mode" in line  # Stripe's own words, quoted
    assert "fix: use this customer's test mode ID" in line
    assert session_posts(project) == []


def test_a_refused_session_is_explained(project) -> None:
    config_id = healthy(project)
    client(project).v1.billing_portal.configurations.update(config_id, {"active": False})
    result = project.run("doctor", "--env", "staging", "--customer", "cus_healthy")
    assert result.exit_code == 1, result.output
    line = finding(result, "problem", f"Stripe refused a session with configuration={config_id}")
    assert "is not active" in line
    assert f"fix: `portal-config apply --env staging` reactivates {config_id}" in line


@pytest.mark.parametrize("allow_live", [False, True])
def test_live_sessions_only_with_allow_live(project, allow_live: bool) -> None:
    project.emulator.seed(
        {
            "default_configuration": default_with(
                default_return_url="https://example.com/account",
                business_profile={
                    "terms_of_service_url": "https://example.com/terms",
                    "privacy_policy_url": "https://example.com/privacy",
                },
            ),
            "customers": [CUSTOMER],
        },
        mode="live",
    )
    args = ["doctor", "--env", "prod", "--customer", "cus_healthy"]
    result = project.run(*args, *(["--allow-live"] if allow_live else []))
    if allow_live:
        assert result.exit_code == 0, result.output
        assert [r.mode for r in session_posts(project)] == ["live"]
    else:
        assert result.exit_code == 2, result.output
        assert "run again with --allow-live" in finding(result, "warning", "no portal session")
        assert session_posts(project) == []
    assert LIVE_KEY not in result.output


def test_a_file_problem_does_not_hide_an_inactive_configuration(project) -> None:
    config_id = healthy(project)
    client(project).v1.billing_portal.configurations.update(config_id, {"active": False})
    client(project).v1.prices.update("price_pro_monthly", {"active": False})
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 1, result.output
    finding(result, "problem", "lookup_key:pro_monthly is the archived price")
    finding(result, "problem", f"{config_id} is inactive")
    finding(result, "problem", f"standard ({config_id}) offers the archived price")


def test_a_configuration_whose_file_is_gone_is_a_warning(project) -> None:
    project.emulator.seed({"default_configuration": HEALTHY_DEFAULT})
    project.write("basic.yaml", "features:\n  invoice_history: {enabled: true}\n")
    assert project.run("apply", "--env", "staging").exit_code == 0
    project.remove("basic.yaml")
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 2, result.output
    line = finding(result, "warning", "is still active but no file describes it any more")
    assert "--prune` deactivates it" in line
