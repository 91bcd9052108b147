"""The project file `portal-config init` writes (commands/init.py; its options are checked in
commands/checks.py): commented, with its first environment, or the emulator's `local`."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .. import masking
from ..errors import PortalConfigError
from . import safety
from .loader import display_path
from .schema import NAME_PATTERN, NAME_RULE, VARIABLE_PATTERN

HEAD = """\
# portal-config project file: the environments every configuration file in this folder is
# applied to. Every other *.yaml here describes one portal configuration (see the README).
# Editor support: `portal-config schema --kind project > portal-config.project.schema.json`.
version: 1
project: {project}   # written into each configuration's metadata (portal_config_project)

environments:
"""
LOCAL = """\
  # The built-in Stripe emulator: no account, no key. Its state's folder ignores itself in git.
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


def first_environment(
    env_name: str | None,
    mode: str | None,
    key_env: str | None,
    from_env: str | None,
    api_base: str | None,
) -> FirstEnvironment | None:
    """The environment init writes from its options (None: the emulator's `local`), checked by
    the rules validate applies to it; the key is read only for its mode, never kept."""
    if from_env is not None:
        key_env = from_env
        held, state = safety.mode_of_variable(key_env)
        if os.environ.get(key_env, "").startswith(safety.ORGANIZATION_PREFIX):
            raise PortalConfigError(
                f"{key_env} holds an organization key, which acts for the account an environment "
                "names and does not tell which: write the environment by hand, with "
                "stripe_context: acct_... (README: Organizations)"
            )
        if held is None:
            raise PortalConfigError(
                f"the variable {key_env} {state}: export the key (sk_test_..., sk_live_...) in "
                "it, or name the mode with --mode"
            )
        # `stripe sandbox create`'s keys (rkcs_test_) are a sandbox's; a sandbox's own sk_test_
        # key is test mode's too, so --mode sandbox may name it (docs.stripe.com/cli/sandbox)
        if os.environ.get(key_env, "").startswith(safety.SANDBOX_ONLY):
            held = "sandbox"
        if mode is not None and mode != held and not (mode == "sandbox" and held == "test"):
            raise PortalConfigError(f"--mode {mode}, but {key_env} holds a {held} mode key")
        mode = mode or held
    if env_name is None and from_env is None:
        if mode or key_env or api_base:
            raise PortalConfigError("--mode, --key-env and --api-base describe --env NAME: add it")
        return None
    if mode is None or key_env is None:
        raise PortalConfigError("--env needs --mode and --key-env (or --from-env VARIABLE)")
    name = env_name or {"live": "prod", "sandbox": "sandbox"}.get(mode, "staging")
    if not re.match(NAME_PATTERN, name):
        raise PortalConfigError(f"--env '{name[:100]}': an environment name {NAME_RULE}")
    if masking.prefix_of(key_env) or not re.match(VARIABLE_PATTERN, key_env):
        raise PortalConfigError(
            "--key-env takes the NAME of the variable that holds the key, never the key (like "
            "STRIPE_SECRET_KEY: letters, digits and '_')"
        )
    if api_base is not None:
        safety.server_address(name, api_base)  # Refused: a PortalConfigError
    return FirstEnvironment(name, mode, key_env, api_base)
