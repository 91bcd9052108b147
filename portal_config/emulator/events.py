"""Stripe Events for the billing portal configurations: one per create and per update, listed by
`GET /v1/events` newest first, kept 30 days, per mode and account like every other object.

The event's shape follows https://docs.stripe.com/api/events/object: `data.object` the object as
it was after the request, `data.previous_attributes` (updates only) the previous values of the
fields that changed, nested as the object nests them (a list whole), `request.id` and
`request.idempotency_key` of the API request that caused it (null for one no request made: a
seed), `account` the connected account it happened in (Connect). The list takes `type`,
`created` (an integer or `gt`/`gte`/`lt`/`lte`) and Stripe's cursor pagination, and goes back
30 days at most: https://docs.stripe.com/api/events/list.
"""

from __future__ import annotations

import copy
from fnmatch import fnmatchcase
from typing import Any

from .context import Call
from .lists import paginate
from .objects import new_id

URL = "/v1/events"
RETENTION_SECONDS = 30 * 24 * 3600  # "List events, going back up to 30 days."
_BOUNDS = {
    "gt": lambda created, bound: created > bound,
    "gte": lambda created, bound: created >= bound,
    "lt": lambda created, bound: created < bound,
    "lte": lambda created, bound: created <= bound,
}


def record(
    call: Call, happened: str, obj: dict[str, Any], before: dict[str, Any] | None = None
) -> None:
    """Record `OBJECT.happened` (created, updated) for the request `call` runs; `before`: the
    object before an update, whose changed fields become `previous_attributes`."""
    data: dict[str, Any] = {"object": copy.deepcopy(obj)}
    if before is not None:
        data["previous_attributes"] = previous_attributes(before, obj)
    event_id = new_id("evt")
    event = {
        "id": event_id,
        "object": "event",
        "account": call.account,
        "api_version": None,  # the events' data are rendered in the emulator's one version
        "created": call.now,
        "data": data,
        "livemode": call.livemode,
        "pending_webhooks": 0,
        "request": {"id": call.request_id, "idempotency_key": call.idempotency_key},
        "type": f"{obj['object']}.{happened}",
    }
    if _oldest_expired(call):  # a look at the oldest only: seeding thousands stays linear
        _expire(call)
    call.state.events[event_id] = event


def previous_attributes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The fields of `before` that differ in `after`, nested as the object nests them: a hash
    by its changed keys (a key added shows null, so metadata says what was unset), anything
    else (a list included) whole."""
    changed: dict[str, Any] = {}
    for key in before.keys() | after.keys():
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            changed[key] = previous_attributes(old, new)
        else:
            changed[key] = copy.deepcopy(old)
    return changed


def list_events(call: Call) -> dict[str, Any]:
    """GET /v1/events: this mode's and account's events within 30 days, newest first."""
    params = call.params
    _expire(call)
    created = params.get("created")
    bounds = created if isinstance(created, dict) else {} if created is None else {"gte": created}
    if created is not None and not isinstance(created, dict):
        bounds["lte"] = created  # an integer: exactly then
    kinds = [*(params.get("types") or ()), *([params["type"]] if params.get("type") else [])]
    # Newest first by `created` (an event made with the clock set back sorts by its time).
    by_time = sorted(reversed(call.state.events.values()), key=lambda e: -e["created"])
    newest_first = [
        event
        for event in by_time
        if (not kinds or any(fnmatchcase(event["type"], kind) for kind in kinds))  # `type` takes *
        and all(_BOUNDS[op](event["created"], int(bound)) for op, bound in bounds.items())
    ]
    return paginate(newest_first, params, URL, "event")


def _oldest_expired(call: Call) -> bool:
    """Whether the first event kept (events are kept as made, so it is the oldest unless the
    clock was set back, which list_events' own _expire covers) is past Stripe's retention."""
    first = next(iter(call.state.events.values()), None)
    return first is not None and first["created"] < call.now - RETENTION_SECONDS


def _expire(call: Call) -> None:
    """Forget events older than Stripe keeps them."""
    oldest = call.now - RETENTION_SECONDS
    for event_id in [i for i, e in call.state.events.items() if e["created"] < oldest]:
        del call.state.events[event_id]
