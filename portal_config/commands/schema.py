"""`portal-config schema`: print the JSON Schema of a file kind, for editors, or of the plan's
JSON output, for tools that read it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click


@dataclass(frozen=True)
class SchemaRequest:
    kind: str = "config"  # config: a configuration file; project: portal-config.yaml;
    # plan-output: what `plan --format json` prints


def execute(request: SchemaRequest) -> int:
    import json

    from ..project import schema
    from ..render import machine

    kinds: dict[str, Callable[[], dict[str, Any]]] = {
        "config": schema.config_schema,
        "project": schema.project_schema,
        "plan-output": machine.output_schema,
    }
    document = kinds[request.kind]()
    click.echo(json.dumps(document, indent=2))
    return 0


@click.command("schema")
@click.option(
    "--kind",
    type=click.Choice(["config", "project", "plan-output"]),
    default="config",
    show_default=True,
    help="config: a configuration file; project: portal-config.yaml; plan-output: what "
    "`plan --format json` prints.",
)
@click.pass_context
def command(ctx: click.Context, kind: str) -> None:
    """Print the JSON Schema of a file kind (for editors: yaml-language-server, VS Code) or of
    the plan's JSON output."""
    ctx.exit(execute(SchemaRequest(kind=kind)))
