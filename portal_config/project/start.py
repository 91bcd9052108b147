"""The project file `portal-config init` writes (commands/init.py; its options are checked in
commands/checks.py): commented, with its first environment, or the emulator's `local`."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import PortalConfigError
from .loader import display_path

HEAD = """\
# portal-config project file: the environments every configuration file in this folder is
# applied to. Every other *.yaml here describes one portal configuration (see the README).
# Editor support: `portal-config schema --kind project > portal-config.project.schema.json`.
version: 1
project: {project}   # written into each configuration's metadata (portal_config_project)

environments:
"""
LOCAL = """\
  # The built-in Stripe emulator: no account, no key. Git-ignore its state file.
  local:
    mode: test
    emulator: {state}
"""
ACCOUNT = """\
  # mode: test | live | sandbox (the key's prefix must agree); api_key_env: the NAME of the
  # variable that holds the key, never the key; vars: {{app_url: "https://..."}} fills
  # ${{app_url}} in files.
  {name}:
    mode: {mode}
    api_key_env: {key_env}
"""
MORE = """\
  # Another environment, e.g. live mode:
  # prod:
  #   mode: live
  #   api_key_env: STRIPE_SECRET_KEY
"""


@dataclass(frozen=True)
class FirstEnvironment:
    name: str
    mode: str
    key_env: str
    api_base: str | None


@dataclass(frozen=True)
class Start:
    """What init writes: where, the project's name, its first environment (None: `local`, the
    emulator, whose state goes to `state`)."""

    path: Path
    project: str
    env: FirstEnvironment | None
    state: Path


def _text(value: str) -> str:
    """`value` as YAML text: plain where any reader reads it back as that text, else quoted
    (`123`, `true`, `null` and `yes` would be read as something else)."""
    return value if yaml.safe_load(f"x: {value}") == {"x": value} else json.dumps(value)


def project_text(start: Start) -> str:
    """The project file init writes for what checks.init decided."""
    text = HEAD.format(project=_text(start.project))
    if start.env is None:
        tree = Path(os.path.relpath(start.state, start.path.parent)).as_posix()
        return text + LOCAL.format(state=_text(tree)) + MORE
    env = start.env
    text += ACCOUNT.format(name=_text(env.name), mode=env.mode, key_env=env.key_env)
    if env.api_base is not None:
        text += f"    api_base: {_text(env.api_base)}\n"
    return text + (MORE if env.mode == "test" else "")


def already_exists(path: Path) -> PortalConfigError:
    """init never overwrites: an existing project file is edited, not made again."""
    return PortalConfigError(
        f"{display_path(path)} already exists: init writes a new project only; edit that file "
        "instead"
    )
