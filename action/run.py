"""The GitHub Action's runner: choose plan or the offline diff, run portal-config, write the report.

Reads the action's inputs from INPUT_* variables (action.yml passes them; composite actions do not
set them on their own), runs `portal-config` with the Python that runs this script, writes the
markdown report to a file and the job summary, and the step's outputs (OUTPUTS) to GITHUB_OUTPUT.
It exits 0 even when portal-config fails, so the comment step still posts the failure; action.yml
fails the action afterwards when the output `failure` says why.

Whose change: in a pull request the plan is what the pull request changes, headed so, with what
Stripe differs in beyond the pull request's diff (`diff --base`) marked as changed outside
portal-config (outcome.whose); outside a pull request a plan is a drift check
(`--detailed-exitcode`, headed "Drift:"). A plan is saved (`--out`, unless a fleet is chosen:
saved plans are per environment) for the outputs, and for the comment to carry (reviewed.py).

Offline rule (input `offline: auto`): run `diff --base` instead of `plan` when any environment
chosen names in `api_key_env` a variable that is unset or empty (secrets are empty in pull
requests from forks) and a base revision is known.

A pull request's content is hostile: its project file is found and read as the CLI does (its
discovery and bounded loader), and what the CLI prints (file names, values) is logged between
`::stop-commands::` markers, so no line of it runs as a workflow command. Everything printed or
written goes through portal-config's masking, with the keys the project names and the GitHub
token registered by value.
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import comment
import outcome
import reviewed

from portal_config import masking
from portal_config.errors import PortalConfigError
from portal_config.project.config import collect_problems
from portal_config.render.report import github_escape

COMMANDS = ("plan", "diff", "apply")
REPORT_MARKER = "<!-- portal-config: "  # how `--format markdown` starts its report
# The markdown plan's and apply report's headings, which the headline follows (`whose`, or
# which reviewed plan an apply applied).
HEADINGS = ("\n## portal-config plan\n", "\n## portal-config apply\n")
STALE = "the saved plan is stale"  # how `apply --plan` refuses (planning/planfile.py)
OUTPUTS = (
    "exitcode",
    "has-changes",
    "command",
    "report",
    "plan-file",
    "json-plan",
    *outcome.COUNTS,
    "live-changes",
    "has-deactivations",
    "pull-request",
    "failure",
)


@dataclass(frozen=True)
class Inputs:
    """The action's inputs, as strings the way GitHub hands them over."""

    command: str = "plan"
    environments: tuple[str, ...] = ()
    config: str = ""
    base: str = ""
    offline: str = "auto"
    args: tuple[str, ...] = field(default_factory=tuple)
    fail_on_changes: str = "false"  # true: exit 2 (changes) fails the step
    reviewed_plan: str = ""  # apply: the comment key whose saved plan is applied, or nothing

    @classmethod
    def from_env(cls, env: dict[str, str]) -> Inputs:
        def get(name: str, default: str = "") -> str:
            return env.get(f"INPUT_{name}", "").strip() or default

        return cls(
            command=get("COMMAND", "plan").lower(),
            environments=tuple(get("ENVIRONMENTS").replace(",", " ").split()),
            config=get("CONFIG"),
            base=get("BASE"),
            offline=get("OFFLINE", "auto").lower(),
            args=tuple(shlex.split(get("ARGS"))),
            fail_on_changes=get("FAIL_ON_CHANGES", "false").lower(),
            reviewed_plan=get("REVIEWED_PLAN"),
        )


def key_variables(inputs: Inputs, cwd: Path) -> dict[str, str | None]:
    """Each environment's `api_key_env` variable, by environment name (None: it names none),
    read as the CLI reads the project file; none when it cannot be read (the CLI says why)."""
    return {name: env.api_key_env for name, env in _environments(inputs, cwd).items()}


def _environments(inputs: Inputs, cwd: Path) -> dict[str, Any]:
    try:
        project, _ = collect_problems(cwd / inputs.config if inputs.config else cwd)
    except PortalConfigError:
        return {}
    return dict(project.environments)


def saves_plan(inputs: Inputs, cwd: Path) -> bool:
    """Whether the plan can be saved: `plan --out` is per environment, and refuses a fleet."""
    chosen = [e for n, e in _environments(inputs, cwd).items() if n in inputs.environments]
    return not any(e.is_fleet for e in chosen or _environments(inputs, cwd).values())


def missing_keys(
    inputs: Inputs, variables: Mapping[str, str | None], env: Mapping[str, str]
) -> list[str]:
    """The unset or empty key variables of the environments chosen (all when none is)."""
    chosen = [
        v for n, v in variables.items() if not inputs.environments or n in inputs.environments
    ]
    return [v for v in chosen if v and not env.get(v)]


def choose_command(inputs: Inputs, missing: list[str]) -> str:
    """plan, diff or apply: what actually runs (a plan without its keys becomes the diff)."""
    if inputs.command not in COMMANDS:
        raise ValueError(
            f"input command must be one of {', '.join(COMMANDS)}, not {inputs.command!r}"
        )
    if inputs.offline not in ("auto", "true", "false"):
        raise ValueError(f"input offline must be auto, true or false, not {inputs.offline!r}")
    if inputs.fail_on_changes not in ("true", "false"):
        raise ValueError(
            f"input fail-on-changes must be true or false, not {inputs.fail_on_changes!r}"
        )
    if inputs.command != "plan" or inputs.offline == "false":
        return inputs.command
    if inputs.offline == "true" or (missing and inputs.base):
        return "diff"
    return "plan"


def build_argv(inputs: Inputs, command: str, pull_request: bool = False) -> list[str]:
    """The portal-config arguments (after the program name) for the command that runs. In a
    pull request a plan shows what the pull request changes; outside one it is a drift check,
    whose `--detailed-exitcode` heads the report "Drift:"."""
    argv = ["--config", inputs.config] if inputs.config else []
    argv.append(command)
    for name in inputs.environments:
        argv += ["--env", name]
    if command == "plan":
        if not inputs.environments:
            argv.append("--all")
        argv += ["--format", "markdown", *(() if pull_request else ("--detailed-exitcode",))]
    elif command == "diff":
        if not inputs.base:
            raise ValueError("diff needs a base revision: set the input base")
        argv += ["--base", inputs.base, "--format", "markdown", "--detailed-exitcode"]
    else:  # apply: its report in markdown, for the comment on the merged pull request
        argv += [] if inputs.environments else ["--all"]
        argv += ["--format", "markdown"]
    # Extra args were written for the command asked for; a plan's --out would break the diff.
    if command == inputs.command:
        argv += inputs.args
    return argv


def ensure_revision(rev: str, cwd: Path) -> str:
    """Fetch REV when a shallow checkout (actions/checkout's default) lacks it; what git said."""
    have = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
        cwd=cwd,
        capture_output=True,
        check=False,
    )
    if have.returncode == 0:
        return ""
    fetched = subprocess.run(
        ["git", "fetch", "--quiet", "--no-tags", "--depth=1", "origin", rev],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    return fetched.stdout + fetched.stderr


def fence(text: str) -> str:
    return f"```text\n{text.rstrip()}\n```"


def report(
    inputs: Inputs,
    command: str,
    argv: list[str],
    done: subprocess.CompletedProcess[str],
    missing: list[str],
    env: dict[str, str],
    headline: str = "",
) -> str:
    """The markdown for the comment and the job summary; `headline`: what leads it (whose
    change it is, or which reviewed plan an apply applied)."""
    code, out, err = done.returncode, done.stdout, done.stderr
    parts = []
    if command != inputs.command:
        names = ", ".join(f"`{v}`" for v in missing)
        parts.append(
            f"> {names} not set in this run (pull requests from forks get no secrets): "
            f"this is the offline `diff --base {inputs.base[:12]}` instead of a plan "
            "against Stripe."
        )
    shown = "portal-config " + shlex.join(argv)
    # A plan or diff whose files have problems exits 1 after its whole markdown report, and an
    # apply that failed part-way after its report; a refusal before any has none.
    if not out.startswith(REPORT_MARKER):
        verdict = "failed" if code not in (0, 2) else "finished"
        parts += [headline] if headline else []
        parts.append(f"**{shown}** {verdict} (exit {code})")
        parts.append(fence("\n".join(t.rstrip() for t in (out, err) if t.strip()) or "(no output)"))
    else:
        heading = next((h for h in HEADINGS if h in out), None)
        head, found, rest = out.partition(heading) if heading else (out, "", "")
        parts.append(
            f"{head}{found}\n{headline}\n{rest}".rstrip() if headline and found else out.rstrip()
        )
        if command == "apply" and code == 0 and err.strip():
            summary = "Log: the plan applied and each write"
            parts.append(f"<details><summary>{summary}</summary>\n\n{fence(err)}\n\n</details>")
        if code not in (0, 2):
            parts.append(
                f"**{shown}** failed (exit {code})" + (f"\n\n{fence(err)}" if err.strip() else "")
            )
    parts.append(footer(shown, env))
    return "\n\n".join(filter(None, parts)) + "\n"


def footer(shown: str, env: Mapping[str, str]) -> str:
    """Which command, for which commit, in which run (nothing outside a workflow run)."""
    if not env.get("GITHUB_RUN_ID"):
        return ""
    run_url = (
        f"{env.get('GITHUB_SERVER_URL', 'https://github.com')}/"
        f"{env.get('GITHUB_REPOSITORY', '')}/actions/runs/{env.get('GITHUB_RUN_ID', '')}"
    )
    sha = env.get("PORTAL_CONFIG_HEAD_SHA") or env.get("GITHUB_SHA", "")
    return f"<sub>`{shown}` for {sha[:7] or 'this commit'} in [this workflow run]({run_url})</sub>"


def write_outputs(path: str, values: dict[str, str]) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.writelines(f"{key}={value}\n" for key, value in values.items())


def untrusted(*texts: str) -> None:
    """Log text a pull request controls (the CLI's output names its files and values) so that
    no line of it runs as a workflow command: between `::stop-commands::TOKEN` and `::TOKEN::`,
    with a token the text cannot know (docs.github.com/en/actions/reference/workflow-commands-for-
    github-actions#stopping-and-starting-workflow-commands)."""
    token = secrets.token_hex(16)
    print(f"::stop-commands::{token}")
    for text in filter(None, texts):
        print(text, end="" if text.endswith("\n") else "\n")
    print(f"::{token}::", flush=True)


def main() -> int:
    env = dict(os.environ)
    cwd = Path.cwd()
    inputs = Inputs.from_env(env)
    variables = key_variables(inputs, cwd)
    # Masked by value too: the keys the project names (whatever their shape), and the token.
    for name in ["GITHUB_TOKEN", *filter(None, variables.values())]:
        masking.register(env.get(name, ""))
    with masking.masked_output():
        return run(inputs, cwd, env, missing_keys(inputs, variables, env))


def run(inputs: Inputs, cwd: Path, env: dict[str, str], missing: list[str]) -> int:
    number = env.get("PORTAL_CONFIG_PR_NUMBER", "").strip()
    try:
        command = choose_command(inputs, missing)
        argv = build_argv(inputs, command, pull_request=bool(number))
    except ValueError as exc:
        print(f"::error::{github_escape(str(exc))}")
        return 1
    if command != inputs.command:
        notice = (
            f"{', '.join(missing)} not set: running the offline diff against {inputs.base} "
            "instead of a plan"
        )
        print(f"::notice::{github_escape(notice)}")
    key = env.get("INPUT_COMMENT_KEY", "").strip() or "plan"
    folder = Path(env.get("RUNNER_TEMP") or cwd)
    stem = folder / f"portal-config-{re.sub(r'[^A-Za-z0-9_.-]', '-', key)}"
    values = {"command": command, "report": f"{stem}.md", "pull-request": number}
    headline, extra = "", []
    fetched = ensure_revision(inputs.base, cwd) if command == "diff" else ""
    saved = Path(f"{stem}.plan.json") if command == "plan" and saves_plan(inputs, cwd) else None
    if saved is not None and "--out" in inputs.args:  # the plan the user saves is the one
        saved = cwd / inputs.args[inputs.args.index("--out") + 1]
    elif saved is not None:
        extra = ["--out", str(saved)]  # the action's bookkeeping, not in the command shown
    if command == "apply" and inputs.reviewed_plan:
        try:
            pull, applied = reviewed.prepare(
                inputs, cwd, env, stem, lambda a: outcome.portal(a, cwd)
            )
        except (reviewed.Refused, comment.ApiError) as exc:
            return finish(inputs, env, values, f"{exc}", stem)
        values["pull-request"] = str(pull)
        argv = [*(["--config", inputs.config] if inputs.config else []), "apply", "--plan"]
        argv += [applied, "--format", "markdown", *inputs.args]
        headline = f"Applying the plan reviewed in this pull request (#{pull})."
    done = outcome.portal([*argv, *extra], cwd)
    if extra:  # the action saved the plan: its "Saved the plan to ..." line is no news
        done.stderr = "".join(
            line for line in done.stderr.splitlines(True) if not line.startswith("Saved the plan")
        )
    # One stream, in the order a terminal shows them: progress and errors come first.
    untrusted("portal-config " + shlex.join(argv), fetched, done.stderr, done.stdout)
    code = done.returncode
    document = None
    if saved is not None and saved.is_file():
        document = outcome.machine(
            ["show", str(saved), "--format", "json"], cwd, Path(f"{stem}.json")
        )
        values["plan-file"] = str(saved)
    elif command == "diff" and code in (0, 2):
        as_json = [a if a != "markdown" else "json" for a in argv]
        document = outcome.machine(as_json, cwd, Path(f"{stem}.json"))
    if document is not None:
        values |= {"json-plan": f"{stem}.json", **outcome.outputs(document)}
        if code == 0 and document.get("has_changes"):
            code = 2  # what --detailed-exitcode would say: the output keeps its meaning
    if command == "plan" and number and document is not None:
        headline = outcome.whose(document, base_diff(inputs, cwd, stem))
    why = failure(inputs, command, code, done.stderr)
    if why.startswith(reviewed.PLAN_CHANGED):
        headline = f"**{why}**"
    body = report(inputs, command, argv, done, missing, env, headline)
    values |= {"exitcode": str(code), "has-changes": {0: "false", 2: "true"}.get(code, "")}
    if command == "apply":
        values["has-changes"] = ""
    return finish(inputs, env, values, why, stem, body)


def base_diff(inputs: Inputs, cwd: Path, stem: Path) -> dict[str, Any] | None:
    """The offline diff of the base's files and the pull request's (what the pull request
    changes), or None without a base."""
    if not inputs.base:
        return None
    ensure_revision(inputs.base, cwd)
    argv = ["--config", inputs.config] if inputs.config else []
    argv += ["diff", "--base", inputs.base, "--format", "json"]
    for name in inputs.environments:
        argv += ["--env", name]
    return outcome.machine(argv, cwd, Path(f"{stem}.base-diff.json"))


def failure(inputs: Inputs, command: str, code: int, err: str) -> str:
    """Why the action fails (empty: it does not), after the report is written."""
    stale = next((line for line in err.splitlines() if STALE in line), "")
    if stale:
        return f"{reviewed.PLAN_CHANGED}: {stale.removeprefix('Error: ')}"
    if code == 2 and inputs.fail_on_changes == "true":
        return f"{command} found changes (exit 2) and fail-on-changes is true: see the report"
    if code not in (0, 2):
        return f"portal-config exited with {code}: see the log above"
    return ""


def finish(
    inputs: Inputs,
    env: dict[str, str],
    values: dict[str, str],
    why: str,
    stem: Path,
    body: str = "",
) -> int:
    """Writes the report (a refusal is one) to its file and the job summary, and the outputs."""
    if not body:
        body = f"**{why}**\n" if why else ""
    body = masking.mask_secrets(body)
    Path(f"{stem}.md").write_text(body, encoding="utf-8")
    if env.get("GITHUB_STEP_SUMMARY"):
        with open(env["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as summary:
            summary.write(body)
    values["failure"] = why.replace("\n", " ")
    write_outputs(env.get("GITHUB_OUTPUT", ""), {k: values.get(k, "") for k in OUTPUTS})
    return 0


if __name__ == "__main__":
    sys.exit(main())
