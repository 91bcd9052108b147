"""The `portal-config` group: its options, the commands registered on it, and `main()`, which
maps errors to exit codes.

Each command lives in portal_config.commands (its options, its request and its `execute`); none
of them imports this file. Nothing here imports `stripe`: offline commands stay fast and never
touch the network.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from importlib.metadata import version
from pathlib import Path

import click

from . import __version__, collector, masking
from .commands.options import (
    COMMAND_LINE_ONLY,
    CONFIG_HELP,
    DEBUG_HELP,
    NO_COLOR_META,
    NO_COLOR_OPTION,
    VERBOSE_HELP,
    Context,
    group_options_after_the_name,
)
from .errors import PortalConfigError, ValidationFailed
from .stripe_api import notices, requestlog


def _wants_color(no_color: bool) -> bool:
    if no_color or os.environ.get("NO_COLOR"):  # https://no-color.org: set and not empty
        return False
    if os.environ.get("FORCE_COLOR"):  # https://force-color.org: set and not empty, any value
        return True
    if os.environ.get("CLICOLOR_FORCE", "0") != "0":  # https://bixense.com/clicolors/
        return True
    return sys.stdout.isatty()


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """The tool's version, the SDK's, and the Stripe API version every request pins: what a bug
    report needs. stripe_api is imported here only, so other commands stay free of `stripe`."""
    if not value or ctx.resilient_parsing:
        return
    from .stripe_api.sdk import STRIPE_VERSION

    sdk = version("stripe")
    click.echo(f"portal-config {__version__} (stripe-python {sdk}, Stripe API {STRIPE_VERSION})")
    ctx.exit()


# Command name -> its module in portal_config.commands.
_COMMANDS = {
    "init": "init",
    "validate": "validate",
    "plan": "plan",
    "apply": "apply",
    "show": "show",
    "explain": "explain",
    "pull": "pull",
    "import": "import_",
    "doctor": "doctor",
    "ids": "ids",
    "diff": "diff",
    "schema": "schema",
    "emulator": "emulator",
}


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs (or --help lists them all): a
    plan does not pay for apply's, doctor's or import's modules. Click's documented pattern,
    https://click.palletsprojects.com/en/stable/complex/#lazily-loading-subcommands"""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*_COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in _COMMANDS:
            module = importlib.import_module(f"{__package__}.commands.{_COMMANDS[cmd_name]}")
            command = group_options_after_the_name(module.command)
            self.add_command(_from_the_environment(command), cmd_name)
            collector.started()
        return self.commands.get(cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the versions of portal-config, stripe-python and the Stripe API, and exit.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    **COMMAND_LINE_ONLY,
    help=CONFIG_HELP,
)
@click.option(
    "--debug", is_flag=True, expose_value=False, help=DEBUG_HELP, **COMMAND_LINE_ONLY
)  # read by _run
@click.option("--verbose", is_flag=True, help=VERBOSE_HELP, **COMMAND_LINE_ONLY)
@NO_COLOR_OPTION
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, verbose: bool) -> None:
    """Stripe customer portal configurations as code."""
    requestlog.turn_on(verbose)
    color = _wants_color(bool(ctx.meta.get(NO_COLOR_META)))
    ctx.obj = Context(config_path=config_path, color=color)
    # click.echo strips ANSI codes off a terminal unless the context says otherwise; the
    # command's context inherits this (https://click.palletsprojects.com/en/stable/api/#click.Context.color).
    ctx.color = color


def _from_the_environment(command: click.Command) -> click.Command:
    """Each option defaults from PORTAL_CONFIG_<COMMAND>_<OPTION>, named after its long flag
    (`plan --detailed-exitcode`: PORTAL_CONFIG_PLAN_DETAILED_EXITCODE) where click's
    auto_envvar_prefix would use the parameter's name (env_names, fmt); not COMMAND_LINE_ONLY's.
    https://click.palletsprojects.com/en/stable/options/#values-from-environment-variables"""
    for param in command.params:
        if isinstance(param, click.Option) and param.allow_from_autoenv and not param.envvar:
            flag = max(param.opts, key=len).lstrip("-").replace("-", "_").upper()
            param.envvar = f"PORTAL_CONFIG_{str(command.name).upper()}_{flag}"
    return command


def main(argv: list[str] | None = None) -> None:
    """Entry point: one exit point, expected errors as one line, Ctrl-C as 130; Stripe's notices
    last, once each, on stderr (after the output they belong to). Everything written to stdout
    and stderr meanwhile, tracebacks included, passes through masking.mask_secrets. Without
    `argv` it runs the process's own command line, which ends with it."""
    masking.forget()
    if argv is None:
        collector.start_up()  # until the command is loaded (collector.started)
    try:
        with masking.masked_output():
            try:
                _run(argv)
            finally:
                for text in notices.drain():
                    click.echo(f"Stripe notice: {text}", err=True)
    finally:
        if argv is None:
            collector.at_exit()


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
        click.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)
    # Anything else is a bug: say so briefly, the traceback only on request.
    except Exception:  # noqa: BLE001
        if debug:
            traceback.print_exc()
        else:
            exc_type, exc_value, _ = sys.exc_info()
            name = exc_type.__name__ if exc_type else "Exception"
            click.echo(
                f"Internal error ({name}: {exc_value}). This is a bug in portal-config: "
                "run again with --debug for the traceback and report it.",
                err=True,
            )
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
