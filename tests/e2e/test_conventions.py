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
