"""`portal-config emulator`: serve the Stripe emulator until Ctrl-C."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from ..errors import PortalConfigError


@dataclass(frozen=True)
class EmulatorRequest:
    host: str = "127.0.0.1"
    port: int = 12111  # 0: any free port
    state_file: Path | None = None  # None: state in memory only
    seed_file: Path | None = None
    # Stripe behaviours that are reported but unconfirmed (emulator/behaviours.py)
    refuse_default_updates: bool = False
    first_becomes_default: bool = False
    connect_application: str | None = None
    latency: float = 0  # ms per request
    failure_rate: float = 0  # share of requests answered with a 500


def execute(request: EmulatorRequest) -> int:
    """Serves until Ctrl-C, then exits 130 like any interrupted command."""
    import threading

    from ..emulator import Emulator, EmulatorError, SeedError, by_mode
    from ..project import seed_file
    from ..project.loader import display_path

    # a seed file's own problems at their FILE:LINE:COL (ValidationFailed); what the emulator
    # then refuses of an object in it, named with the file
    seed = seed_file.load(request.seed_file, by_mode) if request.seed_file else None
    try:
        emu = Emulator(
            state_file=request.state_file,
            seed=seed,
            refuse_default_updates=request.refuse_default_updates,
            first_becomes_default=request.first_becomes_default,
            connect_application=request.connect_application,
        )
    except EmulatorError as exc:
        where = ""  # a seed's object refused names the seed file; a state file in use does not
        if isinstance(exc, SeedError) and request.seed_file is not None:
            where = f"{display_path(request.seed_file)}: "
        raise PortalConfigError(f"{where}{exc}") from exc
    emu.faults.latency = request.latency / 1000
    emu.faults.failure_rate = request.failure_rate
    try:
        url = emu.start(host=request.host, port=request.port)
    except EmulatorError as exc:
        emu.stop()  # releases the state file's lock
        raise PortalConfigError(str(exc)) from exc
    click.echo(
        f"Stripe emulator listening on {url} (state: {request.state_file or 'in memory'})", err=True
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        emu.stop()
    return 130


@click.command("emulator")
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback address.")
@click.option("--port", type=int, default=12111, show_default=True, help="Port (0: any free port).")
@click.option(
    "--state",
    "state_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="JSON state file, kept across runs (default: in memory).",
)
@click.option(
    "--seed",
    "seed_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="YAML/JSON seed applied when there is no saved state yet.",
)
@click.option(
    "--refuse-default-updates",
    is_flag=True,
    help="Refuse updates to the default configuration, as Stripe is reported to.",
)
@click.option(
    "--first-becomes-default",
    is_flag=True,
    help="The first configuration created in a mode without a default becomes it, as "
    "Stripe is reported to do.",
)
@click.option(
    "--connect-application",
    metavar="ca_...",
    help="Stamp this Connect application ID on configurations created through "
    "Stripe-Account (undocumented either way).",
)
@click.option("--latency", type=click.FloatRange(min=0), default=0, help="Delay per request (ms).")
@click.option(
    "--failure-rate",
    type=click.FloatRange(0, 1),
    default=0,
    help="Share of requests answered with a 500.",
)
@click.pass_context
def command(
    ctx: click.Context,
    host: str,
    port: int,
    state_file: Path | None,
    seed_file: Path | None,
    refuse_default_updates: bool,
    first_becomes_default: bool,
    connect_application: str | None,
    latency: float,
    failure_rate: float,
) -> None:
    """Serve the Stripe emulator until Ctrl-C."""
    request = EmulatorRequest(
        host=host,
        port=port,
        state_file=state_file,
        seed_file=seed_file,
        refuse_default_updates=refuse_default_updates,
        first_becomes_default=first_becomes_default,
        connect_application=connect_application,
        latency=latency,
        failure_rate=failure_rate,
    )
    ctx.exit(execute(request))
