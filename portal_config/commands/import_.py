"""`portal-config import`: write one configuration file per configuration an environment has.
Into the project's folder it adds only the configurations no file describes yet."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .. import defaults
from ..project.loader import display_path
from . import checks
from .options import TIMEOUT_OPTION, Context, single_env_option

if TYPE_CHECKING:
    from ..project.spec import Project


@dataclass(frozen=True)
class ImportRequest:
    env_name: str | None  # None: the error lists the project's environments
    out_dir: Path | None = None  # None: beside the project file, adding what is not described
    key_from: str = "name"  # each file's key from the configuration's name or its id
    include_inactive: bool = False
    force: bool = False  # overwrite existing files
    timeout: float = defaults.REQUEST_SECONDS  # seconds per request to Stripe


def _not_described(
    project: Project, env_name: str, configs: list[Mapping[str, Any]]
) -> tuple[list[Mapping[str, Any]], set[str]]:
    """The configurations no file of the project describes yet, and the keys its files take
    (a new file must not reuse one)."""
    from ..pipeline import plan_target
    from ..project import config

    claimed = {
        b.config_id
        for b in plan_target.bindings(project, env_name, configs)
        if b.desired is not None and b.config_id
    }
    skipped = [c for c in configs if c["id"] in claimed]
    keys = {f.key for f in config.desired_configs(project, env_name)}
    if skipped:
        click.echo(f"skipped {len(skipped)} configuration(s) the files already describe", err=True)
    return [c for c in configs if c["id"] not in claimed], keys


def execute(request: ImportRequest, context: Context) -> int:
    from ..pipeline import plan_target
    from ..pipeline.prices import read_each as read_prices
    from ..writeback import importer

    chosen = checks.import_(request, context)
    project, env_name = chosen.project, chosen.name
    with plan_target.connected(project, [env_name], request.timeout) as gateways:
        gateway = gateways[env_name]
        configs = importer.importable(gateway.list_configurations(), request.include_inactive)
        taken = {project.path.stem}
        if request.out_dir is None:  # beside existing files: add what they do not describe yet
            configs, keys = _not_described(project, env_name, configs)
            taken |= keys
        prices = read_prices(gateway, importer.price_ids(configs))
    files = importer.build_files(
        configs,
        env_name,
        request.key_from,
        project.name,
        prices,
        project.environments[env_name].vars,
        taken=taken,
    )
    written = importer.write_files(files, request.out_dir or project.root, request.force)
    for f, path in zip(files, written, strict=True):
        click.echo(f"wrote {display_path(path)} ({f.config_id})")
    if request.out_dir is None:
        click.echo(
            f"Imported {len(written)} configuration(s) from {env_name}. Run "
            f"`portal-config plan --env {env_name}`: it should show no changes."
        )
    else:
        click.echo(
            f"Imported {len(written)} configuration(s) from {env_name} into "
            f"{request.out_dir}. Move them beside the project file, then `portal-config "
            f"plan --env {env_name}` should show no changes."
        )
    return 0


@click.command("import")
@single_env_option("Environment to read.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for the files (default: the project file's folder).",
)
@click.option(
    "--key-from",
    type=click.Choice(["name", "id"]),
    default="name",
    show_default=True,
    help="Derive each file's key from the configuration's name or its ID.",
)
@click.option("--include-inactive", is_flag=True, help="Also import inactive configurations.")
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@TIMEOUT_OPTION
@click.pass_context
def command(
    ctx: click.Context,
    env_name: str | None,
    out_dir: Path | None,
    key_from: str,
    include_inactive: bool,
    force: bool,
    timeout: float,
) -> None:
    """Write one configuration file per configuration Stripe has (into the project's folder:
    only those no file describes yet)."""
    request = ImportRequest(
        env_name=env_name,
        out_dir=out_dir,
        key_from=key_from,
        include_inactive=include_inactive,
        force=force,
        timeout=timeout,
    )
    ctx.exit(execute(request, ctx.obj))
