"""`show PLAN.json` renders a saved plan; `--target KEY` limits plan and apply to some files."""

from __future__ import annotations

import json

from .stripe_state import BASIC, STANDARD, by_key, client

TARGETED = "Targeted plan: only standard; other configurations are neither changed nor pruned.\n"


def test_show_renders_a_saved_plan_as_plan_printed_it(project, tmp_path) -> None:
    project.write("standard.yaml", STANDARD)
    saved = tmp_path / "plan.json"
    planned = project.run("plan", "--env", "staging", "--out", str(saved))
    assert planned.exit_code == 0, planned.output
    project.remove("standard.yaml")  # show reads the saved plan, not the files or Stripe
    project.emulator.clear_log()

    shown = project.run("show", str(saved))
    assert shown.exit_code == 0, shown.output
    assert shown.stdout == planned.stdout
    as_json = project.run("show", str(saved), "--format", "json")
    assert json.loads(as_json.stdout)["summary"] == {
        "create": 1,
        "update": 0,
        "deactivate": 0,
        "problems": 0,
    }
    markdown = project.run("show", str(saved), "--format", "markdown")
    assert markdown.stdout.startswith(
        "<!-- portal-config: plan -->\n\n## portal-config plan (saved in plan.json)\n"
    )
    assert "<details>" in markdown.stdout and "standard" in markdown.stdout
    assert project.emulator.request_log == []


def test_show_refuses_a_file_that_is_no_plan(project, tmp_path) -> None:
    other = tmp_path / "notes.json"
    other.write_text('{"hello": 1}')
    result = project.run("show", str(other))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {other}: not a portal-config plan file of version 2: make "
        "it again with `portal-config plan --out`\n"
    )


def test_target_plans_and_applies_only_those_files(project) -> None:
    project.write("standard.yaml", STANDARD)
    project.write("basic.yaml", BASIC)
    other = (
        client(project)
        .v1.billing_portal.configurations.create(
            {"features": {"invoice_history": {"enabled": True}}}
        )
        .id
    )

    plan = project.run("plan", "--env", "staging", "--target", "standard", "--detailed-exitcode")
    assert plan.exit_code == 2, plan.output
    assert plan.stderr == TARGETED
    assert "+ standard in staging will be created" in plan.stdout
    assert "basic" not in plan.stdout and other not in plan.stdout
    assert "Plan: 1 to create, 0 to update, 0 to deactivate." in plan.stdout
    markdown = project.run(
        "plan", "--env", "staging", "--target", "standard", "--format", "markdown"
    )
    assert "\n## portal-config plan, targeted (only standard)\n" in markdown.stdout

    applied = project.run("apply", "--env", "staging", "--target", "standard")
    assert applied.exit_code == 0, applied.output
    assert TARGETED in applied.stderr
    assert set(by_key(project)) == {"standard", None}  # basic is not created
    # Basic's configuration, once there, is neither changed nor pruned by a plan of standard.
    assert project.run("apply", "--env", "staging").exit_code == 0
    project.remove("basic.yaml")
    project.write("standard.yaml", STANDARD.replace("Standard portal", "Standard"))
    project.emulator.clear_log()
    again = project.run("apply", "--env", "staging", "--target", "standard")
    assert again.exit_code == 0, again.output
    assert "basic" not in again.stdout
    assert [w.path for w in project.writes()] == [
        f"/v1/billing_portal/configurations/{by_key(project)['standard']['id']}"
    ]
    assert by_key(project)["basic"]["active"] is True


def test_an_unknown_target_is_an_error_listing_the_keys(project, tmp_path) -> None:
    project.write("standard.yaml", STANDARD)
    project.write("basic.yaml", BASIC)
    result = project.run("plan", "--env", "staging", "--target", "standrad")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: --target 'standrad' is not a configuration's key (did you mean 'standard'?): "
        "the files' keys are basic, standard\n"
    )
    pruned = project.run("apply", "--env", "staging", "--target", "basic", "--prune")
    assert pruned.exit_code == 1
    assert "drop --prune or --target" in pruned.stderr
    saved = tmp_path / "plan.json"
    assert project.run("plan", "--env", "staging", "--out", str(saved)).exit_code == 0
    replay = project.run("apply", "--plan", str(saved), "--target", "basic")
    assert replay.exit_code == 1
    assert "--plan applies the saved plan as it is" in replay.stderr
    assert project.writes() == []
