"""`portal-config apply`: plan (or load a saved plan), gate live environments, then make Stripe
match the files. The gating, the saved plan's staleness check, all-or-nothing and the live
confirmation are decided here; the writes themselves are portal_config.apply's."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .. import defaults
from ..errors import PortalConfigError
from . import checks
from .options import (
    ALL_OPTION,
    COMMAND_LINE_ONLY,
    ENV_OPTION,
    MAX_RPS_OPTION,
    TARGET_OPTION,
    TIMEOUT_OPTION,
    Context,
    adopt_option,
    fleet_options,
    prune_option,
    report_format,
)

if TYPE_CHECKING:
    from ..planning.plan import Plan
    from ..project.spec import Project


@dataclass(frozen=True)
class ApplyRequest:
    env_names: tuple[str, ...] = ()
    every: bool = False
    yes: bool = False  # apply without asking (needed for live off a terminal)
    prune: bool = False
    adopt: bool = False
    plan_file: Path | None = None  # a plan saved with `plan --out`, applied as it is
    timeout: float = defaults.REQUEST_SECONDS  # seconds per request to Stripe
    targets: tuple[str, ...] = ()  # apply only these files (keys); none: every file
    parallelism: int = defaults.PARALLELISM  # changes in flight at once per environment
    max_rps: float | None = None  # the run's rate limit; None: Stripe's default
    accounts: tuple[str, ...] = ()  # a fleet's accounts to apply to; none: all
    shard: tuple[int, int] | None = None  # a fleet's share I of N
    force: bool = False  # change more of a fleet than the threshold allows
    threshold: float = defaults.THRESHOLD  # the share of the accounts it covers a run may change
    fmt: str = "text"  # the report's: text | markdown | json (the plan is then on stderr)


def _gate_live(project: Project, names: list[str], saved: Plan | None, yes: bool) -> list[str]:
    """The live environments this apply may write to. A saved plan's are known before any
    request, so they are refused up front when nobody is there to confirm them; a fresh plan's
    once planned (_refuse_unconfirmed), as only a live environment with changes needs --yes."""
    live = [n for n in names if project.environments[n].mode == "live"]
    if saved is not None:
        changed = [n for n in live if any(c.env == n for c in saved.changes)]
        _refuse_unconfirmed(changed, yes, "review `portal-config show PLAN`")
    return live


def _refuse_unconfirmed(changed: list[str], yes: bool, review: str) -> None:
    """Changes to live environments, with neither --yes nor a terminal to say yes on."""
    from ..errors import UnsafeOperation

    if changed and not yes and not sys.stdin.isatty():
        raise UnsafeOperation(
            f"refusing to apply to live environment {', '.join(changed)} without a terminal to "
            f"confirm on: {review}, then run apply again with --yes"
        )


def _current_plan(request: ApplyRequest, chosen: checks.Chosen, gateways: dict[str, Any]) -> Plan:
    """A fresh plan, or the saved one if Stripe has not changed since it was saved."""
    from ..pipeline import fanout
    from ..planning import planfile

    if chosen.saved is None:
        return fanout.plan_all(
            chosen.project,
            gateways,
            prune=request.prune,
            adopt=request.adopt,
            keys=request.targets or None,
            selection=chosen.selection,
        )
    listed = {n: gateways[n].list_configurations() for n in chosen.names}
    planfile.refuse_if_stale(chosen.saved, listed)
    return chosen.saved


def _refuse_problems(result: Plan) -> None:
    """All or nothing, like Terraform: a half-applied plan is harder to reason about. A fleet
    is all or nothing per account (Plan.held, Plan.holding_back): the others go ahead."""
    with_problems = sorted({e.env for e in result.envs if e.problems and e.account is None})
    if with_problems:
        raise PortalConfigError(
            f"the plan has problems in {', '.join(with_problems)} (listed above): nothing was "
            "applied. Fix them, or apply only the other environments with --env."
        )


def _live_names(result: Plan, names: list[str]) -> list[str]:
    """The live environments to confirm, a fleet's with how many of its accounts change."""
    shown = []
    for name in names:
        if name in result.fleets:
            changing = len({e.account for e in result.envs if e.env == name and e.changes})
            name += f" ({changing} of {result.fleet_sizes[name]} accounts will change)"
        shown.append(name)
    return shown


def _confirm_live(plan_: Plan, names: list[str]) -> None:
    from ..planning.changes import Deactivate

    deactivations = [c for c in plan_.changes if isinstance(c, Deactivate)]
    click.echo("")
    for change in deactivations:
        click.echo(
            f"  {change.symbol} {change.key} ({change.config_id}) in {change.where} "
            f"{change.outcome(loud=False)}"
        )
    answer = click.prompt(
        f"Apply these changes to live environment(s) {', '.join(_live_names(plan_, names))}? "
        "Only 'yes' is accepted",
        default="",
        show_default=False,
    )
    if answer.strip() != "yes":
        raise PortalConfigError("apply cancelled: nothing was written")


def execute(request: ApplyRequest, context: Context) -> int:
    from .. import progress, render
    from ..apply import ApplyReport, apply_plan
    from ..pipeline import plan_target
    from ..render.apply_report import in_format

    chosen = checks.apply(request, context)
    project, names, saved, targeted = chosen.project, chosen.names, chosen.saved, chosen.targeted
    live = _gate_live(project, names, saved, request.yes)
    with plan_target.connected(project, names, request.timeout, request.max_rps) as gateways:
        with progress.shown():
            result = _current_plan(request, chosen, gateways)
        if targeted:
            click.echo(targeted, err=True)
        # With --format markdown|json stdout is the report alone, for the PR comment or a tool.
        click.echo(render.text(result, context.color), err=request.fmt != "text")
        _refuse_problems(result)
        held, result = result.held, result.holding_back()
        result.raise_if_unsafe(request.threshold, request.force)
        if not result.changes:
            if request.fmt != "text":
                click.echo(in_format(ApplyReport(), result, request.fmt))
            return _held_back(held, 0)
        live_changed = sorted({c.env for c in result.changes if c.env in live})
        _refuse_unconfirmed(live_changed, request.yes, "review the plan above")
        if live_changed and not request.yes:
            _confirm_live(result, live_changed)
        click.echo("", err=True)
        with progress.shown(total=len(result.changes)) as status:
            echo = status.echo if status else lambda line: click.echo(line, err=True)
            report = apply_plan(result, gateways, echo, request.parallelism)
    click.echo(in_format(report, result, request.fmt))
    if report.interrupted:
        return 130
    return _held_back(held, 0 if report.ok else 1)


def _held_back(held: list[str], code: int) -> int:
    """Says which accounts of a fleet were left alone for their problems (exit 1 then)."""
    if not held:
        return code
    click.echo(
        f"Held back: {len(held)} account(s) with problems (listed above), nothing written to "
        f"them: {', '.join(held[:20])}{' ...' if len(held) > 20 else ''}. Fix them and apply "
        "again; the other accounts are done.",
        err=True,
    )
    return 1


def _share(ctx: click.Context, param: click.Parameter, value: str) -> float:
    from ..project.fleet_accounts import parse_share

    try:
        return parse_share(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


@click.command("apply")
@ENV_OPTION
@ALL_OPTION
@click.option(
    "--yes",
    is_flag=True,
    help="Apply without asking (needed for live off a terminal).",
    **COMMAND_LINE_ONLY,
)
@prune_option()
@adopt_option()
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(path_type=Path, allow_dash=True),
    help="Apply a plan saved with `plan --out` (`-`: from stdin); refused if Stripe changed since.",
)
@TARGET_OPTION
@TIMEOUT_OPTION
@fleet_options(
    "Changes written side by side per environment (each re-read, then written); a fleet's "
    "accounts planned side by side.",
    defaults.PARALLELISM,
)
@click.option(
    "--force",
    is_flag=True,
    **COMMAND_LINE_ONLY,
    help="Change more of the fleet accounts this run covers than the threshold allows.",
)
@click.option(
    "--threshold",
    default=f"{defaults.THRESHOLD:.0%}",
    show_default=True,
    metavar="SHARE",
    callback=_share,
    help="The most of the fleet accounts this run covers (its shard, its --accounts) it may "
    "change without --force (updates and deactivations; creates do not count).",
)
@MAX_RPS_OPTION
@report_format("markdown: for a pull request comment; json: for machines. The plan goes to stderr.")
@click.pass_context
def command(
    ctx: click.Context,
    env_names: tuple[str, ...],
    every: bool,
    yes: bool,
    prune: bool,
    adopt: bool,
    plan_file: Path | None,
    targets: tuple[str, ...],
    timeout: float,
    accounts: tuple[str, ...],
    shard: tuple[int, int] | None,
    parallelism: int,
    force: bool,
    threshold: float,
    max_rps: float | None,
    fmt: str,
) -> None:
    """Plan (or load a saved plan), then make Stripe match the files."""
    request = ApplyRequest(
        env_names=env_names,
        every=every,
        yes=yes,
        prune=prune,
        adopt=adopt,
        plan_file=plan_file,
        timeout=timeout,
        targets=targets,
        parallelism=parallelism,
        max_rps=max_rps,
        accounts=accounts,
        shard=shard,
        force=force,
        threshold=threshold,
        fmt=fmt,
    )
    ctx.exit(execute(request, ctx.obj))
