"""One change's write, and the checks around it: Stripe read again just before (no silent
revert, no second configuration for an identity that appeared meanwhile), the write under its
idempotency key (changes.Change.idempotency_key; a create's walks its identity's generations, so
two applies at once create once), and Stripe's answer checked against what was asked."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, cast

from ..errors import FailureKind, StripeFailure
from ..planning.changes import Change, Create, Deactivate, FieldChange, Update
from ..planning.plan import current_state, diff_states, fingerprint
from ..portal import identity, model, payload
from ..portal.configuration import Configuration
from ..stripe_api.gateway import Gateway
from .recheck import Arrivals


class Meanwhile(Exception):
    """What the change was to do happened meanwhile, or the configuration changed: not written."""


def _identity(change: Change, project: str) -> identity.Identity:
    return (project, change.env, change.key)


def _existing_id(change: Change) -> str:
    # Every change but a create names its configuration: plan.py sets it, a saved plan keeps it.
    return cast(str, change.config_id)


def still_as_planned(change: Change, gateway: Gateway, project: str, arrivals: Arrivals) -> bool:
    """Read Stripe just before the write: no silent revert of a change made in between, no
    second configuration for an identity that appeared meanwhile (asking only for what was
    created since the plan: recheck.py), no deactivation of what prune must never touch (a
    saved plan file could have been edited)."""
    if isinstance(change, Create):
        return not arrivals.holds(_identity(change, project))
    now = gateway.retrieve_configuration(_existing_id(change))
    if isinstance(change, Deactivate):
        # Never the default; a prune (no file asks for it) only what this project created here.
        if not identity.may_deactivate(now) or (
            change.pruned and not identity.is_ours(now, project, change.env)
        ):
            return False
    return fingerprint(now) == change.fingerprint


def _update(change: Change, gateway: Gateway, idempotency_key: str) -> Configuration:
    """The write to an existing configuration, and Stripe's answer: the configuration as it
    now is."""
    answer = gateway.update_configuration(
        _existing_id(change), dict(change.params), idempotency_key
    )
    return answer


def check_created(
    change: Change, answer: Configuration, project: str, listed: frozenset[str]
) -> None:
    """A create's answer must be the configuration it made: one not listed when planned, with
    this change's identity. Another (a proxy's cached answer, a server answering with what it
    holds) says nothing of whether the create happened, so it is uncertain, not "created": the
    next run reads Stripe and finds the configuration, or creates it under the same key."""
    config_id = str(answer["id"])
    if config_id in listed:
        why = "a configuration that existed before this apply"
    elif identity.of(answer) != (project, change.env, change.key):
        why = "a configuration of another key"
    else:
        return
    raise StripeFailure(
        f"{change.where}: creating a configuration: Stripe answered with {config_id}, {why}: "
        "it may or may not have created one. Run the command again: it is safe (it reads "
        "Stripe first, and a write repeats under the same idempotency key).",
        FailureKind.UNCERTAIN,
    )


# How many of an identity's create keys apply may find spent (each by a failed create Stripe
# keeps for 24 hours) before it gives up: far more than a day of edits after failed creates.
CREATE_GENERATIONS = 10


def _create(change: Create, gateway: Gateway, project: str, arrivals: Arrivals) -> Configuration:
    """The create, under its identity's key (Create.idempotency_key). A key Stripe will not run
    again (its saved failure replayed, or an idempotency_error: another apply, or an earlier run
    with other content, used it) is given up only once a re-read shows no configuration with this
    identity; then the next generation's key, the one every other apply would use next. One
    that does show was created meanwhile: not created again."""
    failure: StripeFailure | None = None
    for generation in range(1, CREATE_GENERATIONS + 1):
        key = change.idempotency_key(project, generation)
        try:
            answer = gateway.create_configuration(dict(change.params), key)
            return answer
        except StripeFailure as exc:
            if not (exc.replayed or exc.kind is FailureKind.IDEMPOTENCY):
                raise
            if arrivals.holds(_identity(change, project)):
                raise Meanwhile from exc
            failure = exc
    assert failure is not None
    raise failure


def unconfirmed_fields(change: Change, answer: Configuration) -> list[str]:
    """The planned fields whose value in Stripe's answer is not the one written: the next plan
    would show them again (e.g. a field Stripe leaves out unless the request expands it)."""
    keys = [
        f.path.removeprefix("metadata.") for f in change.fields if f.path.startswith("metadata.")
    ]
    state = current_state(answer, keys)
    return [f.path for f in change.fields if state.get(f.path) != f.new]


def write_once(change: Change, gateway: Gateway, project: str, arrivals: Arrivals) -> Configuration:
    if isinstance(change, Create):
        return _create(change, gateway, project, arrivals)
    key = change.idempotency_key(project)
    try:
        return _update(change, gateway, key)
    except StripeFailure as exc:
        if not exc.replayed:
            raise
        # Stripe keeps a failed answer for its key for 24 hours, so the same key can never
        # succeed: this is a new attempt, with a key of its own, once Stripe shows the earlier
        # one left nothing behind.
        if not still_as_planned(change, gateway, project, arrivals):
            raise
        return _update(change, gateway, f"{key}-{time.time_ns()}")


def settle_defaults(
    change: Create, answer: Configuration, gateway: Gateway, project: str
) -> tuple[Configuration, list[str]]:
    """A create leaves an empty field out (stripe-python drops [], and create takes no "" for
    schedule_at_period_end.conditions: API-REFERENCE §4, §5), so the new configuration holds
    Stripe's creation default there, which Stripe does not state (emulator/behaviours.py,
    "creation defaults"). Where that default is not the file's empty value, one update straight
    after clears it, so the next plan shows no changes. Returns the configuration as it now is,
    and the fields left unsettled (the update failed: the next plan shows them)."""
    sent = {f.path for f in change.fields}
    wanted = model.canonical({}) | {f.path: f.new for f in change.fields}
    left = {p: v for p, v in wanted.items() if p not in sent}
    fields = diff_states(current_state(answer, []), left)
    if not fields:
        return answer, []
    params = payload.update_params([f.path for f in fields], wanted)
    settled = _follow_up(change, answer, fields, params, gateway, project)
    return (settled, []) if settled is not None else (answer, [f.path for f in fields])


def record_login_page(
    change: Change, answer: Configuration, gateway: Gateway, project: str
) -> Configuration:
    """A write may turn the login page on (Stripe then makes its URL) or off: one metadata
    update straight after records the URL as it now is (identity.LOGIN_URL), so doctor can tell
    when it changes outside portal-config. Returns the configuration as it now is; a failed
    record is no failure of the change (the next write records it)."""
    record = identity.login_record(answer)
    if record is None or isinstance(change, Deactivate):
        return answer
    path = f"metadata.{identity.LOGIN_URL}"
    field = FieldChange(path, identity.recorded_login_url(answer), record[identity.LOGIN_URL])
    recorded = _follow_up(change, answer, (field,), {"metadata": record}, gateway, project)
    return recorded if recorded is not None else answer


def _follow_up(
    change: Change,
    answer: Configuration,
    fields: Sequence[FieldChange],
    params: dict[str, Any],
    gateway: Gateway,
    project: str,
) -> Configuration | None:
    """One update straight after a write, of the configuration as Stripe answered it; None when
    it failed (the next plan shows what it would have written)."""
    follow = Update(
        change.env,
        change.key,
        str(answer["id"]),
        change.file,
        tuple(fields),
        params,
        fingerprint(answer),
        account=change.account,
    )
    try:
        return _update(follow, gateway, follow.idempotency_key(project))
    except StripeFailure:
        return None
