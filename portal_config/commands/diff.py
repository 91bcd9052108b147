"""`portal-config diff`: the desired state at a git revision against the working tree, offline."""

from __future__ import annotations

from dataclasses import dataclass

import click

from ..values import Data
from .options import ENV_OPTION, Context, project_and_environments, report_format


@dataclass(frozen=True)
class DiffRequest:
    rev: str
    env_names: tuple[str, ...] = ()  # none: every environment
    fmt: str = "text"
    detailed_exitcode: bool = False


def execute(request: DiffRequest, context: Context) -> int:
    from .. import render
    from ..pipeline import revdiff

    project, names = project_and_environments(context, request.env_names, not request.env_names)
    result = revdiff.diff_against(request.rev, project, names)
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
def command(ctx: click.Context, /, **options: Data) -> None:
    """Offline: the desired state at REV against the working tree (no key, no Stripe)."""
    ctx.exit(execute(DiffRequest(**options), ctx.obj))
