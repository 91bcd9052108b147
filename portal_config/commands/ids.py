"""`portal-config ids`: print each key's configuration id in one environment (a fleet's: in each
of its accounts)."""

from __future__ import annotations

from dataclasses import dataclass

import click

from .. import defaults
from . import checks
from .options import MAX_RPS_OPTION, TIMEOUT_OPTION, Context, fleet_options, single_env_option


@dataclass(frozen=True)
class IdsRequest:
    env_name: str | None  # None: the error lists the project's environments
    fmt: str = "text"  # text, json, or env: PORTAL_CONFIG_<KEY>=bpc_... lines
    timeout: float = defaults.REQUEST_SECONDS  # seconds per request to Stripe
    max_rps: float | None = None  # the run's rate limit; None: Stripe's default
    accounts: tuple[str, ...] = ()  # a fleet's accounts to read; none: all
    shard: tuple[int, int] | None = None  # a fleet's share I of N
    parallelism: int = defaults.PARALLELISM  # a fleet's accounts read side by side


def execute(request: IdsRequest, context: Context) -> int:
    from .. import progress
    from ..pipeline import fleet_ids, ids, plan_target

    chosen = checks.ids(request, context)
    project, env_name, selection = chosen.project, chosen.name, chosen.selection
    env = project.environments[env_name]
    with (
        progress.shown(),
        plan_target.connected(project, [env_name], request.timeout, request.max_rps) as gateways,
    ):
        if env.is_fleet:
            results = fleet_ids.read_fleet(project, env_name, gateways[env_name], selection)
        else:
            results = [ids.read(project, env_name, gateways[env_name])]
    if env.is_fleet:
        output = fleet_ids.render(env_name, env.mode, results, request.fmt)
    else:
        output = ids.render(results[0], request.fmt)
    if output:
        click.echo(output)
    if request.fmt == "text":
        if env.is_fleet and not results:
            click.echo(f"Note: the fleet {env_name} has no account this run takes", err=True)
        for note in (n for r in results for n in r.notes):
            click.echo(f"Note: {note}", err=True)
    problems = [p for r in results for p in r.problems]
    for problem in problems:
        click.echo(f"Error: {problem}", err=True)
    return 1 if problems else 0


@click.command("ids")
@single_env_option("Environment to read.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "env"]),
    default="text",
    show_default=True,
    help="env: PORTAL_CONFIG_<KEY>=bpc_... lines (not for a fleet: one set per account).",
)
@TIMEOUT_OPTION
@MAX_RPS_OPTION
@fleet_options("A fleet's accounts read side by side.", 4)
@click.pass_context
def command(
    ctx: click.Context,
    env_name: str | None,
    fmt: str,
    timeout: float,
    max_rps: float | None,
    accounts: tuple[str, ...],
    shard: tuple[int, int] | None,
    parallelism: int,
) -> None:
    """Print each key's configuration ID, for billing_portal.sessions.create(configuration=...).

    For a fleet (stripe_accounts), each account's own IDs, grouped by account."""
    request = IdsRequest(
        env_name=env_name,
        fmt=fmt,
        timeout=timeout,
        max_rps=max_rps,
        accounts=accounts,
        shard=shard,
        parallelism=parallelism,
    )
    ctx.exit(execute(request, ctx.obj))
