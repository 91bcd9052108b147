"""What several commands share: the group's Context, the shared click options, and choosing the
project's environments from --env/--all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from ..config import Project

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Context:
    """What the group's options decide, handed to every command."""

    config_path: Path | None
    debug: bool
    color: bool


ENV_OPTION = click.option("--env", "env_names", multiple=True, metavar="NAME",
                          help="Environment from the project file (repeatable).")
ALL_OPTION = click.option("--all", "every", is_flag=True, help="Every environment.")
PRUNE_OPTION = click.option("--prune", is_flag=True,
                            help="Deactivate configurations this project created whose file is "
                                 "gone.")
ADOPT_OPTION = click.option("--adopt", is_flag=True,
                            help="Write identity metadata on configurations pinned with ids:.")
TARGET_OPTION = click.option("--target", "targets", multiple=True, metavar="KEY",
                             help="Plan only this configuration's file (repeatable); other "
                                  "configurations are neither changed nor pruned.")
# plan and diff render the same report, in the same formats.
REPORT_FORMATS = ("text", "markdown", "json")


def single_env_option(help_text: str) -> Callable[[F], F]:
    """--env for the commands that read exactly one environment (import, doctor, ids)."""
    return click.option("--env", "env_name", required=True, metavar="NAME", help=help_text)


def report_format(help_text: str | None = None) -> Callable[[F], F]:
    return click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="text",
                        show_default=True, help=help_text)


def check_targets(project: Project, targets: tuple[str, ...], prune: bool) -> str | None:
    """The line that says a plan is targeted (None when it is not); bad --target refused."""
    from .. import workflow
    from ..errors import PortalConfigError

    if not targets:
        return None
    if prune:
        raise PortalConfigError("--prune deactivates configurations whose file is gone, which a "
                               "targeted plan never touches: drop --prune or --target")
    workflow.check_keys(project, targets, "--target")
    return (f"Targeted plan: only {', '.join(sorted(set(targets)))}; other configurations are "
            "neither changed nor pruned.")


def project_and_environments(obj: Context, env_names: tuple[str, ...],
                             every: bool) -> tuple[Project, list[str]]:
    from .. import config, workflow  # lazily: `schema` and `--help` need neither

    project = config.load_project(obj.config_path)
    return project, workflow.choose_environments(project, env_names, every)
