"""The GitHub Action's runner: choose plan or the offline diff, run portal-config, write the report.

Reads the action's inputs from INPUT_* variables (action.yml passes them; composite actions do not
set them on their own), runs `portal-config` with the Python that runs this script, writes the
markdown report to a file and the job summary, and the step's outputs (`exitcode`, `has-changes`,
`command`, `report`) to GITHUB_OUTPUT. It exits 0 even when portal-config fails, so the comment
step still posts the failure; action.yml fails the action afterwards from `exitcode`.

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

from portal_config import masking
from portal_config.errors import PortalConfigError
from portal_config.project.config import collect_problems
from portal_config.render.report import github_escape

COMMANDS = ("plan", "diff", "apply")
REPORT_MARKER = "<!-- portal-config: "  # how `--format markdown` starts its report


@dataclass(frozen=True)
class Inputs:
    """The action's inputs, as strings the way GitHub hands them over."""

    command: str = "plan"
    environments: tuple[str, ...] = ()
    config: str = ""
    base: str = ""
    offline: str = "auto"
    args: tuple[str, ...] = field(default_factory=tuple)

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
        )


def key_variables(inputs: Inputs, cwd: Path) -> dict[str, str | None]:
    """Each environment's `api_key_env` variable, by environment name (None: it names none),
    read as the CLI reads the project file; none when it cannot be read (the CLI says why)."""
    try:
        project, _ = collect_problems(cwd / inputs.config if inputs.config else cwd)
    except PortalConfigError:
        return {}
    return {name: env.api_key_env for name, env in project.environments.items()}


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
    if inputs.command != "plan" or inputs.offline == "false":
        return inputs.command
    if inputs.offline == "true" or (missing and inputs.base):
        return "diff"
    return "plan"


def build_argv(inputs: Inputs, command: str) -> list[str]:
    """The portal-config arguments (after the program name) for the command that runs."""
    argv = ["--config", inputs.config] if inputs.config else []
    argv.append(command)
    for name in inputs.environments:
        argv += ["--env", name]
    if command == "plan":
        if not inputs.environments:
            argv.append("--all")
        argv += ["--format", "markdown", "--detailed-exitcode"]
    elif command == "diff":
        if not inputs.base:
            raise ValueError("diff needs a base revision: set the input base")
        argv += ["--base", inputs.base, "--format", "markdown", "--detailed-exitcode"]
    elif not inputs.environments:  # apply
        argv.append("--all")
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
    code: int,
    out: str,
    err: str,
    missing: list[str],
    env: dict[str, str],
) -> str:
    """The markdown for the comment and the job summary."""
    parts = []
    if command != inputs.command:
        names = ", ".join(f"`{v}`" for v in missing)
        parts.append(
            f"> {names} not set in this run (pull requests from forks get no secrets): "
            f"this is the offline `diff --base {inputs.base[:12]}` instead of a plan "
            "against Stripe."
        )
    shown = "portal-config " + shlex.join(argv)
    # A plan or diff whose files have problems exits 1 after its whole markdown report.
    reported = command != "apply" and out.startswith(REPORT_MARKER)
    if command == "apply" or (code not in (0, 2) and not reported):
        verdict = "failed" if code not in (0, 2) else "finished"
        parts.append(f"**{shown}** {verdict} (exit {code})")
        parts.append(fence("\n".join(t.rstrip() for t in (out, err) if t.strip()) or "(no output)"))
    else:
        parts.append(out.rstrip())
        if code not in (0, 2):
            parts.append(
                f"**{shown}** failed (exit {code})" + (f"\n\n{fence(err)}" if err.strip() else "")
            )
    run_url = (
        f"{env.get('GITHUB_SERVER_URL', 'https://github.com')}/"
        f"{env.get('GITHUB_REPOSITORY', '')}/actions/runs/{env.get('GITHUB_RUN_ID', '')}"
    )
    sha = env.get("PORTAL_CONFIG_HEAD_SHA") or env.get("GITHUB_SHA", "")
    if env.get("GITHUB_RUN_ID"):
        parts.append(
            f"<sub>`{shown}` for {sha[:7] or 'this commit'} in [this workflow run]({run_url})</sub>"
        )
    return "\n\n".join(parts) + "\n"


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
    try:
        command = choose_command(inputs, missing)
        argv = build_argv(inputs, command)
    except ValueError as exc:
        print(f"::error::{github_escape(str(exc))}")
        return 1
    if command != inputs.command:
        notice = (
            f"{', '.join(missing)} not set: running the offline diff against {inputs.base} "
            "instead of a plan"
        )
        print(f"::notice::{github_escape(notice)}")
    fetched = ensure_revision(inputs.base, cwd) if command == "diff" else ""
    done = subprocess.run(
        [sys.executable, "-m", "portal_config", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    # One stream, in the order a terminal shows them: progress and errors come first.
    untrusted("portal-config " + shlex.join(argv), fetched, done.stderr, done.stdout)
    body = masking.mask_secrets(
        report(inputs, command, argv, done.returncode, done.stdout, done.stderr, missing, env)
    )
    key = env.get("INPUT_COMMENT_KEY", "").strip() or "plan"
    safe_key = re.sub(r"[^A-Za-z0-9_.-]", "-", key)
    target = Path(env.get("RUNNER_TEMP") or cwd) / f"portal-config-{safe_key}.md"
    target.write_text(body, encoding="utf-8")
    if env.get("GITHUB_STEP_SUMMARY"):
        with open(env["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as summary:
            summary.write(body)
    changes = {0: "false", 2: "true"}.get(done.returncode, "") if command != "apply" else ""
    write_outputs(
        env.get("GITHUB_OUTPUT", ""),
        {
            "exitcode": str(done.returncode),
            "has-changes": changes,
            "command": command,
            "report": str(target),
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
