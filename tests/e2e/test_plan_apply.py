"""plan and apply end to end: the CLI, the real stripe SDK over HTTP, the emulator's state."""

from __future__ import annotations

import json

import pytest

from .stripe_state import BASIC, STANDARD, TEST_KEY, by_key, client


def test_apply_creates_everything_then_plan_shows_no_changes(project) -> None:
    project.write("standard.yaml", STANDARD)
    project.write("basic.yaml", BASIC)
    first = project.run("plan", "--env", "staging", "--detailed-exitcode")
    assert first.exit_code == 2, first.output
    assert "+ standard in staging will be created" in first.stdout
    assert "Plan: 2 to create, 0 to update, 0 to deactivate." in first.stdout

    applied = project.run("apply", "--env", "staging")
    assert applied.exit_code == 0, applied.output
    assert "Apply complete: 2 created, 0 updated, 0 deactivated." in applied.stdout

    state = by_key(project)
    assert set(state) == {"standard", "basic"}
    standard = state["standard"]
    assert standard["default_return_url"] == "https://staging.example.com/account"
    assert standard["metadata"] == {
        "team": "billing",
        "portal_config_project": "acme",
        "portal_config_env": "staging",
        "portal_config_key": "standard",
    }
    assert sorted(standard["features"]["customer_update"]["allowed_updates"]) == [
        "address",
        "email",
    ]
    again = project.run("plan", "--env", "staging", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes. Stripe matches the configuration files." in again.stdout


def test_one_changed_field_is_exactly_one_change_and_one_small_request(project) -> None:
    project.write("standard.yaml", STANDARD)
    assert project.run("apply", "--env", "staging").exit_code == 0
    project.write(
        "standard.yaml",
        STANDARD.replace("[too_expensive, other]", "[too_expensive, other, unused]"),
    )
    project.emulator.clear_log()
    result = project.run("plan", "--env", "staging")
    assert result.exit_code == 0
    path = "features.subscription_cancel.cancellation_reason.options"
    assert (
        f'{path}: ["other", "too_expensive"] -> ["other", "too_expensive", "unused"]'
        in result.stdout
    )
    assert "Plan: 0 to create, 1 to update, 0 to deactivate." in result.stdout
    assert project.writes() == []  # plan only reads

    assert project.run("apply", "--env", "staging").exit_code == 0
    (write,) = project.writes()
    assert write.body == {
        "features": {
            "subscription_cancel": {
                "cancellation_reason": {
                    "options": ["other", "too_expensive", "unused"],
                    "enabled": "true",
                }
            }
        },
        "expand": ["features.subscription_update.products"],
    }


def test_drift_made_in_stripe_shows_in_plan_with_exit_2(project) -> None:
    project.write("standard.yaml", STANDARD)
    assert project.run("apply", "--env", "staging").exit_code == 0
    config_id = by_key(project)["standard"]["id"]
    client(project).v1.billing_portal.configurations.update(
        config_id, {"features": {"invoice_history": {"enabled": False}}}
    )
    result = project.run("plan", "--env", "staging", "--detailed-exitcode")
    assert result.exit_code == 2
    assert f"~ standard ({config_id}) in staging will be updated in place" in result.stdout
    assert "features.invoice_history.enabled: false -> true" in result.stdout
    assert project.run("apply", "--env", "staging").exit_code == 0
    assert project.run("plan", "--env", "staging", "--detailed-exitcode").exit_code == 0


# Not under first-becomes-default: the first configuration it creates would become the default.
@pytest.mark.behaviours("documented", "refuse-default-updates")
def test_removed_file_is_deactivated_only_with_prune(project) -> None:
    project.write("standard.yaml", STANDARD)
    project.write("basic.yaml", BASIC)
    assert project.run("apply", "--env", "staging").exit_code == 0
    basic_id = by_key(project)["basic"]["id"]
    project.remove("basic.yaml")

    kept = project.run("apply", "--env", "staging")
    assert kept.exit_code == 0
    assert f"basic ({basic_id}); `apply --prune` would deactivate them" in kept.stdout
    assert by_key(project)["basic"]["active"] is True

    pruned = project.run("apply", "--env", "staging", "--prune")
    assert pruned.exit_code == 0, pruned.output
    assert (
        f"- basic ({basic_id}) in staging will be DEACTIVATED: portal sessions created with "
        f"{basic_id} will fail"
    ) in pruned.stdout
    assert by_key(project)["basic"]["active"] is False
    assert by_key(project)["standard"]["active"] is True

    project.write("basic.yaml", BASIC)  # the file returns: its old configuration comes back
    back = project.run("apply", "--env", "staging")
    assert back.exit_code == 0 and "active: false -> true" in back.stdout
    assert by_key(project)["basic"]["id"] == basic_id and by_key(project)["basic"]["active"]


def test_unmanaged_configurations_are_reported_and_left_alone(project) -> None:
    other = (
        client(project)
        .v1.billing_portal.configurations.create(
            {"features": {"payment_method_update": {"enabled": True}}}  # not like basic.yaml
        )
        .id
    )
    project.write("basic.yaml", BASIC)
    project.emulator.clear_log()
    result = project.run("apply", "--env", "staging", "--prune")
    assert result.exit_code == 0
    assert f"1 configuration(s) no file claims, left alone: {other}" in result.stdout
    written = [w.path for w in project.writes()]
    assert written[0] == "/v1/billing_portal/configurations"
    # Only what was created is written again (a creation default settled: behaviours.py).
    assert all(other not in path for path in written)


def test_json_plan_is_a_stable_machine_shape(project) -> None:
    import json

    project.write("basic.yaml", BASIC)
    result = project.run("plan", "--env", "staging", "--format", "json")
    data = json.loads(result.stdout)
    assert data["summary"] == {"create": 1, "update": 0, "deactivate": 0, "problems": 0}
    (env,) = data["environments"]
    assert env["name"] == "staging" and env["mode"] == "test"
    change = env["changes"][0]
    assert change["action"] == "create" and change["key"] == "basic"
    assert {"path": "features.invoice_history.enabled", "old": None, "new": True} in change[
        "fields"
    ]


def test_markdown_plan_for_a_pull_request_comment(project) -> None:
    project.write("basic.yaml", BASIC)
    result = project.run("plan", "--env", "staging", "--format", "markdown")
    assert result.exit_code == 0
    assert result.stdout.startswith("<!-- portal-config: plan -->\n\n## portal-config plan\n\n")
    assert "| <code>staging</code> | test | 1 | 0 | 0 | 0 |" in result.stdout
    assert "<details><summary>+ <code>basic</code> will be created · <code>" in result.stdout
    assert '| <code>name</code> |  | <code>"Basic"</code> |' in result.stdout
    assert result.stdout.rstrip().endswith("**Plan: 1 to create, 0 to update, 0 to deactivate.**")


def test_saved_plan_is_applied_exactly_or_refused_when_stale(project, tmp_path) -> None:

    project.write("standard.yaml", STANDARD)
    saved = tmp_path / "plan.json"
    result = project.run("plan", "--env", "staging", "--out", str(saved))
    assert result.exit_code == 0 and "Saved the plan" in result.stderr
    assert TEST_KEY not in saved.read_text()
    project.write("standard.yaml", STANDARD.replace("Standard portal", "Edited after review"))
    applied = project.run("apply", "--plan", str(saved))
    assert applied.exit_code == 0, applied.output
    assert by_key(project)["standard"]["name"] == "Standard portal"  # as reviewed, not as edited

    other = (
        client(project)
        .v1.billing_portal.configurations.create(
            {"features": {"invoice_history": {"enabled": True}}}
        )
        .id
    )
    project.emulator.clear_log()
    stale = project.run("apply", "--plan", str(saved))
    assert stale.exit_code == 1
    standard = by_key(project)["standard"]["id"]
    error = stale.stderr.strip().splitlines()[-1]
    assert error.startswith("Error: the saved plan is stale: in staging, ")
    assert f"standard ({standard})" in error and f" {other} " in error and "are new. " in error
    assert error.endswith(
        "Nothing was written; run `portal-config plan --out` again, review it, and apply that."
    )
    assert project.writes() == []


def test_a_stale_saved_plan_names_the_configuration_changed_in_stripe(project, tmp_path) -> None:
    project.write("standard.yaml", STANDARD)
    project.write("basic.yaml", BASIC)
    assert project.run("apply", "--env", "staging").exit_code == 0
    project.write("standard.yaml", STANDARD.replace("Standard portal", "Renamed"))
    saved = tmp_path / "plan.json"
    assert project.run("plan", "--env", "staging", "--out", str(saved)).exit_code == 0
    standard = by_key(project)["standard"]["id"]
    client(project).v1.billing_portal.configurations.update(
        standard, {"business_profile": {"headline": "Edited in the Dashboard"}}
    )
    project.emulator.clear_log()
    stale = project.run("apply", "--plan", str(saved))
    assert stale.exit_code == 1, stale.output
    assert (
        f"Error: the saved plan is stale: in staging, standard ({standard}) changed in Stripe "
        "since the plan was made. Nothing was written"
    ) in stale.stderr
    assert project.writes() == []
    assert by_key(project)["standard"]["name"] == "Standard portal"


def _moved_to_staging(document) -> str:
    staging, prod = document["environments"]
    staging["changes"].append(prod["changes"].pop())
    return (
        "environments[0].changes[1].env: 'prod' in the entry of environment 'staging' (a "
        "change belongs to its own)"
    )


def _wrong_type(document) -> str:
    document["environments"][0]["changes"][0]["fields"] = {"name": "x"}
    return "environments[0].changes[0].fields: must be array, not a mapping"


def _missing_key(document) -> str:
    del document["environments"][1]["changes"][0]["params"]
    return "environments[1].changes[0]: 'params' is missing"


@pytest.mark.behaviours("documented")
@pytest.mark.parametrize(
    "tamper", [_moved_to_staging, _wrong_type, _missing_key], ids=["moved", "wrong-type", "missing"]
)
def test_an_edited_saved_plan_is_refused_before_any_request(project, tmp_path, tamper) -> None:
    project.write("basic.yaml", BASIC)
    saved = tmp_path / "plan.json"
    assert project.run("plan", "--all", "--out", str(saved)).exit_code == 0
    document = json.loads(saved.read_text())
    what = tamper(document)
    saved.write_text(json.dumps(document))
    project.emulator.clear_log()
    result = project.run("apply", "--plan", str(saved), "--yes")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "Internal error" not in result.output
    assert result.stderr == (
        f"Error: {saved}: {what}. The file was changed after it was saved; "
        "make it again with `portal-config plan --out`, review it, and "
        "apply that\n"
    )
    assert project.emulator.request_log == []


# Not under first-becomes-default: the first configuration it creates would become the default.
@pytest.mark.behaviours("documented", "refuse-default-updates")
def test_pinned_configuration_is_adopted_only_with_adopt(project) -> None:
    existing = (
        client(project)
        .v1.billing_portal.configurations.create(
            {"name": "Clicked together", "features": {"invoice_history": {"enabled": True}}}
        )
        .id
    )
    project.write(
        "main.yaml",
        f"ids: {{staging: {existing}}}\nname: Clicked together\n"
        "features:\n  invoice_history: {enabled: true}\n",
    )
    assert project.run("apply", "--env", "staging", "--prune").stdout.startswith("No changes.")
    adopted = project.run("apply", "--env", "staging", "--adopt")
    assert adopted.exit_code == 0, adopted.output
    assert f"~ main ({existing}) in staging will be adopted" in adopted.stdout
    assert '    metadata.portal_config_key: null -> "main"' in adopted.stdout
    assert by_key(project)["main"]["id"] == existing
    project.remove("main.yaml")
    pruned = project.run("apply", "--env", "staging", "--prune")
    assert pruned.exit_code == 0 and f"- main ({existing})" in pruned.stdout
