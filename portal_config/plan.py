"""Desired configurations + what Stripe has -> an ordered list of changes. No I/O here.

Identity (PRODUCT.md): the configuration pinned by `ids:`, else the account's default for
`default: true`, else the one whose three identity metadata keys match. Configurations no file
claims are never touched; those this project created in this environment whose file is gone are
deactivated only with --prune.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import model, payload
from .dashboard import portal_settings_url

ACTION_ORDER = {"create": 0, "adopt": 1, "update": 2, "deactivate": 3}


@dataclass(frozen=True)
class FieldChange:
    path: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Change:
    """One write: create, update (or adopt, an update that also writes identity keys), or
    deactivate. `params` is the exact request; `fingerprint` is of the object as planned."""

    action: str
    env: str
    key: str | None
    config_id: str | None
    file: str | None
    fields: tuple[FieldChange, ...]
    params: Mapping[str, Any]
    fingerprint: str | None = None
    is_default: bool = False

    @property
    def sort_key(self) -> tuple[int, str, str]:
        return (ACTION_ORDER[self.action], self.key or "", self.config_id or "")

    def idempotency_key(self, project: str) -> str:
        """Derived from what is written and the object it was planned against: a re-run of the
        same plan replays, a later write of the same payload to a changed object does not."""
        target = self.config_id or f"{project}/{self.env}/{self.key}"
        material = json.dumps([self.action, target, self.fingerprint, self.params],
                              sort_keys=True, default=str)
        return f"portal-config-{self.action}-{hashlib.sha256(material.encode()).hexdigest()[:40]}"


@dataclass
class EnvPlan:
    env: str
    mode: str
    changes: list[Change] = field(default_factory=list)
    in_sync: list[tuple[str, str]] = field(default_factory=list)  # (key, id)
    # (id, name, application) of the configurations no file claims, left alone
    unmanaged: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    prunable: list[tuple[str, str]] = field(default_factory=list)  # (key, id) without --prune
    # (key, id) of this project's configurations whose file is gone but which Stripe made the
    # default: Stripe refuses to deactivate the default, so only the Dashboard can retire them.
    default_kept: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # price ID -> lookup_key:K
    stripe_fingerprint: str = ""  # of every configuration listed; a saved plan's staleness check


@dataclass
class Plan:
    project: str
    envs: list[EnvPlan]

    @property
    def changes(self) -> list[Change]:
        return [c for e in self.envs for c in e.changes]

    def counts(self) -> dict[str, int]:
        return count_actions(self.changes)

    @property
    def differs(self) -> bool:
        """Stripe differs from the files: changes, or configurations whose file is gone."""
        return bool(self.changes) or any(e.prunable or e.default_kept for e in self.envs)

    @property
    def has_problems(self) -> bool:
        return any(e.problems for e in self.envs)


def fingerprint(obj: Mapping[str, Any]) -> str:
    """What identifies a configuration's state as read: its managed fields, metadata, status and
    `updated` (not the raw JSON, which may differ between a list and a retrieve)."""
    material = {"id": obj.get("id"), "updated": obj.get("updated"), "active": obj.get("active"),
                "is_default": obj.get("is_default"), "metadata": obj.get("metadata") or {},
                "state": model.canonical(obj)}
    text = json.dumps(material, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def stripe_fingerprint(configurations: Sequence[Mapping[str, Any]]) -> str:
    """Of every configuration listed in an environment: a saved plan's staleness check."""
    return fingerprint({"id": "all", "metadata": {c["id"]: fingerprint(c) for c in configurations}})


def count_actions(changes: Sequence[Change]) -> dict[str, int]:
    """Changes as people count them: an adopt is an update."""
    counts = {"create": 0, "update": 0, "deactivate": 0}
    for change in changes:
        counts["update" if change.action == "adopt" else change.action] += 1
    return counts


def identity_of(obj: Mapping[str, Any]) -> tuple[str | None, ...]:
    metadata = obj.get("metadata") or {}
    return tuple(metadata.get(k) for k in model.IDENTITY_KEYS)


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
    state = model.canonical(obj)
    state["active"] = bool(obj.get("active", True))
    state.update(model.metadata_state(obj.get("metadata"), metadata_keys))
    return state


def diff_states(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(p, old.get(p), new[p]) for p in new if old.get(p) != new[p])


def create_fields(state: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """What a create shows: every value that is not Stripe's default."""
    defaults = model.canonical({})
    return tuple(FieldChange(p, None, v) for p, v in state.items()
                 if p != "active" and v != defaults.get(p) and v is not None)


@dataclass(frozen=True)
class Desired:
    """One file's configuration for one environment, with lookup keys already resolved."""

    key: str
    file: str
    default: bool
    pinned_id: str | None
    params: Mapping[str, Any]
    at: str = ""  # FILE:LINE:COL of what decides its identity (`ids:`, `default:`), for messages

    @property
    def where(self) -> str:
        return self.at or self.file


def _claim(desired: Desired, current: Sequence[Mapping[str, Any]], identity: tuple[str, ...],
           mode: str) -> tuple[Mapping[str, Any] | None, str | None]:
    """The configuration a file describes, or a problem saying why it cannot be told."""
    if desired.pinned_id:
        found = [c for c in current if c["id"] == desired.pinned_id]
        if not found:
            return None, (f"{desired.where}: ids pins {desired.pinned_id}, which does not exist in "
                          "this account and mode: fix or remove the pin (portal-config import "
                          "writes current ones); nothing is created in its place")
        return found[0], None
    if desired.default:
        defaults = [c for c in current if c.get("is_default")]
        if not defaults:
            return None, (f"{desired.where}: default: true, but this {mode} mode has no default "
                          "configuration; Stripe creates it when you save the portal settings at "
                          f"{portal_settings_url(mode)}")
        return defaults[0], None
    matches = [c for c in current if identity_of(c) == identity]
    if len(matches) > 1:
        ids = ", ".join(sorted(c["id"] for c in matches))
        return None, (f"{desired.file}: configurations {ids} both claim key '{desired.key}': "
                      "deactivate the extra one in Stripe, or pin the right one with ids:")
    return (matches[0] if matches else None), None


def plan_environment(project: str, env: str, mode: str, desired: Sequence[Desired],
                     current: Sequence[Mapping[str, Any]], *, prune: bool = False,
                     adopt: bool = False) -> EnvPlan:
    result = EnvPlan(env=env, mode=mode, stripe_fingerprint=stripe_fingerprint(current))
    claimed: dict[str, str] = {}  # config id -> file
    for d in desired:
        identity = (project, env, d.key)
        obj, problem = _claim(d, current, identity, mode)
        if problem:
            result.problems.append(problem)
            continue
        keys = _managed_metadata(d.params)
        if obj is None:
            state = desired_state(d.params, keys)
            if not state["active"]:
                continue  # a retired configuration is never created
            metadata = {k: v for k, v in (d.params.get("metadata") or {}).items() if v is not None}
            metadata.update(zip(model.IDENTITY_KEYS, identity))
            result.changes.append(Change("create", env, d.key, None, d.file, create_fields(state),
                                         payload.create_params(state, metadata)))
            continue
        if obj["id"] in claimed:
            result.problems.append(f"{d.file} and {claimed[obj['id']]} both describe {obj['id']}: "
                                   "keep one of them")
            continue
        claimed[obj["id"]] = d.file
        if obj.get("application") and identity_of(obj)[:2] != (project, env):
            # One with this project's identity is the tool's own, created through
            # Stripe-Account (which may stamp the platform's application on it).
            result.problems.append(f"{d.file}: {obj['id']} was created by the Connect application "
                                   f"{obj['application']}; portal-config never changes it")
            continue
        # An adopted configuration (pinned, without identity keys) gets them only on request,
        # and never over another environment's or project's identity.
        adopting = adopt and d.pinned_id is not None and identity_of(obj) != identity
        if adopting and identity_of(obj)[:2] not in ((None, None), (project, env)):
            result.problems.append(f"{d.file}: {obj['id']} carries the identity of project "
                                   f"'{identity_of(obj)[0]}', environment "
                                   f"'{identity_of(obj)[1]}': not adopted; pin another one")
            continue
        if d.params.get("active") is False:
            # Retired: only its being inactive is managed. Deactivating is a deactivation, shown
            # and confirmed like one, and never the default's.
            if obj.get("is_default"):
                result.problems.append(f"{d.where}: active: false on the account's default "
                                       f"configuration {obj['id']}: Stripe cannot deactivate "
                                       "the default; remove active: false")
            elif obj.get("active"):
                result.changes.append(Change(
                    "deactivate", env, d.key, obj["id"], d.file,
                    (FieldChange("active", True, False),), {"active": False}, fingerprint(obj)))
            else:
                result.in_sync.append((d.key, obj["id"]))
            continue
        if adopting:
            keys = sorted(set(keys) | set(model.IDENTITY_KEYS))
        want = desired_state(d.params, keys)
        if adopting:
            want.update({f"metadata.{k}": v for k, v in zip(model.IDENTITY_KEYS, identity)})
        changes = diff_states(current_state(obj, keys), want)
        if not changes:
            result.in_sync.append((d.key, obj["id"]))
            continue
        params = payload.update_params([c.path for c in changes], want)
        result.changes.append(Change("adopt" if adopting else "update", env, d.key, obj["id"],
                                     d.file, changes, params, fingerprint(obj),
                                     bool(obj.get("is_default"))))
    wanted_keys = {d.key for d in desired}
    for obj in current:
        if obj["id"] in claimed:
            continue
        ident = identity_of(obj)
        ours = ident[0] == project and ident[1] == env and ident[2] not in wanted_keys
        if not ours:
            result.unmanaged.append((obj["id"], obj.get("name"), obj.get("application")))
        elif not obj.get("active"):
            continue  # retired already
        elif obj.get("is_default"):
            result.default_kept.append((str(ident[2]), obj["id"]))  # never deactivated
        elif prune:
            result.changes.append(Change(
                "deactivate", env, ident[2], obj["id"], None,
                (FieldChange("active", True, False),), {"active": False}, fingerprint(obj)))
        else:
            result.prunable.append((str(ident[2]), obj["id"]))
    result.changes.sort(key=lambda c: c.sort_key)
    result.unmanaged.sort()
    return result
