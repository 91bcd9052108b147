"""What apply reports, as markdown (a PR comment) and JSON (for machines), and the markdown plan
of a fleet where many accounts change the same way: one table, the accounts counted."""

from __future__ import annotations

import json

from portal_config.render.markup import code

from .fleets import TENANT, fleet
from .stripe_state import BASIC, STANDARD, TEST_KEY, by_key, client, configurations


def test_apply_json_says_per_change_what_was_done_with_its_id(project) -> None:
    project.write("standard.yaml", STANDARD)
    created = project.run("apply", "--env", "staging", "--format", "json")
    assert created.exit_code == 0, created.output
    report = json.loads(created.stdout)  # stdout is the JSON alone: the plan went to stderr
    assert report["format_version"] == 1
    assert report["ok"] is True
    standard_id = by_key(project)["standard"]["id"]
    assert report["changes"] == [
        {
            "action": "create",
            "key": "standard",
            "id": standard_id,
            "env": "staging",
            "account": None,
            "outcome": "created",
            "reason": None,
        }
    ]
    project.write("standard.yaml", STANDARD.replace("[too_expensive, other]", "[other]"))
    project.write("basic.yaml", BASIC)
    again = json.loads(project.run("apply", "--env", "staging", "--format", "json").stdout)
    outcomes = {(c["key"], c["action"], c["outcome"]) for c in again["changes"]}
    assert outcomes == {("standard", "update", "updated"), ("basic", "create", "created")}
    assert {c["id"] for c in again["changes"]} == {standard_id, by_key(project)["basic"]["id"]}


def test_apply_markdown_is_a_table_per_environment_with_ids(project) -> None:
    project.write("standard.yaml", STANDARD)
    project.write("basic.yaml", BASIC)
    result = project.run("apply", "--env", "staging", "--format", "markdown")
    assert result.exit_code == 0, result.output
    state = by_key(project)
    assert result.stdout.startswith("<!-- portal-config: apply -->\n")
    assert "Apply complete: 2 created, 0 updated, 0 deactivated." in result.stdout
    assert f"### {code('staging')}" in result.stdout
    assert "| Outcome | Configuration | ID | Detail |" in result.stdout
    for key in ("standard", "basic"):
        assert f"| created | {code(key)} | {code(state[key]['id'])} |" in result.stdout
    assert "will be created" not in result.stdout  # the plan's text is not in the comment


def test_one_change_across_a_fleet_is_one_table_in_the_markdown_plan(project) -> None:
    kept = fleet(project, size=20)
    assert project.run("apply", "--env", "fleet").exit_code == 0
    project.write("tenant.yaml", TENANT.replace('"${support}"', '"Write to us any time"'))
    for account in kept[:3]:  # already as the file says: 17 of 20 change, the same way
        (config,) = configurations(project, TEST_KEY, account)
        client(project, TEST_KEY, account).v1.billing_portal.configurations.update(
            config["id"], {"business_profile": {"headline": "Write to us any time"}}
        )
    result = project.run("plan", "--env", "fleet", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("| Field | Before | After |") == 1
    assert "in 17 of 20 accounts of" in result.stdout
    assert result.stdout.count(f"{code('tenant')} will be updated") == 1
    listed = result.stdout.split("<details><summary>The 17 places</summary>")[1]
    assert all(code(f"fleet/{a}") in listed for a in kept[3:])  # listed once, collapsed
    assert all(code(f"fleet/{a}") not in result.stdout for a in kept[:3])
    assert f"| {code('fleet')} (17 accounts, changes grouped below) | test | 0 | 17 | 0 | 0 |" in (
        result.stdout
    )
    assert len(result.stdout) < 5_000
