"""Which Stripe configuration each file describes, as values: one Binding per file, and one per
configuration no file claims. No I/O; plan diffs bindings, and ids, import, doctor and diff read
them, so no command works out a status of its own.

Identity (PRODUCT.md): the configuration pinned by `ids:`, else the account's default for
`default: true`, else the one whose three identity metadata keys match. A configuration with
`application` set is another application's unless it carries this project's identity keys (one
a platform creates through `Stripe-Account` may be stamped with the platform's application).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from ..dashboard import portal_settings_url
from ..errors import Location, Problem
from ..portal import identity, model
from ..portal.configuration import Configuration


class Status(str, Enum):
    # a file's configuration
    ACTIVE = "active"  # found and active: plan compares its fields
    INACTIVE = "inactive"  # found, inactive, and the file wants it active
    MISSING = "missing"  # none yet: apply creates it
    RETIRED = "retired"  # the file says active: false
    PROBLEM = "problem"  # cannot be told or must not be touched: see `problem`
    # a configuration no file claims
    FILE_GONE = "file gone"  # this project's and environment's, active: --prune deactivates
    DEFAULT_KEPT = "default kept"  # ... but Stripe made it the default: only the Dashboard can
    UNMANAGED = "unmanaged"  # another project's, environment's or application's, or nobody's


@dataclass(frozen=True)
class Desired:
    """One file's configuration for one environment, with lookup keys already resolved."""

    key: str
    file: str
    default: bool
    pinned_id: str | None
    params: Mapping[str, Any]
    location: Location | None = None  # what decides its identity (`ids:`, `default:`)

    @property
    def where(self) -> Location:
        return self.location or Location(self.file)

    @property
    def retired(self) -> bool:
        return self.params.get("active") is False


@dataclass(frozen=True)
class Binding:
    key: str | None
    status: Status
    desired: Desired | None = None
    obj: Configuration | None = None
    problem: Problem | None = None
    adopting: bool = False  # a pinned configuration that gets this project's identity keys
    # an unmanaged configuration that looks like a file with no configuration here yet
    looks_like: Desired | None = None

    @property
    def config_id(self) -> str | None:
        return None if self.obj is None else self.obj.id

    @property
    def file(self) -> str | None:
        return None if self.desired is None else self.desired.file

    @property
    def is_default(self) -> bool:
        return self.obj is not None and self.obj.is_default


def _name(params: Mapping[str, Any], price_as: Callable[[str], str]) -> str | None:
    return params.get("name") or None


def content_of(params: Mapping[str, Any], price_as: Callable[[str], str]) -> str | None:
    """What a portal is besides its name and metadata, its prices as `price_as` names them (a
    file's `lookup_key:K`, or IDs on both sides), products by their prices alone (a file may
    leave them out); None at Stripe's defaults, where sameness says nothing."""
    defaults = _defaults()
    state = {
        f.path: model.comparable(f.path, model.get_path(params, f.parts))
        for f in model.fields()
        if f.path not in ("name", model.PRODUCTS)
    }
    entries = model.get_path(params, model.PRODUCTS_PATH) or []
    state[model.PRODUCTS] = model.comparable(
        model.PRODUCTS,
        [
            {**e, "product": "", "prices": [price_as(p) for p in e.get("prices") or ()]}
            for e in entries
        ],
    )
    state = {k: defaults[k] if v in (None, "") else v for k, v in state.items()}  # as canonical
    if all(v == defaults[k] for k, v in state.items()):
        return None
    return json.dumps(state, sort_keys=True, default=str)


@functools.cache
def _defaults() -> dict[str, Any]:
    return model.canonical({})


def may_look_alike(application: str | None, ident: identity.Identity) -> bool:
    """Only a configuration no Connect application made and no project's identity claims may
    look like a file (look_alikes, and slimmer, which keeps such a one whole to be told)."""
    return not application and not any(ident)


def look_alikes(
    files: Sequence[Desired],
    configurations: Sequence[Configuration],
    price_as: Callable[[str], str] = str,
) -> dict[str, Desired]:
    """Configuration ID -> the file it looks like: the same name, else (where one of the two
    has no name: two names that differ are two portals) the same content up to prices by lookup
    key (`price_as`). Only a configuration no identity or application claims, only `files`
    (those without a configuration here yet), and one to one: an ambiguous likeness says
    nothing (issue 20: a portal clicked together in test and in live mode)."""
    free = [c for c in configurations if may_look_alike(c.application, c.identity)]
    found: dict[str, Desired] = {}
    for sign in (_name, content_of):
        by_file: dict[str, list[Desired]] = {}
        for d in files:
            mark = sign(d.params, price_as)
            if mark is not None and d not in found.values():
                by_file.setdefault(mark, []).append(d)
        by_config: dict[str, list[Configuration]] = {}
        for c in free:
            mark = sign(c.raw, price_as)
            if mark is not None and c.id not in found:
                by_config.setdefault(mark, []).append(c)
        for mark, ds in by_file.items():
            cs = by_config.get(mark, [])
            if len(ds) != 1 or len(cs) != 1:
                continue
            if sign is content_of and ds[0].params.get("name") and cs[0].name:
                continue  # two names that differ
            found[cs[0].id] = ds[0]
    return found


def _problem(desired: Desired, message: str, at_identity: bool = True) -> Binding:
    where = desired.where if at_identity else Location(desired.file)
    return Binding(desired.key, Status.PROBLEM, desired, problem=Problem(where, message))


@dataclass(frozen=True)
class _Index:
    """Stripe's configurations by ID, by identity and the defaults: built once per environment,
    so matching is linear in files plus configurations, not their product."""

    by_id: dict[str, Configuration]
    by_identity: dict[identity.Identity, list[Configuration]]
    defaults: list[Configuration]

    @classmethod
    def of(cls, current: Sequence[Configuration]) -> _Index:
        by_identity: dict[identity.Identity, list[Configuration]] = {}
        for c in current:
            by_identity.setdefault(c.identity, []).append(c)
        return cls(
            {c.id: c for c in reversed(current)},  # the first wins, as a scan would
            by_identity,
            identity.defaults(current),
        )


def _claim(
    desired: Desired, index: _Index, claimed: identity.Identity, mode: str
) -> Configuration | Binding | None:
    """The configuration a file describes, None when there is none, or a problem Binding."""
    if desired.pinned_id:
        found = index.by_id.get(desired.pinned_id)
        if found is None:
            return _problem(
                desired,
                f"ids pins {desired.pinned_id}, which does not exist in this "
                "account and mode: fix or remove the pin (portal-config import writes "
                "current ones); nothing is created in its place",
            )
        return found
    if desired.default:
        if not index.defaults:
            return _problem(
                desired,
                f"default: true, but this {mode} mode has no default "
                "configuration; Stripe creates it when you save the portal settings "
                f"at {portal_settings_url(mode)}",
            )
        return index.defaults[0]
    matches = index.by_identity.get(claimed, [])
    if len(matches) > 1:
        ids = ", ".join(sorted(c.id for c in matches))
        return _problem(
            desired,
            f"configurations {ids} both claim key '{desired.key}': "
            "deactivate the extra one in Stripe, or pin the right one with ids:",
            at_identity=False,
        )
    return matches[0] if matches else None


def _bind(desired: Desired, obj: Configuration, project: str, env: str, adopt: bool) -> Binding:
    if obj.application and not identity.is_ours(obj, project, env):
        return _problem(
            desired,
            f"{obj.id} was created by the Connect application "
            f"{obj['application']}; portal-config never changes it",
            False,
        )
    adopting = (
        adopt and desired.pinned_id is not None and obj.identity != (project, env, desired.key)
    )
    if adopting and obj.identity[:2] not in ((None, None), (project, env)):
        return _problem(
            desired,
            f"{obj.id} carries the identity of project "
            f"'{obj.identity[0]}', environment '{obj.identity[1]}': not "
            "adopted; pin another one",
            False,
        )
    if desired.retired:
        if not identity.may_deactivate(obj):
            return _problem(
                desired,
                f"active: false on the account's default configuration "
                f"{obj.id}: Stripe cannot deactivate the default; make another "
                "configuration the default in the Dashboard first, or remove "
                "active: false",
            )
        return Binding(desired.key, Status.RETIRED, desired, obj)
    status = Status.ACTIVE if obj.active else Status.INACTIVE
    return Binding(desired.key, status, desired, obj, adopting=adopting)


def match(
    project: str,
    env: str,
    mode: str,
    desired: Sequence[Desired],
    current: Sequence[Mapping[str, Any]],
    *,
    adopt: bool = False,
) -> list[Binding]:
    """A Binding per file (in the files' order), then one per configuration no file claims,
    which says the file it looks like, if any (the files' prices are IDs by now). `current`: as the
    gateway lists them, or as mappings of that shape (diff's base side)."""
    configurations = [Configuration.of(c) for c in current]
    bindings: list[Binding] = []
    claimed: dict[str, str] = {}  # config id -> file
    index = _Index.of(configurations)
    for d in desired:
        found = _claim(d, index, (project, env, d.key), mode)
        if isinstance(found, Binding):
            bindings.append(found)
            if not (d.pinned_id or d.default):  # claimed twice: both are this file's problem
                claimed.update(
                    {c.id: d.file for c in index.by_identity.get((project, env, d.key), [])}
                )
        elif found is None:
            bindings.append(Binding(d.key, Status.RETIRED if d.retired else Status.MISSING, d))
        elif found.id in claimed:
            bindings.append(
                _problem(
                    d,
                    f"this file and {claimed[found.id]} both describe {found.id}: keep one of them",
                    False,
                )
            )
        else:
            claimed[found.id] = d.file
            bindings.append(_bind(d, found, project, env, adopt))
    wanted = {d.key for d in desired}
    for obj in configurations:
        if obj.id in claimed:
            continue
        ident = obj.identity
        ours = ident[0] == project and ident[1] == env and ident[2] not in wanted
        if not ours:
            bindings.append(Binding(None, Status.UNMANAGED, obj=obj))
        elif not obj.active:
            continue  # retired already: nothing to say
        elif obj.is_default:
            bindings.append(Binding(ident[2], Status.DEFAULT_KEPT, obj=obj))
        else:
            bindings.append(Binding(ident[2], Status.FILE_GONE, obj=obj))
    missing = [b.desired for b in bindings if b.status is Status.MISSING and b.desired]
    unmanaged = [b.obj for b in bindings if b.status is Status.UNMANAGED and b.obj]
    alike = look_alikes(missing, unmanaged) if missing and unmanaged else {}
    if not alike:
        return bindings
    return [
        replace(b, looks_like=alike.get(b.config_id or "")) if b.status is Status.UNMANAGED else b
        for b in bindings
    ]
