"""What each portal lets a customer do (`portal-config explain`), in the plan's own words
(portal/impact.py): from the files, offline (prices named by their lookup keys), or from the
configurations Stripe holds for them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from ..planning.plan import current_state, desired_state
from ..portal import impact, model
from ..project import config, spec
from ..project.loader import display_path
from ..stripe_api.gateway import Gateway
from . import plan_target, prices, revdiff


@dataclass(frozen=True)
class Portrait:
    """One file's portal in one environment, said in sentences; `where` says what was read: the
    file, or the configuration in Stripe (None: Stripe holds none for the file yet)."""

    key: str
    env: str
    where: str | None
    sentences: tuple[str, ...]
    problem: str | None = None  # why Stripe's configuration for the file cannot be told


def _chosen(project: spec.Project, env: str, keys: Collection[str]) -> list[spec.DesiredConfig]:
    return [f for f in config.desired_configs(project, env) if not keys or f.key in keys]


def from_files(project: spec.Project, env: str, keys: Collection[str]) -> list[Portrait]:
    """Offline: no key, no request."""
    return [
        Portrait(
            f.key,
            env,
            display_path(f.file),
            tuple(impact.describe(desired_state(revdiff.symbolic(f.params), []), {})),
        )
        for f in _chosen(project, env, keys)
    ]


def from_stripe(
    project: spec.Project, env: str, gateway: Gateway, keys: Collection[str]
) -> list[Portrait]:
    """The configuration each file has in Stripe (as plan finds it), its prices named by their
    lookup keys: one list request per 100 configurations, one request per price shown."""
    files = _chosen(project, env, keys)
    bindings = plan_target.bindings(project, env, gateway.list_configurations(), files)
    problems = {b.desired.key: str(b.problem) for b in bindings if b.desired and b.problem}
    found = {
        b.desired.key: b.obj
        for b in bindings
        if b.desired is not None and b.obj is not None and b.desired.key not in problems
    }
    states = {key: current_state(obj, []) for key, obj in found.items()}
    shown = {
        price
        for state in states.values()
        for entry in state[model.PRODUCTS] or ()
        for price in entry.prices
    }
    labels = prices.labels_of(gateway, sorted(shown))
    return [
        Portrait(
            f.key,
            env,
            found[f.key].id if f.key in found else None,
            tuple(impact.describe(states[f.key], labels)) if f.key in found else (),
            problems.get(f.key),
        )
        for f in files
    ]
