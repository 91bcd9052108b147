"""What several commands share: the group's Context, the shared click options, and choosing the
project's environments from --env/--all."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from ..config import Project

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Context:
    """What the group's options decide, handed to every command."""

    config_path: Path | None
    debug: bool
    color: bool


ENV_OPTION = click.option("--env", "env_names", multiple=True, metavar="NAME",
                          help="Environment from the project file (repeatable).")
ALL_OPTION = click.option("--all", "every", is_flag=True, help="Every environment.")
PRUNE_OPTION = click.option("--prune", is_flag=True,
                            help="Deactivate configurations this project created whose file is "
                                 "gone.")
ADOPT_OPTION = click.option("--adopt", is_flag=True,
                            help="Write identity metadata on configurations pinned with ids:.")
# transport.DEFAULT_REQUEST_SECONDS, written here so that every command need not import requests.
REQUEST_TIMEOUT = 30.0


def _seconds(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not (math.isfinite(value) and 0 < value <= 3600):
        raise click.BadParameter("give the seconds each request to Stripe may take, more than 0 "
                                 "and at most 3600", ctx, param)
    return value


# Every command that talks to Stripe takes it; stripe_api.connect enforces it.
TIMEOUT_OPTION = click.option(
    "--timeout", type=float, default=REQUEST_TIMEOUT, show_default=True, metavar="SECONDS",
    callback=_seconds,
    help="Deadline of each request to Stripe (connecting, waiting and the whole answer); a run "
         "stops asking Stripe after 20 times it.")
# plan and diff render the same report, in the same formats.
REPORT_FORMATS = ("text", "markdown", "json")


def single_env_option(help_text: str) -> Callable[[F], F]:
    """--env for the commands that read exactly one environment (import, doctor, ids)."""
    return click.option("--env", "env_name", required=True, metavar="NAME", help=help_text)


def report_format(help_text: str | None = None) -> Callable[[F], F]:
    return click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="text",
                        show_default=True, help=help_text)


def project_and_environments(obj: Context, env_names: tuple[str, ...],
                             every: bool) -> tuple[Project, list[str]]:
    from .. import config, workflow  # lazily: `schema` and `--help` need neither

    project = config.load_project(obj.config_path)
    return project, workflow.choose_environments(project, env_names, every)
