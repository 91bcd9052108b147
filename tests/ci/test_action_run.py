"""action/run.py, as the action runs it: the report, the outputs, and the offline fallback.

It runs for real on a copy of configs/, whose `local` environment is the embedded emulator, with
the GITHUB_* files a runner provides; the fallback runs `diff --base` in a real git repository.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.ci.conftest import ACTION, ROOT, load_action_script

SCRIPT = ROOT / "action" / "run.py"
HEADLINE = "Acme partners with Stripe for simplified billing."
run = load_action_script("run")


def action(
    repo: Path,
    timeout: float = 120,
    token: str = "",
    runner: dict[str, str] | None = None,
    **inputs: str,
) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """Run the script like the action's step; returns the process and the step's outputs.
    `runner`: more of the step's environment (the event's pull request, GITHUB_SHA, keys)."""
    outputs = repo / "runner" / "output"
    outputs.write_text("")
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_", "STRIPE_"))
    }
    env.update({f"INPUT_{k.upper()}": v for k, v in inputs.items()})
    env.update(
        {
            "GITHUB_OUTPUT": str(outputs),
            "RUNNER_TEMP": str(repo / "runner"),
            "GITHUB_STEP_SUMMARY": str(repo / "runner" / "summary.md"),
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_REPOSITORY": "acme/billing",
            "GITHUB_RUN_ID": "42",
            "PORTAL_CONFIG_HEAD_SHA": "0123456789abcdef",
            **({"GITHUB_TOKEN": token} if token else {}),
            **(runner or {}),
        }
    )
    done = subprocess.run(
        [sys.executable, str(SCRIPT)],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    values = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    return done, values


def test_plan_then_apply_then_plan_on_the_emulator(repo: Path) -> None:
    done, out = action(repo, command="plan", environments="local")
    assert done.returncode == 0, done.stderr
    assert {k: out[k] for k in ("exitcode", "has-changes", "command")} == {
        "exitcode": "2",
        "has-changes": "true",
        "command": "plan",
    }
    report = Path(out["report"]).read_text()
    assert report == (repo / "runner" / "summary.md").read_text(), "the job summary has it too"
    assert report.startswith(
        "<!-- portal-config: plan -->\n\n## portal-config plan\n\n"
        "**Drift: Stripe differs from the configuration files in local.**"
    )
    assert "| <code>local</code> | test | 2 | 1 | 0 | 0 |" in report
    assert "<details><summary>+ <code>standard</code> will be created" in report
    assert report.endswith(
        "<sub>`portal-config plan --env local --format markdown --detailed-exitcode` for 0123456 "
        "in [this workflow run](https://github.com/acme/billing/actions/runs/42)</sub>\n"
    )

    done, out = action(repo, command="apply", environments="local")
    assert (out["exitcode"], out["has-changes"], out["command"]) == ("0", "", "apply")
    report = Path(out["report"]).read_text()
    assert report.startswith(
        "<!-- portal-config: apply -->\n\n## portal-config apply\n\n"
        "**Apply complete: 2 created, 1 updated, 0 deactivated.**\n\n### <code>local</code>"
    )

    done, out = action(repo, command="plan", environments="local", comment_key="local")
    assert (out["exitcode"], out["has-changes"]) == ("0", "false")
    assert out["report"] == str(repo / "runner" / "portal-config-local.md")
    assert "No changes. Stripe matches the configuration files." in Path(out["report"]).read_text()


def edit_headline(repo: Path) -> None:
    path = repo / "configs" / "standard.yaml"
    path.write_text(path.read_text().replace(HEADLINE, "Acme billing, simplified."))


def test_without_the_keys_a_plan_becomes_the_offline_diff(repo: Path) -> None:
    edit_headline(repo)
    done, out = action(
        repo, command="plan", environments="staging prod", base="HEAD", args="--out plan.json"
    )
    assert done.returncode == 0, done.stderr
    assert (out["exitcode"], out["has-changes"], out["command"]) == ("2", "true", "diff")
    assert "::notice::STRIPE_STAGING_SECRET_KEY, STRIPE_SECRET_KEY not set" in done.stdout
    report = Path(out["report"]).read_text()
    assert report.startswith(
        "> `STRIPE_STAGING_SECRET_KEY`, `STRIPE_SECRET_KEY` not set in this run (pull requests "
        "from forks get no secrets): this is the offline `diff --base HEAD` instead of a plan "
        "against Stripe.\n\n<!-- portal-config: diff -->\n\n## portal-config diff against HEAD"
        "\n\nDesired state at HEAD -&#62; working tree"
    )
    assert (
        '| <code>business&#95;profile.headline</code> | <code>"Acme partners with Stripe for '
        'simplified billing."</code> | <code>"Acme billing, simplified."</code> |'
    ) in report
    assert not (repo / "plan.json").exists(), "a plan's extra args are not given to the diff"


def test_with_offline_false_a_missing_key_is_the_plans_error(repo: Path) -> None:
    done, out = action(repo, command="plan", environments="staging", base="HEAD", offline="false")
    assert done.returncode == 0, "the action fails in its last step, after the comment"
    assert (out["exitcode"], out["has-changes"], out["command"]) == ("1", "", "plan")
    report = Path(out["report"]).read_text()
    assert report.startswith(
        "**portal-config plan --env staging --format markdown "
        "--detailed-exitcode** failed (exit 1)\n\n```text\n"
    )
    # The error names the project file's `api_key_env:` line.
    assert re.search(
        r"Error: \S*portal-config\.yaml:\d+:\d+: environment 'staging': the "
        r"variable STRIPE_STAGING_SECRET_KEY is not set\.",
        report,
    ), report


def test_a_diff_asked_for_has_no_fallback_note(repo: Path) -> None:
    edit_headline(repo)
    done, out = action(repo, command="diff", environments="staging", base="HEAD")
    assert (out["exitcode"], out["command"]) == ("2", "diff"), done.stderr
    report = Path(out["report"]).read_text()
    assert report.startswith("<!-- portal-config: diff -->\n"), "no fallback note"
    assert "<details><summary>~ <code>standard</code> will be updated in place" in report


def test_a_plan_with_a_broken_file_is_still_commented_as_a_report(repo: Path) -> None:
    """Exit 1 for a file's problem: the comment is the plan (the other files' changes, the
    problem), followed by the failure, not the markdown source in a code block."""
    path = repo / "configs" / "standard.yaml"
    path.write_text(path.read_text().replace("lookup_key:pro_monthly", "lookup_key:pro_monthy"))
    done, out = action(repo, command="plan", environments="local")
    assert (out["exitcode"], out["has-changes"]) == ("1", ""), done.stderr
    report = Path(out["report"]).read_text()
    assert report.startswith("<!-- portal-config: plan -->\n")
    assert "<details><summary>+ <code>enterprise</code> will be created" in report
    assert ":32:18</code>: lookup&#95;key:pro&#95;monthy matches no price" in report
    assert "```" not in report
    assert (
        "**portal-config plan --env local --format markdown --detailed-exitcode** failed "
        "(exit 1)\n\n<sub>"
    ) in report


def test_a_bad_input_is_one_error_line(repo: Path) -> None:
    done, out = action(repo, command="destroy")
    assert done.returncode == 1 and out == {}
    assert done.stdout == "::error::input command must be one of plan, diff, apply, not 'destroy'\n"
    done, _ = action(repo, command="diff")
    assert done.stdout == "::error::diff needs a base revision: set the input base\n"


def test_the_offline_rule(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "configs", tmp_path / "configs")

    def missing(inputs: Any, env: dict[str, str]) -> list[str]:
        return run.missing_keys(inputs, run.key_variables(inputs, tmp_path), env)

    both = run.Inputs(command="plan", environments=("staging", "prod"), base="abc")
    assert missing(both, {"STRIPE_STAGING_SECRET_KEY": "sk_test_1"}) == ["STRIPE_SECRET_KEY"]
    assert missing(both, {"STRIPE_STAGING_SECRET_KEY": "sk_test_1", "STRIPE_SECRET_KEY": ""}) == [
        "STRIPE_SECRET_KEY"
    ]
    keys = {"STRIPE_STAGING_SECRET_KEY": "sk_test_1", "STRIPE_SECRET_KEY": "rk_live_1"}
    assert missing(both, keys) == []
    assert missing(run.Inputs(environments=("local",)), {}) == []
    every = run.Inputs(config="configs/portal-config.yaml")
    assert missing(every, {}) == ["STRIPE_STAGING_SECRET_KEY", "STRIPE_SECRET_KEY"]
    assert run.choose_command(both, ["STRIPE_SECRET_KEY"]) == "diff"
    assert run.choose_command(both, []) == "plan"
    no_base = run.Inputs(command="plan")
    assert run.choose_command(no_base, ["STRIPE_SECRET_KEY"]) == "plan", "the plan says why"
    assert run.choose_command(run.Inputs(command="apply", base="abc"), ["K"]) == "apply"
    assert run.choose_command(run.Inputs(offline="true", base="abc"), []) == "diff"


def test_action_yml_passes_every_input_and_exposes_the_outputs() -> None:
    action_yml: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    steps = {s.get("id", s["name"]): s for s in action_yml["runs"]["steps"]}
    text = ACTION.read_text(encoding="utf-8")
    unused = [
        name
        for name in action_yml["inputs"]
        if f"inputs.{name} " not in text and f"inputs.{name} }}}}" not in text
    ]
    assert unused == []
    passed = {k for k in steps["run"]["env"] if k.startswith("INPUT_")}
    read = {
        f"INPUT_{n}"
        for n in (
            "COMMAND",
            "ENVIRONMENTS",
            "CONFIG",
            "OFFLINE",
            "BASE",
            "ARGS",
            "COMMENT_KEY",
            "FAIL_ON_CHANGES",
            "REVIEWED_PLAN",
        )
    }
    assert passed == read
    assert {k: v["value"] for k, v in action_yml["outputs"].items()} == {
        **{name: f"${{{{ steps.run.outputs.{name} }}}}" for name in run.OUTPUTS},
        "comment-url": "${{ steps.comment.outputs.url }}",
    }
    assert "github.action_path" in steps["install"]["env"]["ACTION_PATH"]


def workflow_commands(log: str) -> list[str]:
    """The lines of `log` GitHub would run as workflow commands: a line starting with `::` once
    leading spaces are trimmed (actions/runner, ActionCommand.TryParseV2), except between
    `::stop-commands::TOKEN` and `::TOKEN::`
    (docs.github.com/en/actions/reference/workflow-commands-for-github-actions)."""
    commands, stopped = [], ""
    for line in log.splitlines():
        line = line.lstrip()
        if stopped:
            stopped = "" if line == f"::{stopped}::" else stopped
        elif line.startswith("::stop-commands::"):
            stopped = line.removeprefix("::stop-commands::")
        elif line.startswith("::"):
            commands.append(line)
    return commands


@pytest.fixture
def root_project(repo: Path) -> Path:
    """The project file at the repository's root: the configuration files' names start lines."""
    for path in (repo / "configs").iterdir():
        shutil.move(path, repo / path.name)
    return repo


@pytest.mark.parametrize(
    "name", ["::error file=.github,line=1::x", "::add-mask::y", "::stop-commands::z"]
)
def test_a_file_named_like_a_workflow_command_is_no_command(root_project: Path, name: str) -> None:
    shutil.copy(root_project / "standard.yaml", root_project / f"{name}.yaml")
    done, out = action(root_project, command="plan", environments="local")
    assert done.returncode == 0 and out["exitcode"] == "1", done.stderr
    assert f"{name}.yaml:1:1: the file name makes the key" in done.stdout + done.stderr
    assert workflow_commands(done.stdout) == []
    assert workflow_commands(done.stderr) == []


@pytest.mark.parametrize(
    ("hostile", "message"),
    [
        # 18 MB: yaml.safe_load took minutes over it
        ("environments: [" + "1, " * 6_000_000 + "]\n", r":1:1: the file is larger than 1 MiB"),
        ("x: " + "[" * 100_000 + "\n", r":1:\d+: .*nest"),  # a RecursionError for yaml.safe_load
    ],
    ids=["18MB", "100k-deep"],
)
def test_a_hostile_project_file_ends_soon_with_a_located_message(
    repo: Path, hostile: str, message: str
) -> None:
    (repo / "configs" / "portal-config.yaml").write_text(hostile)
    done, out = action(repo, timeout=60, command="plan", environments="local", base="HEAD")
    assert done.returncode == 0 and out["exitcode"] == "1", done.stderr
    report = Path(out["report"]).read_text()
    assert re.search(r"configs/portal-config\.yaml" + message, report), report
    for text in (done.stdout, done.stderr, report):
        assert "Traceback" not in text and "RecursionError" not in text


def test_the_token_in_a_pull_requests_file_is_masked_everywhere(repo: Path) -> None:
    """A value a pull request writes is shown by the plan (encoded: `_` as `&#95;`): the
    token, which the runner's environment may hold, is masked in the log and the report."""
    token = "ghs_16C7e42F292c6912E7710c838347Ae178B4a"
    path = repo / "configs" / "standard.yaml"
    path.write_text(path.read_text().replace(HEADLINE, f"Token {token}"))
    done, out = action(repo, token=token, command="plan", environments="local")
    assert out["exitcode"] == "2", done.stdout
    report = Path(out["report"]).read_text()
    assert '<code>"Token [key]"</code>' in report
    for text in (done.stdout, done.stderr, report, (repo / "runner" / "summary.md").read_text()):
        assert token not in text and token[4:-4] not in text
