"""ids and doctor over a Connect fleet end to end: each account's own configuration IDs, each
account checked as doctor checks one environment, side by side under the run's rate limit; one
account's failure (a revoked connection) held to that account and named."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from portal_config.emulator.seed import DASHBOARD_DEFAULT

from .stripe_state import configurations
from .test_fleet import fleet

CONFIGURATIONS = "/v1/billing_portal/configurations"
REVOKED = "the platform cannot act for this account"
RECONNECT = "Reconnect it, or leave it out of the fleet (stripe_accounts)"


def applied_fleet(project: Any, size: int = 20) -> dict[str, str]:
    """`size` accounts, each with a Dashboard default (returning customers to its app) and its
    `tenant` configuration applied; account -> the tenant configuration's ID in Stripe."""
    kept = fleet(project, size=size, others=2)
    for number, account in enumerate(kept, start=1):
        default = {**DASHBOARD_DEFAULT, "default_return_url": f"https://t{number}.example/home"}
        project.emulator.seed({"default_configuration": default}, account=account)
    result = project.run("apply", "--env", "fleet")
    assert result.exit_code == 0, result.output
    tenants = {a: tenant_id(project, a) for a in kept}
    project.emulator.clear_log()
    return tenants


def tenant_id(project: Any, account: str) -> str:
    (tenant,) = [c for c in configurations(project, account=account) if not c["is_default"]]
    return str(tenant["id"])


def default_id(project: Any, account: str) -> str:
    (default,) = [c for c in configurations(project, account=account) if c["is_default"]]
    return str(default["id"])


def reads(project: Any) -> Counter[tuple[str, str | None]]:
    """(path, Stripe-Account) of each request since the log was cleared."""
    return Counter((r.path, r.account) for r in project.emulator.request_log)


# -- ids --------------------------------------------------------------------------------------


def test_ids_lists_each_accounts_own_configuration(project) -> None:
    tenants = applied_fleet(project)
    result = project.run("ids", "--env", "fleet", "--parallelism", "6")
    assert result.exit_code == 0, result.output
    # the list of connected accounts, then one list per account, through its Stripe-Account
    assert reads(project) == Counter(
        {("/v1/accounts", None): 1, **{(CONFIGURATIONS, a): 1 for a in tenants}}
    )
    assert project.writes() == []
    lines = [line.split() for line in result.stdout.splitlines()]
    assert {a: i for a, key, i in lines if key == "tenant"} == tenants
    assert {a: i for a, key, i in lines if key == "default"} == {
        a: default_id(project, a) for a in tenants
    }
    assert len(set(tenants.values())) == len(tenants)  # each account's own configuration

    document = json.loads(project.run("ids", "--env", "fleet", "--format", "json").stdout)
    assert document["environment"] == "fleet" and document["mode"] == "test"
    assert document["format_version"] == 1
    assert sorted(document["accounts"], key=lambda e: e["account"]) == [
        {
            "account": a,
            "ids": {"tenant": i, "default": default_id(project, a)},
            "default_key": None,
            "problems": [],
        }
        for a, i in sorted(tenants.items())
    ]


def test_ids_narrowed_to_some_accounts_and_to_a_shard(project) -> None:
    tenants = applied_fleet(project, size=10)
    accounts = list(tenants)
    some = project.run(
        "ids", "--env", "fleet", "--accounts", accounts[2], "--accounts", accounts[5]
    )
    assert some.exit_code == 0, some.output
    assert {line.split()[0] for line in some.stdout.splitlines()} == {accounts[2], accounts[5]}
    shards = [
        {
            e["account"]
            for e in json.loads(
                project.run("ids", "--env", "fleet", "--shard", f"{n}/2", "--format", "json").stdout
            )["accounts"]
        }
        for n in (1, 2)
    ]
    assert shards[0] | shards[1] == set(accounts) and not shards[0] & shards[1]


def revoked_one(project: Any, command: str) -> tuple[list[str], str, Any]:
    """A fleet of 12 applied, then one account's connection revoked; the accounts, the revoked
    one, and `command` run over the fleet."""
    accounts = list(applied_fleet(project, size=12))
    revoked = accounts[4]
    project.emulator.revoked_accounts = {revoked}
    result = project.run(command, "--env", "fleet")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    return accounts, revoked, result


def test_ids_a_revoked_account_is_named_alone(project) -> None:
    tenants, revoked, result = revoked_one(project, "ids")
    listed = {line.split()[0] for line in result.stdout.splitlines()}
    assert listed == set(tenants) - {revoked}
    (error,) = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert error.startswith(f"Error: account {revoked}: {REVOKED}")
    assert RECONNECT in error

    alone = project.run("ids", "--env", "fleet", "--accounts", revoked, "--format", "json")
    assert alone.exit_code == 1
    (entry,) = json.loads(alone.stdout)["accounts"]
    assert entry["account"] == revoked and entry["ids"] == {}
    (problem,) = entry["problems"]
    assert problem.startswith(f"account {revoked}: {REVOKED}")


def connected_late(project: Any, command: str) -> tuple[str, Any]:
    """A fleet of 3 applied, then an account connected that nobody set up (no configuration,
    no app_url in its metadata); the account, and `command` run over the fleet."""
    applied_fleet(project, size=3)
    (late,) = project.emulator.add_connected_accounts(1, metadata={"portal": "managed"})
    result = project.run(command, "--env", "fleet")
    assert result.exit_code == 1
    return late, result


def test_ids_names_an_account_not_yet_applied_with_its_own_apply(project) -> None:
    late, result = connected_late(project, "ids")
    assert f"has no configuration in fleet/{late} yet: run `portal-config apply --env fleet " in (
        result.stderr
    )
    assert f"--accounts {late}` to create it" in result.stderr


def test_ids_format_env_is_refused_for_a_fleet(project) -> None:
    applied_fleet(project, size=2)
    result = project.run("ids", "--env", "fleet", "--format", "env")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "one set of IDs per account, which cannot be one env file: use --format json" in (
        result.stderr
    )
    assert project.emulator.request_log == []  # refused before any request


def test_accounts_is_refused_on_an_environment_that_is_no_fleet(project) -> None:
    for command in ("ids", "doctor"):
        result = project.run(command, "--env", "staging", "--accounts", "acct_1")
        assert result.exit_code == 1
        assert "--accounts and --shard choose accounts of a fleet" in result.stderr


# -- doctor -----------------------------------------------------------------------------------


def test_doctor_counts_the_healthy_and_names_the_account_missing_its_configuration(project) -> None:
    tenants = applied_fleet(project)
    (late,) = project.emulator.add_connected_accounts(
        1, metadata={"portal": "managed", "app_url": "https://late.example"}
    )
    default = {**DASHBOARD_DEFAULT, "default_return_url": "https://late.example/home"}
    project.emulator.seed({"default_configuration": default}, account=late)
    result = project.run("doctor", "--env", "fleet")
    assert result.exit_code == 1, result.output
    assert "Fleet fleet: 21 account(s): 20 healthy, 1 with findings. Portal links fail" in (
        result.stdout
    )
    assert f"fleet/{late}: 1 problem(s), 0 warning(s)" in result.stdout
    assert f"tenant.yaml has no configuration in fleet/{late} yet" in result.stdout
    assert f"fix: run `portal-config apply --env fleet --accounts {late}`" in result.stdout
    assert not any(f"fleet/{a}" in result.stdout for a in tenants)  # healthy: only counted
    # the list of connected accounts, then one list per account (its files name no prices)
    assert reads(project) == Counter(
        {("/v1/accounts", None): 1, **{(CONFIGURATIONS, a): 1 for a in [*tenants, late]}}
    )

    document = json.loads(project.run("doctor", "--env", "fleet", "--format", "json").stdout)
    assert document["exit_code"] == 1
    assert document["summary"] == {"accounts": 21, "healthy": 20, "with_findings": 1, "failed": 0}
    statuses = {e["account"]: e["status"] for e in document["accounts"]}
    assert statuses == {**{a: "healthy" for a in tenants}, late: "with_findings"}
    late_entry = next(e for e in document["accounts"] if e["account"] == late)
    assert [f["check"] for f in late_entry["findings"] if f["status"] == "problem"] == [
        "configuration tenant"
    ]

    project.emulator.clear_log()
    assert project.run("apply", "--env", "fleet", "--accounts", late).exit_code == 0
    healthy = project.run("doctor", "--env", "fleet")
    assert healthy.exit_code == 0, healthy.output
    assert "21 healthy, 0 with findings. All checks passed." in healthy.stdout


def test_doctor_a_revoked_account_fails_alone(project) -> None:
    _, revoked, result = revoked_one(project, "doctor")
    assert "Fleet fleet: 12 account(s): 11 healthy, 0 with findings, 1 failed." in result.stdout
    assert f"fleet/{revoked} (failed: not read)" in result.stdout
    assert f"account {revoked}: {REVOKED}" in result.stdout
    assert RECONNECT in result.stdout

    alone = project.run("doctor", "--env", "fleet", "--accounts", revoked, "--format", "json")
    assert alone.exit_code == 1
    document = json.loads(alone.stdout)
    assert document["summary"] == {"accounts": 1, "healthy": 0, "with_findings": 0, "failed": 1}
    (entry,) = document["accounts"]
    assert (entry["account"], entry["status"]) == (revoked, "failed")


def test_doctor_checks_a_customer_only_in_the_one_account_named(project) -> None:
    tenants = applied_fleet(project, size=3)
    account = list(tenants)[1]
    project.emulator.seed(
        {"customers": [{"id": "cus_tenant", "email": "jo@example.com"}]}, account=account
    )
    refused = project.run("doctor", "--env", "fleet", "--customer", "cus_tenant")
    assert refused.exit_code == 1
    assert "a customer belongs to one connected account" in refused.stderr
    assert "name that account with --accounts acct_... (exactly one)" in refused.stderr
    assert project.emulator.request_log == []

    result = project.run(
        "doctor", "--env", "fleet", "--customer", "cus_tenant", "--accounts", account
    )
    assert result.exit_code == 0, result.output
    assert "Fleet fleet: 1 account(s): 1 healthy" in result.stdout
    assert f"fleet/{account}: 0 problem(s), 0 warning(s)" in result.stdout  # every finding shown
    sessions = [r for r in project.writes() if r.path == "/v1/billing_portal/sessions"]
    assert {r.account for r in sessions} == {account}
    assert len(sessions) == 2  # the default, and the tenant configuration


@pytest.mark.parametrize("command", ["ids", "doctor"])
def test_help_shows_the_fleet_options(project, command: str) -> None:
    result = project.run(command, "--help")
    assert result.exit_code == 0
    for option in ("--shard I/N", "--accounts ACCT", "--parallelism N", "--max-rps N"):
        assert option in result.stdout


def test_doctor_names_the_account_that_lacks_a_variable_its_files_use(project) -> None:
    bare, result = connected_late(project, "doctor")
    assert f"account {bare} has no metadata.app_url, used as ${{account.metadata.app_url}}" in (
        result.stdout
    )
    assert "until then plan and apply leave the file out in this account" in result.stdout
    assert "3 healthy, 1 with findings" in result.stdout
