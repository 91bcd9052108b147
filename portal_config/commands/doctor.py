"""`portal-config doctor`: explain why a portal link fails in one environment."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import click

from ..values import Data
from .options import REQUEST_TIMEOUT, TIMEOUT_OPTION, Context, one_environment, single_env_option


@dataclass(frozen=True)
class DoctorRequest:
    env_name: str | None  # None: the error lists the project's environments
    customer: str | None = None  # also check this customer, with a real session per config
    allow_live: bool = False  # create portal sessions in a live environment
    show_url: bool = False  # print session URLs off a terminal too
    fmt: str = "text"
    timeout: float = REQUEST_TIMEOUT  # seconds per request to Stripe


def execute(request: DoctorRequest, context: Context) -> int:
    from .. import doctor

    # A broken file is a finding, not the end: doctor goes on with the files that load.
    project, problems = doctor.load(context.config_path, request.env_name)
    env_name = one_environment(project, request.env_name)
    observation = doctor.examine(
        project, env_name, request.customer, request.allow_live, problems, request.timeout
    )
    # A session URL logs anyone in as the customer: only to a person at a terminal by default.
    findings = doctor.judge(observation, request.show_url or sys.stdout.isatty())
    mode = project.environments[env_name].mode
    click.echo(
        doctor.json_text(env_name, mode, findings)
        if request.fmt == "json"
        else doctor.text(env_name, mode, findings, context.color)
    )
    return doctor.exit_code(findings)


@click.command("doctor")
@single_env_option("Environment to check.")
@click.option(
    "--customer",
    metavar="cus_...",
    help="Also check this customer and create a real portal session per configuration.",
)
@click.option("--allow-live", is_flag=True, help="Create portal sessions in a live environment.")
@click.option(
    "--show-url",
    is_flag=True,
    help="Print session URLs off a terminal too (a URL logs anyone in as the customer).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@TIMEOUT_OPTION
@click.pass_context
def command(ctx: click.Context, /, **options: Data) -> None:
    """Explain why a portal link fails: key, default, configurations, return URLs, prices."""
    ctx.exit(execute(DoctorRequest(**options), ctx.obj))
