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

from . import __version__
from .errors import PortalConfigError, ValidationFailed


@dataclass
class Context:
    """What the group's options decide, handed to every command."""

    config_path: Path | None
    debug: bool
    color: bool


def _wants_color(no_color: bool) -> bool:
    if no_color or "NO_COLOR" in os.environ:
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
                            help="Deactivate configurations this project created whose file is gone.")
ADOPT_OPTION = click.option("--adopt", is_flag=True,
                            help="Write identity metadata on configurations pinned with ids:.")


def _project_and_envs(obj: Context, env_names: tuple[str, ...], every: bool) -> tuple[Any, list[str]]:
    from . import config, workflow

    project = config.load_project(obj.config_path)
    return project, workflow.choose_environments(project, env_names, every)


@cli.command()
@ENV_OPTION
@ALL_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text",
              show_default=True, help="markdown: for a pull request comment.")
@click.option("--detailed-exitcode", is_flag=True,
              help="Exit 2 when there are changes, 0 when there are none.")
@PRUNE_OPTION
@ADOPT_OPTION
@click.option("--out", "out_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Save the plan, for `apply --plan` (holds no key).")
@click.pass_context
def plan(ctx: click.Context, env_names: tuple[str, ...], every: bool, fmt: str,
         detailed_exitcode: bool, prune: bool, adopt: bool, out_file: Path | None) -> None:
    """Show what apply would change in Stripe."""
    from . import planfile, render, workflow

    obj: Context = ctx.obj
    project, names = _project_and_envs(obj, env_names, every)
    with workflow.connected(project, names) as gateways:
        result = workflow.plan_all(project, gateways, prune=prune, adopt=adopt)
    if out_file:
        planfile.save(result, out_file)
        click.echo(f"Saved the plan to {out_file}: `portal-config apply --plan {out_file}` "
                   "applies exactly this.", err=True)
    click.echo(render.in_format(result, fmt, obj.color))
    if result.has_problems:
        ctx.exit(1)
    ctx.exit(2 if detailed_exitcode and result.changes else 0)


def _confirm_live(plan_: object, names: list[str]) -> None:
    from .plan import Plan

    assert isinstance(plan_, Plan)
    deactivations = [c for c in plan_.changes if c.action == "deactivate"]
    click.echo("")
    for change in deactivations:
        click.echo(f"  - {change.key} ({change.config_id}) in {change.env} will be deactivated: "
                   "portal sessions created with it will fail")
    answer = click.prompt(f"Apply these changes to live environment(s) {', '.join(names)}? "
                          "Only 'yes' is accepted", default="", show_default=False)
    if answer.strip() != "yes":
        raise PortalConfigError("apply cancelled: nothing was written")


@cli.command()
@ENV_OPTION
@ALL_OPTION
@click.option("--yes", is_flag=True, help="Apply without asking (needed for live off a terminal).")
@PRUNE_OPTION
@ADOPT_OPTION
@click.option("--plan", "plan_file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Apply a plan saved with `plan --out`; refused if Stripe changed since.")
@click.pass_context
def apply(ctx: click.Context, env_names: tuple[str, ...], every: bool, yes: bool, prune: bool,
          adopt: bool, plan_file: Path | None) -> None:
    """Plan (or load a saved plan), then make Stripe match the files."""
    from . import planfile, render, workflow
    from .apply import apply_plan, summary
    from .errors import UnsafeOperation
    from .plan import stripe_fingerprint

    obj: Context = ctx.obj
    saved = None
    if plan_file:
        if env_names or every or prune or adopt:
            raise PortalConfigError("--plan applies the saved plan as it is: drop --env, --all, "
                                    "--prune and --adopt (they were decided when it was saved)")
        project, _ = _project_and_envs(obj, (), True)
        saved = planfile.load(plan_file, project.name)
        names = workflow.choose_environments(project, [e.env for e in saved.envs], False)
    else:
        project, names = _project_and_envs(obj, env_names, every)
    live = [n for n in names if project.environments[n].mode == "live"]
    if live and not yes and not sys.stdin.isatty():
        raise UnsafeOperation(f"refusing to apply to live environment {', '.join(live)} without a "
                              "terminal to confirm on: review `portal-config plan`, then run "
                              "apply again with --yes")
    with workflow.connected(project, names) as gateways:
        if saved is not None:
            planfile.refuse_if_stale(saved, {n: stripe_fingerprint(gateways[n].list_configurations())
                                             for n in names})
            result = saved
        else:
            result = workflow.plan_all(project, gateways, prune=prune, adopt=adopt)
        click.echo(render.text(result, obj.color))
        if not result.changes:
            ctx.exit(1 if result.has_problems else 0)
        live_changed = sorted({c.env for c in result.changes if c.env in live})
        if live_changed and not yes:
            _confirm_live(result, live_changed)
        click.echo("", err=True)
        report = apply_plan(result, gateways, lambda line: click.echo(line, err=True))
    click.echo("")
    click.echo(summary(report, result))
    ctx.exit(0 if report.ok and not result.has_problems else 1)


@cli.command("import")
@click.option("--env", "env_name", required=True, metavar="NAME", help="Environment to read.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder for the files (default: the project file's folder).")
@click.option("--key-from", type=click.Choice(["name", "id"]), default="name", show_default=True,
              help="Derive each file's key from the configuration's name or its ID.")
@click.option("--include-inactive", is_flag=True, help="Also import inactive configurations.")
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@click.pass_obj
def import_(obj: Context, env_name: str, out_dir: Path | None, key_from: str,
            include_inactive: bool, force: bool) -> None:
    """Write one configuration file per configuration Stripe has."""
    from . import importer, workflow

    project, names = _project_and_envs(obj, (env_name,), False)
    with workflow.connected(project, names) as gateways:
        gateway = gateways[env_name]
        configs = gateway.list_configurations()
        prices = {p: gateway.retrieve_price(p) for p in importer.price_ids(configs)}
    files = importer.build_files(configs, env_name, key_from, include_inactive, prices)
    written = importer.write_files(files, out_dir or project.root, force)
    for f, path in zip(files, written):
        click.echo(f"wrote {path} ({f.config_id})")
    click.echo(f"Imported {len(written)} configuration(s) from {env_name}. Run "
               f"`portal-config plan --env {env_name}`: it should show no changes.")


@cli.command("doctor")
@click.option("--env", "env_name", required=True, metavar="NAME", help="Environment to check.")
@click.option("--customer", metavar="cus_...",
              help="Also check this customer and create a real portal session per configuration.")
@click.option("--allow-live", is_flag=True, help="Create portal sessions in a live environment.")
@click.option("--show-url", is_flag=True,
              help="Print session URLs off a terminal too (a URL logs anyone in as the customer).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.pass_context
def doctor_command(ctx: click.Context, env_name: str, customer: str | None, allow_live: bool,
                   show_url: bool, fmt: str) -> None:
    """Explain why a portal link fails: key, default, configurations, return URLs, prices."""
    from . import doctor, doctor_read, doctor_report

    obj: Context = ctx.obj
    project, _ = _project_and_envs(obj, (env_name,), False)
    observation = doctor_read.examine(project, env_name, customer, allow_live)
    findings = doctor.judge(observation, show_url or sys.stdout.isatty())
    mode = project.environments[env_name].mode
    click.echo(doctor_report.json_text(env_name, mode, findings) if fmt == "json"
               else doctor_report.text(env_name, mode, findings, obj.color))
    ctx.exit(doctor.exit_code(findings))


@cli.command("ids")
@click.option("--env", "env_name", required=True, metavar="NAME", help="Environment to read.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "env"]), default="text",
              show_default=True, help="env: PORTAL_CONFIG_<KEY>=bpc_... lines.")
@click.pass_context
def ids_command(ctx: click.Context, env_name: str, fmt: str) -> None:
    """Print each key's configuration ID, for billing_portal.sessions.create(configuration=...)."""
    from . import ids, workflow

    project, names = _project_and_envs(ctx.obj, (env_name,), False)
    with workflow.connected(project, names) as gateways:
        result = ids.read(project, env_name, gateways[env_name])
    output = ids.render(result, fmt)
    if output:
        click.echo(output)
    for problem in result.problems:
        click.echo(f"Error: {problem}", err=True)
    ctx.exit(1 if result.problems else 0)


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
    project, names = _project_and_envs(obj, env_names, not env_names)
    result = revdiff.diff_against(rev, project, names)
    click.echo(f"Desired state at {rev} -> working tree, per environment (offline: Stripe was not "
               "read; lookup keys are not resolved).", err=True)
    click.echo(render.in_format(result, fmt, obj.color))
    ctx.exit(2 if detailed_exitcode and result.changes else 0)


def main(argv: list[str] | None = None) -> None:
    """Entry point: one exit point, expected errors as one line, Ctrl-C as 130."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        code = cli.main(args=argv, prog_name="portal-config", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
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
    except Exception:  # a bug: say so briefly, the traceback only on request
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
