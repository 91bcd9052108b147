"""Bindings (match.py) -> an ordered list of typed changes (changes.py). No I/O here.

Configurations no file claims are never touched; those this project created in this environment
whose file is gone are deactivated only with --prune, and never the default.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import PortalConfigError, Problem
from ..portal import identity, model, payload
from ..portal.configuration import Configuration
from ..project import fleet_accounts
from .changes import (
    FILE_GONE,
    RETIRED,
    Adopt,
    Change,
    Create,
    FieldChange,
    Update,
    count,
    deactivation,
    place,
)
from .history import FieldHistory
from .match import Binding, Desired, Status, match
from .shown import Unclaimed, Unmanaged

__all__ = ["Desired", "EnvPlan", "FieldChange", "Plan", "plan_environment"]


@dataclass(frozen=True)
class EnvPlan:
    """One environment's (or a fleet account's) plan, whole once made: what apply, --target or a
    fleet make of it is a new plan (`targeted`, `of_account`, Plan.holding_back)."""

    env: str
    mode: str
    changes: tuple[Change, ...] = ()
    sandbox: bool = False  # a sandbox of its own (Environment.sandbox), in test mode
    in_sync: tuple[tuple[str, str], ...] = ()  # (key, id)
    # (id, name, application) of the configurations no file claims, left alone, by ID: every
    # one, or (a plan read for its note: shown.Unclaimed) those it names and how many more
    unmanaged: tuple[Unmanaged, ...] = ()
    unmanaged_more: int = 0
    # an unmanaged configuration's ID -> the key of the file it looks like (match.look_alikes)
    looks_like: Mapping[str, str] = field(default_factory=dict)
    prunable: tuple[tuple[str, str], ...] = ()  # (key, id) without --prune
    # (key, id) of this project's configurations whose file is gone but which Stripe made the
    # default: Stripe refuses to deactivate the default, so only the Dashboard can retire them.
    default_kept: tuple[tuple[str, str], ...] = ()
    problems: tuple[Problem, ...] = ()
    bindings: tuple[Binding, ...] = ()  # what the plan was made from
    # price ID -> lookup_key:K, and product ID -> its name where Stripe's catalog gave it
    labels: Mapping[str, str] = field(default_factory=dict)
    # The newest configuration listed (lists are newest first): apply's re-check before a create
    # asks only for what is newer (`ending_before`), not for the whole account again.
    newest_id: str | None = None
    # The configurations as listed. Fingerprinted only when asked for (a saved plan and its
    # staleness check): hashing each of 10,000 costs more than the plan itself.
    listed: Sequence[Mapping[str, Any]] = field(default=(), repr=False, compare=False)
    saved_fingerprints: Mapping[str, str] | None = None  # as a plan file holds them
    # `listed` holds the configurations no file claims slim (shown.slimmer): not to be saved.
    slim: bool = False
    account: str | None = None  # a fleet's connected account this plan is of (fleet_plan.py)
    # How drifted fields got their values, by configuration ID (history.py; plan only), and why
    # the history could not be read, when it could not.
    history: Mapping[str, tuple[FieldHistory, ...]] = field(default_factory=dict)
    history_unavailable: str | None = None

    @property
    def price_labels(self) -> dict[str, str]:
        """The prices' labels alone (JSON's `price_labels`: price ID -> lookup_key:K)."""
        return {i: k for i, k in self.labels.items() if k.startswith(model.LOOKUP_PREFIX)}

    @property
    def space(self) -> str:
        """test, live or sandbox: where its objects live, as messages name it (dashboard.named)."""
        return "sandbox" if self.sandbox else self.mode

    @property
    def where(self) -> str:
        """The environment, and a fleet's account: `prod` or `platform/acct_123`."""
        return place(self.env, self.account)

    # Computed once, on the instance (cached_property writes its __dict__, which a frozen
    # dataclass allows: https://docs.python.org/3/library/functools.html#functools.cached_property).
    @functools.cached_property
    def fingerprints(self) -> Mapping[str, str]:
        """Each configuration listed, by ID: what a stale saved plan names as changed, new or
        gone."""
        if self.slim:
            raise ValueError("a plan read slim (plan_target.read_environment) has no fingerprints")
        if self.saved_fingerprints is not None:
            return self.saved_fingerprints
        return fingerprints(self.listed)

    @property
    def stripe_fingerprint(self) -> str:
        """Of every configuration listed ("" when none was): a saved plan's staleness check."""
        by_id = self.fingerprints
        return combined(by_id) if by_id else ""

    @property
    def differs(self) -> bool:
        """The one drift test (plan's and diff's exit codes, the JSON's `has_changes`): Stripe
        differs from the files here: changes, or configurations whose file is gone."""
        return bool(self.changes or self.prunable or self.default_kept)

    def targeted(self) -> EnvPlan:
        """Only what concerns the targeted files (--target). The other files' configurations
        look like files gone from here: they must be neither pruned nor listed."""
        return dataclasses.replace(
            self,
            changes=tuple(c for c in self.changes if c.file is not None),
            prunable=(),
            default_kept=(),
            unmanaged=(),
            unmanaged_more=0,
            looks_like={},
            bindings=tuple(b for b in self.bindings if b.desired is not None),
        )

    def of_account(self, account: str) -> EnvPlan:
        """This plan as a fleet's connected account's, each change written in that account. One
        read slim (only shown, never saved or applied) keeps only what is shown, not what it
        was made from: a fleet holds thousands of them (issue 24: memory per account)."""
        changes = tuple(dataclasses.replace(c, account=account) for c in self.changes)
        made_from: dict[str, Any] = dict(bindings=(), listed=()) if self.slim else {}
        return dataclasses.replace(self, account=account, changes=changes, **made_from)


@dataclass(frozen=True)
class Plan:
    project: str
    envs: tuple[EnvPlan, ...]
    # The fleet environments planned: name -> how many accounts the whole fleet has (--shard and
    # --accounts take a share; each account planned is an EnvPlan of its own, `account` set).
    fleet_sizes: Mapping[str, int] = field(default_factory=dict)

    @property
    def fleets(self) -> dict[str, int]:
        """Each fleet planned: how many of its accounts this run took."""
        return {name: sum(e.env == name for e in self.envs) for name in self.fleet_sizes}

    def fleet_counts(self, env: str) -> dict[str, int]:
        """A fleet's accounts in this plan: in sync, with changes, failed (with problems)."""
        counts = {"in_sync": 0, "with_changes": 0, "failed": 0}
        for e in self.envs:
            if e.env == env and e.account is not None:
                state = "failed" if e.problems else "with_changes" if e.differs else "in_sync"
                counts[state] += 1
        return counts

    @property
    def changes(self) -> list[Change]:
        return [c for e in self.envs for c in e.changes]

    def counts(self) -> dict[str, int]:
        return count(self.changes)

    @property
    def differs(self) -> bool:
        """Stripe differs from the files: changes, or configurations whose file is gone."""
        return any(e.differs for e in self.envs)

    @property
    def has_problems(self) -> bool:
        return any(e.problems for e in self.envs)

    @property
    def held(self) -> list[str]:
        """The fleet accounts with problems: all or nothing per account, so apply holds them back
        (`holding_back`) and the other accounts go ahead."""
        return [e.where for e in self.envs if e.account is not None and e.problems]

    def holding_back(self) -> Plan:
        """This plan without the changes of the accounts `held` back."""
        envs = tuple(
            dataclasses.replace(e, changes=()) if e.account is not None and e.problems else e
            for e in self.envs
        )
        return dataclasses.replace(self, envs=envs)

    def raise_if_unsafe(self, threshold: float, force: bool = False) -> None:
        """octoDNS's safety threshold (Plan.raise_if_unsafe, octodns/provider/plan.py), per
        fleet: a run that would rewrite more than `threshold` of the accounts it covers (a
        shard's, or those --accounts names; creates do not count) is refused without `force`.
        The rule and its wording are fleet_accounts'."""
        covered = self.fleets
        for name, size in self.fleet_sizes.items():
            changed = len(
                {
                    e.account
                    for e in self.envs
                    if e.env == name and any(not isinstance(c, Create) for c in e.changes)
                }
            )
            if not force and fleet_accounts.over_threshold(changed, covered[name], threshold):
                raise PortalConfigError(
                    f"fleet {name}: "
                    + fleet_accounts.threshold_message(changed, covered[name], size, threshold)
                )


def fingerprint(obj: Mapping[str, Any]) -> str:
    """What identifies a configuration's state as read: its managed fields, metadata, status and
    `updated` (not the raw JSON, which may differ between a list and a retrieve)."""
    read = Configuration.of(obj)
    material = {
        "id": read.id,
        "updated": read.updated,
        "active": read.active,
        identity.DEFAULT_FLAG: read.is_default,
        "metadata": read.metadata,
        "state": model.canonical(read.raw),
    }
    text = json.dumps(material, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fingerprints(configurations: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Each configuration listed in an environment, by ID."""
    return {str(c["id"]): fingerprint(c) for c in configurations}


def combined(by_id: Mapping[str, str]) -> str:
    """One fingerprint of an environment's configurations, from each one's."""
    return fingerprint({"id": "all", "metadata": dict(by_id)})


def stripe_fingerprint(configurations: Sequence[Mapping[str, Any]]) -> str:
    """Of every configuration listed in an environment: a saved plan's staleness check."""
    return combined(fingerprints(configurations))


def _managed_metadata(params: Mapping[str, Any]) -> list[str]:
    return sorted((params.get("metadata") or {}).keys())


def desired_state(params: Mapping[str, Any], metadata_keys: list[str]) -> dict[str, Any]:
    state = model.canonical(params)
    # A file that returns after a prune reactivates its configuration; `active: false` keeps one
    # retired.
    state["active"] = params.get("active", True) is not False
    state.update(model.metadata_state(params.get("metadata"), metadata_keys))
    return state


def current_state(obj: Mapping[str, Any], metadata_keys: list[str]) -> dict[str, Any]:
    read = Configuration.of(obj)
    state = model.canonical(read.raw)
    state["active"] = read.active
    state.update(model.metadata_state(read.metadata, metadata_keys))
    return state


def diff_states(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(p, old.get(p), new[p]) for p in new if old.get(p) != new[p])


def create_fields(state: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """What a create shows: every value that is not Stripe's default."""
    defaults = model.canonical({})
    return tuple(
        FieldChange(p, None, v)
        for p, v in state.items()
        if p != "active" and v != defaults.get(p) and v is not None
    )


def _create(project: str, env: str, d: Desired) -> Create:
    keys = _managed_metadata(d.params)
    state = desired_state(d.params, keys)
    metadata = {k: v for k, v in (d.params.get("metadata") or {}).items() if v is not None}
    metadata.update(identity.stamp(project, env, d.key))
    return Create(
        env, d.key, None, d.file, create_fields(state), payload.create_params(state, metadata)
    )


def _update(project: str, env: str, b: Binding) -> Change | None:
    """The update a found configuration needs, or None when it is in sync."""
    assert b.desired is not None and b.obj is not None
    d, obj = b.desired, b.obj
    keys = _managed_metadata(d.params)
    if b.adopting:
        keys = sorted(set(keys) | set(identity.KEYS))
    want = desired_state(d.params, keys)
    if b.adopting:
        want.update({f"metadata.{k}": v for k, v in identity.stamp(project, env, d.key).items()})
    # A login page URL that changed since the last apply recorded it (outside portal-config):
    # the record follows, so the next doctor is content (apply/write.py record_login_page).
    record = identity.login_record(obj) if identity.recorded_login_url(obj) else None
    if record and not identity.is_default(obj):
        keys = sorted({*keys, identity.LOGIN_URL})
        want.update({f"metadata.{k}": v for k, v in record.items()})
    changes = diff_states(current_state(obj, keys), want)
    if not changes:
        return None
    kind = Adopt if b.adopting else Update
    return kind(
        env,
        d.key,
        obj["id"],
        d.file,
        changes,
        payload.update_params([c.path for c in changes], want),
        fingerprint(obj),
        identity.is_default(obj),
    )


def plan_environment(
    project: str,
    env: str,
    mode: str,
    desired: Sequence[Desired],
    current: Sequence[Mapping[str, Any]],
    *,
    prune: bool = False,
    adopt: bool = False,
    left_out: Mapping[str, Sequence[Problem]] | None = None,
    unclaimed: Unclaimed | None = None,
) -> EnvPlan:
    """`current`: as listed, but those no file can claim perhaps only in `unclaimed`, as their
    note needs them (shown.slimmer), for a plan that is only shown. `left_out`: the problems of
    files (by key) that cannot be planned here. They are still matched, so their configuration
    is claimed (never pruned), but get no change: only their problems are reported, and every
    other file is planned as usual."""
    bindings = match(project, env, mode, desired, current, adopt=adopt)
    unmanaged: list[Unmanaged] = []
    changes: list[Change] = []
    problems: list[Problem] = []
    in_sync, prunable, default_kept = [], [], []
    looks_like: dict[str, str] = {}
    for b in bindings:
        obj = b.obj
        if b.desired is not None and left_out and b.desired.key in left_out:
            problems.extend(left_out[b.desired.key])
            if b.problem is not None:
                problems.append(b.problem)
        elif b.status is Status.PROBLEM:
            assert b.problem is not None
            problems.append(b.problem)
        elif b.status is Status.MISSING:
            assert b.desired is not None
            changes.append(_create(project, env, b.desired))
        elif b.status is Status.RETIRED and obj is not None:
            if obj.active:
                changes.append(deactivation(env, b.key, obj, b.file, RETIRED, fingerprint(obj)))
            else:
                in_sync.append((str(b.key), str(b.config_id)))
        elif b.status in (Status.ACTIVE, Status.INACTIVE):
            change = _update(project, env, b)
            if change is None:
                in_sync.append((str(b.key), str(b.config_id)))
            else:
                changes.append(change)
        elif b.status is Status.FILE_GONE and obj is not None:
            if prune:
                changes.append(deactivation(env, b.key, obj, None, FILE_GONE, fingerprint(obj)))
            else:
                prunable.append((str(b.key), str(b.config_id)))
        elif b.status is Status.DEFAULT_KEPT:
            default_kept.append((str(b.key), str(b.config_id)))
        elif b.status is Status.UNMANAGED and obj is not None:
            unmanaged.append((obj.id, obj.name, obj.application))
            if b.looks_like is not None:
                looks_like[obj.id] = b.looks_like.key
    # Each look-alike is named: it has a note of its own (render/words.unmanaged_notes).
    alike = [u for u in unmanaged if u[0] in looks_like]
    named, more = (unclaimed or Unclaimed()).noted([u for u in unmanaged if u[0] not in looks_like])
    return EnvPlan(
        env=env,
        mode=mode,
        changes=tuple(sorted(changes, key=lambda c: c.sort_key)),
        in_sync=tuple(in_sync),
        unmanaged=tuple(sorted([*alike, *named])),
        unmanaged_more=more,
        looks_like=looks_like,
        prunable=tuple(prunable),
        default_kept=tuple(default_kept),
        problems=tuple(problems),
        bindings=tuple(bindings),
        listed=current,
        # Unknown when those no file claims were only counted: such a plan is only shown.
        newest_id=str(current[0]["id"]) if current and unclaimed is None else None,
    )
