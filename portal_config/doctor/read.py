"""What `portal-config doctor` reads: the thin part. It asks Stripe through the gateway and
records what it saw, failures included, in an `Observation`; doctor.py judges it.

Reading goes on past a failure wherever the rest still means something (a file naming an
archived price must not hide an inactive configuration, a broken file must not hide the rest),
and stops where it cannot: an environment whose own entry is broken, a key refused before any
request, or one Stripe rejects.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import FailureKind, Location, Problem, StripeFailure, ValidationFailed
from ..pipeline import prices
from ..planning.mode import confirm_mode
from ..portal.configuration import Configuration
from ..project import config, loader, spec
from ..project.safety import Refused
from ..stripe_api.gateway import Gateway
from .observation import (
    LIMITED_KEYS,
    Failure,
    Observation,
    SessionAttempt,
    Used,
    offered,
    used_configurations,
)


def load(config_path: Path | None, env_name: str | None) -> tuple[spec.Project, list[Problem]]:
    """The project with only the configuration files that have no errors, and the errors (for
    findings): one broken file must not stop doctor from checking Stripe. Raises
    ValidationFailed, as every command does, when the environment itself is broken or missing:
    where its key goes is then unknown."""
    project, problems = config.collect_problems(config_path)
    errors = [p for p in problems if p.level == "error"]
    if (
        errors
        and env_name is not None
        and (
            env_name not in project.environments
            or any(p.location in _entry_locations(project.path, env_name) for p in errors)
        )
    ):
        raise ValidationFailed(problems)
    broken = {p.location.file for p in errors}
    files = tuple(f for f in project.files if loader.display_path(f.path) not in broken)
    return replace(project, files=files), errors


def _entry_locations(project_file: Path, env_name: str) -> set[Location]:
    """Every location inside the project file's entry for this environment."""
    document, _ = loader.load(project_file)
    inside = [*document.values.items(), *document.keys.items()]
    return {where for path, where in inside if path[:2] == ("environments", env_name)}


def examine(
    project: spec.Project,
    env_name: str,
    customer: str | None,
    allow_live: bool,
    problems: Sequence[Problem] = (),
    timeout: float | None = None,
    max_rps: float | None = None,
    flow: tuple[str | None, str | None] = (None, None),
) -> Observation:
    """What doctor sees; `problems` are the files' own errors (from `load`); `timeout`: seconds
    per request (--timeout); `max_rps`: the run's rate limit (--max-rps); `flow`: a deep link's
    flow type and price to check (--flow, --price)."""
    env = project.environments[env_name]
    obs = Observation(
        env=env,
        customer_id=customer,
        allow_live=allow_live,
        load_problems=list(problems),
        flow=flow[0],
        flow_price=flow[1],
    )
    with opened(obs, timeout, max_rps) as gateway:
        if gateway is not None:
            read(obs, project, gateway)
    return obs


@contextmanager
def opened(
    obs: Observation, timeout: float | None, max_rps: float | None = None
) -> Iterator[Gateway | None]:
    """The gateway of the observation's environment (`max_rps`: the run's rate limit), or None
    when the safety rules refuse it: the refusal is then `obs.refused`, its own finding."""
    from ..stripe_api import connection  # imports stripe: only when doctor really runs

    with ExitStack() as stack:
        gateway: Gateway | None = None
        try:
            opening = connection.open_gateways([obs.env], timeout, max_rps)
            gateway = stack.enter_context(opening)[obs.env.name]
            obs.key_kind = gateway.key_kind
        except Refused as exc:
            obs.refused = (exc.check, str(exc))
        yield gateway


def read(
    obs: Observation,
    project: spec.Project,
    gateway: Gateway,
    configurations: list[Configuration] | None = None,
    checked: tuple[list[spec.DesiredConfig], dict[str, list[Problem]]] | None = None,
) -> None:
    """Everything doctor reads through an open gateway. `configurations`: listed already (a
    fleet's account: that list proved the account can be read); `checked`: a fleet's account's
    own configurations and the problems of those left out (fleet_plan.checked_configs)."""
    if configurations is None:
        try:  # the first request: it also proves the key works
            configurations = gateway.list_configurations()
        except StripeFailure as exc:
            obs.list_failure = failure(gateway, exc)
            return
    obs.configurations = configurations
    try:  # an organization key's mode: from the listed configurations, else the balance
        obs.wrong_mode = confirm_mode(obs.env, configurations, (), gateway.retrieve_balance)
    except StripeFailure as exc:
        obs.balance_failure = failure(gateway, exc)
        return
    if obs.wrong_mode:  # the rest would be read, and sessions made, in the other mode
        return
    if obs.key_kind in LIMITED_KEYS:
        try:
            gateway.probe_configuration_write()
        except StripeFailure as exc:
            obs.write_failure = failure(gateway, exc)
    _read_plan(obs, project, gateway, checked)
    used = used_configurations(obs)
    for product, offered_prices in (entry for u in used for entry in offered(u.obj)):
        _remember(obs.products, product, gateway.retrieve_product, gateway)
        for price in offered_prices:
            _remember(obs.prices, price, functools.partial(prices.read, gateway), gateway)
    if obs.customer_id is not None:
        _read_customer(obs, gateway, used)


def failure(gateway: Gateway, exc: StripeFailure) -> Failure:
    return Failure(exc.kind, gateway.stripe_message(exc))


def _read_plan(
    obs: Observation,
    project: spec.Project,
    gateway: Gateway,
    checked: tuple[list[spec.DesiredConfig], dict[str, list[Problem]]] | None,
) -> None:
    """Which configuration each file has (bindings), and the plan, as `plan` makes it, when the
    files' prices can be resolved (without it, fields are not judged)."""
    from ..pipeline import plan_target

    env = obs.env.name
    files, left_out = checked or (config.desired_configs(project, env), {})
    obs.files = files
    obs.bindings = plan_target.bindings(project, env, obs.configurations, files)
    _read_missing_pins(obs, gateway)
    try:
        obs.plan = plan_target.read_environment(
            project, env, gateway, current=obs.configurations, files=files, left_out=left_out
        )
    except ValidationFailed as exc:
        obs.file_problems = [str(p) for p in exc.problems if p.level == "error"]
    except StripeFailure as exc:
        obs.read_failure = failure(gateway, exc)


def _read_missing_pins(obs: Observation, gateway: Gateway) -> None:
    """Which mode holds each configuration `ids:` pins that this one lacks: Stripe's 404 says
    "a similar object exists in live mode" (emulator/behaviours.py, "an object of the other
    mode"), the clearest sign of a live/test mix-up."""
    listed = {c.id for c in obs.configurations}
    pins = {b.desired.pinned_id for b in obs.bindings if b.desired and b.desired.pinned_id}
    for pin in sorted(pins - listed):
        try:
            gateway.retrieve_configuration(pin)
        except StripeFailure as exc:
            if exc.other_mode:
                obs.pinned_other_mode[pin] = exc.other_mode


def _remember(
    into: dict[str, dict[str, Any] | Failure],
    object_id: str,
    retrieve: Callable[[str], dict[str, Any]],
    gateway: Gateway,
) -> None:
    if object_id not in into:
        try:
            into[object_id] = retrieve(object_id)
        except StripeFailure as exc:
            into[object_id] = failure(gateway, exc)


def _read_customer(obs: Observation, gateway: Gateway, used: list[Used]) -> None:
    assert obs.customer_id is not None
    if not obs.customer_id.startswith("cus_"):
        return  # judged without asking Stripe: an app's own user ID, not a customer's
    try:
        obs.customer = gateway.retrieve_customer(obs.customer_id)
    except StripeFailure as exc:
        if exc.kind is FailureKind.MISSING:
            obs.customer_other_mode = exc.other_mode
        else:
            obs.customer_failure = failure(gateway, exc)
    if obs.customer is None or obs.customer.get("deleted"):
        return
    if obs.mode == "live" and not obs.allow_live:
        return  # judged as "not tried"
    for u in used:
        # The default is tried the way most apps call Stripe: without `configuration`.
        try:
            session = gateway.create_session(obs.customer_id, None if u.is_default else u.id)
            obs.sessions.append(SessionAttempt(u, session=session))
        except StripeFailure as exc:
            obs.sessions.append(SessionAttempt(u, failure=failure(gateway, exc)))
