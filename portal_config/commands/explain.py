"""`portal-config explain --env E [KEY]...`: what each portal lets a customer do, in the words a
plan uses for a change, from the files (offline, no key) or from Stripe (`--from-stripe`)."""

from __future__ import annotations

from dataclasses import dataclass

import click

from .. import defaults
from . import checks
from .options import MAX_RPS_OPTION, TIMEOUT_OPTION, Context, single_env_option


@dataclass(frozen=True)
class ExplainRequest:
    env_name: str | None  # None: the error lists the project's environments
    keys: tuple[str, ...] = ()  # only these files; none: every file of the environment
    from_stripe: bool = False  # read the configurations in Stripe, not the files
    timeout: float = defaults.REQUEST_SECONDS  # seconds per request to Stripe
    max_rps: float | None = None  # the run's rate limit; None: Stripe's default


def execute(request: ExplainRequest, context: Context) -> int:
    from ..pipeline import explain, plan_target
    from ..render.explain import explained

    chosen = checks.explain(request, context)
    project, env = chosen.project, chosen.name
    if request.from_stripe:
        with plan_target.connected(project, [env], request.timeout, request.max_rps) as gateways:
            portraits = explain.from_stripe(project, env, gateways[env], request.keys)
    else:
        portraits = explain.from_files(project, env, request.keys)
    click.echo(explained(portraits, request.from_stripe))
    return 1 if any(p.problem for p in portraits) else 0


@click.command("explain")
@single_env_option("Environment whose portals to explain.")
@click.argument("keys", nargs=-1, metavar="[KEY]...")
@click.option(
    "--from-stripe",
    is_flag=True,
    help="Explain the configurations in Stripe (needs the key), not the files.",
)
@TIMEOUT_OPTION
@MAX_RPS_OPTION
@click.pass_context
def command(
    ctx: click.Context,
    env_name: str | None,
    keys: tuple[str, ...],
    from_stripe: bool,
    timeout: float,
    max_rps: float | None,
) -> None:
    """What each portal lets a customer do, in plain words (only KEY's, if given)."""
    request = ExplainRequest(
        env_name=env_name, keys=keys, from_stripe=from_stripe, timeout=timeout, max_rps=max_rps
    )
    ctx.exit(execute(request, ctx.obj))
