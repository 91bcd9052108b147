"""`portal-config validate`: check the files offline and report every problem."""

from __future__ import annotations

from dataclasses import dataclass

import click

from .options import Context


@dataclass(frozen=True)
class ValidateRequest:
    fmt: str = "text"


def execute(request: ValidateRequest, context: Context) -> int:
    from ..project import config, loader
    from ..render import report

    project, problems = config.collect_problems(context.config_path)
    if problems or request.fmt in ("json", "sarif"):  # code scanning closes alerts on an empty run
        click.echo(report.render(problems, request.fmt))
    folder = loader.display_path(project.root)
    folder = project.root.name if folder == "." else folder
    click.echo(report.summary(folder, len(project.config_paths), problems), err=True)
    return 1 if any(p.level == "error" for p in problems) else 0


@click.command("validate")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github", "sarif"]),
    default="text",
    show_default=True,
    help="github: annotations for pull requests; sarif: SARIF 2.1.0 for code scanning.",
)
@click.pass_context
def command(ctx: click.Context, fmt: str) -> None:
    """Check the files offline: YAML, schema, variables and Stripe's rules (no key, no network)."""
    ctx.exit(execute(ValidateRequest(fmt=fmt), ctx.obj))
