"""Stripe's current values -> edits of the configuration files (`portal-config pull`), the way a
Dashboard edit becomes a commit. No I/O with Stripe here: the plan says what differs (each field
change's `old` is Stripe's value), this decides where in which file each value goes and how it
is written.

Where: a file that serves several environments gets the value under `overrides.ENV`, so pulling
one environment never changes what another gets; a value already written under the override is
replaced there; otherwise the base. How: as import writes it (prices as `lookup_key:K` where an
active price has one, the environment's vars as `${name}`), a cleared value as `null`. Fields
whose file value already equals Stripe's are not in the plan, so they are never touched.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..jsontypes import Data
from ..planning.changes import Change, FieldChange, Update
from ..planning.match import Binding, Status
from ..planning.plan import EnvPlan
from ..portal import model, openapi
from ..project import config, spec
from ..project.loader import display_path
from ..project.variables import as_written
from .importer import written_products
from .yamledit import Editor

Parts = tuple[str, ...]


@dataclass(frozen=True)
class Pulled:
    """One field written back: its dotted path, and where in the file it went."""

    path: str
    under: str  # "" (the file's base) or "overrides.ENV"


@dataclass
class FilePull:
    key: str
    path: Path
    before: str
    after: str
    pulled: list[Pulled] = field(default_factory=list)

    def summary(self) -> str:
        """The fields pulled, grouped by where they went."""
        groups: dict[str, list[str]] = {}
        for p in self.pulled:
            groups.setdefault(p.under, []).append(p.path)
        return "; ".join(
            ", ".join(paths) + (f" (under {under})" if under else "")
            for under, paths in groups.items()
        )

    def diff(self) -> str:
        name = display_path(self.path)
        old, new = (name, name) if Path(name).is_absolute() else (f"a/{name}", f"b/{name}")
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True),
                self.after.splitlines(keepends=True),
                old,
                new,
            )
        )


@dataclass
class PullResult:
    env: str
    files: list[FilePull] = field(default_factory=list)
    not_pulled: list[str] = field(default_factory=list)  # what cannot be written back, and why
    refused: list[str] = field(default_factory=list)  # files the pulled values would not validate

    @property
    def count(self) -> int:
        return sum(len(f.pulled) for f in self.files)


def field_parts(path: str) -> Parts:
    """A change's dotted path in the file: a metadata key may itself hold dots."""
    if path.startswith("metadata."):
        return ("metadata", path[len("metadata.") :])
    return tuple(path.split("."))


def price_ids(result: EnvPlan) -> list[str]:
    """The prices Stripe's products hold where the plan would change them: pull writes each by
    its lookup key, so it needs them."""
    return sorted(
        {
            p
            for change in result.changes
            for f in change.fields
            if f.path == model.PRODUCTS
            for entry in f.old or ()
            for p in entry.prices
        }
    )


def _in_file_order(items: list[Any], in_file: Data) -> list[Any]:
    """What the file lists already in its order, then the rest: the diff shows only what
    changed."""
    rank = {
        v: n
        for n, v in enumerate(in_file if isinstance(in_file, list) else [])
        if isinstance(v, str)
    }
    return sorted(items, key=lambda v: rank.get(v, len(rank)) if isinstance(v, str) else 0)


def _products_in_file_order(entries: list[dict[str, Any]], in_file: Data) -> list[dict[str, Any]]:
    written_entries = (
        [e for e in in_file if isinstance(e, dict)] if isinstance(in_file, list) else []
    )

    def position(entry: dict[str, Any]) -> int:
        for n, other in enumerate(written_entries):
            if set(entry["prices"]) & set(other.get("prices") or ()) or (
                entry.get("product") and entry.get("product") == other.get("product")
            ):
                return n
        return len(written_entries)

    for entry in entries:
        n = position(entry)
        if n < len(written_entries):
            entry["prices"] = _in_file_order(entry["prices"], written_entries[n].get("prices"))
    return sorted(entries, key=position)


def written(
    change: FieldChange,
    in_file: Data,
    prices: Mapping[str, Mapping[str, Any]],
    variables: Mapping[str, str],
) -> Data:
    """Stripe's value of one field as a person writes it in the file (`in_file`: what the file
    says now, whose order is kept)."""
    if change.path == model.PRODUCTS:
        return _products_in_file_order(written_products(change.old or (), prices), in_file)
    if change.old is None:  # cleared in Stripe (a URL, a metadata key): null says so in a file
        return None
    value = as_written(model.to_param(change.path, change.old), variables)
    return _in_file_order(value, in_file) if isinstance(value, list) else value


def _required(parts: Parts) -> list[str]:
    node = model.schema_at(openapi.create_schema(), parts)
    return list(openapi.without_empty_string(node).get("required", []))


class _FileEdit:
    """The edits of one file for one environment."""

    def __init__(
        self, file: spec.ConfigFile, desired: spec.DesiredConfig, env: str, obj: Mapping[str, Any]
    ) -> None:
        self.file, self.desired, self.env = file, desired, env
        self.state = model.canonical(obj)  # Stripe's: for fields Stripe requires beside one
        self.editor = Editor(file.path)
        self.pulled: list[Pulled] = []
        self.created: list[Parts] = []

    def _prefix(self, parts: Parts) -> Parts:
        override = ("overrides", self.env)
        if self.desired.source(parts)[:2] == override or len(self.file.environments) > 1:
            return override
        return ()

    def write(self, parts: Parts, value: Data) -> None:
        prefix = self._prefix(parts)
        # A value new to an override is written like the base's (a flow list stays flow).
        created = self.editor.set((*prefix, *parts), value, self.editor.get(parts))
        self.created += [p[len(prefix) :] for p in created if len(p) > len(prefix)]
        self.pulled.append(Pulled(".".join(parts), ".".join(prefix)))

    def fill_required(self) -> None:
        """A mapping pull had to create needs the fields Stripe requires beside what it holds
        (`subscription_cancel.enabled` beside its `mode`): Stripe's values, unless the base or
        the override already has them."""
        override = ("overrides", self.env)
        for parts in self.created:
            for name in _required(parts):
                dotted = ".".join((*parts, name))
                have = [self.editor.get((*p, *parts, name)) for p in ((), override)]
                if dotted in self.state and all(v is None for v in have):
                    self.write((*parts, name), model.to_param(dotted, self.state[dotted]))

    def result(self) -> FilePull:
        return FilePull(
            self.file.key, self.file.path, self.editor.original, self.editor.text(), self.pulled
        )


def _not_pulled(b: Binding) -> str | None:
    """Why a file's configuration has nothing to pull, when the plan still has a change for it."""
    if b.status is Status.MISSING:
        return f"{b.key}: not in Stripe yet ({b.file}): nothing to pull; apply creates it"
    if b.status is Status.RETIRED and b.obj is not None and b.obj.active:
        return (
            f"{b.key} ({b.config_id}): the file says active: false and Stripe has it "
            "active; that is a deactivation apply makes, not a value: remove active: false "
            "from the file to keep it"
        )
    return None


INACTIVE = (
    "{key} ({id}): inactive in Stripe. active: false is a deactivation, not a value, so "
    "pull does not write it: apply reactivates it, or retire it with active: false in "
    "the file"
)


def pull_environment(
    project: spec.Project, env: str, result: EnvPlan, prices: Mapping[str, Mapping[str, Any]]
) -> PullResult:
    """The file edits that bring Stripe's values in `env` into the files the plan covers."""
    files = {f.key: f for f in project.files}
    desired = {d.key: d for d in config.desired_configs(project, env)}
    updates: dict[str | None, Change] = {c.key: c for c in result.changes if isinstance(c, Update)}
    variables = project.environments[env].vars
    pulled = PullResult(env)
    for b in result.bindings:
        if b.desired is None or b.key is None:
            continue
        reason = _not_pulled(b)
        if reason:
            pulled.not_pulled.append(reason)
        change = updates.get(b.key)
        if b.status not in (Status.ACTIVE, Status.INACTIVE) or change is None or b.obj is None:
            continue
        edit = _FileEdit(files[b.key], desired[b.key], env, b.obj)
        for f in change.fields:
            if f.path == "active":
                pulled.not_pulled.append(INACTIVE.format(key=b.key, id=b.config_id))
            else:
                parts = field_parts(f.path)
                in_file = model.get_path(desired[b.key].params, parts)
                edit.write(parts, written(f, in_file, prices, variables))
        edit.fill_required()
        if edit.pulled:
            _checked(project, edit.result(), pulled)
    return pulled


def _checked(project: spec.Project, edited: FilePull, pulled: PullResult) -> None:
    """The file's edit, kept when the file would still validate (for a dry run as for the real
    run: both show only what this lets through), else refused with validate's words."""
    problems = config.edit_problems(project, edited.path, edited.after)
    if not problems:
        pulled.files.append(edited)
        return
    pulled.refused.append(
        f"{display_path(edited.path)} ({edited.summary()}): Stripe's values would not validate "
        f"there ({'; '.join(p.message for p in problems)}); the file is left as it is: correct "
        "the value in the Dashboard, or edit the file by hand"
    )


def left_over(after: EnvPlan) -> list[str]:
    """The keys whose values still differ once pulled (a configuration's `active` aside, which
    pull never writes): none, unless pull has a bug."""
    return sorted(
        str(c.key)
        for c in after.changes
        if isinstance(c, Update) and any(f.path != "active" for f in c.fields)
    )


def write(result: PullResult) -> None:
    for f in result.files:
        f.path.write_text(f.after, encoding="utf-8")


def restore(result: PullResult) -> None:
    for f in result.files:
        f.path.write_text(f.before, encoding="utf-8")
