"""`portal-config schema`: print the JSON Schema of a file kind, for editors."""

from __future__ import annotations

from dataclasses import dataclass

import click


@dataclass(frozen=True)
class SchemaRequest:
    kind: str = "config"  # config: a configuration file; project: portal-config.yaml


def execute(request: SchemaRequest) -> int:
    import json

    from ..project import schema

    document = schema.config_schema() if request.kind == "config" else schema.project_schema()
    click.echo(json.dumps(document, indent=2))
    return 0


@click.command("schema")
@click.option(
    "--kind",
    type=click.Choice(["config", "project"]),
    default="config",
    show_default=True,
    help="config: a configuration file; project: portal-config.yaml.",
)
@click.pass_context
def command(ctx: click.Context, kind: str) -> None:
    """Print the JSON Schema of a file kind (for editors: yaml-language-server, VS Code)."""
    ctx.exit(execute(SchemaRequest(kind=kind)))
