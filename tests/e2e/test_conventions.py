"""The conventions other CLIs keep (issue 21, item 9): FORCE_COLOR and CLICOLOR_FORCE colour a
CI log, NO_COLOR and --no-color still win; options default from PORTAL_CONFIG_* variables; `-`
reads stdin or writes stdout."""

from __future__ import annotations

from typing import Any

import pytest

from .stripe_state import STANDARD

COLOUR_VARIABLES = ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE")


# -- colour off a terminal: https://force-color.org, https://bixense.com/clicolors/ ----------


@pytest.mark.parametrize(
    ("variables", "coloured"),
    [
        ({}, False),
        ({"FORCE_COLOR": "1"}, True),
        ({"FORCE_COLOR": "0"}, True),  # force-color.org: any value but the empty string
        ({"FORCE_COLOR": ""}, False),
        ({"CLICOLOR_FORCE": "1"}, True),
        ({"CLICOLOR_FORCE": "0"}, False),  # bixense.com/clicolors: "!= 0" forces
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),  # no-color.org wins
        ({"CLICOLOR_FORCE": "1", "NO_COLOR": "1"}, False),
    ],
)
def test_colour_forced_off_a_terminal(
    project: Any, monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], coloured: bool
) -> None:
    for name in COLOUR_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    project.write("standard.yaml", STANDARD)
    result = project.run("plan", "--env", "staging")
    assert result.exit_code == 0, result.output
    assert ("\x1b[" in result.stdout) is coloured


def test_no_color_option_beats_forced_colour(project: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    project.write("standard.yaml", STANDARD)
    result = project.run("plan", "--env", "staging", "--no-color")
    assert result.exit_code == 0, result.output
    assert "\x1b[" not in result.stdout


# -- PORTAL_CONFIG_<COMMAND>_<OPTION>: click's auto_envvar_prefix ----------------------------


def test_options_default_from_portal_config_variables(
    project: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write("standard.yaml", STANDARD)
    monkeypatch.setenv("PORTAL_CONFIG_PLAN_ENV", "staging")
    monkeypatch.setenv("PORTAL_CONFIG_PLAN_DETAILED_EXITCODE", "1")
    result = project.run("plan")
    assert result.exit_code == 2, result.output  # changes, and --detailed-exitcode taken
    assert "+ standard in staging will be created" in result.stdout
    prod = project.run("plan", "--env", "prod")  # the command line wins
    assert "in prod will be created" in prod.stdout and "staging" not in prod.stdout


def test_a_confirmation_is_never_taken_from_the_environment(
    project: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--yes, --force, --prune, --adopt and --allow-live stay on the command line, where a
    reviewer sees them."""
    project.write("standard.yaml", STANDARD)
    monkeypatch.setenv("PORTAL_CONFIG_APPLY_YES", "1")
    result = project.run("apply", "--env", "prod")
    assert result.exit_code == 1, result.output
    assert "refusing to apply to live environment prod without a terminal" in result.stderr
    assert project.writes() == []


def test_an_env_file_of_ids_sets_no_option(project: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """`ids --format env` writes PORTAL_CONFIG_<KEY>: keys named `debug` or `config` must not
    become the group's options when that file is sourced."""
    project.write("standard.yaml", STANDARD)
    monkeypatch.setenv("PORTAL_CONFIG_DEBUG", "bpc_123")
    monkeypatch.setenv("PORTAL_CONFIG_CONFIG", "bpc_456")
    result = project.run("plan", "--env", "staging")
    assert result.exit_code == 0, result.output
    assert "+ standard in staging will be created" in result.stdout
