"""`portal-config ids`: each configuration file's key with its configuration ID in one environment.

The app passes the ID as `configuration=` to `billing_portal.sessions.create` instead of relying on
a default configuration that may not exist in that mode. IDs come from match.py's bindings (pinned
ID, the default, identity metadata), so `ids` never disagrees with `plan` and `apply` about which
configuration a file describes; it needs no prices, so it works even when a file's prices do not.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..jsontypes import JSON_FORMAT_VERSION
from ..planning.match import Binding, Status
from ..portal import identity
from ..project import config, spec
from ..project.loader import display_path
from ..project.variables import variable_name
from ..stripe_api.gateway import Gateway
from . import plan_target

DEFAULT_ALIAS = identity.DEFAULT_NAME


@dataclass
class Ids:
    env: str
    mode: str
    found: dict[str, str] = field(default_factory=dict)  # key (and `default`) -> bpc_...
    problems: list[str] = field(default_factory=list)  # files without a usable configuration
    default_key: str | None = None  # the file whose configuration is the mode's default
    account: str | None = None  # a fleet's connected account (fleet_ids.py), else None

    @property
    def where(self) -> str:
        """The environment, and a fleet's account: `prod` or `platform/acct_123`."""
        return self.env if self.account is None else f"{self.env}/{self.account}"

    @property
    def apply_command(self) -> str:
        """The apply that creates or reactivates this environment's (or account's) own."""
        narrowed = f" --accounts {self.account}" if self.account else ""
        return f"portal-config apply --env {self.env}{narrowed}"

    @property
    def notes(self) -> list[str]:
        """For people (stderr): which file's configuration Stripe uses by default."""
        if self.default_key is None:
            return []
        where = f"{self.where}: " if self.account else ""
        return [
            f"{where}the {self.mode} mode default is {self.default_key}'s configuration "
            f"({self.found[self.default_key]}): portal sessions created without "
            "`configuration` use it"
        ]


def collect(
    env: str,
    mode: str,
    files: Sequence[spec.DesiredConfig],
    bindings: Sequence[Binding],
    configurations: Sequence[Mapping[str, Any]],
    account: str | None = None,
) -> Ids:
    """Pure: the ID of each file's configuration (in the files' order), plus `default` for the
    mode's default configuration, and a problem for each file without a usable one. `account`:
    a fleet's connected account these are of."""
    result = Ids(env=env, mode=mode, account=account)
    by_key = {b.key: b for b in bindings if b.desired is not None}
    for desired in files:
        b = by_key.get(desired.key)
        if b is None or b.status is Status.RETIRED:
            continue  # retired on purpose: no ID to hand out
        if b.status is Status.INACTIVE:
            result.problems.append(
                f"{desired.key} ({b.config_id}) is inactive in {result.where}: "
                f"portal sessions created with it fail; run `{result.apply_command}` to "
                "reactivate it"
            )
        elif b.status is Status.ACTIVE:
            result.found[desired.key] = str(b.config_id)
        elif b.status is Status.MISSING:
            result.problems.append(
                f"{desired.key} ({display_path(desired.file)}) has no "
                f"configuration in {result.where} yet: run `{result.apply_command}` to "
                "create it"
            )
    result.problems.extend(str(b.problem) for b in bindings if b.problem)
    default = identity.default_of(configurations)
    # A file whose key is `default` (or becomes its variable, like `Default`) keeps the name; it
    # is the same ID when it describes the default, and the file wins otherwise.
    alias_taken = any(variable_name(k) == variable_name(DEFAULT_ALIAS) for k in result.found)
    if default is not None:
        if not alias_taken:
            result.found[DEFAULT_ALIAS] = default["id"]
        # the file that describes it, whatever its key (`default.yaml` with `default: true`)
        result.default_key = next(
            (d.key for d in files if result.found.get(d.key) == default["id"]), None
        )
    return result


def read(
    project: spec.Project, env: str, gateway: Gateway, environment: spec.Environment | None = None
) -> Ids:
    """The IDs in one environment; `environment`: the one a fleet's account sees (its own
    variables, fleet_config.account_environment), read through that account's gateway."""
    configurations = gateway.list_configurations()
    files = config.desired_configs(project, env, environment)
    return collect(
        env,
        project.environments[env].mode,
        files,
        plan_target.bindings(project, env, configurations, files),
        configurations,
        gateway.account,
    )


def render(ids: Ids, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(
            {
                "format_version": JSON_FORMAT_VERSION,
                "environment": ids.env,
                "mode": ids.mode,
                "ids": ids.found,
                "default_key": ids.default_key,
                "problems": ids.problems,
            },
            indent=2,
        )
    if fmt == "env":  # validate refuses keys that would share a variable (config.py)
        return "\n".join(f"{variable_name(k)}={v}" for k, v in ids.found.items())
    width = max((len(k) for k in ids.found), default=0)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in ids.found.items())
