"""The steps plan and apply share: connect each environment, read Stripe, resolve the files'
prices there, and plan. Environments are read concurrently (bounded), reported in file order."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from ..errors import Problem, ValidationFailed
from ..planning.match import Binding, Desired, match
from ..planning.mode import confirm_mode
from ..planning.plan import EnvPlan, plan_environment
from ..planning.shown import Unclaimed, slimmer
from ..portal import model
from ..portal.configuration import Configuration
from ..project import config, spec
from ..project.loader import display_path
from ..stripe_api.gateway import Gateway
from . import prices


@contextmanager
def connected(
    project: spec.Project,
    names: Sequence[str],
    timeout: float | None = None,
    max_rps: float | None = None,
) -> Iterator[dict[str, Gateway]]:
    """A gateway per named environment (connection.open_gateways), open for the whole command,
    all under one rate limit. `timeout`: seconds per request (--timeout)."""
    from ..stripe_api import connection  # imports stripe: only commands that talk to Stripe do

    envs = [project.environments[n] for n in names]
    with connection.open_gateways(envs, timeout, max_rps) as gateways:
        yield gateways


def desired_of(f: spec.DesiredConfig, params: dict[str, Any]) -> Desired:
    """A file's configuration as plan takes it, with `params` (its prices resolved or not)."""
    return Desired(
        f.key, display_path(f.file), f.default, f.pinned_id, params, f.identity_location()
    )


def bindings(
    project: spec.Project,
    env: str,
    configurations: Sequence[Mapping[str, Any]],
    files: Sequence[spec.DesiredConfig] | None = None,
) -> list[Binding]:
    """Which configuration each file has, and its status, without reading prices (for ids,
    import and doctor): matching needs only identities. `files`: a fleet's account's own
    configurations (config.desired_configs with its environment), else the environment's."""
    if files is None:
        files = config.desired_configs(project, env)
    desired = [desired_of(f, f.params) for f in files]
    return match(project.name, env, project.environments[env].mode, desired, configurations)


def read_environment(
    project: spec.Project,
    env: str,
    gateway: Gateway,
    *,
    prune: bool = False,
    adopt: bool = False,
    current: list[Configuration] | None = None,
    partial: bool = False,
    keys: Collection[str] | None = None,
    files: list[spec.DesiredConfig] | None = None,
    left_out: dict[str, list[Problem]] | None = None,
    slim: bool = False,
    named: int | None = None,
) -> EnvPlan:
    """Resolve the files' prices in this environment, then plan against its configurations
    (`current`, when the caller has listed them already). `keys`: plan only those files.
    `slim`: for a plan that is not saved, keep only what it shows of the configurations no
    file can claim (shown.slimmer), not each whole; `named`: and only the first so many of
    them, the rest counted (shown.Unclaimed: a text plan's note names 20, a JSON plan every one).

    A file whose prices cannot be resolved here (a lookup key with a typo, an archived price)
    raises ValidationFailed; with `partial` it is left out instead: its problems (FILE:LINE:COL)
    are the plan's, its configuration is not touched (not even pruned), and every other file is
    planned, so one broken file never hides another's drift. `files` and `left_out`: a fleet's
    account's own configurations and the problems of those left out (fleet_plan.py)."""
    if files is None:
        files = config.desired_configs(project, env)
    files = [f for f in files if keys is None or f.key in keys]
    left_out = {k: v for k, v in (left_out or {}).items() if keys is None or k in keys}
    catalog = prices.catalog_of(gateway, [f.params for f in files if f.key not in left_out])
    desired = []
    for f in files:
        if f.key in left_out:  # matched (so never pruned), but neither resolved nor changed
            desired.append(desired_of(f, f.params))
            continue
        params, found = prices.resolve(f.params, catalog, env, f.locate)
        if found:
            left_out[f.key] = sorted(found)
        desired.append(desired_of(f, params))
    if left_out and not partial:
        raise ValidationFailed([p for found in left_out.values() for p in found])
    slimmed = slim and current is None
    mode = project.environments[env].mode
    unclaimed = Unclaimed(named) if slimmed else None
    listed: Sequence[Configuration] = (
        current
        if current is not None
        else gateway.list_configurations_slim(
            slimmer(project.name, env, mode == "live", desired, unclaimed)
        )
        if unclaimed is not None
        else gateway.list_configurations()
    )
    result = plan_environment(
        project.name,
        env,
        mode,
        desired,
        listed,
        prune=prune,
        adopt=adopt,
        left_out=left_out,
        unclaimed=unclaimed,
    )
    if keys is not None:
        result = result.targeted()
    # An organization key's mode, from the answers read; a plan that writes and read none of
    # them reads the balance (one request, only then).
    balance = gateway.retrieve_balance if result.changes else None
    counted = unclaimed.count if unclaimed else 0
    wrong_mode = confirm_mode(
        project.environments[env], listed, catalog.answers(), balance, also_read=counted
    )
    if wrong_mode:
        result = dataclasses.replace(result, problems=(*result.problems, *wrong_mode))
    labels = catalog.labels()
    # Prices a change takes away are not in the files: look them up, so the plan names them too.
    labels.update(prices.labels_of(gateway, sorted(_removed_prices(result) - set(labels))))
    sandbox = project.environments[env].sandbox
    return dataclasses.replace(result, slim=slimmed, labels=labels, sandbox=sandbox)


def _removed_prices(result: EnvPlan) -> set[str]:
    return {
        price
        for change in result.changes
        for f in change.fields
        if f.path == model.PRODUCTS
        for entry in f.old or ()
        for price in entry.prices
    }
