"""What several commands share: the group's Context, the shared click options (--no-color on the
group and on every command), and choosing the project's environments from --env/--all."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import click

from .. import defaults

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Context:
    """What the group's options decide, handed to every command."""

    config_path: Path | None
    color: bool


NO_COLOR_META = "portal_config.no_color"
# Options that are never defaulted from PORTAL_CONFIG_<COMMAND>_<OPTION> variables (cli.py's
# auto_envvar_prefix): a confirmation or an override a reviewer must see on the command line,
# and the group's own, whose PORTAL_CONFIG_<OPTION> names an `ids --format env` file may set.
# https://click.palletsprojects.com/en/stable/options/#values-from-environment-variables
COMMAND_LINE_ONLY: dict[str, Any] = {"allow_from_autoenv": False}


def _no_color(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """Before the command name the group reads ctx.meta (shared by the whole invocation);
    after it, the group's Context exists already and loses its colour."""
    if value:
        ctx.meta[NO_COLOR_META] = True
        if isinstance(ctx.obj, Context):
            ctx.obj = replace(ctx.obj, color=False)
        ctx.color = False  # what click.echo keeps of ANSI codes (cli.py sets it from the group)


NO_COLOR_OPTION = click.option(
    "--no-color",
    is_flag=True,
    expose_value=False,
    callback=_no_color,
    **COMMAND_LINE_ONLY,
    help="No colour, even on a terminal or with FORCE_COLOR (also NO_COLOR).",
)
CONFIG_HELP = "Project file (default: ./portal-config.yaml or ./configs/portal-config.yaml)."
DEBUG_HELP = "Show tracebacks for errors."
VERBOSE_HELP = (
    "Log each request to Stripe on stderr: method, path, status, request ID, time, the key "
    "masked; retries and rate limits."
)


def _group_option_after_the_name(
    ctx: click.Context, param: click.Parameter, value: Path | bool | None
) -> None:
    """The group's --config and --verbose given after the command's name: the group's Context
    exists already, so the command's copy of it takes the value (last one wins)."""
    if value in (None, False) or not isinstance(ctx.obj, Context):
        return
    if isinstance(value, Path):
        ctx.obj = replace(ctx.obj, config_path=value)
    else:
        from ..stripe_api import requestlog

        requestlog.turn_on(True)


def group_options_after_the_name(command: click.Command) -> click.Command:
    """Where most CLIs take them: `plan --env prod --verbose --config FILE` as well as
    `--verbose --config FILE plan --env prod`."""
    after = {"expose_value": False, "callback": _group_option_after_the_name, **COMMAND_LINE_ONLY}
    for decorate in (
        NO_COLOR_OPTION,
        click.option(
            "--config", "config_path", type=click.Path(path_type=Path), help=CONFIG_HELP, **after
        ),
        # cli._run reads --debug from the command line itself, wherever it stands: a traceback
        # is owed even for what fails before any option's callback
        click.option(
            "--debug", is_flag=True, expose_value=False, help=DEBUG_HELP, **COMMAND_LINE_ONLY
        ),
        click.option("--verbose", is_flag=True, help=VERBOSE_HELP, **after),
    ):
        command = decorate(command)
    return command


ENV_OPTION = click.option(
    "--env",
    "env_names",
    multiple=True,
    metavar="NAME",
    help="Environment from the project file (repeatable).",
)
ALL_OPTION = click.option("--all", "every", is_flag=True, help="Every environment.")


def prune_option(planned: bool = False) -> Callable[[F], F]:
    """--prune: apply deactivates; plan (planned=True) only shows what apply would."""
    what = "configurations this project created whose file is gone"
    said = (
        f"Show what apply --prune would deactivate: {what}." if planned else f"Deactivate {what}."
    )
    return click.option("--prune", is_flag=True, help=said, **COMMAND_LINE_ONLY)


def adopt_option(planned: bool = False) -> Callable[[F], F]:
    """--adopt: apply writes identity metadata; plan (planned=True) only shows what it would."""
    what = "identity metadata on configurations pinned with ids:"
    said = f"Show what apply --adopt would write: {what}." if planned else f"Write {what}."
    return click.option("--adopt", is_flag=True, help=said, **COMMAND_LINE_ONLY)


TARGET_OPTION = click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="KEY",
    help="Plan only this configuration's file (repeatable); other "
    "configurations are neither changed nor pruned.",
)


def _seconds(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not (math.isfinite(value) and 0 < value <= 3600):
        raise click.BadParameter(
            "give the seconds each request to Stripe may take, more than 0 and at most 3600",
            ctx,
            param,
        )
    return value


# Every command that talks to Stripe takes it; stripe_api.connection.connect enforces it.
TIMEOUT_OPTION = click.option(
    "--timeout",
    type=float,
    default=defaults.REQUEST_SECONDS,
    show_default=True,
    metavar="SECONDS",
    callback=_seconds,
    help="Deadline of each request to Stripe (connecting, waiting and the whole answer); a run "
    "stops asking Stripe after 20 times it.",
)
MAX_RPS_OPTION = click.option(
    "--max-rps",
    type=click.FloatRange(min=0, min_open=True),
    metavar="N",
    help="At most N requests a second in all (default: 20 in test mode, 80 in live, under "
    "Stripe's limits; none for an emulator or local server); with any limit, also at most 20 "
    "a second to each endpoint (Stripe allows 25).",
)


def _shard(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, int] | None:
    from ..project.fleet_accounts import parse_shard

    if value is None:
        return None
    try:
        return parse_shard(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


def _account_ids(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> tuple[str, ...]:
    from ..project.fleet import ACCOUNT_ID

    for item in value:
        if not ACCOUNT_ID.fullmatch(item):
            raise click.BadParameter(f"{item!r} is not a Stripe account ID (acct_...)", ctx, param)
    return value


def fleet_options(parallelism_help: str, default: int) -> Callable[[F], F]:
    """--shard, --accounts and --parallelism: which of a fleet's accounts, how many at once."""

    def decorate(function: F) -> F:
        for option in reversed(
            (
                click.option(
                    "--shard",
                    metavar="I/N",
                    callback=_shard,
                    help="A fleet's share I of N (by account ID, stable), for a CI matrix.",
                ),
                click.option(
                    "--accounts",
                    "accounts",
                    multiple=True,
                    metavar="ACCT",
                    callback=_account_ids,
                    help="Only this account of a fleet (repeatable).",
                ),
                click.option(
                    "--parallelism",
                    type=click.IntRange(1, 32),
                    default=default,
                    show_default=True,
                    metavar="N",
                    help=parallelism_help,
                ),
            )
        ):
            function = option(function)
        return function

    return decorate


# plan and diff render the same report, in the same formats.
REPORT_FORMATS = ("text", "markdown", "json")


def single_env_option(help_text: str) -> Callable[[F], F]:
    """--env for the commands that read exactly one environment (import, doctor, ids). Not
    `required`: without it, checks.py names the project's environments, as plan does."""
    return click.option("--env", "env_name", metavar="NAME", help=f"{help_text} Required.")


def report_format(help_text: str | None = None) -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(REPORT_FORMATS),
        default="text",
        show_default=True,
        help=help_text,
    )
