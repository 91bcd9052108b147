"""`portal-config pull --env E [KEY...]`: bring Stripe's current values back into the files (a
Dashboard edit becomes a commit); `--dry-run` prints the files' diff and writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from .. import defaults
from ..errors import PortalConfigError, ValidationFailed
from ..project import paths
from ..project.loader import display_path
from . import checks
from .options import TIMEOUT_OPTION, Context, single_env_option

if TYPE_CHECKING:
    from ..project.spec import Project
    from ..writeback.pull import PullResult


@dataclass(frozen=True)
class PullRequest:
    env_name: str | None  # None: the error lists the project's environments
    keys: tuple[str, ...] = ()  # only these files; none: every file of the environment
    dry_run: bool = False
    timeout: float = defaults.REQUEST_SECONDS  # seconds per request to Stripe


def _written(result: PullResult, context: Context) -> Project:
    """Write the files and load the project back; should it not load, put them back."""
    from ..project import config
    from ..writeback import pull

    pull.write(result)
    try:
        return config.load_project(context.config_path)
    except ValidationFailed as exc:
        pull.restore(result)
        raise PortalConfigError(
            "the pulled values would not validate ("
            + "; ".join(str(p) for p in exc.problems)
            + "): the files were "
            "left as they were. This is a bug in portal-config pull: "
            "please report it"
        ) from exc


def _report(result: PullResult, dry_run: bool, left: list[str], run: str) -> None:
    """`run`: how the next command starts here (paths.command_here)."""
    # A dry run's stdout is only the diff, so it can be applied as a patch.
    say = (lambda line: click.echo(line, err=True)) if dry_run else click.echo
    for f in result.files:
        if dry_run:
            click.echo(f.diff(), nl=False)
        say(f"{'would update' if dry_run else 'updated'} {display_path(f.path)}: {f.summary()}")
    for line in result.not_pulled:
        click.echo(f"not pulled: {line}", err=True)
    for line in result.refused:
        click.echo(f"Error: not pulled: {line}", err=True)
    env = result.env
    if not result.files and result.refused:
        say(f"Nothing was pulled from {env}.")
    elif not result.files:
        say(f"Nothing to pull: the files already hold Stripe's values in {env}.")
    elif dry_run:
        say(
            f"Dry run: {result.count} value(s) from {env} into {len(result.files)} file(s); "
            "nothing was written."
        )
    else:
        rest = "only what was not pulled" if result.not_pulled else "no changes"
        say(
            f"Pulled {result.count} value(s) from {env} into {len(result.files)} file(s). "
            f"`{run} plan --env {env}` now shows {rest}."
        )
    if left:
        click.echo(
            f"Error: `portal-config plan --env {env}` still shows changes for "
            f"{', '.join(left)} that pull could not write back: this is a bug in "
            "portal-config pull, please report it",
            err=True,
        )


def execute(request: PullRequest, context: Context) -> int:
    from ..pipeline import plan_target
    from ..pipeline.prices import read_each as read_prices
    from ..writeback import pull

    chosen = checks.pull(request, context)
    project, names, env = chosen.project, chosen.names, chosen.name
    keys = request.keys or None
    left: list[str] = []
    with plan_target.connected(project, names, request.timeout) as gateways:
        gateway = gateways[env]
        plan = plan_target.read_environment(project, env, gateway, keys=keys)
        prices = read_prices(gateway, pull.price_ids(plan))
        result = pull.pull_environment(project, env, plan, prices)
        if result.files and not request.dry_run:
            # Plan again from the files as written: what pull says is checked, not assumed.
            after = plan_target.read_environment(_written(result, context), env, gateway, keys=keys)
            left = pull.left_over(after)
    for problem in plan.problems:
        click.echo(str(problem), err=True)
    _report(result, request.dry_run, left, paths.command_here(project.path))
    return 1 if plan.problems or left or result.refused else 0


@click.command("pull")
@single_env_option("Environment whose Stripe values to bring into the files.")
@click.argument("keys", nargs=-1, metavar="[KEY]...")
@click.option("--dry-run", is_flag=True, help="Print the files' diff; write nothing.")
@TIMEOUT_OPTION
@click.pass_context
def command(
    ctx: click.Context, env_name: str | None, keys: tuple[str, ...], dry_run: bool, timeout: float
) -> None:
    """Bring Stripe's current values back into the files (only KEY's files, if given)."""
    request = PullRequest(env_name=env_name, keys=keys, dry_run=dry_run, timeout=timeout)
    ctx.exit(execute(request, ctx.obj))
