"""Every portal-config command in the action and the examples parses against the real CLI."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.ci.command_lines import file_invocations, invocations, parse_error, substitute
from tests.ci.conftest import ACTION, GITHUB_WORKFLOWS, GITLAB_CI, ROOT, load_action_script

CI_FILES = [ACTION, *GITHUB_WORKFLOWS, GITLAB_CI]
run = load_action_script("run")


def label(value: object) -> str | None:
    """A test id: a file's path in the repository (None: pytest's own id)."""
    return value.relative_to(ROOT).as_posix() if isinstance(value, Path) else None


def test_the_examples_are_all_there() -> None:
    assert [p.name for p in GITHUB_WORKFLOWS] == [
        "apply-on-merge.yml",
        "fleet-drift.yml",
        "nightly-drift.yml",
        "pr-review.yml",
    ]
    assert GITLAB_CI.is_file()


@pytest.mark.parametrize("path", CI_FILES, ids=label)
def test_every_command_line_parses(path: Path) -> None:
    found = file_invocations(path)
    problems = [(shlex.join(args), parse_error(args)) for args in found if parse_error(args)]
    assert problems == []


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (ROOT / "examples/github/pr-review.yml", [["validate", "--format", "github"]]),
        (ROOT / "examples/github/apply-on-merge.yml", [["ids", "--env", "prod"]]),
        (
            GITLAB_CI,
            [
                ["validate"],
                [
                    "plan",
                    "--env",
                    "staging",
                    "--env",
                    "prod",
                    "--format",
                    "markdown",
                    "--detailed-exitcode",
                ],
                [
                    "diff",
                    "--base",
                    "sample",
                    "--env",
                    "staging",
                    "--env",
                    "prod",
                    "--format",
                    "markdown",
                    "--detailed-exitcode",
                ],
                ["apply", "--env", "staging"],
                ["apply", "--env", "prod", "--yes"],
                ["plan", "--env", "staging", "--env", "prod", "--detailed-exitcode"],
            ],
        ),
    ],
    ids=label,
)
def test_the_command_lines_are_found_whole(path: Path, expected: list[list[str]]) -> None:
    """The extraction sees each invocation, cut at redirections, continuations joined."""
    assert file_invocations(path) == expected


def action_steps(path: Path) -> list[dict[str, Any]]:
    """The steps of a workflow that use this repository's action."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    steps = [s for job in document["jobs"].values() for s in job.get("steps", [])]
    return [s for s in steps if str(s.get("uses", "")).endswith("/portal-config@v1")]


@pytest.mark.parametrize("path", GITHUB_WORKFLOWS, ids=label)
def test_every_use_of_the_action_makes_commands_that_parse(path: Path) -> None:
    """The command the action builds from each step's `with:`, as a plan and as its diff."""
    steps = action_steps(path)
    assert steps, "each example uses the action"
    for step in steps:
        given = {k: substitute(str(v)) for k, v in step.get("with", {}).items()}
        assert set(given) <= set(action_inputs()), "only inputs the action has"
        inputs = run.Inputs.from_env(
            {f"INPUT_{k.upper().replace('-', '_')}": v for k, v in given.items()}
            | {"INPUT_BASE": "abc123"}
        )
        for missing in ([], ["STRIPE_SECRET_KEY"]):  # with the keys, and as a fork's diff
            argv = run.build_argv(inputs, run.choose_command(inputs, missing))
            assert parse_error(argv) is None, argv


def action_inputs() -> dict[str, Any]:
    inputs: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))["inputs"]
    return inputs


@pytest.mark.parametrize("command", ["plan", "diff", "apply"])
@pytest.mark.parametrize("environments", ["", "staging", "staging\nprod"])
@pytest.mark.parametrize("config", ["", "configs"])
@pytest.mark.parametrize("extra", [False, True])
def test_what_the_action_builds_parses(
    command: str, environments: str, config: str, extra: bool
) -> None:
    args = {"plan": "--prune --out plan.json", "apply": "--prune --yes", "diff": ""}[command]
    inputs = run.Inputs.from_env(
        {
            "INPUT_COMMAND": command,
            "INPUT_ENVIRONMENTS": environments,
            "INPUT_CONFIG": config,
            "INPUT_BASE": "origin/main",
            "INPUT_ARGS": args if extra else "",
        }
    )
    argv = run.build_argv(inputs, run.choose_command(inputs, []))
    assert parse_error(argv) is None, argv
    assert argv[argv.index(command) + 1 :].count("--env") == len(environments.split())


def no_such_option(message: str | None, flag: str) -> bool:
    """click's wording for an unknown option (8.1: `No such option: --x`; later: `'--x'`)."""
    return bool(message) and "No such option" in str(message) and flag in str(message)


def test_an_unknown_flag_does_not_parse() -> None:
    assert no_such_option(
        parse_error(["plan", "--env", "staging", "--no-such-flag"]), "--no-such-flag"
    )
    assert no_such_option(parse_error(["plan", "--all", "--yes"]), "--yes")
    assert no_such_option(parse_error(["diff", "--base", "HEAD", "--prune"]), "--prune")


def test_a_bad_choice_and_a_missing_option_do_not_parse() -> None:
    assert "'html' is not one of" in str(parse_error(["plan", "--format", "html"]))
    assert "Missing option '--base'" in str(parse_error(["diff", "--env", "staging"]))
    assert "No such command 'destroy'" in str(parse_error(["destroy"]))
    assert parse_error(["--config", "configs", "validate", "--format", "github"]) is None
    # the group's options are taken after the command's name too (cli.py)
    assert parse_error(["validate", "--config", "configs", "--verbose", "--debug"]) is None


def test_a_bad_flag_in_a_workflow_is_caught(tmp_path: Path) -> None:
    """The extraction and the parse together fail for a flag the CLI does not have."""
    workflow = tmp_path / "bad.yml"
    workflow.write_text(
        "jobs:\n  drift:\n    steps:\n      - run: |\n"
        '          portal-config plan --env "${{ matrix.env }}" \\\n'
        "            --detailed-exitcodes > drift.md 2>&1 || exit 1\n",
        encoding="utf-8",
    )
    [args] = file_invocations(workflow)
    assert args == ["plan", "--env", "sample", "--detailed-exitcodes"]
    assert no_such_option(parse_error(args), "--detailed-exitcodes")


def test_quoted_and_commented_mentions_are_not_invocations() -> None:
    script = 'echo "portal-config plan --bogus"\n# portal-config apply --bogus\n'
    assert list(invocations(script)) == []
