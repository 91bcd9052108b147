"""The commands that talk to Stripe: plan, apply, import, doctor, ids. Each parses its options,
calls the steps and renders; `stripe` is imported only inside them, through stripe_api."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .cli import (
    ADOPT_OPTION,
    ALL_OPTION,
    ENV_OPTION,
    PRUNE_OPTION,
    Context,
    cli,
    project_and_environments,
)
from .errors import PortalConfigError
from .loader import display_path
from .changes import Deactivate
from .plan import Plan


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
    project, names = project_and_environments(obj, env_names, every)
    with workflow.connected(project, names) as gateways:
        result = workflow.plan_all(project, gateways, prune=prune, adopt=adopt)
    if out_file:
        planfile.save(result, out_file)
        click.echo(f"Saved the plan to {out_file}: `portal-config apply --plan {out_file}` "
                   "applies exactly this.", err=True)
    click.echo(render.in_format(result, fmt, obj.color))
    if result.has_problems:
        ctx.exit(1)
    ctx.exit(2 if detailed_exitcode and result.differs else 0)


def _confirm_live(plan_: Plan, names: list[str]) -> None:
    deactivations = [c for c in plan_.changes if isinstance(c, Deactivate)]
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
        project, _ = project_and_environments(obj, (), True)
        saved = planfile.load(plan_file, project.name)
        names = workflow.choose_environments(project, [e.env for e in saved.envs], False)
    else:
        project, names = project_and_environments(obj, env_names, every)
    live = [n for n in names if project.environments[n].mode == "live"]
    if saved is not None:  # what a saved plan writes is known before any request
        live = [n for n in live if any(c.env == n for c in saved.changes)]
    if live and not yes and not sys.stdin.isatty():
        raise UnsafeOperation(f"refusing to apply to live environment {', '.join(live)} without a "
                              "terminal to confirm on: review `portal-config plan`, then run "
                              "apply again with --yes")
    with workflow.connected(project, names) as gateways:
        if saved is not None:
            now = {n: stripe_fingerprint(gateways[n].list_configurations()) for n in names}
            planfile.refuse_if_stale(saved, now)
            result = saved
        else:
            result = workflow.plan_all(project, gateways, prune=prune, adopt=adopt)
        click.echo(render.text(result, obj.color))
        if result.has_problems:
            # All or nothing, like Terraform: a half-applied plan is harder to reason about.
            with_problems = [e.env for e in result.envs if e.problems]
            raise PortalConfigError(
                f"the plan has problems in {', '.join(with_problems)} (listed above): nothing was "
                "applied. Fix them, or apply only the other environments with --env.")
        if not result.changes:
            ctx.exit(0)
        live_changed = sorted({c.env for c in result.changes if c.env in live})
        if live_changed and not yes:
            _confirm_live(result, live_changed)
        click.echo("", err=True)
        report = apply_plan(result, gateways, lambda line: click.echo(line, err=True))
    click.echo("")
    click.echo(summary(report, result))
    if report.interrupted:
        ctx.exit(130)
    ctx.exit(0 if report.ok else 1)


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
    """Write one configuration file per configuration Stripe has (into the project's folder:
    only those no file describes yet)."""
    from . import config, importer, workflow

    project, names = project_and_environments(obj, (env_name,), False)
    with workflow.connected(project, names) as gateways:
        gateway = gateways[env_name]
        configs = importer.importable(gateway.list_configurations(), include_inactive)
        taken = {project.path.stem}
        if out_dir is None:  # beside existing files: add what they do not describe yet
            claimed = {b.config_id for b in workflow.bindings(project, env_name, configs)
                       if b.desired is not None and b.config_id}
            skipped = [c for c in configs if c["id"] in claimed]
            configs = [c for c in configs if c["id"] not in claimed]
            taken |= {f.key for f in config.desired_configs(project, env_name)}
            if skipped:
                click.echo(f"skipped {len(skipped)} configuration(s) the files already describe",
                           err=True)
        prices = {p: gateway.retrieve_price(p) for p in importer.price_ids(configs)}
    files = importer.build_files(configs, env_name, key_from, project.name, prices,
                                 project.environments[env_name].vars, taken=taken)
    written = importer.write_files(files, out_dir or project.root, force)
    for f, path in zip(files, written):
        click.echo(f"wrote {display_path(path)} ({f.config_id})")
    if out_dir is None:
        click.echo(f"Imported {len(written)} configuration(s) from {env_name}. Run "
                   f"`portal-config plan --env {env_name}`: it should show no changes.")
    else:
        click.echo(f"Imported {len(written)} configuration(s) from {env_name} into {out_dir}. "
                   "Move them beside the project file, then `portal-config plan --env "
                   f"{env_name}` should show no changes.")


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
    from . import doctor

    obj: Context = ctx.obj
    project, _ = project_and_environments(obj, (env_name,), False)
    observation = doctor.examine(project, env_name, customer, allow_live)
    findings = doctor.judge(observation, show_url or sys.stdout.isatty())
    mode = project.environments[env_name].mode
    click.echo(doctor.json_text(env_name, mode, findings) if fmt == "json"
               else doctor.text(env_name, mode, findings, obj.color))
    ctx.exit(doctor.exit_code(findings))


@cli.command("ids")
@click.option("--env", "env_name", required=True, metavar="NAME", help="Environment to read.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "env"]), default="text",
              show_default=True, help="env: PORTAL_CONFIG_<KEY>=bpc_... lines.")
@click.pass_context
def ids_command(ctx: click.Context, env_name: str, fmt: str) -> None:
    """Print each key's configuration ID, for billing_portal.sessions.create(configuration=...)."""
    from . import ids, workflow

    project, names = project_and_environments(ctx.obj, (env_name,), False)
    with workflow.connected(project, names) as gateways:
        result = ids.read(project, env_name, gateways[env_name])
    output = ids.render(result, fmt)
    if output:
        click.echo(output)
    if fmt == "text":
        for note in result.notes:
            click.echo(f"Note: {note}", err=True)
    for problem in result.problems:
        click.echo(f"Error: {problem}", err=True)
    ctx.exit(1 if result.problems else 0)
