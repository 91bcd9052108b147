"""`portal-config init`: a commented project file in an empty repository, with its first
environment (from flags, or from the variable that holds the key), so that `import` and `plan`
work next. It never overwrites: an existing project file is edited, not re-made."""

from __future__ import annotations

from dataclasses import dataclass

import click

from . import checks
from .options import Context


@dataclass(frozen=True)
class InitRequest:
    project: str | None = None  # the project's name; None: the repository folder's
    env_name: str | None = None  # the first environment (None: the emulator's `local`)
    mode: str | None = None  # test | live
    key_env: str | None = None  # the NAME of the variable that holds its key
    from_env: str | None = None  # that variable, whose key says the mode
    api_base: str | None = None


def execute(request: InitRequest, context: Context) -> int:
    from .. import masking
    from ..project import paths
    from ..project.loader import display_path
    from ..project.start import already_exists, project_text

    start = checks.init(request, context)
    start.path.parent.mkdir(parents=True, exist_ok=True)
    try:
        paths.write_new_or_replace(start.path, masking.mask_secrets(project_text(start)), False)
    except FileExistsError:  # made meanwhile: never overwritten
        raise already_exists(start.path) from None
    name = start.env.name if start.env else "local"
    shown = display_path(start.path)
    click.echo(f"wrote {shown}")
    run = paths.command_here(start.path)  # with --config where a run here would not find it
    click.echo(
        f"Next: `{run} import --env {name}` writes a file per portal configuration the account "
        f"has (or write one by hand: see the README), then `{run} plan --env {name}` shows what "
        "apply would change."
    )
    return 0


@click.command("init")
@click.option("--project", metavar="NAME", help="The project's name (default: the folder's).")
@click.option("--env", "env_name", metavar="NAME", help="The first environment's name.")
@click.option("--mode", type=click.Choice(["test", "live", "sandbox"]), help="Its mode.")
@click.option("--key-env", metavar="VARIABLE", help="The NAME of the variable that holds its key.")
@click.option(
    "--from-env",
    metavar="VARIABLE",
    help="The variable that holds its key: the mode is the key's (the key is never written).",
)
@click.option("--api-base", metavar="URL", help="Its server address (default: Stripe).")
@click.pass_context
def command(
    ctx: click.Context,
    project: str | None,
    env_name: str | None,
    mode: str | None,
    key_env: str | None,
    from_env: str | None,
    api_base: str | None,
) -> None:
    """Write a commented project file (./configs/portal-config.yaml) for a new repository."""
    request = InitRequest(project, env_name, mode, key_env, from_env, api_base)
    ctx.exit(execute(request, ctx.obj))
