"""`portal-config diff`: the desired state at a git revision against the working tree, offline."""

from __future__ import annotations

from dataclasses import dataclass

import click

from . import checks
from .options import ENV_OPTION, Context, report_format


@dataclass(frozen=True)
class DiffRequest:
    rev: str
    env_names: tuple[str, ...] = ()  # none: every environment
    fmt: str = "text"
    detailed_exitcode: bool = False


def execute(request: DiffRequest, context: Context) -> int:
    from .. import render
    from ..pipeline import revdiff

    chosen = checks.diff(request, context)
    result = revdiff.diff_against(request.rev, chosen.project, chosen.names)
    wording = render.diff_wording(request.rev)
    click.echo(wording.compared, err=True)  # stdout stays the report (JSON stays JSON)
    click.echo(render.in_format(result, request.fmt, context.color, wording))
    return 2 if request.detailed_exitcode and result.differs else 0  # as plan (EnvPlan.differs)


@click.command("diff")
@click.option(
    "--base",
    "rev",
    required=True,
    metavar="REV",
    help="Git revision to compare with, e.g. origin/main.",
)
@ENV_OPTION
@report_format()
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when the desired state changed.")
@click.pass_context
def command(
    ctx: click.Context, rev: str, env_names: tuple[str, ...], fmt: str, detailed_exitcode: bool
) -> None:
    """Offline: the desired state at REV against the working tree (no key, no Stripe)."""
    request = DiffRequest(
        rev=rev, env_names=env_names, fmt=fmt, detailed_exitcode=detailed_exitcode
    )
    ctx.exit(execute(request, ctx.obj))
