"""A Connect fleet end to end: one set of files for every connected account a metadata filter
keeps, each account planned and written on its own, side by side under the run's rate limit; one
account's failure held to that account; shards that cover the fleet without overlap."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .fleets import FLEET_PROJECT, FLEET_SIZE, TENANT, fleet
from .stripe_state import TEST_KEY, client, configurations
from .traffic import watch


def accounts_in(result: Any) -> dict[str, dict[str, Any]]:
    """`--format json`: one entry per account."""
    return {e["account"]: e for e in json.loads(result.stdout)["environments"]}


def test_every_account_the_filter_keeps_gets_one_configuration_of_its_own(project) -> None:
    kept = fleet(project)
    result = project.run("apply", "--env", "fleet")
    assert result.exit_code == 0, result.output
    assert f"Apply complete: {FLEET_SIZE} created, 0 updated, 0 deactivated." in result.stdout
    assert f"Fleet fleet: {FLEET_SIZE} account(s): 0 in sync, {FLEET_SIZE} with changes." in (
        result.stdout
    )
    for number, account in enumerate(kept, start=1):
        (config,) = configurations(project, account=account)
        assert config["name"] == f"Portal of {account}"
        assert config["business_profile"]["headline"] == "Questions? Write to us"
        assert config["default_return_url"] == f"https://t{number}.example/billing"
        assert config["metadata"]["portal_config_key"] == "tenant"
    # the accounts the filter leaves out, and the platform itself, are not touched
    left_out = [
        a["id"]
        for a in client(project).v1.accounts.list({"limit": 100}).auto_paging_iter()
        if a.to_dict()["metadata"].get("portal") != "managed"
    ]
    assert len(left_out) == 5
    assert all(configurations(project, account=a) == [] for a in left_out)
    assert configurations(project) == []

    again = project.run("plan", "--env", "fleet", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert f"{FLEET_SIZE} in sync, 0 with changes" in again.stdout


def test_drift_in_ten_accounts_is_shown_by_account_and_repaired(project) -> None:
    kept = fleet(project)
    assert project.run("apply", "--env", "fleet").exit_code == 0
    drifted = kept[::15]
    assert len(drifted) == 10
    for account in drifted:
        (config,) = configurations(project, account=account)
        client(project, TEST_KEY, account).v1.billing_portal.configurations.update(
            config["id"], {"business_profile": {"headline": "Edited in the Dashboard"}}
        )
    plan = project.run("plan", "--env", "fleet", "--detailed-exitcode", "--format", "json")
    assert plan.exit_code == 2, plan.output
    planned = accounts_in(plan)
    assert {a for a, e in planned.items() if e["changes"]} == set(drifted)
    assert json.loads(plan.stdout)["fleets"] == [
        {
            "name": "fleet",
            "accounts": FLEET_SIZE,
            "fleet_accounts": FLEET_SIZE,
            "in_sync": 140,
            "with_changes": 10,
            "failed": 0,
        }
    ]
    text = project.run("plan", "--env", "fleet")
    assert f"~ tenant ({configurations(project, account=drifted[0])[0]['id']}) in " in text.stdout
    assert f"fleet/{drifted[0]} will be updated in place" in text.stdout

    project.emulator.clear_log()
    repaired = project.run("apply", "--env", "fleet")
    assert repaired.exit_code == 0, repaired.output
    assert "Apply complete: 0 created, 10 updated, 0 deactivated." in repaired.stdout
    writes = {r.account for r in project.writes()}
    assert writes == set(drifted)
    assert project.run("plan", "--env", "fleet", "--detailed-exitcode").exit_code == 0


def test_a_revoked_account_fails_alone_and_is_named(project) -> None:
    kept = fleet(project, size=12, others=0)
    revoked = kept[4]
    project.emulator.revoked_accounts = {revoked}
    result = project.run("apply", "--env", "fleet")
    assert result.exit_code == 1, result.output
    assert "Apply complete: 11 created" in result.stdout
    assert f"fleet/{revoked}: " in result.stdout
    assert f"account {revoked}: the platform cannot act for this account" in result.stdout
    assert "Reconnect it, or leave it out of the fleet" in result.stdout
    assert "Fleet fleet: 12 account(s): 0 in sync, 11 with changes, 1 failed" in result.stdout
    assert (
        f"Held back: 1 account(s) with problems (listed above), nothing written to them: "
        f"fleet/{revoked}" in result.stderr
    )
    assert "Traceback" not in result.output
    assert all(len(configurations(project, account=a)) == 1 for a in kept if a != revoked)

    # once reconnected, a re-run touches only the account not yet in sync
    project.emulator.revoked_accounts = set()
    project.emulator.clear_log()
    rerun = project.run("apply", "--env", "fleet")
    assert rerun.exit_code == 0, rerun.output
    assert "Apply complete: 1 created, 0 updated, 0 deactivated." in rerun.stdout
    assert {r.account for r in project.writes()} == {revoked}


def test_three_shards_cover_the_fleet_without_overlap(project) -> None:
    kept = fleet(project, size=60)
    shards = []
    for index in (1, 2, 3):
        result = project.run("plan", "--env", "fleet", "--shard", f"{index}/3", "--format", "json")
        assert result.exit_code == 0, result.output
        shards.append(set(accounts_in(result)))
    assert set.union(*shards) == set(kept)
    assert sum(len(s) for s in shards) == len(kept)
    assert all(shards)
    # the same account always falls in the same shard
    second = project.run("plan", "--env", "fleet", "--shard", "2/3", "--format", "json")
    assert set(accounts_in(second)) == shards[1]


def test_accounts_narrows_the_run_and_refuses_an_account_not_in_the_fleet(project) -> None:
    kept = fleet(project, size=20)
    result = project.run("apply", "--env", "fleet", "--accounts", kept[0], "--accounts", kept[3])
    assert result.exit_code == 0, result.output
    assert "Apply complete: 2 created" in result.stdout
    assert [a for a in kept if configurations(project, account=a)] == [kept[0], kept[3]]
    wrong = project.run("plan", "--env", "fleet", "--accounts", "acct_nothere")
    assert wrong.exit_code == 1
    assert "--accounts acct_nothere: no fleet of the chosen environments holds this account" in (
        wrong.output
    )


def test_the_threshold_refuses_rewriting_most_of_the_fleet_without_force(project) -> None:
    kept = fleet(project, size=20)
    assert project.run("apply", "--env", "fleet").exit_code == 0  # creates do not count
    project.write(
        "tenant.yaml",
        TENANT.replace("invoice_history: {enabled: true}", "invoice_history: {enabled: false}"),
    )
    project.emulator.clear_log()
    refused = project.run("apply", "--env", "fleet")
    assert refused.exit_code == 1
    assert (
        "fleet fleet: this run would change 20 of the 20 accounts it covers (100%), more than "
        "the 30%" in refused.output
    )
    assert "re-run with --force" in refused.output
    assert project.writes() == []
    few = project.run("apply", "--env", "fleet", *[f"--accounts={a}" for a in kept[:5]])
    assert few.exit_code == 0, few.output  # a run of 5 accounts has no threshold
    rest = project.run("apply", "--env", "fleet")
    assert rest.exit_code == 1
    assert "this run would change 15 of the 20 accounts it covers (75%)" in rest.output
    raised = project.run("apply", "--env", "fleet", "--threshold", "80%")
    assert raised.exit_code == 0, raised.output
    assert "Apply complete: 0 created, 15 updated, 0 deactivated." in raised.stdout
    assert project.run("plan", "--env", "fleet", "--detailed-exitcode").exit_code == 0
    project.write("tenant.yaml", TENANT)
    forced = project.run("apply", "--env", "fleet", "--force")
    assert forced.exit_code == 0, forced.output
    assert "Apply complete: 0 created, 20 updated, 0 deactivated." in forced.stdout


def test_accounts_side_by_side_stay_under_the_test_mode_rate(project) -> None:
    fleet(project, size=25, others=0)
    traffic = watch(project.emulator)
    project.emulator.faults.latency = 0.05
    result = project.run("apply", "--env", "fleet", "--max-rps", "20")
    assert result.exit_code == 0, result.output
    assert "Apply complete: 25 created" in result.stdout
    # the account list; per account a list, a re-check, a create
    assert len(traffic.times) == 1 + 25 * 3
    assert (
        traffic.most_in_one_second() <= 25
    )  # Stripe's test mode limit (docs.stripe.com/rate-limits)
    assert traffic.peak > 1


def test_a_file_of_ids_and_fields_of_each_account_object(project) -> None:
    made = project.emulator.add_connected_accounts(
        4, business_profile=lambda i: {"url": f"https://shop{i}.example", "name": f"Shop {i}"}
    )
    project.write("accounts.txt", f"# our tenants\n{made[0]}\n\n{made[2]}  # the big one\n")
    project.write(
        "portal-config.yaml",
        FLEET_PROJECT.format(url=project.emulator.url).replace(
            "{connected: all, metadata: {portal: managed}}", "{file: accounts.txt}"
        ),
    )
    project.write(
        "tenant.yaml",
        'name: "${account.business_profile.name}"\n'
        'default_return_url: "${account.business_profile.url}/account"\n'
        "features: {invoice_history: {enabled: true}}\n",
    )
    assert project.run("validate").exit_code == 0
    project.emulator.clear_log()
    result = project.run("apply", "--env", "fleet")
    assert result.exit_code == 0, result.output
    assert "Apply complete: 2 created" in result.stdout
    read = sorted(r.path for r in project.emulator.request_log if r.path.startswith("/v1/accounts"))
    assert read == sorted(f"/v1/accounts/{a}" for a in (made[0], made[2]))  # one read each
    for number in (1, 3):
        (config,) = configurations(project, account=made[number - 1])
        assert (config["name"], config["default_return_url"]) == (
            f"Shop {number}",
            f"https://shop{number}.example/account",
        )
    assert configurations(project, account=made[1]) == []
    project.emulator.revoked_accounts = {made[2]}
    revoked = project.run("plan", "--env", "fleet")
    assert revoked.exit_code == 1
    assert f"configs/accounts.txt:4:1: account {made[2]}: the platform cannot act" in (
        revoked.stdout
    )


def test_a_field_no_account_has_is_caught_offline(project) -> None:
    fleet(project, size=1)
    project.write("tenant.yaml", TENANT.replace("metadata.app_url", "metdata.app_url"))
    result = project.run("validate")
    assert result.exit_code == 1
    assert (
        "tenant.yaml:3:21: ${account.metdata.app_url}: the account object has no field "
        "'metdata' (did you mean metadata?)" in result.output
    )


@pytest.mark.parametrize(
    ("accounts", "message"),
    [
        ("[acct_1, acct_1]", "acct_1 is listed twice"),
        ("{connected: some}", "connected takes `all`"),
        ("{file: missing.txt}", "cannot read the file of account IDs"),
    ],
)
def test_a_bad_stripe_accounts_is_located(project, accounts: str, message: str) -> None:
    project.write(
        "portal-config.yaml",
        FLEET_PROJECT.format(url=project.emulator.url).replace(
            "{connected: all, metadata: {portal: managed}}", accounts
        ),
    )
    result = project.run("validate")
    assert result.exit_code == 1
    assert "portal-config.yaml:8:" in result.output
    assert message in result.output


def test_a_failure_every_account_would_meet_ends_the_run_at_once(project) -> None:
    fleet(project, size=20, others=0)
    refused = {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}}
    project.emulator.faults.script(
        [
            {
                "method": "GET",
                "path_prefix": "/v1/billing_portal/configurations",
                "status": 401,
                "answer": refused,
            }
        ]
    )
    result = project.run("plan", "--env", "fleet", "--parallelism", "1")
    assert result.exit_code == 1
    assert "Stripe rejected the API key" in result.output
    assert "Traceback" not in result.output
    listed = [r for r in project.emulator.request_log if "portal" in r.path]
    # the one taken up while the failure came back finishes; the other 18 are not tried
    assert len(listed) <= 2


def test_a_run_is_measured_against_the_accounts_it_covers(project) -> None:
    kept = fleet(project, size=30)
    assert project.run("apply", "--env", "fleet").exit_code == 0
    project.write("tenant.yaml", TENANT.replace("{enabled: true}", "{enabled: false}"))
    project.emulator.clear_log()
    canary = project.run("apply", "--env", "fleet", *[f"--accounts={a}" for a in kept[:9]])
    assert canary.exit_code == 0, canary.output  # a run of fewer than 10 has no threshold
    assert "Fleet fleet: 9 account(s) (of 30 in the fleet): 0 in sync, 9 with changes." in (
        canary.stdout
    )
    assert {r.account for r in project.writes()} == set(kept[:9])
    part = project.run("apply", "--env", "fleet", *[f"--accounts={a}" for a in kept[9:21]])
    assert part.exit_code == 1
    assert "this run would change 12 of the 12 accounts it covers (100%; 12 of the " in (
        part.output
    )
    rest = project.run("apply", "--env", "fleet")
    assert rest.exit_code == 1
    assert "this run would change 21 of the 30 accounts it covers (70%)" in rest.output


def test_a_filter_that_keeps_no_account_is_an_error(project) -> None:
    fleet(project, size=3)
    text = (project.configs / "portal-config.yaml").read_text()
    project.write("portal-config.yaml", text.replace("portal: managed", "portal: manged"))
    for command in ("plan", "apply", "ids", "doctor"):
        result = project.run(command, "--env", "fleet")
        assert result.exit_code == 1, (command, result.output)
        assert (
            "none of the platform's 8 connected accounts has the metadata stripe_accounts asks "
            "for ({portal: manged})" in result.output
        )
