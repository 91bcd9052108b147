"""`portal-config doctor`: explain why a portal link fails in one environment (a fleet's: in
each of its accounts)."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import click

from .. import defaults
from ..doctor.flows import FLOW_FEATURES
from . import checks
from .options import (
    COMMAND_LINE_ONLY,
    MAX_RPS_OPTION,
    TIMEOUT_OPTION,
    Context,
    fleet_options,
    single_env_option,
)


@dataclass(frozen=True)
class DoctorRequest:
    env_name: str | None  # None: the error lists the project's environments
    customer: str | None = None  # also check this customer, with a real session per config
    allow_live: bool = False  # create portal sessions in a live environment
    show_url: bool = False  # print session URLs off a terminal too
    fmt: str = "text"
    timeout: float = defaults.REQUEST_SECONDS  # seconds per request to Stripe
    max_rps: float | None = None  # the run's rate limit; None: Stripe's default
    accounts: tuple[str, ...] = ()  # a fleet's accounts to check; none: all
    shard: tuple[int, int] | None = None  # a fleet's share I of N
    parallelism: int = defaults.PARALLELISM  # a fleet's accounts checked side by side
    flow: str | None = None  # a deep link's flow_data.type, checked against the features
    price: str | None = None  # the price a subscription_update_confirm deep link offers


def execute(request: DoctorRequest, context: Context) -> int:
    from .. import doctor, progress

    chosen = checks.doctor(request, context)
    project, env_name, selection = chosen.project, chosen.name, chosen.selection
    problems = chosen.problems
    # A session URL logs anyone in as the customer: only to a person at a terminal by default.
    show_url = request.show_url or sys.stdout.isatty()
    env = project.environments[env_name]
    if env.is_fleet:
        asked = doctor.Asked(
            request.customer, request.allow_live, show_url, request.flow, request.price
        )
        with progress.shown():
            fleet = doctor.examine_fleet(
                project, env_name, selection, asked, problems, request.timeout, request.max_rps
            )
        click.echo(
            doctor.fleet_json(fleet)
            if request.fmt == "json"
            else doctor.fleet_text(fleet, context.color)
        )
        return fleet.exit_code
    observation = doctor.examine(
        project,
        env_name,
        request.customer,
        request.allow_live,
        problems,
        request.timeout,
        request.max_rps,
        (request.flow, request.price),
    )
    findings = doctor.judge(observation, show_url)
    click.echo(
        doctor.json_text(env_name, env.space, findings)
        if request.fmt == "json"
        else doctor.text(env_name, env.space, findings, context.color)
    )
    return doctor.exit_code(findings)


@click.command("doctor")
@single_env_option("Environment to check.")
@click.option(
    "--customer",
    metavar="cus_...",
    help="Also check this customer and create a real portal session per configuration (a "
    "fleet: with --accounts naming the customer's account).",
)
@click.option(
    "--allow-live",
    is_flag=True,
    help="Create portal sessions in a live environment.",
    **COMMAND_LINE_ONLY,
)
@click.option(
    "--show-url",
    is_flag=True,
    help="Print session URLs off a terminal too (a URL logs anyone in as the customer).",
)
@click.option(
    "--flow",
    type=click.Choice(sorted(FLOW_FEATURES)),
    metavar="TYPE",
    help="Also check that each configuration opens this deep link, a session's flow_data.type: "
    + ", ".join(sorted(FLOW_FEATURES))
    + ".",
)
@click.option(
    "--price",
    metavar="price_...",
    help="With --flow subscription_update_confirm: the price the deep link switches to, which "
    "each configuration must offer.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@TIMEOUT_OPTION
@MAX_RPS_OPTION
@fleet_options("A fleet's accounts checked side by side.", 4)
@click.pass_context
def command(
    ctx: click.Context,
    env_name: str | None,
    customer: str | None,
    allow_live: bool,
    show_url: bool,
    flow: str | None,
    price: str | None,
    fmt: str,
    timeout: float,
    max_rps: float | None,
    accounts: tuple[str, ...],
    shard: tuple[int, int] | None,
    parallelism: int,
) -> None:
    """Explain why a portal link fails: key, default, configurations, return URLs, prices.

    For a fleet (stripe_accounts), the same checks in each account, grouped by account."""
    request = DoctorRequest(
        env_name=env_name,
        customer=customer,
        allow_live=allow_live,
        show_url=show_url,
        flow=flow,
        price=price,
        fmt=fmt,
        timeout=timeout,
        max_rps=max_rps,
        accounts=accounts,
        shard=shard,
        parallelism=parallelism,
    )
    ctx.exit(execute(request, ctx.obj))
