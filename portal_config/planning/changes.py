"""The changes a plan is made of, as typed values: Create, Update, Adopt, Deactivate.

Each knows its own sort order, how people count it, how it is said (its symbol, what will happen,
what customers feel), its idempotency key, and one `data()` that feeds the JSON output, the saved
plan file and the plan's checksum (octoDNS's change objects). Text, markdown, the apply report
and apply's live prompt read the words from here, so they cannot drift apart.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ..portal import impact, model

# Every write apply makes carries an idempotency key starting so; Stripe records it in the
# event the write causes (`request.idempotency_key`: https://docs.stripe.com/api/events/object),
# so a plan's history tells portal-config's writes from the Dashboard's and other integrations'.
OWN_KEY_PREFIX = "portal-config-"


def made_by_portal_config(idempotency_key: str | None) -> bool:
    """Whether a request with this idempotency key was one of apply's writes."""
    return bool(idempotency_key and idempotency_key.startswith(OWN_KEY_PREFIX))


def place(env: str, account: str | None) -> str:
    """Where a change or a plan is: the environment, and a fleet's account (`prod`,
    `platform/acct_123`)."""
    return env if account is None else f"{env}/{account}"


@dataclass(frozen=True)
class FieldChange:
    path: str
    old: Any
    new: Any

    def data(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "old": model.jsonable(self.path, self.old),
            "new": model.jsonable(self.path, self.new),
        }


@dataclass(frozen=True)
class Change:
    """One write. `params` is the exact request; `fingerprint` is of the object as planned."""

    env: str
    key: str | None
    config_id: str | None
    file: str | None
    fields: tuple[FieldChange, ...]
    params: Mapping[str, Any]
    fingerprint: str | None = None
    is_default: bool = False
    account: str | None = None  # a fleet's connected account the change is written in

    action: ClassVar[str] = ""  # the verb: the JSON's `action`, the apply report's lines
    order: ClassVar[int] = 0
    counted_as: ClassVar[str] = ""  # how people count it: create | update | deactivate
    past: ClassVar[str] = ""
    symbol: ClassVar[str] = ""  # a plan's mark: + create, ~ update in place, - deactivate
    legend: ClassVar[str] = ""  # what its symbol means, in a plan's legend
    will: ClassVar[str] = ""  # what happens to it, said after its name
    harm: ClassVar[str] = ""  # what customers feel, `{it}` naming the configuration(s)
    # What Stripe showed just before the write, when the write was not made.
    meanwhile: ClassVar[str] = "changed in Stripe since it was planned"

    @property
    def where(self) -> str:
        return place(self.env, self.account)

    @classmethod
    def outcome(cls, it: str = "it", *, loud: bool = True) -> str:
        """What will happen, after the configuration's name, and what customers feel when they
        feel it (`it` names the configuration). Plans say it `loud` ("will be DEACTIVATED"); a
        prompt or a count says it in passing ("will be deactivated")."""
        will = cls.will if loud else f"will be {cls.past}"
        return f"{will}: {cls.consequence(it)}" if cls.harm else will

    @classmethod
    def consequence(cls, it: str = "it") -> str:
        return cls.harm.format(it=it)

    def impact(self, labels: Mapping[str, str]) -> list[str]:
        """What a customer will notice (portal/impact.py), prices named by `labels`."""
        return impact.changed({f.path: (f.old, f.new) for f in self.fields}, labels)

    @property
    def sort_key(self) -> tuple[int, str, str]:
        return (self.order, self.key or "", self.config_id or "")

    def idempotency_key(self, project: str) -> str:
        """Derived from what is written and the object it was planned against: a re-run of the
        same plan replays, a later write of the same payload to a changed object does not."""
        target = self.config_id or f"{project}/{self.where}/{self.key}"
        material = json.dumps(
            [self.action, target, self.fingerprint, self.params], sort_keys=True, default=str
        )
        return f"{OWN_KEY_PREFIX}{self.action}-{hashlib.sha256(material.encode()).hexdigest()[:40]}"

    def data(self) -> dict[str, Any]:
        account = {"account": self.account} if self.account else {}
        return {
            "action": self.action,
            "env": self.env,
            **account,
            "key": self.key,
            "id": self.config_id,
            "file": self.file,
            "is_default": self.is_default,
            "fields": [f.data() for f in self.fields],
            "params": self.params,
            "fingerprint": self.fingerprint,
        }


@dataclass(frozen=True)
class Create(Change):
    action: ClassVar[str] = "create"
    order: ClassVar[int] = 0
    counted_as: ClassVar[str] = "create"
    past: ClassVar[str] = "created"
    symbol: ClassVar[str] = "+"
    legend: ClassVar[str] = "create"
    will: ClassVar[str] = "will be created"
    meanwhile: ClassVar[str] = "was created meanwhile, by another apply (a concurrent deploy?)"

    def impact(self, labels: Mapping[str, str]) -> list[str]:
        return impact.created({f.path: f.new for f in self.fields}, labels)

    def idempotency_key(self, project: str, generation: int = 1) -> str:
        """Derived from the identity (project, environment, account, key), not the content: two
        applies creating it at once, from checkouts whose files differ, send the same key, so
        Stripe lets one through and refuses the other (a 409 while the first runs, then a 400
        idempotency_error: "Keys for idempotent requests can only be used with the same
        parameters they were first used with", https://docs.stripe.com/api/idempotent_requests).
        A re-run with the same content replays. `generation` moves on only once Stripe has shown
        that the previous key's request left no configuration (apply.py), so every apply walks
        the same keys in the same order and Stripe still lets only one of them create."""
        identity = f"{project}/{self.where}/{self.key}"
        material = json.dumps([self.action, identity, generation])
        return f"{OWN_KEY_PREFIX}create-{hashlib.sha256(material.encode()).hexdigest()[:40]}"


@dataclass(frozen=True)
class Update(Change):
    action: ClassVar[str] = "update"
    order: ClassVar[int] = 2
    counted_as: ClassVar[str] = "update"
    past: ClassVar[str] = "updated"
    symbol: ClassVar[str] = "~"
    legend: ClassVar[str] = "update in place"
    will: ClassVar[str] = "will be updated in place"


@dataclass(frozen=True)
class Adopt(Update):
    """An update that also writes this project's identity keys (`apply --adopt`)."""

    action: ClassVar[str] = "adopt"
    order: ClassVar[int] = 1
    past: ClassVar[str] = "adopted"
    will: ClassVar[str] = "will be adopted (identity metadata written) and updated in place"


RETIRED = "active: false"  # the file retires its configuration
FILE_GONE = "file gone, --prune"  # no file claims it any more


@dataclass(frozen=True)
class Deactivate(Change):
    reason: str = RETIRED

    action: ClassVar[str] = "deactivate"
    order: ClassVar[int] = 3
    counted_as: ClassVar[str] = "deactivate"
    past: ClassVar[str] = "deactivated"
    symbol: ClassVar[str] = "-"
    legend: ClassVar[str] = "deactivate"
    will: ClassVar[str] = "will be DEACTIVATED"
    harm: ClassVar[str] = impact.SESSIONS_FAIL

    @property
    def pruned(self) -> bool:
        return self.reason == FILE_GONE

    def data(self) -> dict[str, Any]:
        return {**super().data(), "reason": self.reason}


KINDS: dict[str, type[Change]] = {c.action: c for c in (Create, Update, Adopt, Deactivate)}
# How people count changes, in the order every report says them (an adopt is an update).
COUNTED: tuple[type[Change], ...] = (Create, Update, Deactivate)


def from_data(data: Mapping[str, Any]) -> Change:
    """The inverse of `Change.data()` (saved plan files)."""
    kind = KINDS[data["action"]]
    fields = tuple(
        FieldChange(
            f["path"], model.comparable(f["path"], f["old"]), model.comparable(f["path"], f["new"])
        )
        for f in data["fields"]
    )
    common = dict(
        env=data["env"],
        key=data["key"],
        config_id=data["id"],
        file=data["file"],
        fields=fields,
        params=data["params"],
        fingerprint=data["fingerprint"],
        is_default=data["is_default"],
        account=data.get("account"),
    )
    if kind is Deactivate:
        return Deactivate(**common, reason=data.get("reason", RETIRED))
    return kind(**common)


def deactivation(
    env: str,
    key: str | None,
    obj: Mapping[str, Any],
    file: str | None,
    reason: str,
    fingerprint: str,
) -> Deactivate:
    return Deactivate(
        env,
        key,
        obj["id"],
        file,
        (FieldChange("active", True, False),),
        {"active": False},
        fingerprint,
        reason=reason,
    )


def count(changes: Sequence[Change]) -> dict[str, int]:
    """Changes as people count them: an adopt is an update."""
    counts = {kind.counted_as: 0 for kind in COUNTED}
    for change in changes:
        counts[change.counted_as] += 1
    return counts
