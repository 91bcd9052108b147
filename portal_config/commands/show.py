"""`portal-config show PLAN.json`: render a plan saved with `plan --out`, offline, in the formats
plan prints (a CI job that saved the plan renders it for the pull request from the artifact).
`show -` reads it from stdin (`plan --out - | portal-config show -`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import click

from .options import Context, report_format


@dataclass(frozen=True)
class ShowRequest:
    plan_file: Path
    fmt: str = "text"


def execute(request: ShowRequest, context: Context) -> int:
    from .. import render
    from ..planning import planfile
    from ..project.limits import named

    saved = planfile.load_alone(request.plan_file)
    where = Path(named(request.plan_file)).name  # `-`: stdin
    wording = dataclasses.replace(
        render.plan_wording(), title=f"portal-config plan (saved in {where})"
    )
    click.echo(render.in_format(saved, request.fmt, context.color, wording))
    return 0


@click.command("show")
@click.argument("plan_file", metavar="PLAN.json", type=click.Path(path_type=Path, allow_dash=True))
@report_format("markdown: for a pull request comment.")
@click.pass_context
def command(ctx: click.Context, plan_file: Path, fmt: str) -> None:
    """Render a plan saved with `plan --out` (offline: Stripe is not read); `-`: from stdin."""
    ctx.exit(execute(ShowRequest(plan_file=plan_file, fmt=fmt), ctx.obj))
