"""A Plan as text for people, Terraform-like: a legend of the symbols used, a header per change,
what customers will notice (`# ...`), `path: old -> new` per field, notes, problems and one
closing line. Decides nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from json.encoder import encode_basestring
from typing import Any

import click

from ..jsontypes import Data
from ..planning.changes import COUNTED, Change, Create
from ..planning.plan import EnvPlan, Plan
from ..portal import model
from .words import (
    PLAN,
    Wording,
    closing_line,
    default_kept_note,
    drift_headline,
    fleet_lines,
    history_unavailable,
    prunable_note,
    unmanaged_notes,
)

COLOURS = {"+": "green", "~": "yellow", "-": "red"}  # by the change's symbol


# What a terminal would not show as written (a control character, a bidi override, a line or
# paragraph separator: str.isprintable, https://docs.python.org/3/library/stdtypes.html#str.isprintable)
_UNSEEN = re.compile(r"[^\x20-\x7e]")


def _seen(match: re.Match[str]) -> str:
    c = match[0]
    return c if c.isprintable() else json.dumps(c)[1:-1]  # JSON's escape, ASCII only


def as_written(value: Data) -> str:
    """`value` as JSON for people: "Café — Plus" as written, only what cannot be seen escaped
    (`\\u202e`), so the text stays valid JSON and shows no more and no less than it holds."""
    # A text (a name: one per configuration a plan lists) is what json.dumps(ensure_ascii=False)
    # makes of it (JSONEncoder.encode: https://github.com/python/cpython/blob/3.11/Lib/json/encoder.py),
    # without a new encoder for each call.
    written = (
        encode_basestring(value)
        if isinstance(value, str)
        else json.dumps(value, ensure_ascii=False)
    )
    return _UNSEEN.sub(_seen, written)


def value_text(path: str, value: Data) -> str:
    return as_written(model.jsonable(path, value))


def _price(price: str, labels: Mapping[str, str]) -> str:
    return f"{labels[price]} ({price})" if price in labels else price


def product_text(entry: model.ProductEntry, labels: Mapping[str, str]) -> str:
    prices = sorted(entry.prices, key=lambda p: labels.get(p, p))  # the same order in every mode
    text = f"{entry.product}: " + ", ".join(_price(p, labels) for p in prices)
    if entry.quantity != model.Quantity():
        q = entry.quantity
        upper = "unbounded" if q.maximum is None else q.maximum
        text += f" (quantity {'adjustable' if q.enabled else 'fixed'}, {q.minimum}..{upper})"
    return text


def _header(change: Change) -> str:
    where = f"{change.key or '?'}" + (f" ({change.config_id})" if change.config_id else "")
    if change.config_id or not change.harm:
        what = change.outcome(change.config_id or "it")  # named by its ID where it has one
    else:  # offline (diff) there is no ID: say what is written instead
        what = f"{change.will} (active: false): {change.consequence()}"
    default = " [the account's default configuration]" if change.is_default else ""
    return f"{change.symbol} {where} in {change.where} {what}{default}"


def _product_lines(
    old: tuple[Any, ...], new: tuple[Any, ...], labels: Mapping[str, str]
) -> list[str]:
    """Products one to a line: `+` offered from now on, `-` no longer offered."""
    by_prices = lambda text: text.split(": ", 1)[-1]  # noqa: E731 - stable across modes
    gone = sorted((product_text(e, labels) for e in old or () if e not in new), key=by_prices)
    added = sorted((product_text(e, labels) for e in new if e not in (old or ())), key=by_prices)
    return [f"      - {p}" for p in gone] + [f"      + {p}" for p in added]


def field_lines(change: Change, labels: Mapping[str, str]) -> list[str]:
    """`path: old -> new` per field (`path: new` for a create), indented under the header."""
    lines = []
    for f in change.fields:
        if f.path == model.PRODUCTS:
            lines.append(f"    {f.path}:")
            lines.extend(_product_lines(f.old, f.new, labels))
        elif isinstance(change, Create):
            lines.append(f"    {f.path}: {value_text(f.path, f.new)}")
        else:
            lines.append(
                f"    {f.path}: {value_text(f.path, f.old)} -> {value_text(f.path, f.new)}"
            )
    return lines


def _env_notes(env: EnvPlan) -> list[str]:
    notes = []
    if env.prunable:
        listed = ", ".join(f"{k} ({i})" if i else k for k, i in env.prunable)
        notes.append(prunable_note(len(env.prunable), listed))
    for key, config_id in env.default_kept:
        notes.append(f"{key} ({config_id}) {default_kept_note(env.space)}")
    if env.history_unavailable:
        notes.append(history_unavailable(env.history_unavailable))
    if env.account is None:  # a fleet's are counted (words.fleet_lines)
        notes += unmanaged_notes(env, _unmanaged, lambda t: f"`{t}`")
    return [f"  {env.where}: {note}" for note in notes]


def _unmanaged(entry: tuple[str, str | None, str | None]) -> str:
    config_id, name, application = entry
    owner = f", created by the Connect application {application}" if application else ""
    return f"{as_written(name)} ({config_id}{owner})" if name else f"{config_id}{owner}"


def text(plan: Plan, color: bool = False, wording: Wording = PLAN) -> str:
    lines: list[str] = []
    drift = drift_headline(plan, wording)
    if drift:
        lines += [drift, ""]
    used = {c.counted_as for c in plan.changes}
    if used:
        legend = ", ".join(f"{k.symbol} {k.legend}" for k in COUNTED if k.counted_as in used)
        lines.append(f"{wording.legend}: {legend}")
        lines.append("")
    for env in plan.envs:
        for change in env.changes:
            header = _header(change)
            lines.append(click.style(header, fg=COLOURS[change.symbol]) if color else header)
            # What customers will notice, first: a comment, as Terraform's `# ... will be` lines.
            lines.extend(f"    # {sentence}" for sentence in change.impact(env.labels))
            lines.extend(field_lines(change, env.labels))
            lines.extend(
                f"    history: {h.path} changed {h.when}, {h.by} ({h.event_id}); before: "
                f"{value_text(h.path, h.before)}"
                for h in env.history.get(change.config_id or "", ())
            )
            lines.append("")
    notes = [n for env in plan.envs for n in _env_notes(env)]
    if notes:
        lines.append("Notes:")
        lines.extend(notes)
        lines.append("")
    problems = [f"  {env.where}: {p}" for env in plan.envs for p in env.problems]
    if problems:
        lines.append("Problems (these files are left out until fixed):")
        lines.extend(problems)
        lines.append("")
    lines.extend(fleet_lines(plan))
    lines.append(closing_line(plan, wording))
    return "\n".join(lines)
