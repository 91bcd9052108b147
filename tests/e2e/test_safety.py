"""Safety rules: each refusal is one clear line, exit 1, and no request reaches Stripe."""

from __future__ import annotations

import pytest

from tests.conftest import Terminal

from .stripe_state import BASIC, LIVE_KEY, TEST_KEY


@pytest.fixture
def basic(project):
    project.write("basic.yaml", BASIC)
    project.emulator.clear_log()
    return project


def assert_refused(result, emulator, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(error_lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in error_lines[0]
    assert emulator.request_log == []


def test_live_environment_with_a_test_key_is_refused(basic, monkeypatch) -> None:
    monkeypatch.setenv("PORTAL_CONFIG_E2E_LIVE_KEY", TEST_KEY)
    result = basic.run("plan", "--env", "prod")
    assert_refused(
        result,
        basic.emulator,
        "'prod' is live mode",
        "PORTAL_CONFIG_E2E_LIVE_KEY holds a test key",
        "sk_live_ or rk_live_",
    )
    assert TEST_KEY not in result.output


def test_test_environment_with_a_live_key_is_refused(basic, monkeypatch) -> None:
    monkeypatch.setenv("PORTAL_CONFIG_E2E_TEST_KEY", LIVE_KEY)
    result = basic.run("apply", "--env", "staging")
    assert_refused(result, basic.emulator, "holds a live key")
    assert LIVE_KEY not in result.output


def test_missing_key_variable_is_refused(basic, monkeypatch) -> None:
    monkeypatch.delenv("PORTAL_CONFIG_E2E_TEST_KEY")
    result = basic.run("plan", "--env", "staging")
    assert_refused(result, basic.emulator, "PORTAL_CONFIG_E2E_TEST_KEY is not set")


def test_live_apply_without_yes_and_without_a_terminal_is_refused(basic) -> None:
    """Planned first (only a live environment with changes needs --yes), then refused: the plan
    is shown and nothing is written."""
    result = basic.run("apply", "--env", "prod")
    assert result.exit_code == 1, result.output
    assert "+ basic in prod will be created" in result.stdout
    assert result.stderr.splitlines()[-1].startswith("Error: refusing to apply to live")
    assert "without a terminal" in result.stderr and "--yes" in result.stderr
    assert basic.writes() == []


def test_live_apply_with_yes_applies(basic) -> None:
    result = basic.run("apply", "--env", "prod", "--yes")
    assert result.exit_code == 0, result.output
    assert "Apply complete: 1 created" in result.stdout


def test_foreign_api_base_is_refused(basic) -> None:
    text = (basic.configs / "portal-config.yaml").read_text()
    basic.write("portal-config.yaml", text.replace(basic.emulator.url, "https://evil.example", 1))
    result = basic.run("plan", "--env", "staging")
    assert_refused(
        result,
        basic.emulator,
        "refusing to send the API key to https://evil.example",
        "PORTAL_CONFIG_ALLOW_API_BASE=evil.example",
    )


def test_unknown_environment_is_one_clear_line(basic) -> None:
    result = basic.run("plan", "--env", "qa")
    assert_refused(result, basic.emulator, "unknown environment 'qa'", "staging, prod")


def test_a_key_with_a_newline_is_refused_and_never_printed(basic, monkeypatch) -> None:
    monkeypatch.setenv("PORTAL_CONFIG_E2E_TEST_KEY", TEST_KEY + "\n")
    result = basic.run("apply", "--env", "staging")
    assert_refused(result, basic.emulator, "does not hold a Stripe key", "export the key alone")
    assert TEST_KEY not in result.output and TEST_KEY[-12:] not in result.output


# (An address with a user name, https://api.stripe.com@evil.example, is refused at its line by
# the files' check: tests/reliability/test_hostile_addresses.py.)
@pytest.mark.parametrize("address", ["https://api.stripe.com.evil.example", "https://127.0.0.1:9"])
def test_only_stripe_or_loopback_receive_the_key(basic, address) -> None:
    text = (basic.configs / "portal-config.yaml").read_text()
    basic.write("portal-config.yaml", text.replace(basic.emulator.url, address, 1))
    result = basic.run("plan", "--env", "staging")
    assert_refused(result, basic.emulator, "refusing to send the API key to")


@pytest.mark.parametrize("address", ["http://api.stripe.com", "http://10.0.0.8:12111"])
def test_plain_http_beyond_loopback_is_refused_at_its_line(basic, address) -> None:
    # Never allowed, so the files' own check (validate's) refuses it before any connection.
    text = (basic.configs / "portal-config.yaml").read_text()
    basic.write("portal-config.yaml", text.replace(basic.emulator.url, address, 1))
    result = basic.run("plan", "--env", "staging")
    assert result.exit_code == 1, result.output
    assert (
        f"configs/portal-config.yaml:7:15: environment 'staging': refusing to send the API "
        f"key to {address}: plain http goes only to a loopback address" in result.stderr
    )
    assert basic.emulator.request_log == []


@pytest.mark.parametrize("answer, applied", [("yes\n", True), ("y\n", False), ("\n", False)])
def test_live_apply_on_a_terminal_asks_and_only_yes_applies(
    basic, monkeypatch, answer, applied
) -> None:
    basic.run("apply", "--env", "prod", "--yes")
    basic.remove("basic.yaml")
    basic.emulator.clear_log()
    monkeypatch.setattr("sys.stdin", Terminal(answer))
    result = basic.run("apply", "--env", "prod", "--prune")
    assert "- basic (bpc_" in result.stdout and "will be deactivated" in result.stdout
    assert "Apply these changes to live environment(s) prod?" in result.stdout
    assert (result.exit_code == 0) is applied, result.output
    assert bool(basic.writes()) is applied
    if not applied:
        assert "apply cancelled: nothing was written" in result.stderr


def test_plain_http_to_loopback_never_goes_through_a_proxy(basic, monkeypatch) -> None:
    # A proxy would see the key in clear; this one does not even exist, so using it would fail.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    result = basic.run("plan", "--env", "staging")
    assert result.exit_code == 0, result.output


def test_an_edited_plan_file_cannot_deactivate_the_default(basic, tmp_path) -> None:
    import json

    basic.emulator.seed({"default_configuration": True}, mode="test")
    assert basic.run("apply", "--env", "staging").exit_code == 0
    basic.remove("basic.yaml")
    saved = tmp_path / "plan.json"
    assert basic.run("plan", "--env", "staging", "--prune", "--out", str(saved)).exit_code == 0
    document = json.loads(saved.read_text())
    (change,) = document["environments"][0]["changes"]
    import stripe

    client = stripe.StripeClient(TEST_KEY, base_addresses={"api": basic.emulator.url})
    (default,) = client.v1.billing_portal.configurations.list({"is_default": True}).data
    change["id"] = default.id
    saved.write_text(json.dumps(document))
    basic.emulator.clear_log()
    result = basic.run("apply", "--plan", str(saved))
    assert result.exit_code == 1
    # refused as the file is read: the change was planned against another configuration
    assert (
        f"{saved}: environments[0].changes[0].id: {default.id} was not listed in staging as "
        "this change found it when the plan was made"
    ) in result.stderr
    assert basic.emulator.request_log == []
    assert client.v1.billing_portal.configurations.retrieve(default.id).active is True


def test_a_saved_plan_without_live_changes_needs_no_confirmation(basic, tmp_path) -> None:
    assert basic.run("apply", "--env", "prod", "--yes").exit_code == 0
    saved = tmp_path / "plan.json"
    planned = basic.run("plan", "--env", "staging", "--env", "prod", "--out", str(saved))
    assert planned.exit_code == 0
    result = basic.run("apply", "--plan", str(saved))
    assert result.exit_code == 0, result.output
    assert "Apply complete: 1 created" in result.stdout


def test_an_empty_key_variable_is_called_empty_not_unset(basic, monkeypatch) -> None:
    monkeypatch.setenv("PORTAL_CONFIG_E2E_TEST_KEY", "")
    result = basic.run("plan", "--env", "staging")
    assert_refused(
        result,
        basic.emulator,
        f"{basic.configs / 'portal-config.yaml'}:6:5: environment 'staging': the variable "
        "PORTAL_CONFIG_E2E_TEST_KEY is set but empty. Export it",
    )


def test_an_https_api_base_refused_is_located_at_its_line(basic, tmp_path) -> None:
    saved = tmp_path / "plan.json"
    assert basic.run("plan", "--env", "staging", "--out", str(saved)).exit_code == 0
    basic.emulator.clear_log()
    text = (basic.configs / "portal-config.yaml").read_text()
    basic.write("portal-config.yaml", text.replace(basic.emulator.url, "https://evil.example", 1))
    at = "configs/portal-config.yaml:7:15: environment 'staging': refusing to send the API key"
    for command in (
        ("plan", "--env", "staging"),
        ("apply", "--plan", str(saved)),
        ("import", "--env", "staging"),
        ("pull", "--env", "staging", "--dry-run"),
        ("doctor", "--env", "staging"),
        ("ids", "--env", "staging"),
    ):
        result = basic.run(*command)
        assert result.exit_code == 1, result.output
        assert at in result.output, (command, result.output)
    assert basic.emulator.request_log == []


def test_every_environment_refused_is_named_at_once_before_any_request(basic, monkeypatch) -> None:
    # `plan --all` with two keys missing: both at their lines in one run, not one per rerun.
    monkeypatch.delenv("PORTAL_CONFIG_E2E_TEST_KEY")
    monkeypatch.delenv("PORTAL_CONFIG_E2E_LIVE_KEY")
    result = basic.run("plan", "--all")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert lines[0] == "Error: 2 environments refused, before any request:", result.stderr
    assert "environment 'staging': the variable PORTAL_CONFIG_E2E_TEST_KEY is not set" in lines[1]
    assert "environment 'prod': the variable PORTAL_CONFIG_E2E_LIVE_KEY is not set" in lines[2]
    assert all(":" in line.split(" environment")[0] for line in lines[1:3])  # FILE:LINE:COL
    assert basic.emulator.request_log == []
