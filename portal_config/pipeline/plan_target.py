"""The steps plan and apply share: connect each environment, read Stripe, resolve the files'
prices there, and plan. Environments are read concurrently (bounded), reported in file order."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from ..errors import FailureKind, Problem, StripeFailure, ValidationFailed
from ..planning.match import Binding, Desired, Unmanaged, match, slimmer
from ..planning.plan import EnvPlan, plan_environment
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
) -> EnvPlan:
    """Resolve the files' prices in this environment, then plan against its configurations
    (`current`, when the caller has listed them already). `keys`: plan only those files.
    `slim`: for a plan that is not saved, keep only what it reads of the configurations no
    file can claim (match.slimmer), not each whole.

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
    listed: Sequence[Configuration | Unmanaged] = (
        current
        if current is not None
        else gateway.list_configurations_slim(slimmer(project.name, env, mode == "live", desired))
        if slim
        else gateway.list_configurations()
    )
    result = plan_environment(
        project.name, env, mode, desired, listed, prune=prune, adopt=adopt, left_out=left_out
    )
    if keys is not None:
        result = result.targeted()
    # An organization key's mode, from the answers read; a plan that writes and read none of
    # them reads the balance (one request, only then).
    balance = gateway.retrieve_balance if result.changes else None
    wrong_mode = confirm_mode(project.environments[env], listed, catalog.answers(), balance)
    if wrong_mode:
        result = dataclasses.replace(result, problems=(*result.problems, *wrong_mode))
    labels = catalog.labels()
    # Prices a change takes away are not in the files: look them up, so the plan names them too.
    labels.update(prices.labels_of(gateway, sorted(_removed_prices(result) - set(labels))))
    sandbox = project.environments[env].sandbox
    return dataclasses.replace(result, slim=slimmed, labels=labels, sandbox=sandbox)


def confirm_mode(
    environment: spec.Environment,
    current: Sequence[Configuration | Unmanaged],
    prices: Iterable[Mapping[str, Any]] = (),
    balance: Callable[[], Mapping[str, Any]] | None = None,
) -> list[Problem]:
    """An organization's key does not say its mode (safety.ORGANIZATION_KEY): Stripe's answers
    do, by their `livemode`: each configuration listed, each price read. When none answered
    (an account with neither) and `balance` is given (a plan that writes), the account's balance
    is read for it: every account has one, with `livemode`
    (https://docs.stripe.com/api/balance/balance_object). An answer of the other mode, or a
    balance the key may not read, is a problem of the plan, so nothing is written (apply
    refuses a plan with problems)."""
    if not environment.organization:
        return []
    live = environment.mode == "live"
    # (the article and the noun of what answered, its livemode); one kept as Unmanaged is of
    # this mode: match.slimmer keeps one of the other as a record
    answers = [
        (("", f"configurations ({c[0]})"), live)
        if isinstance(c, tuple)
        else (("", f"configurations ({c.id})"), c.livemode)
        for c in current
    ]
    answers += [
        (("", f"prices ({p.get('id')})"), p["livemode"])
        for p in prices
        if isinstance(p.get("livemode"), bool)
    ]
    if not answers and balance is not None:
        try:
            answers = [(("a ", "balance"), balance()["livemode"])]
        except StripeFailure as exc:
            if exc.kind is not FailureKind.PERMISSION:
                raise
            return [_unconfirmed(environment)]
    other = [what for what, livemode in answers if livemode != live]
    if not other:
        return []
    mode = "test" if live else "live"
    article, noun = other[0]
    return [
        Problem(
            environment.location,
            f"environment '{environment.name}' is {environment.mode} mode but Stripe answered "
            f"with {article}{mode} mode {noun}: its organization key is a "
            f"{mode} mode key. Export the organization's {environment.mode} mode key, or write "
            f"mode: {mode} if this environment is meant to be {mode}",
        )
    ]


def _unconfirmed(environment: spec.Environment) -> Problem:
    return Problem(
        environment.location,
        f"environment '{environment.name}' cannot confirm the mode of its organization key: "
        "the account has no portal configuration or price to tell it, and the key may not read "
        f"the balance. Grant the key Balance read, or create the first portal configuration "
        f"in the Dashboard's {environment.mode} mode, then plan again",
    )


def _removed_prices(result: EnvPlan) -> set[str]:
    return {
        price
        for change in result.changes
        for f in change.fields
        if f.path == model.PRODUCTS
        for entry in f.old or ()
        for price in entry.prices
    }
