"""`portal-config ids`: each configuration file's key with its configuration ID in one environment.

The app passes the ID as `configuration=` to `billing_portal.sessions.create` instead of relying on
a default configuration that may not exist in that mode. IDs come from plan.py's matching (pinned
ID, the default, identity metadata), so `ids` never disagrees with `plan` and `apply` about which
configuration a file describes; it needs no prices, so it works even when a file's prices do not.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import config, workflow
from .errors import PortalConfigError
from .gateway import Gateway
from .loader import display_path
from .plan import EnvPlan

DEFAULT_ALIAS = "default"


@dataclass
class Ids:
    env: str
    mode: str
    found: dict[str, str] = field(default_factory=dict)  # key (and `default`) -> bpc_...
    problems: list[str] = field(default_factory=list)  # files without a usable configuration


def collect(env: str, mode: str, files: Sequence[config.DesiredConfig], plan: EnvPlan,
            configurations: Sequence[Mapping[str, Any]]) -> Ids:
    """Pure: the IDs the plan found for each file (in key order), plus `default` for the mode's
    default configuration, and a problem for each file Stripe has no configuration for."""
    result = Ids(env=env, mode=mode)
    ids = dict(plan.in_sync)
    ids.update({c.key: c.config_id for c in plan.changes if c.key and c.config_id})
    inactive = {c.key for c in plan.changes
                if any(f.path == "active" and f.old is False for f in c.fields)}
    for desired in files:
        if desired.params.get("active") is False:
            continue  # retired on purpose: no ID to hand out
        if desired.key in inactive:
            result.problems.append(f"{desired.key} ({ids[desired.key]}) is inactive in {env}: "
                                   "portal sessions created with it fail; run `portal-config "
                                   f"apply --env {env}` to reactivate it")
        elif desired.key in ids:
            result.found[desired.key] = ids[desired.key]
        elif any(c.key == desired.key and c.action == "create" for c in plan.changes):
            result.problems.append(f"{desired.key} ({display_path(desired.file)}) has no "
                                   f"configuration in {env} yet: run `portal-config apply --env "
                                   f"{env}` to create it")
    result.problems.extend(plan.problems)  # a pin that no longer exists, no default, ...
    default = next((c for c in configurations if c.get("is_default")), None)
    # A file whose key is literally `default` keeps the name; it is the same ID when it
    # describes the default, and the file wins otherwise (its ID is the one asked for).
    if default is not None and DEFAULT_ALIAS not in result.found:
        result.found[DEFAULT_ALIAS] = default["id"]
    return result


def read(project: config.Project, env: str, gateway: Gateway) -> Ids:
    configurations = gateway.list_configurations()
    return collect(env, project.environments[env].mode, config.desired_configs(project, env),
                   workflow.identity_plan(project, env, configurations), configurations)


def render(ids: Ids, fmt: str) -> str:
    if fmt == "json":
        return json.dumps({"environment": ids.env, "mode": ids.mode, "ids": ids.found,
                           "problems": ids.problems}, indent=2)
    if fmt == "env":
        names: dict[str, str] = {}
        for key in ids.found:
            other = names.setdefault(config.variable_name(key), key)
            if other != key:
                raise PortalConfigError(f"keys '{other}' and '{key}' both make the variable "
                                        f"{config.variable_name(key)}: rename one of them "
                                        "(key: in the file)")
        return "\n".join(f"{config.variable_name(k)}={v}" for k, v in ids.found.items())
    width = max((len(k) for k in ids.found), default=0)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in ids.found.items())
