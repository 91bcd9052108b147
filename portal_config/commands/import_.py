"""`portal-config import`: write one configuration file per configuration an environment has.
Into the project's folder it adds only the configurations no file describes yet."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .. import defaults
from ..project import paths
from ..project.loader import display_path
from . import checks
from .options import COMMAND_LINE_ONLY, TIMEOUT_OPTION, Context, single_env_option

if TYPE_CHECKING:
    from ..project.spec import DesiredConfig, Project
    from ..stripe_api.gateway import Gateway


@dataclass(frozen=True)
class ImportRequest:
    env_name: str | None  # None: the error lists the project's environments
    out_dir: Path | None = None  # None: beside the project file, adding what is not described
    key_from: str = "name"  # each file's key from the configuration's name or its id
    include_inactive: bool = False
    force: bool = False  # overwrite existing files
    config_id: str | None = None  # --id: this configuration alone
    timeout: float = defaults.REQUEST_SECONDS  # seconds per request to Stripe


@dataclass(frozen=True)
class _Described:
    """What the project's files already say of an environment's configurations."""

    new: list[Mapping[str, Any]]  # those no file describes: each gets a file
    pins: list[tuple[Mapping[str, Any], DesiredConfig]]  # ... that look like a file: pinned on it
    keys: set[str]  # the keys the files take (a new file must not reuse one)


def _described(
    project: Project, env_name: str, configs: list[Mapping[str, Any]], gateway: Gateway
) -> _Described:
    """Which configurations no file describes yet, and of those, which one is the same portal
    as a file that has none here yet (match.look_alikes: a portal made in test and live)."""
    from ..pipeline import plan_target
    from ..pipeline.prices import read_each, written_as
    from ..planning.match import Status, look_alikes
    from ..portal.configuration import Configuration
    from ..project import config
    from ..writeback import importer

    files = config.desired_configs(project, env_name)
    bindings = plan_target.bindings(project, env_name, configs, files)
    claimed = {b.config_id for b in bindings if b.desired is not None and b.config_id}
    skipped = [c for c in configs if c["id"] in claimed]
    if skipped:
        click.echo(f"skipped {len(skipped)} configuration(s) the files already describe", err=True)
    new = [c for c in configs if c["id"] not in claimed]
    missing = [b.desired for b in bindings if b.status is Status.MISSING and b.desired]
    alike = {}
    if new and missing:
        prices = read_each(gateway, importer.price_ids(new))
        as_written = lambda price: written_as(price, prices)  # noqa: E731
        alike = look_alikes(missing, [Configuration.of(c) for c in new], as_written)
    by_key = {f.key: f for f in files}
    pins = [(c, by_key[alike[c["id"]].key]) for c in new if c["id"] in alike]
    return _Described([c for c in new if c["id"] not in alike], pins, {f.key for f in files})


def execute(request: ImportRequest, context: Context) -> int:
    from ..pipeline import plan_target
    from ..pipeline.prices import read_each as read_prices
    from ..writeback import importer

    chosen = checks.import_(request, context)
    project, env_name = chosen.project, chosen.name
    pins: list[tuple[Mapping[str, Any], DesiredConfig]] = []
    with plan_target.connected(project, [env_name], request.timeout) as gateways:
        gateway = gateways[env_name]
        listed = gateway.list_configurations()
        configs = importer.importable(listed, request.include_inactive or bool(request.config_id))
        if request.config_id:
            configs = importer.only(configs, request.config_id, env_name)
        taken = {project.path.stem}
        if request.out_dir is None:  # beside existing files: add what they do not describe yet
            described = _described(project, env_name, configs, gateway)
            configs, pins, taken = described.new, described.pins, taken | described.keys
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
    for obj, file in pins:
        importer.pin(file.file, env_name, obj["id"])
        click.echo(f"pinned {obj['id']} as ids.{env_name} in {display_path(file.file)}")
    for f, path in zip(files, written, strict=True):
        click.echo(f"wrote {display_path(path)} ({f.config_id})")
    if request.out_dir is None:
        click.echo(
            f"Imported {len(written) + len(pins)} configuration(s) from {env_name}. Run "
            f"`{paths.command_here(project.path)} plan --env {env_name}`: it should show no "
            "changes."
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
@click.option("--force", is_flag=True, help="Overwrite existing files.", **COMMAND_LINE_ONLY)
@click.option(
    "--id", "config_id", metavar="bpc_...", help="Import this configuration alone (active or not)."
)
@TIMEOUT_OPTION
@click.pass_context
def command(
    ctx: click.Context,
    env_name: str | None,
    out_dir: Path | None,
    key_from: str,
    include_inactive: bool,
    force: bool,
    config_id: str | None,
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
        config_id=config_id,
        timeout=timeout,
    )
    ctx.exit(execute(request, ctx.obj))
