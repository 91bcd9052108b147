"""doctor end to end, for the links a portal shows: the business's terms of service and privacy
policy (business_profile, "The business information shown to customers in the portal":
docs.stripe.com/api/customer_portal/configurations/object), judged in live mode, where customers
see them (issue 22)."""

from __future__ import annotations

from portal_config.emulator.seed import DASHBOARD_DEFAULT
from tests.support.cli import finding

from .stripe_state import LIVE_KEY, client

LIVE_DEFAULT = {
    **DASHBOARD_DEFAULT,
    "default_return_url": "https://example.com/account",
    "business_profile": {
        "terms_of_service_url": "https://example.com/terms",
        "privacy_policy_url": "https://example.com/privacy",
    },
}
NO_PRIVACY = """\
default_return_url: "${app_url}/account"
business_profile:
  terms_of_service_url: "${app_url}/terms"
features:
  invoice_history: {enabled: true}
"""


def test_a_portal_without_a_privacy_policy_link_is_a_warning_naming_the_file(project) -> None:
    project.emulator.seed({"default_configuration": LIVE_DEFAULT}, mode="live")
    project.write("basic.yaml", NO_PRIVACY)
    assert project.run("apply", "--env", "prod", "--yes").exit_code == 0
    result = project.run("doctor", "--env", "prod")
    assert result.exit_code == 2, result.output
    line = finding(result, "warning", "links basic", "configs/basic.yaml:3:", "privacy policy")
    assert "terms of service" not in line.splitlines()[0]  # that one is set
    assert "fix: set business_profile.privacy_policy_url in " in line
    finding(result, "ok", "links default", "terms of service and privacy policy")


def test_the_dashboards_default_without_links_is_fixed_in_the_dashboard(project) -> None:
    bare = {**LIVE_DEFAULT, "business_profile": {}}
    project.emulator.seed({"default_configuration": bare}, mode="live")
    result = project.run("doctor", "--env", "prod")
    assert result.exit_code == 2, result.output
    line = finding(result, "warning", "links default", "terms of service", "privacy policy")
    assert "fix: set them in the portal settings at https://dashboard.stripe.com/settings" in line


def test_a_test_mode_portal_is_not_judged_for_its_links(project) -> None:
    project.emulator.seed({"default_configuration": {**LIVE_DEFAULT, "business_profile": {}}})
    result = project.run("doctor", "--env", "staging")
    assert "links default" not in result.stdout, result.output


LOGIN = """\
default_return_url: "${app_url}/account"
login_page: {enabled: true}
business_profile:
  terms_of_service_url: "${app_url}/terms"
  privacy_policy_url: "${app_url}/privacy"
features:
  invoice_history: {enabled: true}
"""


def test_a_login_page_url_changed_since_the_last_apply_is_a_warning(project) -> None:
    project.emulator.seed({"default_configuration": LIVE_DEFAULT}, mode="live")
    project.write("login.yaml", LOGIN)
    assert project.run("apply", "--env", "prod", "--yes").exit_code == 0
    assert project.run("plan", "--env", "prod", "--detailed-exitcode").exit_code == 0
    configurations = client(project, LIVE_KEY).v1.billing_portal.configurations
    (mine,) = [c for c in configurations.list() if not c.is_default]
    published = mine.login_page.url
    healthy = project.run("doctor", "--env", "prod")
    assert healthy.exit_code == 0, healthy.output

    # someone turns the login page off and on in the Dashboard: Stripe makes a new URL
    configurations.update(mine.id, {"login_page": {"enabled": False}})
    now = configurations.update(mine.id, {"login_page": {"enabled": True}}).login_page.url
    assert now != published
    result = project.run("doctor", "--env", "prod")
    assert result.exit_code == 2, result.output
    line = finding(result, "warning", "login page login", published, now)
    assert "changed since the last apply" in line
    assert "fix: replace the published login links" in line

    # plan shows the change, apply records the new URL, and doctor is content again
    planned = project.run("plan", "--env", "prod", "--detailed-exitcode")
    assert planned.exit_code == 2, planned.output
    assert project.run("apply", "--env", "prod", "--yes").exit_code == 0
    again = project.run("doctor", "--env", "prod")
    assert again.exit_code == 0, again.output
    assert project.run("plan", "--env", "prod", "--detailed-exitcode").exit_code == 0


def test_import_leaves_the_login_page_record_out_of_the_file(project) -> None:
    project.write("login.yaml", LOGIN)
    assert project.run("apply", "--env", "staging").exit_code == 0
    project.remove("login.yaml")
    imported = project.run("import", "--env", "staging")
    assert imported.exit_code == 0, imported.output
    (written,) = [p for p in project.configs.glob("*.yaml") if p.name != "portal-config.yaml"]
    assert "portal_config_" not in written.read_text()
    assert project.run("validate").exit_code == 0
    assert project.run("plan", "--env", "staging", "--detailed-exitcode").exit_code == 0
