"""doctor end to end, where the files matter: a return URL the file already fixes (the fix is
apply, not an edit), and a broken file (reported, and Stripe still checked) (user trial)."""

from __future__ import annotations

from typing import Any

import stripe

from portal_config.emulator.seed import DASHBOARD_DEFAULT
from tests.support.cli import finding

from .stripe_state import TEST_KEY

STANDARD = """\
name: Standard portal
default_return_url: "${app_url}/account"
features:
  invoice_history: {enabled: true}
"""
MAIN = """\
default: true
default_return_url: "${app_url}/account"
features:
  invoice_history: {enabled: true}
"""
HEALTHY_DEFAULT = {**DASHBOARD_DEFAULT, "default_return_url": "https://staging.example.com/account"}


def configurations(project: Any) -> Any:
    client = stripe.StripeClient(TEST_KEY, base_addresses={"api": project.emulator.url})
    return client.v1.billing_portal.configurations


def applied_standard(project: Any) -> str:
    """standard.yaml applied in staging (returning to ${app_url}/account); its ID."""
    project.emulator.seed({"default_configuration": HEALTHY_DEFAULT})
    project.write("standard.yaml", STANDARD)
    result = project.run("apply", "--env", "staging")
    assert result.exit_code == 0, result.output
    return next(c.id for c in configurations(project).list() if not c.is_default)


# -- a return URL the file already has right ---------------------------------------------------


def test_a_return_url_changed_in_stripe_is_fixed_by_apply_when_the_file_has_it(project) -> None:
    config_id = applied_standard(project)
    configurations(project).update(
        config_id, {"default_return_url": "https://old.example.net/account"}
    )
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 2, result.output
    line = finding(
        result,
        "warning",
        "return URL standard",
        "default_return_url https://old.example.net/account is not on",
    )
    assert "fix: run `portal-config apply --env staging`: " in line
    assert "configs/standard.yaml already sets it to https://staging.example.com/account" in line
    assert "set default_return_url in" not in line


def test_a_return_url_missing_in_stripe_is_fixed_by_apply_when_the_file_has_it(project) -> None:
    config_id = applied_standard(project)
    configurations(project).update(config_id, {"default_return_url": ""})
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 2, result.output
    line = finding(result, "warning", "return URL standard", "has no default_return_url")
    assert "fix: run `portal-config apply --env staging`: " in line
    assert "configs/standard.yaml already sets it to https://staging.example.com/account" in line


def test_the_default_configuration_without_the_file_s_return_url_is_fixed_by_apply(project) -> None:
    project.emulator.seed({"default_configuration": True})  # the Dashboard's: no return URL
    project.write("main.yaml", MAIN)
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 2, result.output
    line = finding(result, "warning", "return URL main", "has no default_return_url")
    assert "fix: run `portal-config apply --env staging`: " in line
    assert "configs/main.yaml already sets it to https://staging.example.com/account" in line


def test_a_wrong_return_url_in_the_file_is_still_fixed_in_the_file(project) -> None:
    config_id = applied_standard(project)
    project.write("standard.yaml", STANDARD.replace("${app_url}", "https://old.example.net"))
    assert project.run("apply", "--env", "staging").exit_code == 0
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 2, result.output
    line = finding(result, "warning", f"standard ({config_id})", "is not on this environment's")
    assert "fix: set default_return_url in " in line
    assert "configs/standard.yaml and apply to an address under ${app_url}" in line


# -- a broken file -----------------------------------------------------------------------------


def test_a_broken_file_is_reported_and_stripe_is_still_checked(project) -> None:
    config_id = applied_standard(project)
    configurations(project).update(config_id, {"active": False})
    project.write("broken.yaml", "name: Broken\nfeatures:\n  invoice_histroy: {enabled: true}\n")
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "error(s) in the configuration" not in result.output
    line = finding(
        result,
        "problem",
        "configs/broken.yaml:3:3: unknown field "
        "'invoice_histroy' (did you mean 'invoice_history'?)",
    )
    assert (
        "fix: fix it (`portal-config validate` lists every problem): until then plan and "
        "apply refuse, and doctor leaves this file out" in line
    )
    # Stripe was still read: the key, the default, and the file that loads.
    finding(result, "ok", "works and is a test mode key")
    finding(result, "ok", "is the test mode default and is active")
    finding(result, "problem", f"{config_id} is inactive")
    finding(result, "ok", "returns customers to https://staging.example.com/account")


def test_a_broken_project_file_is_reported_and_stripe_is_still_checked(project) -> None:
    project.emulator.seed({"default_configuration": HEALTHY_DEFAULT})
    project.write("standard.yaml", STANDARD)
    text = (project.configs / "portal-config.yaml").read_text()
    project.write("portal-config.yaml", text.replace("project: acme", "project: acme\nowner: x"))
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 1, result.output
    line = finding(result, "problem", "configs/portal-config.yaml:3:1: unknown field 'owner'")
    assert "leaves this file out" not in line
    finding(result, "ok", "works and is a test mode key")
    finding(result, "ok", "is the test mode default and is active")


def test_a_broken_environment_still_stops_doctor_with_its_problem(project) -> None:
    text = (project.configs / "portal-config.yaml").read_text()
    project.write("portal-config.yaml", text.replace("mode: test", "mode: tset"))
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 1, result.output
    assert (
        "configs/portal-config.yaml:5:11: environments.staging.mode: 'tset' is not one of: "
        "test, live" in result.stderr
    )
    assert project.emulator.request_log == []
