"""The conventions other CLIs keep (issue 21, item 9): FORCE_COLOR and CLICOLOR_FORCE colour a
CI log, NO_COLOR and --no-color still win; options default from PORTAL_CONFIG_* variables; `-`
reads stdin or writes stdout."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Terminal

from .stripe_state import STANDARD, client

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


# -- `-`: stdin and stdout, click's convention -----------------------------------------------
# https://click.palletsprojects.com/en/stable/handling-files/#file-arguments


def test_a_plan_saved_to_stdout_is_shown_and_applied_from_stdin(
    project: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`plan --out -` writes the plan file alone on stdout (the human plan goes to stderr), and
    `show -` and `apply --plan -` read it from a pipe."""
    monkeypatch.chdir(tmp_path)
    project.write("standard.yaml", STANDARD)
    saved = project.run("plan", "--env", "staging", "--out", "-")
    assert saved.exit_code == 0, saved.output
    assert json.loads(saved.stdout)["format"] == "portal-config-plan"
    assert "+ standard in staging will be created" in saved.stderr
    assert "Saved the plan to stdout" in saved.stderr
    assert not (tmp_path / "-").exists()

    shown = project.run("show", "-", stdin=saved.stdout)
    assert shown.exit_code == 0, shown.output
    assert "+ standard in staging will be created" in shown.stdout
    markdown = project.run("show", "-", "--format", "markdown", stdin=saved.stdout)
    assert "## portal-config plan (saved in stdin)\n" in markdown.stdout

    applied = project.run("apply", "--plan", "-", stdin=saved.stdout)
    assert applied.exit_code == 0, applied.output
    assert "Apply complete: 1 created" in applied.stdout
    assert [c.name for c in client(project).v1.billing_portal.configurations.list()] == [
        "Standard portal"
    ]


def test_a_plan_from_stdin_is_refused_when_stripe_changed_since(
    project: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no file named `-` to read instead
    project.write("standard.yaml", STANDARD)
    saved = project.run("plan", "--env", "staging", "--out", "-")
    made = client(project).v1.billing_portal.configurations.create(
        {"name": "Dashboard portal", "features": {"invoice_history": {"enabled": True}}}
    )
    project.emulator.clear_log()
    applied = project.run("apply", "--plan", "-", stdin=saved.stdout)
    assert applied.exit_code == 1, applied.output
    assert (
        f"Error: the saved plan is stale: in staging, 'Dashboard portal' ({made.id}) is new. "
        "Nothing was written"
    ) in applied.stderr
    assert project.writes() == []


@pytest.mark.parametrize("command", [("show", "-"), ("apply", "--plan", "-")])
def test_stdin_that_holds_no_plan_is_named_stdin(project: Any, command: tuple[str, ...]) -> None:
    result = project.run(*command, stdin='{"hello": 1}')
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: stdin: not a portal-config plan file of version 2: make it again with "
        "`portal-config plan --out`\n"
    )


def test_a_plan_is_not_read_from_a_terminal(project: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nobody types a plan: `show -` at a terminal says what to pipe instead of waiting."""
    monkeypatch.setattr("sys.stdin", Terminal())
    result = project.run("show", "-")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: stdin: cannot read the plan file (a terminal: pipe the file into it): save one "
        "with `portal-config plan --out FILE`\n"
    )


def test_a_live_plan_from_stdin_still_needs_yes(
    project: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pipe that brings the plan is no terminal to confirm on: a live change needs --yes,
    refused before any request."""
    monkeypatch.chdir(tmp_path)
    project.write("standard.yaml", STANDARD)
    saved = project.run("plan", "--env", "prod", "--out", "-")
    project.emulator.clear_log()
    refused = project.run("apply", "--plan", "-", stdin=saved.stdout)
    assert refused.exit_code == 1, refused.output
    assert "refusing to apply to live environment prod without a terminal" in refused.stderr
    assert project.emulator.request_log == []
    applied = project.run("apply", "--plan", "-", "--yes", stdin=saved.stdout)
    assert applied.exit_code == 0, applied.output
    assert "Apply complete: 1 created" in applied.stdout
