"""`portal-config plan`: show what apply would change in Stripe, optionally saving the plan."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import click

from .. import defaults
from . import checks
from .options import (
    ALL_OPTION,
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


@dataclass(frozen=True)
class PlanRequest:
    env_names: tuple[str, ...] = ()
    every: bool = False
    fmt: str = "text"
    detailed_exitcode: bool = False
    prune: bool = False
    adopt: bool = False
    out_file: Path | None = None  # where to save the plan for `apply --plan`
    timeout: float = defaults.REQUEST_SECONDS  # seconds per request to Stripe
    targets: tuple[str, ...] = ()  # plan only these files (keys); none: every file
    max_rps: float | None = None  # the run's rate limit; None: Stripe's default
    accounts: tuple[str, ...] = ()  # a fleet's accounts to plan; none: all
    shard: tuple[int, int] | None = None  # a fleet's share I of N
    parallelism: int = defaults.PARALLELISM  # a fleet's accounts planned side by side
    history: bool = True  # on drift, read Stripe's events for when and by whom it changed


def execute(request: PlanRequest, context: Context) -> int:
    from .. import progress, render
    from ..pipeline import fanout, history, plan_target
    from ..planning.shown import NAMED_UNCLAIMED
    from ..project.limits import STDIN

    chosen = checks.plan(request, context)
    with (
        progress.shown(),
        plan_target.connected(
            chosen.project, chosen.names, request.timeout, request.max_rps
        ) as gws,
    ):
        result = fanout.plan_all(
            chosen.project,
            gws,
            prune=request.prune,
            adopt=request.adopt,
            keys=request.targets or None,
            selection=chosen.selection,
            slim=request.out_file is None,  # a saved plan fingerprints each configuration whole
            # a text or markdown note names 20 configurations no file claims; JSON every one
            named=None if request.fmt == "json" else NAMED_UNCLAIMED,
        )
        if request.history:
            result = history.with_history(result, gws)
    # `--out -`: stdout holds the plan file alone (for a pipe), the report goes to stderr.
    to_stdout = request.out_file == STDIN
    if request.out_file:
        from ..planning import planfile  # a saved plan's file only: issue 24, lean runs

        planfile.save(result, request.out_file)
        where, then = ("stdout", "-") if to_stdout else (request.out_file, request.out_file)
        click.echo(
            f"Saved the plan to {where}: `portal-config apply --plan {then}` applies exactly this.",
            err=True,
        )
    # A nightly `--detailed-exitcode` run is a drift check: its report says "Drift:".
    wording = render.plan_wording(drift=request.detailed_exitcode)
    if chosen.targeted:
        click.echo(chosen.targeted, err=True)
        wording = dataclasses.replace(
            wording,
            title=f"{wording.title}, targeted (only {', '.join(sorted(set(request.targets)))})",
        )
    click.echo(render.in_format(result, request.fmt, context.color, wording), err=to_stdout)
    if result.has_problems:
        return 1
    return 2 if request.detailed_exitcode and result.differs else 0


@click.command("plan")
@ENV_OPTION
@ALL_OPTION
@report_format("markdown: for a pull request comment.")
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 2 when there are changes, 0 when there are none.",
)
@prune_option(planned=True)
@adopt_option(planned=True)
@click.option(
    "--out",
    "out_file",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    help="Save the plan, for `apply --plan` (holds no key); `-`: on stdout, the report then on "
    "stderr.",
)
@click.option(
    "--no-history",
    is_flag=True,
    help="Do not read Stripe's events to say when, from what and by whom each drifted field "
    "changed (else one request per 100 events, only when there is drift).",
)
@TARGET_OPTION
@TIMEOUT_OPTION
@MAX_RPS_OPTION
@fleet_options("A fleet's accounts planned side by side.", 4)
@click.pass_context
def command(
    ctx: click.Context,
    env_names: tuple[str, ...],
    every: bool,
    fmt: str,
    detailed_exitcode: bool,
    prune: bool,
    adopt: bool,
    out_file: Path | None,
    targets: tuple[str, ...],
    timeout: float,
    max_rps: float | None,
    accounts: tuple[str, ...],
    shard: tuple[int, int] | None,
    parallelism: int,
    no_history: bool,
) -> None:
    """Show what apply would change in Stripe."""
    request = PlanRequest(
        env_names=env_names,
        every=every,
        fmt=fmt,
        detailed_exitcode=detailed_exitcode,
        prune=prune,
        adopt=adopt,
        out_file=out_file,
        timeout=timeout,
        targets=targets,
        max_rps=max_rps,
        accounts=accounts,
        shard=shard,
        parallelism=parallelism,
        history=not no_history,
    )
    ctx.exit(execute(request, ctx.obj))
