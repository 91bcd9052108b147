"""`portal-config ids`: print each key's configuration id in one environment."""

from __future__ import annotations

from dataclasses import dataclass

import click

from .options import (
    REQUEST_TIMEOUT,
    TIMEOUT_OPTION,
    Context,
    project_and_environment,
    single_env_option,
)


@dataclass(frozen=True)
class IdsRequest:
    env_name: str | None  # None: the error lists the project's environments
    fmt: str = "text"  # text, json, or env: PORTAL_CONFIG_<KEY>=bpc_... lines
    timeout: float = REQUEST_TIMEOUT  # seconds per request to Stripe


def execute(request: IdsRequest, context: Context) -> int:
    from .. import ids, workflow

    project, env_name = project_and_environment(context, request.env_name)
    with workflow.connected(project, [env_name], request.timeout) as gateways:
        result = ids.read(project, env_name, gateways[env_name])
    output = ids.render(result, request.fmt)
    if output:
        click.echo(output)
    if request.fmt == "text":
        for note in result.notes:
            click.echo(f"Note: {note}", err=True)
    for problem in result.problems:
        click.echo(f"Error: {problem}", err=True)
    return 1 if result.problems else 0


@click.command("ids")
@single_env_option("Environment to read.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "env"]),
    default="text",
    show_default=True,
    help="env: PORTAL_CONFIG_<KEY>=bpc_... lines.",
)
@TIMEOUT_OPTION
@click.pass_context
def command(ctx: click.Context, env_name: str | None, fmt: str, timeout: float) -> None:
    """Print each key's configuration ID, for billing_portal.sessions.create(configuration=...)."""
    ctx.exit(execute(IdsRequest(env_name=env_name, fmt=fmt, timeout=timeout), ctx.obj))
