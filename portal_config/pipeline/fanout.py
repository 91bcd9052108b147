"""One fan-out for plan and apply: every chosen environment planned side by side, a single one
by plan_target.read_environment, a fleet's accounts by fleet_plan.plan_fleet, the results in the
project file's order."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..planning.plan import EnvPlan, Plan
from ..project import spec
from ..stripe_api.gateway import Gateway
from . import fleet_plan
from .plan_target import read_environment

# Environments are read side by side, each its own thread (the reading is mostly waiting on the
# network); the cap only keeps a fleet of hundreds from opening hundreds of connections at once.
MAX_PARALLEL_ENVIRONMENTS = 32


def plan_all(
    project: spec.Project,
    gateways: Mapping[str, Gateway],
    *,
    prune: bool = False,
    adopt: bool = False,
    keys: Collection[str] | None = None,
    selection: fleet_plan.Selection | None = None,
    slim: bool = False,
    named: int | None = None,
) -> Plan:
    """Every environment planned; files with problems are left out of their environment's plan
    (and make the plan's problems), the rest is planned, so drift elsewhere stays visible. A
    fleet environment is one plan per account (fleet_plan.py), side by side. `slim`: the plan
    is not saved (read_environment; each fleet account's plan keeps only what is shown);
    `named`: and names only so many configurations no file claims (shown.Unclaimed)."""
    names = list(gateways)
    selection = selection or fleet_plan.Selection()
    planning: dict[str, Any] = dict(prune=prune, adopt=adopt, keys=keys, slim=slim, named=named)
    fleets = {n for n in names if project.environments[n].is_fleet}
    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL_ENVIRONMENTS, len(names) or 1)) as pool:
        fleet_futures = {
            n: pool.submit(fleet_plan.plan_fleet, project, n, gateways[n], selection, **planning)
            for n in fleets
        }
        env_futures = {
            n: pool.submit(read_environment, project, n, gateways[n], partial=True, **planning)
            for n in names
            if n not in fleets
        }
    envs: list[EnvPlan] = []
    fleet_sizes: dict[str, int] = {}
    unknown: list[list[str]] = []
    for n in names:
        if n in fleets:
            accounts, missing, size = fleet_futures[n].result()
            envs += accounts
            fleet_sizes[n] = size
            unknown.append(missing)
        else:
            envs.append(env_futures[n].result())
    if selection.accounts:
        fleet_plan.refuse_unknown(unknown)
    return Plan(project.name, tuple(envs), fleet_sizes)
