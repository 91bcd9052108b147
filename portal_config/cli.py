"""The `portal-config` command: parses options, calls the steps, renders, exits.

Decisions live in the modules it calls; this file only wires them and maps errors to exit codes.
Nothing here imports `stripe`: offline commands stay fast and never touch the network.
"""

from __future__ import annotations

import os
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from . import __version__, notices
from .errors import PortalConfigError, ValidationFailed
from .keys import mask_secrets


@dataclass
class Context:
    """What the group's options decide, handed to every command."""

    config_path: Path | None
    debug: bool
    color: bool


def _wants_color(no_color: bool) -> bool:
    if no_color or os.environ.get("NO_COLOR"):  # no-color.org: set and not empty
        return False
    return sys.stdout.isatty()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="portal-config")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="Project file (default: ./portal-config.yaml or ./configs/portal-config.yaml).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.option("--no-color", is_flag=True, help="No colour, even on a terminal (also NO_COLOR).")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, debug: bool, no_color: bool) -> None:
    """Stripe customer portal configurations as code."""
    ctx.obj = Context(config_path=config_path, debug=debug, color=_wants_color(no_color))


ENV_OPTION = click.option("--env", "env_names", multiple=True, metavar="NAME",
                          help="Environment from the project file (repeatable).")
ALL_OPTION = click.option("--all", "every", is_flag=True, help="Every environment.")
PRUNE_OPTION = click.option("--prune", is_flag=True,
                            help="Deactivate configurations this project created whose file is "
                                 "gone.")
ADOPT_OPTION = click.option("--adopt", is_flag=True,
                            help="Write identity metadata on configurations pinned with ids:.")


def project_and_environments(obj: Context, env_names: tuple[str, ...],
                             every: bool) -> tuple[Any, list[str]]:
    from . import config, workflow

    project = config.load_project(obj.config_path)
    return project, workflow.choose_environments(project, env_names, every)


def main(argv: list[str] | None = None) -> None:
    """Entry point: one exit point, expected errors as one line, Ctrl-C as 130; Stripe's notices
    last, once each, on stderr (after the output they belong to)."""
    try:
        _run(argv)
    finally:
        for text in notices.drain():
            click.echo(f"Stripe notice: {text}", err=True)


def _run(argv: list[str] | None) -> None:
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        code = cli.main(args=argv, prog_name="portal-config", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.stdout.flush()
        sys.stderr.flush()
        # Not sys.exit: it would wait for requests still running in planning threads.
        os._exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(1 if exc.exit_code == 2 else exc.exit_code)
    except ValidationFailed as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except PortalConfigError as exc:
        if debug:
            traceback.print_exc()
        click.echo(mask_secrets(f"Error: {exc}"), err=True)
        sys.exit(exc.exit_code)
    except Exception:  # a bug: say so briefly, the traceback only on request
        if debug:
            traceback.print_exc()
        else:
            exc_type, exc_value, _ = sys.exc_info()
            name = exc_type.__name__ if exc_type else "Exception"
            click.echo(
                mask_secrets(f"Internal error ({name}: {exc_value}). This is a bug in "
                             "portal-config: run again with --debug for the traceback and "
                             "report it."),
                err=True,
            )
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


# Registers the commands on `cli` (they import `cli` from here, so this comes last).
from . import commands_offline, commands_stripe  # noqa: F401
