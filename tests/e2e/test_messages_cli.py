"""Options a user mistypes or reads, end to end: a near-miss --env or --target gets a "did you
mean", `plan --help` says plan writes nothing, an emulator's seed is checked and located, and only
a live environment with changes needs --yes off a terminal."""

from __future__ import annotations

import pytest

from .stripe_state import BASIC, LIVE_KEY, by_key


@pytest.mark.parametrize(
    ("option", "wrong", "said"),
    [
        ("--env", "prd", "unknown environment 'prd' (did you mean 'prod'?): the project file "),
        (
            "--target",
            "basc",
            "--target 'basc' is not a configuration's key (did you mean 'basic'?)",
        ),
    ],
)
def test_a_near_miss_gets_a_did_you_mean(project, option: str, wrong: str, said: str) -> None:
    project.write("basic.yaml", BASIC)
    args = ("--env", "staging") if option == "--target" else ()
    for command in ("plan", "apply"):
        result = project.run(command, *args, option, wrong)
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith(f"Error: {said}"), result.stderr
    assert project.emulator.request_log == []


def test_plan_help_says_what_apply_would_do(project) -> None:
    shown = " ".join(project.run("plan", "--help").stdout.split())
    assert "--prune Show what apply --prune would deactivate:" in shown
    assert "--adopt Show what apply --adopt would write:" in shown
    applied = " ".join(project.run("apply", "--help").stdout.split())
    assert "--prune Deactivate configurations" in applied


SEEDED = """\
version: 1
project: acme
environments:
  local:
    seed:
      products: [{prices: [{lookup_key: pro, unit_amount: 900}]}]
    mode: test
    emulator: state.json
"""


def test_a_seed_the_emulator_refuses_is_said_at_its_line(project) -> None:
    project.write("portal-config.yaml", SEEDED)
    project.write("basic.yaml", BASIC)
    result = project.run("plan", "--env", "local")
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"Error: {project.configs / 'portal-config.yaml'}:5:5: environment 'local': seed "
        "(test mode) product None: Missing required param: name.\n"
    )


STAGING_ONLY = "environments: [staging]\n" + BASIC


def test_off_a_terminal_only_a_live_environment_with_changes_needs_yes(project) -> None:
    project.write("basic.yaml", STAGING_ONLY)  # nothing for prod: its plan has no changes
    applied = project.run("apply", "--all")
    assert applied.exit_code == 0, applied.output
    assert set(by_key(project)) >= {"basic"}
    assert "basic" not in by_key(project, LIVE_KEY)

    project.write("basic.yaml", BASIC)  # now prod would change: that needs --yes
    project.emulator.clear_log()
    refused = project.run("apply", "--all")
    assert refused.exit_code == 1, refused.output
    assert refused.stderr.splitlines()[-1] == (
        "Error: refusing to apply to live environment prod without a terminal to confirm on: "
        "review the plan above, then run apply again with --yes"
    )
    assert project.writes() == []
    assert "basic" not in by_key(project, LIVE_KEY)
