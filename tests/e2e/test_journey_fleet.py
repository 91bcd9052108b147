"""Journey: a platform rolls one portal out to a fleet of 130 connected accounts in a CI matrix of
four shards, repairs a few tenants' Dashboard edits, then changes every tenant's portal on purpose.

The threshold's share is of the accounts a run covers (its shard), so every shard of a fleet-wide
change is held alike, whatever size SHA-256 made it, and passes with --force or --threshold.
"""

from __future__ import annotations

from portal_config.project import fleet_accounts

from .fleets import TENANT, fleet
from .stripe_state import TEST_KEY, client, configurations

SIZE, SHARDS = 130, 4


def shard(index: int) -> list[str]:
    return ["--env", "fleet", "--shard", f"{index}/{SHARDS}"]


def test_a_fleet_wide_change_is_held_in_every_shard_until_forced(project) -> None:
    kept = fleet(project, size=SIZE)
    shards = {i: fleet_accounts.shard(kept, i, SHARDS) for i in range(1, SHARDS + 1)}
    for i in shards:  # a first rollout: creates do not count
        rollout = project.run("apply", *shard(i))
        assert rollout.exit_code == 0, rollout.output
        assert f"Apply complete: {len(shards[i])} created" in rollout.stdout

    # A few tenants edited in the Dashboard: repairing them is well within any shard's share.
    largest = max(shards, key=lambda i: len(shards[i]))
    for account in shards[largest][:3]:
        (config,) = configurations(project, account=account)
        client(project, TEST_KEY, account).v1.billing_portal.configurations.update(
            config["id"], {"business_profile": {"headline": "Edited in the Dashboard"}}
        )
    repaired = project.run("apply", *shard(largest))
    assert repaired.exit_code == 0, repaired.output
    assert "Apply complete: 0 created, 3 updated, 0 deactivated." in repaired.stdout

    # Every tenant's portal changes: each shard is held, the small ones as much as the large.
    project.write("tenant.yaml", TENANT.replace("${support}", "Ask us anything"))
    project.emulator.clear_log()
    for i, accounts in shards.items():
        held = project.run("apply", *shard(i))
        assert held.exit_code == 1, (i, held.output)
        n = len(accounts)
        assert (
            f"fleet fleet: this run would change {n} of the {n} accounts it covers (100%; "
            f"{n} of the fleet's {SIZE}), more than the 30%" in held.output
        ), held.output
        assert "re-run with --force (or --threshold 100%)" in held.output
        assert "--shard" not in held.output.split("fleet fleet:")[1]  # already sharded
        assert "Traceback" not in held.output
    assert project.writes() == []

    for i, accounts in shards.items():
        option = "--force" if i < SHARDS else "--threshold=100%"
        passed = project.run("apply", *shard(i), option)
        assert passed.exit_code == 0, (i, passed.output)
        assert f"Apply complete: 0 created, {len(accounts)} updated" in passed.stdout
    clean = project.run("plan", "--env", "fleet", "--detailed-exitcode")
    assert clean.exit_code == 0, clean.output
    assert f"{SIZE} in sync, 0 with changes" in clean.stdout
    assert {
        configurations(project, account=a)[0]["business_profile"]["headline"] for a in kept
    } == {"Ask us anything"}


def test_a_whole_fleet_run_is_offered_a_few_accounts_first(project) -> None:
    kept = fleet(project, size=20)
    assert project.run("apply", "--env", "fleet").exit_code == 0
    project.write("tenant.yaml", TENANT.replace("${support}", "Ask us anything"))
    held = project.run("apply", "--env", "fleet")
    assert held.exit_code == 1
    assert (
        "fleet fleet: this run would change 20 of the 20 accounts it covers (100%), more than "
        "the 30% (6 accounts) one run may change"
    ) in held.output
    assert "or try it on a few accounts first (--accounts acct_...;" in held.output
    canary = project.run("apply", "--env", "fleet", *(f"--accounts={a}" for a in kept[:3]))
    assert canary.exit_code == 0, canary.output
    assert "Apply complete: 0 created, 3 updated" in canary.stdout
