"""A plan's drift, with its story: for each environment (or fleet account) whose plan found
drift, read the configurations' update events once (one request per page, within Stripe's 30
days, through the gateway and so under the run's rate limit) and attach to each drifted field
when it changed, its value before and who changed it (planning/history.py). An environment
without drift sends no request; a read that fails leaves the plan as it is, saying why the
history is unavailable."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping

from ..errors import StripeFailure
from ..planning import history
from ..planning.plan import EnvPlan, Plan
from ..stripe_api.gateway import Gateway


def with_history(plan: Plan, gateways: Mapping[str, Gateway]) -> Plan:
    """`plan`, each drifted field with its history where Stripe's events tell it."""
    envs = tuple(_of_env(env, gateways[env.env]) for env in plan.envs)
    return dataclasses.replace(plan, envs=envs)


def _of_env(env: EnvPlan, gateway: Gateway) -> EnvPlan:
    if not history.drifted(env.changes):
        return env
    since = int(time.time()) - history.RETENTION_SECONDS
    try:
        if env.account is not None:
            gateway = gateway.for_account(env.account)
        events = gateway.configuration_events(since)
    except StripeFailure as exc:
        return dataclasses.replace(env, history_unavailable=str(exc))
    return dataclasses.replace(env, history=history.of_events(env.changes, events))
