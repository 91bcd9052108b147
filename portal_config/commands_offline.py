"""The commands that need no key and no Stripe: validate, schema, diff, emulator."""

from __future__ import annotations

from pathlib import Path

import click

from .cli import ENV_OPTION, Context, cli, project_and_environments
from .errors import PortalConfigError


@cli.command()
@click.option("--base", "rev", required=True, metavar="REV",
              help="Git revision to compare with, e.g. origin/main.")
@ENV_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text",
              show_default=True)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when the desired state changed.")
@click.pass_context
def diff(ctx: click.Context, rev: str, env_names: tuple[str, ...], fmt: str,
         detailed_exitcode: bool) -> None:
    """Offline: the desired state at REV against the working tree (no key, no Stripe)."""
    from . import render, revdiff

    obj: Context = ctx.obj
    project, names = project_and_environments(obj, env_names, not env_names)
    result = revdiff.diff_against(rev, project, names)
    click.echo(f"Desired state at {rev} -> working tree, per environment (offline: Stripe was not "
               "read; lookup keys are not resolved).", err=True)
    title = f"portal-config diff against {rev}, offline (Stripe not read, lookup keys unresolved)"
    click.echo(render.in_format(result, fmt, obj.color, title))
    ctx.exit(2 if detailed_exitcode and result.changes else 0)


@cli.command("emulator")
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback address.")
@click.option("--port", type=int, default=12111, show_default=True, help="Port (0: any free port).")
@click.option("--state", "state_file", type=click.Path(path_type=Path, dir_okay=False),
              help="JSON state file, kept across runs (default: in memory).")
@click.option("--seed", "seed_file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="YAML/JSON seed applied when there is no saved state yet.")
@click.option("--refuse-default-updates", is_flag=True,
              help="Refuse updates to the default configuration, as Stripe is reported to.")
@click.option("--latency", type=click.FloatRange(min=0), default=0, help="Delay per request (ms).")
@click.option("--failure-rate", type=click.FloatRange(0, 1), default=0,
              help="Share of requests answered with a 500.")
@click.pass_context
def emulator_command(ctx: click.Context, host: str, port: int, state_file: Path | None,
                     seed_file: Path | None, refuse_default_updates: bool, latency: float,
                     failure_rate: float) -> None:
    """Serve the Stripe emulator until Ctrl-C."""
    import threading

    from .emulator import Emulator, EmulatorError, load_seed_file

    try:
        seed = load_seed_file(seed_file) if seed_file else None
        emu = Emulator(state_file=state_file, seed=seed,
                       refuse_default_updates=refuse_default_updates)
    except EmulatorError as exc:
        raise PortalConfigError(str(exc)) from exc
    emu.faults.latency = latency / 1000
    emu.faults.failure_rate = failure_rate
    try:
        url = emu.start(host=host, port=port)
    except EmulatorError as exc:
        emu.stop()  # releases the state file's lock
        raise PortalConfigError(str(exc)) from exc
    click.echo(f"Stripe emulator listening on {url} (state: {state_file or 'in memory'})", err=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        emu.stop()
    ctx.exit(130)


@cli.command("validate")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text",
              show_default=True, help="github: annotations for pull requests.")
@click.pass_context
def validate_command(ctx: click.Context, fmt: str) -> None:
    """Check the files offline: YAML, schema, variables and Stripe's rules (no key, no network)."""
    from . import config, loader, report

    project, problems = config.collect_problems(ctx.obj.config_path)
    if problems or fmt == "json":
        click.echo(report.render(problems, fmt))
    folder = loader.display_path(project.root)
    folder = project.root.name if folder == "." else folder
    click.echo(report.summary(folder, len(project.config_paths), problems), err=True)
    ctx.exit(1 if any(p.level == "error" for p in problems) else 0)


@cli.command("schema")
@click.option("--kind", type=click.Choice(["config", "project"]), default="config",
              show_default=True, help="config: a configuration file; project: portal-config.yaml.")
def schema_command(kind: str) -> None:
    """Print the JSON Schema of a file kind (for editors: yaml-language-server, VS Code)."""
    import json

    from . import schema

    document = schema.config_schema() if kind == "config" else schema.project_schema()
    click.echo(json.dumps(document, indent=2))
