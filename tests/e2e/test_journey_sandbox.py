"""Journey: a team develops against a Stripe sandbox (`stripe sandbox create` gives it an
rkcs_test_ key) beside the account's own test mode. The sandbox is an account of its own: its
objects, its default configuration; applying there leaves test mode alone, and plan, doctor and
the Dashboard links say "sandbox"."""

from __future__ import annotations

from typing import Any

from .stripe_state import STANDARD, TEST_KEY, client, configurations

SANDBOX_KEY = "rkcs_test_51QaZe2eSandboxKey0123456789"
OTHER_SANDBOX_KEY = "rkcs_test_51QaZe2eOtherSandbox987654321"
SANDBOX_ENV = """\
  dev:
    mode: sandbox
    api_key_env: PORTAL_CONFIG_E2E_SANDBOX_KEY
    api_base: {url}
    vars: {{app_url: "https://dev.example.com"}}
"""


def sandbox_project(project: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("PORTAL_CONFIG_E2E_SANDBOX_KEY", SANDBOX_KEY)
    path = project.configs / "portal-config.yaml"
    path.write_text(path.read_text() + SANDBOX_ENV.format(url=project.emulator.url))
    project.write("standard.yaml", STANDARD)


def test_a_sandbox_applies_and_plans_clean_apart_from_test_mode(project, monkeypatch) -> None:
    sandbox_project(project, monkeypatch)
    # its own default, saved in the sandbox's Dashboard
    client(project, SANDBOX_KEY).v1.billing_portal.configurations.create(
        {"features": {"invoice_history": {"enabled": True}}}
    )

    applied = project.run("apply", "--env", "dev")
    assert applied.exit_code == 0, applied.output
    assert "+ standard in dev will be created" in applied.stdout
    planned = project.run("plan", "--env", "dev", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
    assert "No changes" in planned.stdout

    made = configurations(project, SANDBOX_KEY)
    assert sorted(str(c["metadata"].get("portal_config_key")) for c in made) == ["None", "standard"]
    assert all(c["livemode"] is False for c in made)
    assert configurations(project, TEST_KEY) == []  # test mode is another place
    assert configurations(project, OTHER_SANDBOX_KEY) == []  # and so is each other sandbox
    sent = [r for r in project.emulator.request_log if r.method == "POST"]
    assert sent and {r.mode for r in sent} == {project.emulator.sandbox_mode(SANDBOX_KEY)}

    markdown = project.run("plan", "--env", "dev", "--format", "markdown")
    assert "(sandbox)" in markdown.stdout, markdown.stdout
    assert "test mode" not in markdown.stdout


def test_doctor_words_a_sandbox_as_one_with_its_dashboard(project, monkeypatch) -> None:
    sandbox_project(project, monkeypatch)
    doctor = project.run("doctor", "--env", "dev")
    assert "Doctor for dev (sandbox):" in doctor.stdout, doctor.output
    assert "is a sandbox key" in doctor.stdout
    # no default saved in the sandbox: its own Dashboard, not test mode's
    assert "no default configuration is saved in the sandbox" in doctor.stdout
    assert "https://dashboard.stripe.com/sandboxes" in doctor.stdout
    assert "dashboard.stripe.com/test/" not in doctor.stdout


def test_a_sandbox_key_in_a_test_mode_environment_is_refused_naming_sandbox(
    project, monkeypatch
) -> None:
    monkeypatch.setenv("PORTAL_CONFIG_E2E_TEST_KEY", SANDBOX_KEY)
    project.write("standard.yaml", STANDARD)
    planned = project.run("plan", "--env", "staging")
    assert planned.exit_code == 1
    assert "mode: sandbox" in planned.stderr, planned.output
    assert "(rkcs_test_..., from `stripe sandbox create`)" in planned.stderr
    assert SANDBOX_KEY not in planned.output
    assert project.emulator.request_log == []
