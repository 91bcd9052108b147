"""doctor end to end, for the default configuration where each place keeps its own: a sandbox
apart from test mode, and each connected account of a fleet apart from the platform and the
other accounts (docs.stripe.com/sandboxes; API-REFERENCE §9, §10) (issue 22)."""

from __future__ import annotations

from portal_config.emulator.seed import DASHBOARD_DEFAULT
from tests.support.cli import finding

from .fleets import fleet
from .stripe_state import client
from .test_journey_sandbox import SANDBOX_KEY, sandbox_project


def test_a_sandboxs_default_is_its_own_not_test_modes(project, monkeypatch) -> None:
    sandbox_project(project, monkeypatch)
    project.remove("standard.yaml")
    saved = {**DASHBOARD_DEFAULT, "default_return_url": "https://dev.example.com/account"}
    sandbox = project.emulator.sandbox_mode(SANDBOX_KEY)
    project.emulator.seed({"default_configuration": saved}, mode=sandbox)
    (default,) = client(project, SANDBOX_KEY).v1.billing_portal.configurations.list()
    in_sandbox = project.run("doctor", "--env", "dev")
    assert in_sandbox.exit_code == 0, in_sandbox.output
    finding(in_sandbox, "ok", "default", f"{default.id} is the sandbox default and is active")
    # test mode of the same account has none: said so, with test mode's own Dashboard page
    in_test_mode = project.run("doctor", "--env", "staging")
    assert in_test_mode.exit_code == 1, in_test_mode.output
    line = finding(in_test_mode, "problem", "no default configuration is saved in test mode")
    assert "https://dashboard.stripe.com/test/settings/billing/portal" in line


def test_each_fleet_account_is_checked_for_its_own_default(project) -> None:
    accounts = fleet(project, size=3, others=0)
    with_default, without = accounts[:2], accounts[2]
    for number, account in enumerate(with_default, start=1):
        default = {**DASHBOARD_DEFAULT, "default_return_url": f"https://t{number}.example/home"}
        project.emulator.seed({"default_configuration": default}, account=account)
    project.emulator.seed({"default_configuration": DASHBOARD_DEFAULT})  # the platform's own
    assert project.run("apply", "--env", "fleet").exit_code == 0
    result = project.run("doctor", "--env", "fleet")
    assert result.exit_code == 2, result.output
    assert "Fleet fleet: 3 account(s): 2 healthy, 1 with findings." in result.stdout
    assert f"fleet/{without}: 0 problem(s), 1 warning(s)" in result.stdout
    line = finding(result, "warning", "default", "no default configuration is saved")
    assert "or pass configuration=bpc_" in line
    assert not any(f"fleet/{a}" in result.stdout for a in with_default)  # healthy: counted


def test_plan_words_a_sandbox_default_it_keeps_as_the_sandbox_default(project, monkeypatch) -> None:
    sandbox_project(project, monkeypatch)
    gone = {"portal_config_project": "acme", "portal_config_env": "dev", "portal_config_key": "old"}
    saved = {**DASHBOARD_DEFAULT, "metadata": gone}
    project.emulator.seed(
        {"default_configuration": saved}, mode=project.emulator.sandbox_mode(SANDBOX_KEY)
    )
    for fmt in ("text", "markdown"):
        result = project.run("plan", "--env", "dev", "--prune", "--format", fmt)
        assert "Stripe made it the sandbox default" in result.stdout, result.output
        assert "the the sandbox" not in result.stdout
