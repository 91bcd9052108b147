"""How a drifted field got its value in Stripe: from the configurations' update events, per
field the newest event that changed it: when, the value before (`data.previous_attributes`),
and whether the request was apply's own (its idempotency key) or came from outside
portal-config (the Dashboard, another integration). No requests here: the events are read by
pipeline/history.py, and only when a plan found drift.

Stripe's event object: https://docs.stripe.com/api/events/object (`previous_attributes` holds
"the names of the updated attributes and their values prior to the event", nested as the object
nests them, a list whole).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ..portal import identity, model
from .changes import Change, Update, made_by_portal_config

RETENTION_SECONDS = 30 * 24 * 3600  # Stripe lists events "going back up to 30 days"
PORTAL_CONFIG, OUTSIDE = "portal-config", "outside portal-config"


@dataclass(frozen=True)
class FieldHistory:
    """The newest change Stripe recorded of one field of one configuration."""

    path: str
    changed_at: int  # the event's `created`, a Unix time
    before: Any  # the value before, canonical (model.comparable)
    by_portal_config: bool
    event_id: str
    request_id: str | None

    @property
    def by(self) -> str:
        return PORTAL_CONFIG if self.by_portal_config else OUTSIDE

    @property
    def when(self) -> str:
        """The time it changed, in UTC (ISO 8601)."""
        return datetime.fromtimestamp(self.changed_at, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def data(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "changed_at": self.when,
            "before": model.jsonable(self.path, self.before),
            "by": self.by,
            "event": self.event_id,
            "request": self.request_id,
        }


def drifted(changes: Sequence[Change]) -> list[Change]:
    """The changes to configurations Stripe holds whose fields differ from the files: updates,
    adoptions that change more than the identity keys (a create has nothing in Stripe yet)."""
    return [c for c in changes if isinstance(c, Update) and _drifted_fields(c)]


def _drifted_fields(change: Change) -> set[str]:
    """Its fields but the keys of portal-config's own (identity.OWN_KEYS: the identity an adoption
    writes, never set in Stripe before, and the login page's record): no one drifted them."""
    return {
        f.path for f in change.fields if f.path.removeprefix("metadata.") not in identity.OWN_KEYS
    }


def of_events(
    changes: Sequence[Change], events: Iterable[Mapping[str, Any]]
) -> dict[str, tuple[FieldHistory, ...]]:
    """Per drifted configuration (by ID), each of its drifted fields' newest change in `events`
    (newest first, as Stripe lists them); a field no event changed has none."""
    wanted = {c.config_id: _drifted_fields(c) for c in drifted(changes) if c.config_id}
    found: dict[str, dict[str, FieldHistory]] = {config_id: {} for config_id in wanted}
    for event in events:
        data = event["data"]
        config_id = data["object"].get("id")
        previous = data.get("previous_attributes") or {}
        request = event.get("request") or {}
        for path in wanted.get(config_id, ()):
            parts = tuple(path.split("."))
            if path in found[config_id] or not _holds(previous, parts):
                continue
            found[config_id][path] = FieldHistory(
                path,
                event["created"],
                model.comparable(path, model.get_path(previous, parts)),
                made_by_portal_config(request.get("idempotency_key")),
                event["id"],
                request.get("id"),
            )
    return {
        config_id: tuple(by_path[f] for f in sorted(by_path))
        for config_id, by_path in found.items()
        if by_path
    }


def _holds(previous: Mapping[str, Any], parts: tuple[str, ...]) -> bool:
    """Whether `previous_attributes` names the field at `parts` (its value may be null)."""
    node: Any = previous
    for part in parts:
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
    return True
