"""What a fleet's run shows and refuses: the live confirmation names how many accounts change,
markdown lists only the accounts that differ, saved plans are refused for a fleet, and an
`emulator:` environment seeds its connected accounts from the project file."""

from __future__ import annotations

import json
import subprocess
import textwrap
from typing import Any

import pytest

from portal_config.render.markup import code
from tests.conftest import Terminal

from .fleets import FLEET_PROJECT, TENANT, fleet
from .stripe_state import LIVE_KEY, client, configurations

EMULATED_FLEET = """\
version: 1
project: acme
environments:
  local:
    mode: test
    emulator: ../.state/emulator.json
    stripe_accounts: {connected: all}
    seed:
      connected_accounts:
"""


def emulated_fleet(project: Any, accounts: str) -> None:
    """An `emulator:` fleet environment whose seed connects `accounts` (YAML list items)."""
    project.write(
        "portal-config.yaml",
        EMULATED_FLEET + textwrap.indent(textwrap.dedent(accounts), "        "),
    )


def test_the_live_confirmation_says_how_many_accounts_will_change(project, monkeypatch) -> None:
    live = FLEET_PROJECT.replace("mode: test", "mode: live").replace(
        "PORTAL_CONFIG_E2E_TEST_KEY", "PORTAL_CONFIG_E2E_LIVE_KEY"
    )
    project.write("portal-config.yaml", live.format(url=project.emulator.url))
    project.write("tenant.yaml", TENANT)
    kept = project.emulator.add_connected_accounts(
        12,
        metadata=lambda i: {"portal": "managed", "app_url": f"https://t{i}.example"},
        mode="live",
    )
    assert project.run("apply", "--env", "fleet", "--yes").exit_code == 0
    for account in kept[:3]:
        (config,) = configurations(project, LIVE_KEY, account)
        client(project, LIVE_KEY, account).v1.billing_portal.configurations.update(
            config["id"], {"business_profile": {"headline": "Edited"}}
        )
    project.emulator.clear_log()
    monkeypatch.setattr("sys.stdin", Terminal("no\n"))
    refused = project.run("apply", "--env", "fleet")
    assert "Apply these changes to live environment(s) fleet (3 of 12 accounts will change)?" in (
        refused.stdout
    )
    assert refused.exit_code == 1
    assert project.writes() == []
    monkeypatch.setattr("sys.stdin", Terminal("yes\n"))
    applied = project.run("apply", "--env", "fleet")
    assert applied.exit_code == 0, applied.output
    assert {r.account for r in project.writes()} == set(kept[:3])


def test_markdown_lists_only_the_accounts_that_differ(project) -> None:
    kept = fleet(project, size=30)
    assert project.run("apply", "--env", "fleet", "--accounts", kept[7]).exit_code == 0
    project.emulator.revoked_accounts = {kept[9]}
    result = project.run("plan", "--env", "fleet", "--format", "markdown")
    assert result.exit_code == 1, result.output
    assert "Fleet fleet: 30 account(s): 1 in sync, 28 with changes, 1 failed" in result.stdout
    assert f"### {code(f'fleet/{kept[9]}')} (test mode)" in result.stdout
    assert f"### {code(f'fleet/{kept[0]}')} (test mode)" in result.stdout
    assert code(f"fleet/{kept[7]}") not in result.stdout  # in sync: counted, not listed


def test_saved_plans_are_refused_for_a_fleet(project, tmp_path) -> None:
    fleet(project, size=2)
    saved = tmp_path / "plan.json"
    result = project.run("plan", "--env", "fleet", "--out", str(saved))
    assert result.exit_code == 1
    assert "fleet is a fleet (stripe_accounts): run `portal-config apply` on it" in result.output
    assert not saved.exists()
    assert project.emulator.request_log == []


def test_an_emulator_environment_seeds_its_connected_accounts(project, tmp_path) -> None:
    emulated_fleet(
        project,
        """\
                - {id: acct_1A, business_profile: {url: "https://a.example"}}
                - {id: acct_1B, business_profile: {url: "https://b.example"}}
                - {id: acct_1C, business_profile: {url: "https://c.example"}, revoked: true}
        """,
    )
    project.write(
        "tenant.yaml",
        'default_return_url: "${account.business_profile.url}/billing"\n'
        "features: {invoice_history: {enabled: true}}\n",
    )
    applied = project.run("apply", "--env", "local")
    assert applied.exit_code == 1, applied.output  # acct_1C is revoked
    assert "Apply complete: 2 created" in applied.stdout
    assert "account acct_1C: the platform cannot act for this account" in applied.stdout
    planned = project.run("plan", "--env", "local", "--format", "json")
    entries = {e["account"]: e for e in json.loads(planned.stdout)["environments"]}
    assert [e["in_sync"][0]["key"] for a, e in entries.items() if a != "acct_1C"] == [
        "tenant",
        "tenant",
    ]
    assert entries["acct_1C"]["problems"]


@pytest.mark.parametrize("command", ["import", "pull"])
def test_commands_that_read_one_account_refuse_a_fleet(project, command: str) -> None:
    fleet(project, size=2)
    result = project.run(command, "--env", "fleet")
    assert result.exit_code == 1
    assert f"{command} reads one account, and fleet is a fleet (stripe_accounts)" in result.output
    assert project.emulator.request_log == []


def test_diff_compares_a_fleets_files_offline(project) -> None:
    fleet(project, size=2)
    git = ["git", "-C", str(project.root), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    project.write("tenant.yaml", TENANT.replace("{enabled: true}", "{enabled: false}"))
    result = project.run("diff", "--env", "fleet", "--base", "HEAD")
    assert result.exit_code == 0, result.output
    assert "~ tenant in fleet will be updated in place" in result.stdout
    assert "features.invoice_history.enabled: true -> false" in result.stdout
    assert project.emulator.request_log == []


def test_each_seeded_connected_account_has_its_own_catalog(project) -> None:
    emulated_fleet(
        project,
        """\
                - id: acct_1A
                  seed: &catalog
                    products:
                      - name: Pro
                        prices:
                          - {lookup_key: pro_monthly, unit_amount: 900,
                             recurring: {interval: month}}
                - {id: acct_1B, seed: *catalog}
        """,
    )
    project.write(
        "tenant.yaml",
        """\
        features:
          subscription_update:
            enabled: true
            default_allowed_updates: [price]
            products: [{prices: [lookup_key:pro_monthly]}]
        """,
    )
    applied = project.run("apply", "--env", "local")
    assert applied.exit_code == 0, applied.output
    assert "Apply complete: 2 created" in applied.stdout
    planned = project.run("plan", "--env", "local", "--format", "json")
    labels = [e["price_labels"] for e in json.loads(planned.stdout)["environments"]]
    assert all(list(label.values()) == ["lookup_key:pro_monthly"] for label in labels)
    assert labels[0] != labels[1]  # each account's own price


def test_markdown_of_a_fleet_in_sync_is_its_line(project) -> None:
    fleet(project, size=5)
    assert project.run("apply", "--env", "fleet").exit_code == 0
    result = project.run("plan", "--env", "fleet", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert "| Environment |" not in result.stdout
    assert "Fleet fleet: 5 account(s): 5 in sync, 0 with changes." in result.stdout


def test_fleet_options_are_refused_without_a_fleet(project) -> None:
    project.write("tenant.yaml", "name: Solo\nfeatures: {invoice_history: {enabled: true}}\n")
    for options in (["--force"], ["--threshold", "50%"], ["--shard", "1/2"]):
        result = project.run("apply", "--env", "staging", *options)
        assert result.exit_code == 1, (options, result.output)
        assert "none of the chosen environments is one" in result.output
    assert project.writes() == []
