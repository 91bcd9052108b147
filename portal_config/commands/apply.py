"""`portal-config apply`: plan (or load a saved plan), gate live environments, then make Stripe
match the files. The gating, the saved plan's staleness check, all-or-nothing and the live
confirmation are decided here; the writes themselves are portal_config.apply's."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import PortalConfigError
from ..values import Data
from .options import (
    ADOPT_OPTION,
    ALL_OPTION,
    ENV_OPTION,
    MAX_RPS_OPTION,
    PRUNE_OPTION,
    REQUEST_TIMEOUT,
    TARGET_OPTION,
    TIMEOUT_OPTION,
    Context,
    check_targets,
    project_and_environments,
)

if TYPE_CHECKING:
    from ..config import Project
    from ..plan import Plan

DEFAULT_PARALLELISM = 4


@dataclass(frozen=True)
class ApplyRequest:
    env_names: tuple[str, ...] = ()
    every: bool = False
    yes: bool = False  # apply without asking (needed for live off a terminal)
    prune: bool = False
    adopt: bool = False
    plan_file: Path | None = None  # a plan saved with `plan --out`, applied as it is
    timeout: float = REQUEST_TIMEOUT  # seconds per request to Stripe
    targets: tuple[str, ...] = ()  # apply only these files (keys); none: every file
    parallelism: int = DEFAULT_PARALLELISM  # changes in flight at once per environment
    max_rps: float | None = None  # the run's rate limit; None: Stripe's default


def _targets(request: ApplyRequest, context: Context) -> tuple[Project, list[str], Plan | None]:
    """The project, the environments to apply to, and the saved plan if there is one."""
    from .. import planfile, workflow

    if request.plan_file is None:
        project, names = project_and_environments(context, request.env_names, request.every)
        return project, names, None
    if request.env_names or request.every or request.prune or request.adopt or request.targets:
        raise PortalConfigError(
            "--plan applies the saved plan as it is: drop --env, --all, "
            "--prune, --adopt and --target (they were decided when it was "
            "saved)"
        )
    project, _ = project_and_environments(context, (), True)
    modes = {name: env.mode for name, env in project.environments.items()}
    saved = planfile.load(request.plan_file, project.name, modes)
    names = workflow.choose_environments(project, [e.env for e in saved.envs], False)
    return project, names, saved


def _gate_live(project: Project, names: list[str], saved: Plan | None, yes: bool) -> list[str]:
    """The live environments this apply may write to; refused up front, before any request, when
    nobody is there to confirm them."""
    from ..errors import UnsafeOperation

    live = [n for n in names if project.environments[n].mode == "live"]
    if saved is not None:  # what a saved plan writes is known before any request
        live = [n for n in live if any(c.env == n for c in saved.changes)]
    if live and not yes and not sys.stdin.isatty():
        raise UnsafeOperation(
            f"refusing to apply to live environment {', '.join(live)} without a "
            "terminal to confirm on: review `portal-config plan`, then run "
            "apply again with --yes"
        )
    return live


def _current_plan(
    request: ApplyRequest,
    project: Project,
    names: list[str],
    saved: Plan | None,
    gateways: dict[str, Any],
) -> Plan:
    """A fresh plan, or the saved one if Stripe has not changed since it was saved."""
    from .. import planfile, workflow

    if saved is None:
        return workflow.plan_all(
            project,
            gateways,
            prune=request.prune,
            adopt=request.adopt,
            keys=request.targets or None,
        )
    planfile.refuse_if_stale(saved, {n: gateways[n].list_configurations() for n in names})
    return saved


def _refuse_problems(result: Plan) -> None:
    # All or nothing, like Terraform: a half-applied plan is harder to reason about.
    if result.has_problems:
        with_problems = [e.env for e in result.envs if e.problems]
        raise PortalConfigError(
            f"the plan has problems in {', '.join(with_problems)} (listed above): nothing was "
            "applied. Fix them, or apply only the other environments with --env."
        )


def _confirm_live(plan_: Plan, names: list[str]) -> None:
    from ..changes import Deactivate

    deactivations = [c for c in plan_.changes if isinstance(c, Deactivate)]
    click.echo("")
    for change in deactivations:
        click.echo(
            f"  - {change.key} ({change.config_id}) in {change.env} will be deactivated: "
            "portal sessions created with it will fail"
        )
    answer = click.prompt(
        f"Apply these changes to live environment(s) {', '.join(names)}? Only 'yes' is accepted",
        default="",
        show_default=False,
    )
    if answer.strip() != "yes":
        raise PortalConfigError("apply cancelled: nothing was written")


def execute(request: ApplyRequest, context: Context) -> int:
    from .. import progress, render, workflow
    from ..apply import apply_plan
    from ..render import summary

    project, names, saved = _targets(request, context)
    targeted = check_targets(project, request.targets, request.prune)
    live = _gate_live(project, names, saved, request.yes)
    with workflow.connected(project, names, request.timeout, request.max_rps) as gateways:
        with progress.shown():
            result = _current_plan(request, project, names, saved, gateways)
        if targeted:
            click.echo(targeted, err=True)
        click.echo(render.text(result, context.color))
        _refuse_problems(result)
        if not result.changes:
            return 0
        live_changed = sorted({c.env for c in result.changes if c.env in live})
        if live_changed and not request.yes:
            _confirm_live(result, live_changed)
        click.echo("", err=True)
        with progress.shown(total=len(result.changes)) as status:
            echo = status.echo if status else lambda line: click.echo(line, err=True)
            report = apply_plan(result, gateways, echo, request.parallelism)
    click.echo("")
    click.echo(summary(report, result))
    if report.interrupted:
        return 130
    return 0 if report.ok else 1


@click.command("apply")
@ENV_OPTION
@ALL_OPTION
@click.option("--yes", is_flag=True, help="Apply without asking (needed for live off a terminal).")
@PRUNE_OPTION
@ADOPT_OPTION
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Apply a plan saved with `plan --out`; refused if Stripe changed since.",
)
@TARGET_OPTION
@TIMEOUT_OPTION
@click.option(
    "--parallelism",
    type=click.IntRange(1, 32),
    default=DEFAULT_PARALLELISM,
    show_default=True,
    metavar="N",
    help="Changes written side by side per environment (each re-read, then written).",
)
@MAX_RPS_OPTION
@click.pass_context
def command(ctx: click.Context, /, **options: Data) -> None:
    """Plan (or load a saved plan), then make Stripe match the files."""
    ctx.exit(execute(ApplyRequest(**options), ctx.obj))
